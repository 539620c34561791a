/**
 * A small JSON Schema (draft 2020-12) validator for the data of `.widget` templates. It covers
 * what the Widget Studio writes (zod's JSON Schema output): `type`, `enum`, `const`, `properties`,
 * `required`, `additionalProperties`, `patternProperties`, `items`/`prefixItems`, the
 * length/size/range keywords, `pattern`, `multipleOf`, `allOf`/`anyOf`/`oneOf`/`not`, and local
 * `$ref`s into `$defs`/`definitions`. Other keywords (`format`, `$schema`, annotations) are ignored.
 */

/** A JSON Schema: an object, or `true`/`false`. */
export type JsonSchema = boolean | { [keyword: string]: unknown };

/** One failed check; `path` is like `user.name` or `items[2].color` (empty for the data itself). */
export interface SchemaIssue {
  path: string;
  message: string;
}

type SchemaObject = { [keyword: string]: unknown };

const isObject = (value: unknown): value is SchemaObject =>
  typeof value === "object" && value !== null && !Array.isArray(value);

function typeOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  return typeof value;
}

function hasType(value: unknown, type: string): boolean {
  switch (type) {
    case "integer":
      return typeof value === "number" && Number.isInteger(value);
    case "number":
      return typeof value === "number" && Number.isFinite(value);
    default:
      return typeOf(value) === type;
  }
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  return (
    ka.length === kb.length &&
    ka.every((k) => deepEqual((a as SchemaObject)[k], (b as SchemaObject)[k]))
  );
}

const childPath = (path: string, key: string | number) =>
  typeof key === "number" ? `${path}[${key}]` : /^[A-Za-z_$][\w$]*$/.test(key) ? (path ? `${path}.${key}` : key) : `${path}[${JSON.stringify(key)}]`;

const show = (value: unknown) => JSON.stringify(value);

/** Checks `data` against `schema` and returns every issue found (none when valid). */
export function validateJsonSchema(schema: JsonSchema, data: unknown): SchemaIssue[] {
  const issues: SchemaIssue[] = [];
  const root = schema;

  const resolve = (ref: string): JsonSchema => {
    if (!ref.startsWith("#")) throw new Error(`Unsupported $ref ${ref}: only local references are supported`);
    let target: unknown = root;
    for (const raw of ref.slice(1).split("/").slice(1)) {
      const part = decodeURIComponent(raw).replace(/~1/g, "/").replace(/~0/g, "~");
      target = isObject(target) || Array.isArray(target) ? (target as SchemaObject)[part] : undefined;
    }
    if (typeof target !== "boolean" && !isObject(target)) throw new Error(`Unresolvable $ref ${ref}`);
    return target;
  };

  const check = (schema: JsonSchema, value: unknown, path: string, out: SchemaIssue[]): void => {
    const fail = (message: string, at = path): void => {
      out.push({ path: at, message });
    };
    if (schema === true) return;
    if (schema === false) return fail("is not allowed");
    if (typeof schema.$ref === "string") check(resolve(schema.$ref), value, path, out);

    const type = schema.type;
    if (typeof type === "string" || Array.isArray(type)) {
      const types = (Array.isArray(type) ? type : [type]) as string[];
      if (!types.some((t) => hasType(value, t))) {
        // A missing type makes the other keywords meaningless: report it alone.
        return fail(`must be ${types.join(" or ")}, got ${typeOf(value)}`);
      }
    }
    if (Array.isArray(schema.enum) && !schema.enum.some((v) => deepEqual(v, value))) {
      fail(`must be one of ${schema.enum.map(show).join(", ")}`);
    }
    if ("const" in schema && !deepEqual(schema.const, value)) fail(`must be ${show(schema.const)}`);

    if (typeof value === "string") {
      const length = [...value].length;
      if (typeof schema.minLength === "number" && length < schema.minLength) {
        fail(`must have at least ${schema.minLength} characters`);
      }
      if (typeof schema.maxLength === "number" && length > schema.maxLength) {
        fail(`must have at most ${schema.maxLength} characters`);
      }
      if (typeof schema.pattern === "string" && !new RegExp(schema.pattern, "u").test(value)) {
        fail(`must match ${schema.pattern}`);
      }
    }
    if (typeof value === "number") {
      if (typeof schema.minimum === "number" && value < schema.minimum) fail(`must be >= ${schema.minimum}`);
      if (typeof schema.maximum === "number" && value > schema.maximum) fail(`must be <= ${schema.maximum}`);
      if (typeof schema.exclusiveMinimum === "number" && value <= schema.exclusiveMinimum) {
        fail(`must be > ${schema.exclusiveMinimum}`);
      }
      if (typeof schema.exclusiveMaximum === "number" && value >= schema.exclusiveMaximum) {
        fail(`must be < ${schema.exclusiveMaximum}`);
      }
      if (typeof schema.multipleOf === "number" && !Number.isInteger(value / schema.multipleOf)) {
        fail(`must be a multiple of ${schema.multipleOf}`);
      }
    }

    if (Array.isArray(value)) {
      if (typeof schema.minItems === "number" && value.length < schema.minItems) {
        fail(`must have at least ${schema.minItems} items`);
      }
      if (typeof schema.maxItems === "number" && value.length > schema.maxItems) {
        fail(`must have at most ${schema.maxItems} items`);
      }
      const prefix = Array.isArray(schema.prefixItems)
        ? (schema.prefixItems as JsonSchema[])
        : Array.isArray(schema.items) // draft-07 tuple form
          ? (schema.items as JsonSchema[])
          : [];
      value.forEach((item: unknown, i) => {
        const itemSchema = i < prefix.length ? prefix[i] : Array.isArray(schema.items) ? undefined : schema.items;
        if (typeof itemSchema === "boolean" || isObject(itemSchema)) check(itemSchema, item, childPath(path, i), out);
      });
    }

    if (isObject(value)) {
      const properties = isObject(schema.properties) ? schema.properties : {};
      const patterns = isObject(schema.patternProperties) ? schema.patternProperties : {};
      if (Array.isArray(schema.required)) {
        for (const key of schema.required as string[]) {
          if (!(key in value)) fail("is required", childPath(path, key));
        }
      }
      for (const [key, item] of Object.entries(value)) {
        let matched = false;
        const known = properties[key];
        if (typeof known === "boolean" || isObject(known)) {
          matched = true;
          check(known, item, childPath(path, key), out);
        }
        for (const [pattern, sub] of Object.entries(patterns)) {
          if (new RegExp(pattern, "u").test(key) && (typeof sub === "boolean" || isObject(sub))) {
            matched = true;
            check(sub, item, childPath(path, key), out);
          }
        }
        const extra = schema.additionalProperties;
        if (!matched && (typeof extra === "boolean" || isObject(extra))) {
          if (extra === false) fail("is not an allowed property", childPath(path, key));
          else check(extra, item, childPath(path, key), out);
        }
      }
    }

    const subschemas = (keyword: string): JsonSchema[] =>
      Array.isArray(schema[keyword]) ? (schema[keyword] as JsonSchema[]) : [];
    for (const sub of subschemas("allOf")) check(sub, value, path, out);
    const anyOf = subschemas("anyOf");
    if (anyOf.length > 0 && !anyOf.some((sub) => passes(sub, value, path))) fail("matches none of anyOf");
    const oneOf = subschemas("oneOf");
    if (oneOf.length > 0) {
      const count = oneOf.filter((sub) => passes(sub, value, path)).length;
      if (count !== 1) fail(`must match exactly one of oneOf (matched ${count})`);
    }
    if ((typeof schema.not === "boolean" || isObject(schema.not)) && passes(schema.not, value, path)) {
      fail("must not match the schema in not");
    }
  };

  const passes = (schema: JsonSchema, value: unknown, path: string) => {
    const scratch: SchemaIssue[] = [];
    check(schema, value, path, scratch);
    return scratch.length === 0;
  };

  check(schema, data, "", issues);
  return issues;
}
