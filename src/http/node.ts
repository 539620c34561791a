import type { IncomingMessage, ServerResponse } from "node:http";
import type { ChatKitServer } from "../server/chatkit-server.js";
import { NonStreamingResult } from "../server/results.js";
import { fromNodeRequest, sendNodeResponse } from "./attachment-routes-node.js";
import { attachmentRoutesOf, routeEnv } from "./attachment-routes.js";
import { readNodeBody } from "./body.js";
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

/** Options of `toNodeHandler`. */
export type NodeHandlerOptions<TContext> = HandlerOptions<TContext, IncomingMessage>;

/** Resolves when `res` can take more data, or when the connection closed. */
function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off("drain", done);
      res.off("close", done);
      resolve();
    };
    res.on("drain", done);
    res.on("close", done);
  });
}

/**
 * Mounts a server as a node:http handler, `(req, res) => Promise<void>`: for `http.createServer`,
 * Express, Fastify's raw mode. A client that disconnects cancels the turn.
 *
 * When the server's `attachmentStore` serves routes (`LocalAttachmentStore`), requests under its
 * path go to it; mount the handler on that path too.
 *
 * ```ts
 * http.createServer((req, res) => req.url === "/chatkit" ? handler(req, res) : notFound(res));
 * ```
 */
export function toNodeHandler<TContext>(
  server: ChatKitServer<TContext>,
  options: NodeHandlerOptions<TContext>,
): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const keepAliveMs = options.keepAliveMs ?? DEFAULT_KEEP_ALIVE_MS;
  const requireJson = options.requireJsonContentType ?? true;
  const logger = options.logger ?? server.logger;
  const attachmentRoutes = attachmentRoutesOf(server);

  return async (req, res) => {
    const disconnect = new AbortController();
    const onClose = () => {
      if (!res.writableFinished) disconnect.abort(new DOMException("The client disconnected", "AbortError"));
    };
    res.on("close", onClose);
    try {
      if (attachmentRoutes) {
        const env = routeEnv(server, () => options.context(req));
        const response = await attachmentRoutes.handleAttachmentRequest(fromNodeRequest(req, disconnect.signal), env);
        if (response) {
          await sendNodeResponse(res, response);
          return;
        }
      }
      if (req.method !== "POST") throw methodNotAllowed();
      if (requireJson) checkJsonContentType(req.headers["content-type"]);
      const context = await options.context(req);
      const body = await readNodeBody(req, maxBodyBytes);
      const result = await server.process(body, context, { signal: disconnect.signal });
      if (result instanceof NonStreamingResult) {
        res.writeHead(200, JSON_HEADERS).end(result.json);
        return;
      }
      res.writeHead(200, SSE_HEADERS);
      res.flushHeaders();
      res.socket?.setNoDelay(true);
      const keepAlive = new KeepAlive(keepAliveMs, () => res.write(KEEP_ALIVE_FRAME));
      try {
        // Text frames: res.write encodes a string natively, with no JS buffer per event.
        const frames = { [Symbol.asyncIterator]: () => result.textFrames() };
        for await (const chunk of frames) {
          if (disconnect.signal.aborted) break;
          keepAlive.touch();
          if (!res.write(chunk)) await drained(res);
        }
      } finally {
        keepAlive.stop();
      }
      res.end();
    } catch (error) {
      if (isClientGone(error, disconnect.signal)) {
        // Nobody to answer: no status, no error log.
        logger.debug?.("The client went away before its ChatKit request was answered", error);
        res.destroy();
        return;
      }
      if (res.headersSent) {
        logger.error("Error after a ChatKit stream started", error);
        res.destroy();
        return;
      }
      const { status, headers, body } = errorResponse(error, logger);
      res.writeHead(status, headers).end(body);
    } finally {
      res.off("close", onClose);
    }
  };
}
