import type { Logger } from "../server/logger.js";

/** Options shared by the HTTP adapters. */
export interface HandlerOptions<TContext, TRequest> {
  /**
   * Builds the request context — the place to authenticate. Throw a `RequestError` (e.g. 401)
   * to refuse the request before anything else runs.
   */
  context: (request: TRequest) => TContext | Promise<TContext>;
  /** Largest accepted body in bytes; larger ones get 413. Default 10 MB. */
  maxBodyBytes?: number;
  /** A `: keep-alive` comment is sent on a stream idle this long (ms). Default 15 000; 0 disables. */
  keepAliveMs?: number;
  /** Defaults to the server's logger. */
  logger?: Logger;
  /**
   * Whether the endpoint refuses (415) a body not declared `Content-Type: application/json`.
   * Default `true`, and keep it so when the app authenticates with cookies: a page on another site
   * can post `text/plain`, a form or multipart to any URL with the user's cookies and no CORS
   * check, but sending `application/json` cross-site needs a CORS preflight the browser only passes
   * with your consent. Set `false` only for clients that cannot set the header and that
   * authenticate without cookies (e.g. with a bearer token). The attachment upload routes take
   * multipart either way.
   */
  requireJsonContentType?: boolean;
}

export const DEFAULT_MAX_BODY_BYTES = 10 * 1024 * 1024;
export const DEFAULT_KEEP_ALIVE_MS = 15_000;

/** Headers of a streaming answer: no caching or proxy buffering, so each event arrives at once. */
export const SSE_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  "Content-Type": "text/event-stream; charset=utf-8",
  "Cache-Control": "no-cache, no-transform",
  Connection: "keep-alive",
  "X-Accel-Buffering": "no",
});

export const JSON_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  "Content-Type": "application/json; charset=utf-8",
});

export const KEEP_ALIVE_FRAME = new TextEncoder().encode(": keep-alive\n\n");
