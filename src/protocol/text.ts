import { z } from "zod";

/*
 * The text rule: every string the protocol carries — ids, titles, names, text, and every key and
 * string inside free-form JSON — is well-formed Unicode without U+0000. Such strings are refused,
 * never repaired: PostgreSQL cannot store either, and replacing them (U+FFFD) would silently change
 * what the user wrote. A browser only sends a lone surrogate when script code cut a string between
 * the two halves of an emoji (`JSON.stringify` then escapes it as `\ud83d`); that request gets a
 * 400 naming the field, as any other invalid input.
 */

const LONE_SURROGATE = /\p{Cs}/u;

/** What is wrong with `value` under the text rule, or `undefined` when it is fine. */
export function textProblem(value: string): string | undefined {
  if (value.includes("\u0000")) return "contains U+0000 (NUL)";
  if (LONE_SURROGATE.test(value)) {
    return "contains a lone surrogate (half of a UTF-16 pair, e.g. an emoji cut in two)";
  }
  return undefined;
}

/** Where a value breaks the text rule: the path below it and the problem. */
export interface TextIssue {
  path: PropertyKey[];
  message: string;
}

interface Frame {
  value: unknown;
  parent: Frame | undefined;
  key: PropertyKey | undefined;
}

function pathOf(frame: Frame): PropertyKey[] {
  const path: PropertyKey[] = [];
  for (let at: Frame | undefined = frame; at?.parent; at = at.parent) path.push(at.key!);
  return path.reverse();
}

/**
 * The first string (or object key) in a JSON-like value that breaks the text rule. Iterative, so
 * no nesting depth overflows the stack; a node seen twice (a cycle, a shared object) is walked once.
 */
export function findTextIssue(root: unknown): TextIssue | undefined {
  if (typeof root === "string") {
    const message = textProblem(root);
    return message ? { path: [], message } : undefined;
  }
  if (typeof root !== "object" || root === null) return undefined;
  const stack: Frame[] = [{ value: root, parent: undefined, key: undefined }];
  const seen = new Set<object>();
  for (let frame = stack.pop(); frame; frame = stack.pop()) {
    const { value } = frame;
    if (typeof value === "string") {
      const message = textProblem(value);
      if (message) return { path: pathOf(frame), message };
      continue;
    }
    if (typeof value !== "object" || value === null || seen.has(value)) continue;
    seen.add(value);
    if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i--) stack.push({ value: value[i], parent: frame, key: i });
      continue;
    }
    const keys = Object.keys(value);
    for (const key of keys) {
      const message = textProblem(key);
      if (message) return { path: pathOf(frame), message: `a key ${message}` };
    }
    for (let i = keys.length - 1; i >= 0; i--) {
      const key = keys[i]!;
      stack.push({ value: (value as Record<string, unknown>)[key], parent: frame, key });
    }
  }
  return undefined;
}

/** Refuses a value with a string or key that breaks the text rule, naming where it is. */
export function wellFormedJson(ctx: z.core.ParsePayload<unknown>): void {
  const issue = findTextIssue(ctx.value);
  if (issue) ctx.issues.push({ code: "custom", message: issue.message, path: issue.path, input: ctx.value });
}

/**
 * A string field of the protocol (an id, a title, a name, text): well-formed Unicode without
 * U+0000.
 */
export const TextSchema = z.string().check((ctx) => {
  const message = textProblem(ctx.value);
  if (message) ctx.issues.push({ code: "custom", message, input: ctx.value });
});
