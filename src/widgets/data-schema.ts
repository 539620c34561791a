import type { ErrorObject, ValidateFunction } from "ajv";
import { createRequire } from "node:module";
import { optionalPeerError } from "../optional-peer.js";

const require = createRequire(import.meta.url);

/** Ajv's draft 2020-12 build. Ajv is an optional peer dependency: only data schemas need it. */
function loadAjv2020(templateName: string): typeof import("ajv/dist/2020.js").default {
  try {
    return (require("ajv/dist/2020.js") as typeof import("ajv/dist/2020.js")).default;
  } catch (error) {
    throw optionalPeerError(error, "ajv", `The data schema of widget template "${templateName}"`, {
      specifier: "ajv/dist/2020.js",
      hint: " (or build with { validate: false })",
    });
  }
}

/** A JSON Schema (draft 2020-12, as the Widget Studio writes it): an object, or `true`/`false`. */
export type JsonSchema = boolean | { [keyword: string]: unknown };

/** A compiled check of template data: the problems found, each naming its path (`items[1].id`). */
export type DataValidator = (data: unknown) => string[];

/** `/items/1/id` → `items[1].id` */
function pathOf(pointer: string, child?: string): string {
  const parts = pointer.split("/").slice(1).map((part) => part.replace(/~1/g, "/").replace(/~0/g, "~"));
  if (child !== undefined) parts.push(child);
  return parts.reduce((path, part) => (/^\d+$/.test(part) ? `${path}[${part}]` : path ? `${path}.${part}` : part), "");
}

function describe(error: ErrorObject): string {
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case "required":
      return `${pathOf(error.instancePath, String(params.missingProperty))} is required`;
    case "additionalProperties":
      return `${pathOf(error.instancePath, String(params.additionalProperty))} is not an allowed property`;
    case "enum":
      return `${pathOf(error.instancePath)} must be one of ${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(", ")}`;
    default:
      return `${pathOf(error.instancePath) || "data"} ${error.message ?? "is invalid"}`;
  }
}

/** Compiles `schema` with Ajv; throws a clear error when Ajv is not installed. */
export function compileDataSchema(schema: JsonSchema, templateName: string): DataValidator {
  const Ajv2020 = loadAjv2020(templateName);
  // `strict: false`: Studio schemas carry annotations Ajv would otherwise reject.
  const ajv = new Ajv2020({ allErrors: true, strict: false, validateFormats: false });
  const validate: ValidateFunction = ajv.compile(schema);
  return (data) => (validate(data) ? [] : (validate.errors ?? []).map(describe));
}
