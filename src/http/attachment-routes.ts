import type { ChatKitServer } from "../server/chatkit-server.js";
import {
  hasAttachmentRoutes,
  type AttachmentHttpRequest,
  type AttachmentHttpResponse,
  type AttachmentRouteEnv,
  type AttachmentRoutes,
} from "../store/attachment-routes.js";

/** The server's attachment store when it serves HTTP routes (e.g. `LocalAttachmentStore`). */
export function attachmentRoutesOf<TContext>(server: ChatKitServer<TContext>): AttachmentRoutes<TContext> | undefined {
  const store = server.attachmentStore;
  return hasAttachmentRoutes<TContext>(store) ? store : undefined;
}

/** The route environment, building the context at most once. */
export function routeEnv<TContext>(
  server: ChatKitServer<TContext>,
  buildContext: () => TContext | Promise<TContext>,
): AttachmentRouteEnv<TContext> {
  let context: Promise<TContext> | undefined;
  return {
    store: server.store,
    context: () => (context ??= Promise.resolve().then(buildContext)),
  };
}

/** A Web `Request` as an attachment route request. */
export function fromFetchRequest(request: Request): AttachmentHttpRequest {
  return {
    method: request.method,
    url: new URL(request.url),
    header: (name) => request.headers.get(name) ?? undefined,
    body: (request.body ?? emptyBody()) as unknown as AsyncIterable<Uint8Array>,
    signal: request.signal,
  };
}

async function* emptyBody(): AsyncIterable<Uint8Array> {}

export function isAsyncIterable(body: unknown): body is AsyncIterable<Uint8Array> {
  return typeof body === "object" && body !== null && Symbol.asyncIterator in body;
}

/** A route response as a Web `Response`; a streamed body is closed if the client goes away. */
export function toWebResponse(response: AttachmentHttpResponse): Response {
  const { status, headers, body } = response;
  if (!isAsyncIterable(body)) return new Response(body ?? null, { status, headers });
  const iterator = body[Symbol.asyncIterator]();
  const stream = new ReadableStream<Uint8Array>({
    async pull(controller) {
      const next = await iterator.next();
      if (next.done) controller.close();
      else controller.enqueue(next.value);
    },
    async cancel() {
      await iterator.return?.();
    },
  });
  return new Response(stream, { status, headers });
}
