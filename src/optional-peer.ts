/**
 * Optional peer dependencies (`better-sqlite3`, `pg`, `@huggingface/jinja`, `ajv`) load on first
 * use, each through a `require` of a string literal inside a `try`, in the module that needs it:
 *
 * ```ts
 * const require = createRequire(import.meta.url);
 * try {
 *   return require("pg") as typeof import("pg");
 * } catch (error) {
 *   throw optionalPeerError(error, "pg", "PostgresStore");
 * }
 * ```
 *
 * Node, Bun and Deno load the package when the feature is used; webpack and Turbopack bundle it
 * when it is installed and, inside a `try`, build without it when it is not. A top-level
 * `await import()` would load it while the subpath is imported, and bundlers resolve it eagerly.
 */

/**
 * The error to throw for a failed `require` of the optional peer `pkg` (or of a file in it,
 * `specifier`): when that module is missing, an error naming the package to install; any other
 * failure (a broken install, a missing dependency of the peer) is returned unchanged.
 */
export function optionalPeerError(
  error: unknown,
  pkg: string,
  subject: string,
  { specifier = pkg, hint = "" }: { specifier?: string; hint?: string } = {},
): unknown {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  const missing = code === "MODULE_NOT_FOUND" && typeof message === "string" && message.includes(`'${specifier}'`);
  if (!missing) return error;
  return new Error(`${subject} needs the optional peer dependency ${pkg}: npm install ${pkg}${hint}`, { cause: error });
}
