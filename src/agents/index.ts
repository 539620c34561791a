/**
 * `chatkit-server/agents`: run an `@openai/agents` agent as a ChatKit response.
 *
 * ```ts
 * const agentContext = new AgentContext({ thread, store: this.store, requestContext: context });
 * const result = await run(agent, await simpleToAgentInput(items), {
 *   stream: true, context: agentContext, signal: turn.signal,
 * });
 * yield* streamAgentResponse(agentContext, result);
 * ```
 */
export { accumulateText } from "./accumulate-text.js";
export { AgentContext, getAgentContext, type AgentContextOptions, type ClientToolCall } from "./context.js";
export {
  simpleToAgentInput,
  TAG_CONTEXT_HEADER,
  ThreadItemConverter,
  userMessageTexts,
  type AgentInputResult,
  type AttachmentSource,
  type ThreadItemConverterHooks,
} from "./converter.js";
export { NotImplementedError } from "./errors.js";
export {
  ResponseStreamConverter,
  type ContainerFileCitation,
  type FileCitation,
  type ResponseStreamConverterOptions,
  type UrlCitation,
} from "./response-stream-converter.js";
export { streamAgentResponse, type AgentRunEvents, type StreamAgentResponseOptions } from "./stream.js";
