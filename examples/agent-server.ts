/**
 * An agent-backed ChatKit server: `@openai/agents` streams the answer, and a function tool
 * reports progress and shows a widget in the same response. Stop in the client aborts the model
 * request; the partial answer is kept and the next turn knows it was cancelled.
 *
 * Run: `OPENAI_API_KEY=sk-... npx tsx examples/agent-server.ts` (node:http on :8787).
 */
import http from "node:http";
import { z } from "zod";
import {
  Agent,
  InputGuardrailTripwireTriggered,
  OutputGuardrailTripwireTriggered,
  run,
  tool,
} from "@openai/agents";
import { AgentContext, getAgentContext, streamAgentResponse, ThreadItemConverter } from "../src/agents/index.js";
import { toNodeHandler } from "../src/http/index.js";
import {
  ChatKitServer,
  InMemoryStore,
  type ThreadMetadata,
  type ThreadStreamEvent,
  type Turn,
  type UserMessageItem,
} from "../src/index.js";
import { Card, Col, Row, Text, Title } from "../src/widgets/components.js";

type Context = { userId: string };

/** A function tool: reports progress, then shows its result as a widget, then answers the model. */
const getWeather = tool({
  name: "get_weather",
  description: "Current weather for a city.",
  parameters: z.object({ city: z.string() }),
  execute: async ({ city }, runContext) => {
    const ctx = getAgentContext<Context>(runContext);
    await ctx.stream({ type: "progress_update", icon: "globe", text: `Checking the weather in ${city}…` });
    const report = { city, temperatureC: 21, conditions: "Sunny" }; // call a real API here
    await ctx.streamWidget(
      Card({
        children: [
          Title({ value: report.city }),
          Row({ children: [Text({ value: `${report.temperatureC} °C` }), Col({ children: [Text({ value: report.conditions })] })] }),
        ],
      }),
      `${report.city}: ${report.temperatureC} °C, ${report.conditions}`,
    );
    return JSON.stringify(report);
  },
});

const assistant = new Agent<AgentContext<Context>>({
  name: "Assistant",
  instructions: "You are a helpful assistant. Use get_weather for weather questions; the user sees its card.",
  model: "gpt-5-mini",
  tools: [getWeather],
});

/** Turns stored thread items into model input; override hooks for attachments, tags, … */
const converter = new ThreadItemConverter();

class AgentServer extends ChatKitServer<Context> {
  async *respond(thread: ThreadMetadata, _input: UserMessageItem | null, context: Context, turn: Turn): AsyncIterable<ThreadStreamEvent> {
    // The last 20 items, oldest first (they include the new user message).
    const page = await this.store.loadThreadItems(thread.id, undefined, 20, "desc", context);
    const input = await converter.toAgentInput([...page.data].reverse());

    const agentContext = new AgentContext({ thread, store: this.store, requestContext: context });
    // `signal: turn.signal` is what stops the model request (and billing) when the user presses Stop.
    const result = await run(assistant, input, { stream: true, context: agentContext, signal: turn.signal });
    try {
      yield* streamAgentResponse(agentContext, result);
    } catch (error) {
      if (error instanceof InputGuardrailTripwireTriggered) {
        yield { type: "error", code: "custom", message: "We blocked that message for safety.", allow_retry: false };
        return;
      }
      if (error instanceof OutputGuardrailTripwireTriggered) {
        yield { type: "error", code: "custom", message: "The assistant response was blocked.", allow_retry: false };
        return;
      }
      throw error;
    }
    thread.title ??= "Weather chat"; // saved and announced with thread.updated
  }
}

export const server = new AgentServer({ store: new InMemoryStore<Context>({ owner: (ctx) => ctx.userId }) });
export const nodeHandler = toNodeHandler(server, { context: (req) => ({ userId: String(req.headers["x-user-id"] ?? "demo") }) });

if (import.meta.url === `file://${process.argv[1]}`) {
  if (!process.env.OPENAI_API_KEY) {
    console.error("Set OPENAI_API_KEY to run this example.");
    process.exit(1);
  }
  http
    .createServer((req, res) => void nodeHandler(req, res))
    .listen(8787, () => console.log("ChatKit endpoint: http://localhost:8787/chatkit"));
}
