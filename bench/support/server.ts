import { ChatKitServer, InMemoryStore, type Logger, type ThreadMetadata, type Turn } from "../../src/index.js";
import { assistantMessage, type ScriptOptions } from "./script.js";

/** Per-request script, carried in the context so one server serves every benchmark. */
export interface BenchContext {
  deltas: number;
  paceMs?: number;
  /** Told when `turn.signal` aborts (the cancellation bench). */
  onAbort?: (at: number) => void;
  onDelta?: ScriptOptions["onDelta"];
}

const quiet: Logger = { error: () => {}, warn: () => {} };

/** A server whose `respond` streams the scripted assistant message. */
export class BenchServer extends ChatKitServer<BenchContext> {
  constructor() {
    super({ store: new InMemoryStore<BenchContext>(), logger: quiet });
  }

  respond(thread: ThreadMetadata, _input: unknown, context: BenchContext, turn: Turn) {
    const { onAbort } = context;
    if (onAbort) turn.signal.addEventListener("abort", () => onAbort(performance.now()), { once: true });
    return assistantMessage(thread, { deltas: context.deltas, paceMs: context.paceMs, signal: turn.signal, onDelta: context.onDelta });
  }
}

/** A `threads.create` body, the usual way a turn starts. */
export const createBody = JSON.stringify({
  type: "threads.create",
  params: { input: { content: [{ type: "input_text", text: "Hello" }], attachments: [], inference_options: {} } },
});
