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
