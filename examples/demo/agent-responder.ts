/**
 * The demo's model-backed responder, used when OPENAI_API_KEY is set: an `@openai/agents` agent
 * whose run is streamed as ChatKit events by `streamAgentResponse`. Loaded lazily by the demo
 * server, so the offline demo never imports the Agents SDK.
 */
import { Agent, run } from "@openai/agents";
import { AgentContext, streamAgentResponse, ThreadItemConverter } from "../../src/agents/index.js";
import { titleFrom, inputText, type Responder } from "./offline-responder.js";

/** Options of `agentResponder`. */
export interface AgentResponderOptions {
  /** The model; default `process.env.OPENAI_MODEL` or `gpt-5-mini`. */
  model?: string;
}

/** A responder that answers with an agent, the last 20 thread items as its input. */
export function agentResponder<TContext>(options: AgentResponderOptions = {}): Responder<TContext> {
  const agent = new Agent<AgentContext<TContext>>({
    name: "Assistant",
    instructions: "You are a helpful assistant in a ChatKit demo. Answer in concise markdown.",
    model: options.model ?? process.env.OPENAI_MODEL ?? "gpt-5-mini",
  });
  const converter = new ThreadItemConverter();

  return async function* respond(host, thread, input, context, turn) {
    if (!thread.title) thread.title = titleFrom(inputText(input));
    // Newest 20 items, oldest first; they include the new user message.
    const page = await host.store.loadThreadItems(thread.id, undefined, 20, "desc", context);
    const agentInput = await converter.toAgentInput([...page.data].reverse());
    const agentContext = new AgentContext({ thread, store: host.store, requestContext: context });
    // `signal: turn.signal` aborts the model request itself when the user presses Stop.
    const result = await run(agent, agentInput, { stream: true, context: agentContext, signal: turn.signal });
    yield* streamAgentResponse(agentContext, result, { signal: turn.signal });
  };
}
