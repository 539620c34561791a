/**
 * Checks of store options, run by the constructors: a setup mistake (a missing `path`, an unset
 * environment variable) fails at startup with a TypeError naming the option, instead of a store
 * that silently uses a temporary database or fails on the first request.
 */

/** Checks the options every store takes (`owner`); returns them as a record to check further. */
export function checkStoreOptions(store: string, options: unknown): Record<string, unknown> {
  if (typeof options !== "object" || options === null) {
    throw new TypeError(`${store} needs an options object; got ${describeValue(options)}`);
  }
  const { owner } = options as { owner?: unknown };
  if (owner !== undefined && typeof owner !== "function") {
    throw new TypeError(
      `${store}: \`owner\` must be a function of the request context, e.g. (ctx) => ctx.userId; got ${describeValue(owner)}`,
    );
  }
  return options as Record<string, unknown>;
}

/** `value` in an error message: strings quoted, everything else by its type. */
export function describeValue(value: unknown): string {
  if (typeof value === "string") return value === "" ? "an empty string" : JSON.stringify(value);
  if (typeof value === "function") return "a function";
  if (typeof value === "object" && value !== null) return Array.isArray(value) ? "an array" : "an object";
  return String(value);
}
