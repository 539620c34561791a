import type { IncomingMessage, ServerResponse } from "node:http";
import { pipeline } from "node:stream/promises";
import type { AttachmentHttpRequest, AttachmentHttpResponse } from "../store/attachment-routes.js";
import { isAsyncIterable } from "./attachment-routes.js";

// Kept apart from attachment-routes.ts so that toFetchHandler loads no node:stream.

/** A node:http request as an attachment route request. */
export function fromNodeRequest(req: IncomingMessage, signal: AbortSignal): AttachmentHttpRequest {
  return {
    method: req.method ?? "GET",
    // Only the path matters; the WHATWG parser resolves `..` and `%2e%2e` segments.
    url: new URL(req.url ?? "/", "http://localhost"),
    header: (name) => {
      const value = req.headers[name.toLowerCase()];
      return Array.isArray(value) ? value.join(", ") : value;
    },
    body: req,
    signal,
  };
}

/** Writes a route response to a node:http response, with backpressure for streamed bodies. */
export async function sendNodeResponse(res: ServerResponse, response: AttachmentHttpResponse): Promise<void> {
  const { status, headers, body } = response;
  res.writeHead(status, headers);
  if (!isAsyncIterable(body)) {
    res.end(body);
    return;
  }
  try {
    await pipeline(body, res);
  } catch (error) {
    // The client went away mid-download: nothing to answer, nothing to log.
    if ((error as NodeJS.ErrnoException).code !== "ERR_STREAM_PREMATURE_CLOSE") throw error;
  }
}
