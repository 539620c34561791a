/** Error codes the SDK defines for `error` events; the set is open. */
export type StreamErrorCode = "stream.error" | (string & {});

const DEFAULT_ALLOW_RETRY: Record<string, boolean> = { "stream.error": true };

/**
 * Thrown inside `respond` or `action`: ends the stream with `{"type":"error","code":code}`.
 * `allowRetry` defaults to `true` for `stream.error`, `false` for other codes.
 */
export class StreamError extends Error {
  override readonly name: string = "StreamError";
  readonly code: StreamErrorCode;
  readonly allowRetry: boolean;

  constructor(code: StreamErrorCode, options: { allowRetry?: boolean; cause?: unknown } = {}) {
    super(`Stream error: ${code}`, { cause: options.cause });
    this.code = code;
    this.allowRetry = options.allowRetry ?? DEFAULT_ALLOW_RETRY[code] ?? false;
  }
}

/** Thrown inside `respond` or `action`: ends the stream with an error the client shows as `message`. */
export class CustomStreamError extends Error {
  override readonly name: string = "CustomStreamError";
  readonly allowRetry: boolean;

  constructor(message: string, options: { allowRetry?: boolean; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.allowRetry = options.allowRetry ?? false;
  }
}

/**
 * A request that cannot be served, raised before any byte is streamed. The HTTP adapters answer
 * `status` with `{"error": message}`. Throw it from a `context` builder to refuse a request
 * (e.g. 401 or 403).
 */
export class RequestError extends Error {
  override readonly name: string = "RequestError";
  readonly status: number;

  constructor(status: number, message: string, options: { cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.status = status;
  }
}
