import type { ThreadStreamEvent } from "../protocol/events.js";

/** Whether `value` can be iterated with `for await`. */
export const isAsyncIterable = (value: unknown): value is AsyncIterable<ThreadStreamEvent> =>
  typeof (value as { [Symbol.asyncIterator]?: unknown } | null | undefined)?.[Symbol.asyncIterator] === "function";

const isThenable = (value: unknown): value is PromiseLike<unknown> =>
  typeof (value as { then?: unknown } | null | undefined)?.then === "function";

const describe = (value: unknown) => (value === null ? "null" : Array.isArray(value) ? "an array" : typeof value);

/**
 * The events of what `respond` or `action` returned. They must return an `AsyncIterable`
 * (`async *respond()`); a promise is awaited — one that rejects (an `async respond()` that
 * throws) fails the turn like a throw, and is never left unhandled to stop the process. Anything
 * else fails the turn with an error that says what to write.
 */
export async function handlerEvents(output: unknown): Promise<AsyncIterable<ThreadStreamEvent>> {
  if (isAsyncIterable(output)) return output;
  if (isThenable(output)) {
    const value = await output;
    if (isAsyncIterable(value)) return value;
    throw new TypeError(
      `The response handler must return an AsyncIterable of events (write \`async *respond(...)\`), not a promise of ${describe(value)}`,
    );
  }
  throw new TypeError(
    `The response handler must return an AsyncIterable of events (write \`async *respond(...)\`), not ${describe(output)}`,
  );
}
