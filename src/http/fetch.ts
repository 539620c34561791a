import type { ChatKitServer } from "../server/chatkit-server.js";
import { NonStreamingResult, type StreamingResult } from "../server/results.js";
import { attachmentRoutesOf, fromFetchRequest, routeEnv, toWebResponse } from "./attachment-routes.js";
import { readRequestBody } from "./body.js";
import { checkJsonContentType, errorResponse, isClientGone, methodNotAllowed } from "./errors.js";
import { KeepAlive } from "./keep-alive.js";
import {
  DEFAULT_KEEP_ALIVE_MS,
  DEFAULT_MAX_BODY_BYTES,
  JSON_HEADERS,
  KEEP_ALIVE_FRAME,
  SSE_HEADERS,
  type HandlerOptions,
} from "./options.js";

/** Options of `toFetchHandler`. */
export type FetchHandlerOptions<TContext> = HandlerOptions<TContext, Request>;

/** The stream as a response body; cancelling the body (client gone) cancels the turn. */
function eventStream(result: StreamingResult, keepAliveMs: number): ReadableStream<Uint8Array> {
  const iterator = result[Symbol.asyncIterator]();
  let keepAlive: KeepAlive | undefined;
  let open = true;
  return new ReadableStream<Uint8Array>({
    start(controller) {
      keepAlive = new KeepAlive(keepAliveMs, () => open && controller.enqueue(KEEP_ALIVE_FRAME));
    },
    async pull(controller) {
      const next = await iterator.next();
      if (!open) return;
      if (next.done) {
        open = false;
        keepAlive?.stop();
        controller.close();
        return;
      }
      keepAlive?.touch();
      controller.enqueue(next.value);
    },
    async cancel(reason) {
      open = false;
      keepAlive?.stop();
      await result.cancel(reason);
    },
  });
}

/**
 * Mounts a server as a Web-standard handler, `(request: Request) => Promise<Response>`: for Hono,
 * Next.js route handlers, Bun, Deno, Cloudflare Workers. The request's `signal` (client gone)
 * cancels the turn.
 *
 * ```ts
 * app.post("/chatkit", (c) => handler(c.req.raw));
 * ```
 *
 * When the server's `attachmentStore` serves routes (`LocalAttachmentStore`), requests under its
 * path go to it; route that path to the handler too (`app.all("/chatkit/attachments/*", ...)`).
 */
export function toFetchHandler<TContext>(
  server: ChatKitServer<TContext>,
  options: FetchHandlerOptions<TContext>,
): (request: Request) => Promise<Response> {
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const keepAliveMs = options.keepAliveMs ?? DEFAULT_KEEP_ALIVE_MS;
  const requireJson = options.requireJsonContentType ?? true;
  const logger = options.logger ?? server.logger;
  const attachmentRoutes = attachmentRoutesOf(server);

  return async (request) => {
    try {
      if (attachmentRoutes) {
        const env = routeEnv(server, () => options.context(request));
        const response = await attachmentRoutes.handleAttachmentRequest(fromFetchRequest(request), env);
        if (response) return toWebResponse(response);
      }
      if (request.method !== "POST") throw methodNotAllowed();
      if (requireJson) checkJsonContentType(request.headers.get("content-type"));
      const context = await options.context(request);
      const body = await readRequestBody(request, maxBodyBytes);
      const result = await server.process(body, context, { signal: request.signal });
      if (result instanceof NonStreamingResult) {
        return new Response(result.json, { status: 200, headers: JSON_HEADERS });
      }
      return new Response(eventStream(result, keepAliveMs), { status: 200, headers: SSE_HEADERS });
    } catch (error) {
      if (isClientGone(error, request.signal)) {
        // Nobody reads this answer; 499 ("client closed request") keeps it out of 5xx metrics.
        logger.debug?.("The client went away before its ChatKit request was answered", error);
        return new Response(null, { status: 499 });
      }
      const { status, headers, body } = errorResponse(error, logger);
      return new Response(body, { status, headers });
    }
  };
}
