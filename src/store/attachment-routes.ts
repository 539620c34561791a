import type { Store } from "./store.js";

/** An HTTP request as the attachment routes see it, whichever adapter received it. */
export interface AttachmentHttpRequest {
  /** Upper-case method, e.g. `POST`. */
  readonly method: string;
  /** The request URL; only its path and query matter. Dot segments are already resolved. */
  readonly url: URL;
  /** A request header (case-insensitive name), or `undefined`. */
  header(name: string): string | undefined;
  /** The request body, read at most once. */
  readonly body: AsyncIterable<Uint8Array>;
  /** Aborts when the client disconnects. */
  readonly signal: AbortSignal;
}

/** What an attachment route answers. Failures are thrown as `RequestError`s instead. */
export interface AttachmentHttpResponse {
  status: number;
  headers: Record<string, string>;
  /** A JSON string, bytes, or a stream of bytes (e.g. a file); none for an empty body. */
  body?: string | Uint8Array | AsyncIterable<Uint8Array>;
}

/** What the adapters hand to the attachment routes besides the request. */
export interface AttachmentRouteEnv<TContext> {
  /** The server's store, for attachment metadata. */
  readonly store: Store<TContext>;
  /**
   * Builds the request context with the adapter's `context` option (so it authenticates). Called
   * only by routes that need it; the result is memoized.
   */
  context(): Promise<TContext>;
}

/**
 * Implemented by attachment stores that serve their own HTTP routes (uploads, previews). When
 * the server's `attachmentStore` has it, `toFetchHandler` and `toNodeHandler` offer every request
 * to `handleAttachmentRequest` first; the ones it does not claim go to the ChatKit endpoint.
 */
export interface AttachmentRoutes<TContext> {
  /**
   * Answers `request` if it is one of this store's routes, else resolves `undefined` without
   * reading the body. Throws `RequestError` to refuse it (4xx).
   */
  handleAttachmentRequest(
    request: AttachmentHttpRequest,
    env: AttachmentRouteEnv<TContext>,
  ): Promise<AttachmentHttpResponse | undefined>;
}

/** Whether `store` serves attachment routes. */
export function hasAttachmentRoutes<TContext>(store: unknown): store is AttachmentRoutes<TContext> {
  return (
    typeof store === "object" &&
    store !== null &&
    typeof (store as Partial<AttachmentRoutes<TContext>>).handleAttachmentRequest === "function"
  );
}
