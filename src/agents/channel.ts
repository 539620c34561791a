import type { RunStreamEvent } from "@openai/agents";
import type { ThreadStreamEvent } from "../protocol/events.js";

/**
 * One entry of the FIFO that `streamAgentResponse` consumes: side-channel events from the
 * `AgentContext`, and what the pump observed of the run. One queue for both gives a
 * deterministic merge in observation order (agents.md Q10).
 */
export type ChannelEntry =
  | { kind: "side"; event: ThreadStreamEvent }
  | { kind: "run"; event: RunStreamEvent }
  | { kind: "run_error"; error: unknown }
  | { kind: "run_end" }
  /** Wakes the consumer: an abort signal fired, or the consumer called `return()`. */
  | { kind: "wake" };

/** @internal An unbounded FIFO with one awaiting consumer. Puts never block. */
export class Channel {
  #entries: ChannelEntry[] = [];
  #waiter: ((entry: ChannelEntry) => void) | undefined;
  #complete = false;

  /** True once the consumer has finished (normally, by an error or by cancellation). */
  get complete(): boolean {
    return this.#complete;
  }

  push(entry: ChannelEntry): void {
    if (this.#complete) return;
    const waiter = this.#waiter;
    if (waiter) {
      this.#waiter = undefined;
      waiter(entry);
    } else this.#entries.push(entry);
  }

  /** The next entry, waiting for one if the queue is empty. */
  take(): Promise<ChannelEntry> {
    const entry = this.#entries.shift();
    if (entry) return Promise.resolve(entry);
    return new Promise((resolve) => {
      this.#waiter = resolve;
    });
  }

  /** Removes and returns what is queued now, without waiting. */
  drain(): ChannelEntry[] {
    const entries = this.#entries;
    this.#entries = [];
    return entries;
  }

  /**
   * From now on puts are ignored (late tools may still call the context) and the queue is
   * dropped. A pending `take()` resolves with a `wake` entry.
   */
  close(): void {
    this.#complete = true;
    this.#entries = [];
    const waiter = this.#waiter;
    this.#waiter = undefined;
    waiter?.({ kind: "wake" });
  }
}
