/**
 * A ChatKit server on the Vercel AI SDK: `streamText` streams the answer from OpenAI or Anthropic
 * (any AI SDK provider works the same), a server tool shows its result as a widget, and a client
 * tool runs in the browser. Stop in the client aborts the provider request; the partial answer
 * is kept and the next turn knows it was cancelled.
 *
 * Run: `ANTHROPIC_API_KEY=... npx tsx examples/ai-sdk-server.ts` or
 * `OPENAI_API_KEY=... npx tsx examples/ai-sdk-server.ts` (node:http on :8787; AI_MODEL picks the
 * model).
 */
import http from "node:http";
import { anthropic } from "@ai-sdk/anthropic";
import { openai } from "@ai-sdk/openai";
import { stepCountIs, streamText, tool, type LanguageModel } from "ai";
import { z } from "zod";
import { streamTextResponse, toModelMessages } from "../src/ai/index.js";
import { ChatKitServer, InMemoryStore, toNodeHandler, type ThreadMetadata, type ThreadStreamEvent, type Turn, type UserMessageItem } from "../src/index.js";
import { Card, Col, Row, Text, Title } from "../src/widgets/index.js";

type Context = { userId: string };

/** The model the environment names: Anthropic with ANTHROPIC_API_KEY, else OpenAI with OPENAI_API_KEY. */
export function modelFromEnv(env: Record<string, string | undefined> = process.env): LanguageModel | undefined {
  if (env.ANTHROPIC_API_KEY) return anthropic(env.AI_MODEL ?? "claude-sonnet-4-5");
  if (env.OPENAI_API_KEY) return openai(env.AI_MODEL ?? "gpt-5-mini");
  return undefined;
}

export const tools = {
  /** A server tool: runs here; its result also shows as a card (see `toolWidget` below). */
  get_weather: tool({
    description: "Current weather for a city.",
    inputSchema: z.object({ city: z.string() }),
    execute: async ({ city }) => ({ city, temperatureC: 21, conditions: "Sunny" }), // call a real API here
  }),
  /** A client tool (no `execute`): the turn pauses, the ChatKit client runs it, the next turn gets its output. */
  get_selected_text: tool({
    description: "The text the user has selected on the page.",
    inputSchema: z.object({}),
  }),
};

export class AiSdkServer extends ChatKitServer<Context> {
  constructor(readonly model: LanguageModel) {
    super({ store: new InMemoryStore<Context>({ owner: (ctx) => ctx.userId }) });
  }

  async *respond(thread: ThreadMetadata, _input: UserMessageItem | null, context: Context, turn: Turn): AsyncIterable<ThreadStreamEvent> {
    // The last 20 items, oldest first (they include the new user message).
    const page = await this.store.loadThreadItems(thread.id, undefined, 20, "desc", context);
    const result = streamText({
      model: this.model,
      system: "You are a helpful assistant. Use get_weather for weather questions; the user sees its card.",
      messages: await toModelMessages([...page.data].reverse()),
      tools,
      stopWhen: stepCountIs(5),
      abortSignal: turn.signal, // Stop in the client aborts the provider request (and its billing)
      onError: () => {}, // ChatKitServer logs the error and sends the client an error event
    });
    yield* streamTextResponse(thread, result, {
      store: this.store,
      context,
      signal: turn.signal,
      // The weather tool's result as a card (typed by the tool's output).
      toolWidget: (result) =>
        !result.dynamic && result.toolName === "get_weather"
          ? Card({
              children: [
                Title({ value: result.output.city }),
                Row({ children: [Text({ value: `${result.output.temperatureC} °C` }), Col({ children: [Text({ value: result.output.conditions })] })] }),
              ],
            })
          : null,
    });
    thread.title ??= "AI SDK chat"; // saved and announced with thread.updated
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const model = modelFromEnv();
  if (!model) {
    console.error("Set ANTHROPIC_API_KEY or OPENAI_API_KEY to run this example.");
    process.exit(1);
  }
  const handler = toNodeHandler(new AiSdkServer(model), { context: (req) => ({ userId: String(req.headers["x-user-id"] ?? "demo") }) });
  http.createServer((req, res) => void handler(req, res)).listen(8787, () => console.log("ChatKit endpoint: http://localhost:8787/chatkit"));
}
