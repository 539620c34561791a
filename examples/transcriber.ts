/**
 * Dictation (`input.transcribe`) with OpenAI's audio API, plus attachments stored on disk.
 * Run: `OPENAI_API_KEY=... npx tsx examples/transcriber.ts` (node:http on :8787), then point the
 * ChatKit client at http://localhost:8787/chatkit with `composer.dictation.enabled: true` and
 * `composer.attachments: { enabled: true }`, `api.uploadStrategy: { type: "two_phase" }`.
 */
import http from "node:http";
import OpenAI, { toFile } from "openai";
import {
  ChatKitServer,
  InMemoryStore,
  LocalAttachmentStore,
  toNodeHandler,
  type AudioInput,
  type ThreadMetadata,
  type ThreadStreamEvent,
  type TranscriptionResult,
  type UserMessageItem,
} from "../src/index.js";

type Context = { userId: string };

// The client records audio/webm, audio/mp4 or audio/ogg; the file name's extension is how the
// API tells the container apart.
const EXTENSIONS: Record<string, string> = { "audio/webm": "webm", "audio/mp4": "mp4", "audio/ogg": "ogg", "audio/mpeg": "mp3", "audio/wav": "wav" };

export class DictationServer extends ChatKitServer<Context> {
  readonly #openai = new OpenAI();

  override async transcribe(audio: AudioInput, _context: Context): Promise<TranscriptionResult> {
    const extension = EXTENSIONS[audio.media_type] ?? "webm";
    const file = await toFile(audio.data, `dictation.${extension}`, { type: audio.media_type });
    const transcription = await this.#openai.audio.transcriptions.create({ file, model: "gpt-4o-mini-transcribe" });
    return { text: transcription.text };
  }

  async *respond(thread: ThreadMetadata, input: UserMessageItem | null, context: Context): AsyncIterable<ThreadStreamEvent> {
    const text = input?.content.map((part) => part.text).join(" ") ?? "";
    const files = input?.attachments.map((attachment) => attachment.name).join(", ");
    yield {
      type: "thread.item.done",
      item: {
        type: "assistant_message",
        id: this.store.generateItemId("message", thread, context),
        thread_id: thread.id,
        created_at: new Date().toISOString(),
        content: [{ type: "output_text", text: `You said: ${text}${files ? ` (files: ${files})` : ""}`, annotations: [] }],
      },
    };
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const port = Number(process.env.PORT ?? 8787);
  const server = new DictationServer({
    store: new InMemoryStore<Context>(),
    attachmentStore: new LocalAttachmentStore<Context>({
      directory: "./data/attachments",
      baseUrl: `http://localhost:${port}/chatkit/attachments`,
    }),
  });
  const handler = toNodeHandler(server, { context: () => ({ userId: "local" }) });
  // One handler serves the ChatKit endpoint and the attachment routes below it.
  http
    .createServer((req, res) => {
      if (req.url?.startsWith("/chatkit")) void handler(req, res);
      else res.writeHead(404).end();
    })
    .listen(port, () => console.log(`ChatKit server on http://localhost:${port}/chatkit`));
}
