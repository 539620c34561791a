/**
 * Bounds on one free-form JSON value of a request (tag data, a client tool result, an action
 * payload, structured-input answers, request metadata). Deeper values break `structuredClone`
 * and `JSON.stringify` (the stack overflows at a few thousand levels); larger ones bloat every
 * reload of the thread that stores them.
 */
export interface JsonLimits {
  /** Most levels of objects and arrays inside the value (`{}` is 1, `{"a":[]}` is 2). */
  maxDepth: number;
  /** Most characters of the value's JSON text. */
  maxLength: number;
}

/** Generous: far beyond what a ChatKit client or a tool sends, far below what breaks. */
export const DEFAULT_JSON_LIMITS: Readonly<JsonLimits> = Object.freeze({ maxDepth: 64, maxLength: 1_000_000 });

/** Whether `value` nests more than `maxDepth` levels. Iterative: any depth is safe to measure. */
function deeperThan(value: unknown, maxDepth: number): boolean {
  const stack: { value: unknown; depth: number }[] = [{ value, depth: 0 }];
  for (let entry = stack.pop(); entry; entry = stack.pop()) {
    if (typeof entry.value !== "object" || entry.value === null) continue;
    const depth = entry.depth + 1;
    if (depth > maxDepth) return true;
    for (const child of Object.values(entry.value)) {
      if (typeof child === "object" && child !== null) stack.push({ value: child, depth });
    }
  }
  return false;
}

/** What makes `value` exceed `limits`, naming the limit, or `undefined` when it fits. */
export function jsonLimitProblem(value: unknown, limits: JsonLimits): string | undefined {
  if (deeperThan(value, limits.maxDepth)) return `nested deeper than ${limits.maxDepth} levels (jsonLimits.maxDepth)`;
  let length: number;
  try {
    length = JSON.stringify(value)?.length ?? 0;
  } catch {
    // Only a limit deeper than the stack allows, or a cycle, gets here.
    return "cannot be written as JSON";
  }
  if (length > limits.maxLength) return `its JSON is longer than ${limits.maxLength} characters (jsonLimits.maxLength)`;
  return undefined;
}
