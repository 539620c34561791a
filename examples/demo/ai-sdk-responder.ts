/**
 * The demo's AI SDK responder, used when ANTHROPIC_API_KEY is set: `streamText` over the model
 * the environment names (see `modelFromEnv` in examples/ai-sdk-server.ts), streamed as ChatKit
 * events by `streamTextResponse`. Loaded lazily by the demo server.
 */
import { streamText, type LanguageModel } from "ai";
import { streamTextResponse, toModelMessages } from "../../src/ai/index.js";
import { LocalAttachmentStore } from "../../src/index.js";
import { inputText, titleFrom, type Responder } from "./offline-responder.js";

/** A responder that answers with `model`, the last 20 thread items as its input. */
export function aiSdkResponder<TContext>(model: LanguageModel): Responder<TContext> {
  return async function* respond(host, thread, input, context, turn) {
    if (!thread.title) thread.title = titleFrom(inputText(input));
    // The model cannot fetch the `localhost` previews: attachments go inline, read from the store.
    const attachments = host.attachmentStore;
    const page = await host.store.loadThreadItems(thread.id, undefined, 20, "desc", context);
    const messages = await toModelMessages(
      [...page.data].reverse(),
      attachments instanceof LocalAttachmentStore
        ? { attachmentSource: async (attachment) => ({ data: await attachments.read(attachment.id, context), mediaType: attachment.mime_type }) }
        : {},
    );
    const result = streamText({
      model,
      system: "You are a helpful assistant in a ChatKit demo. Answer in concise markdown.",
      messages,
      abortSignal: turn.signal,
      onError: () => {}, // the server logs it and sends an error event
    });
    yield* streamTextResponse(thread, result, { store: host.store, context, signal: turn.signal });
  };
}
