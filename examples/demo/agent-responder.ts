/**
 * The demo's model-backed responder, used when OPENAI_API_KEY is set: an `@openai/agents` agent
 * whose run is streamed as ChatKit events by `streamAgentResponse`. Loaded lazily by the demo
 * server, so the offline demo never imports the Agents SDK.
 */
import { Agent, run, type Model } from "@openai/agents";
import { AgentContext, streamAgentResponse, ThreadItemConverter } from "../../src/agents/index.js";
import { LocalAttachmentStore } from "../../src/index.js";
import { localAttachmentSource } from "./attachment-source.js";
import { titleFrom, inputText, type Responder } from "./offline-responder.js";

/** Options of `agentResponder`. */
export interface AgentResponderOptions {
  /** The model (a name, or a `Model` such as a test double); default `process.env.OPENAI_MODEL` or `gpt-5-mini`. */
  model?: string | Model;
}

/** A responder that answers with an agent, the last 20 thread items as its input. */
export function agentResponder<TContext>(options: AgentResponderOptions = {}): Responder<TContext> {
  const agent = new Agent<AgentContext<TContext>>({
    name: "Assistant",
    instructions: "You are a helpful assistant in a ChatKit demo. Answer in concise markdown.",
    model: options.model ?? process.env.OPENAI_MODEL ?? "gpt-5-mini",
  });

  return async function* respond(host, thread, input, context, turn) {
    if (!thread.title) thread.title = titleFrom(inputText(input));
    // Per turn: reading an attachment's bytes needs this request's context. Without a local
    // store, attachments are not sent (the converter throws NotImplementedError on one).
    const attachments = host.attachmentStore;
    const converter = new ThreadItemConverter(
      attachments instanceof LocalAttachmentStore ? { attachmentSource: localAttachmentSource(attachments, context) } : {},
    );
    // Newest 20 items, oldest first; they include the new user message.
    const page = await host.store.loadThreadItems(thread.id, undefined, 20, "desc", context);
    const agentInput = await converter.toAgentInput([...page.data].reverse());
    const agentContext = new AgentContext({ thread, store: host.store, requestContext: context });
    // `signal: turn.signal` aborts the model request itself when the user presses Stop.
    const result = await run(agent, agentInput, { stream: true, context: agentContext, signal: turn.signal });
    yield* streamAgentResponse(agentContext, result, { signal: turn.signal });
  };
}
