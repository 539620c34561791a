import type { ErrorObject, ValidateFunction } from "ajv";

// Ajv is an optional peer dependency, like @huggingface/jinja: only templates with a data schema need it.
const ajvModule = await import("ajv/dist/2020.js").catch(() => undefined);

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
  if (!ajvModule) {
    throw new Error(
      `Widget template "${templateName}" has a data schema, which needs the optional peer dependency ajv: npm install ajv (or build with { validate: false })`,
    );
  }
  const Ajv2020 = ajvModule.default as unknown as typeof import("ajv/dist/2020.js").default;
  // `strict: false`: Studio schemas carry annotations Ajv would otherwise reject.
  const ajv = new Ajv2020({ allErrors: true, strict: false, validateFormats: false });
  const validate: ValidateFunction = ajv.compile(schema);
  return (data) => (validate(data) ? [] : (validate.errors ?? []).map(describe));
}
