import type { Template as JinjaTemplate } from "@huggingface/jinja";
import { createRequire } from "node:module";
import { optionalPeerError } from "../optional-peer.js";
import { WidgetRootSchema, type WidgetRoot } from "../protocol/widget.js";
import { compileDataSchema, type DataValidator, type JsonSchema } from "./data-schema.js";

const require = createRequire(import.meta.url);

/** `@huggingface/jinja`, an optional peer dependency: loaded when the first template is created. */
function loadJinja(): typeof import("@huggingface/jinja") {
  try {
    return require("@huggingface/jinja") as typeof import("@huggingface/jinja");
  } catch (error) {
    throw optionalPeerError(error, "@huggingface/jinja", "WidgetTemplate");
  }
}

/** The contents of a `.widget` file, as exported by the Widget Studio. */
export interface WidgetDefinition {
  /** `"1.0"`, the only supported version. */
  version: string;
  /** A display name (free text). */
  name: string;
  /** Jinja2 source that renders the JSON of one widget root. */
  template: string;
  /** JSON Schema (draft 2020-12) of the data the template expects. */
  jsonSchema?: JsonSchema;
  /** What the template renders for the Studio's default data (not used by the SDK). */
  outputJsonPreview?: unknown;
  /** The Studio's editor state, base64url (not used by the SDK). */
  encodedWidget?: string;
}

/** Options of `WidgetTemplate.build`. */
export interface BuildOptions {
  /**
   * Check the data against the file's JSON Schema first (default `true`). Jinja treats a missing
   * variable as empty, so without the check missing data renders as `null` instead of failing.
   */
  validate?: boolean;
}

/**
 * A widget template from a `.widget` file of the Widget Studio: a Jinja2 template that renders a
 * widget root from data (widgets.md §4). Requires the `@huggingface/jinja` package.
 *
 * ```ts
 * const template = await WidgetTemplate.fromFile(new URL("./order.widget", import.meta.url));
 * yield* streamWidget(thread, template.build({ order }));
 * ```
 */
export class WidgetTemplate {
  /** The display name from the file. */
  readonly name: string;
  /** The JSON Schema of the data (`{}` when the file has none). */
  readonly dataSchema: JsonSchema;
  readonly #template: JinjaTemplate;
  #validator: DataValidator | undefined;

  /** Checks the definition and parses its template once. */
  constructor(definition: WidgetDefinition) {
    if (definition.version !== "1.0") throw new Error(`Unsupported widget spec version: ${definition.version}`);
    if (typeof definition.name !== "string") throw new TypeError("A widget definition needs a string `name`");
    if (typeof definition.template !== "string") {
      throw new TypeError(`Widget template "${definition.name}" needs a string \`template\``);
    }
    const jinja = loadJinja();
    this.name = definition.name;
    this.dataSchema = definition.jsonSchema ?? {};
    try {
      this.#template = new jinja.Template(definition.template);
    } catch (error) {
      throw new Error(`Widget template "${this.name}" could not be parsed: ${messageOf(error)}`, { cause: error });
    }
  }

  /**
   * Loads a `.widget` file. A relative path is resolved against the working directory; use
   * `new URL("./x.widget", import.meta.url)` to load a file next to the calling module.
   */
  static async fromFile(path: string | URL): Promise<WidgetTemplate> {
    const { readFile } = await import("node:fs/promises");
    const text = await readFile(path, "utf8");
    let definition: WidgetDefinition;
    try {
      definition = JSON.parse(text) as WidgetDefinition;
    } catch (error) {
      throw new Error(`${String(path)} is not a JSON widget definition: ${messageOf(error)}`, { cause: error });
    }
    return new WidgetTemplate(definition);
  }

  /**
   * Renders the widget for `data` (its top-level keys become the template's variables). `data` is
   * normalized as JSON first (dates become ISO strings, `undefined` disappears), then checked
   * against the data schema. Throws when the data is invalid, or when the output is not JSON for
   * a `Card`, `ListView` or `Basic` root. The result is returned as rendered: nothing is added.
   */
  build(data?: object | null, options: BuildOptions = {}): WidgetRoot {
    const variables = (data == null ? {} : JSON.parse(JSON.stringify(data))) as Record<string, unknown>;
    if (options.validate !== false && !isEmptySchema(this.dataSchema)) {
      // Compiled on first use, so templates built with `validate: false` never need Ajv.
      this.#validator ??= compileDataSchema(this.dataSchema, this.name);
      const issues = this.#validator(variables);
      if (issues.length > 0) {
        throw new Error(`Invalid data for widget template "${this.name}": ${issues.join("; ")}`);
      }
    }
    let output: string;
    try {
      output = this.#template.render(variables);
    } catch (error) {
      throw new Error(`Widget template "${this.name}" failed to render: ${messageOf(error)}`, { cause: error });
    }
    let widget: unknown;
    try {
      widget = JSON.parse(output);
    } catch (error) {
      throw new Error(`Widget template "${this.name}" did not render valid JSON: ${messageOf(error)}`, {
        cause: error,
      });
    }
    if (!WidgetRootSchema.safeParse(widget).success) {
      const type = typeof widget === "object" && widget !== null ? (widget as { type?: unknown }).type : undefined;
      throw new Error(
        `Widget template "${this.name}" rendered ${type === undefined ? "no widget root" : `a root of type ${JSON.stringify(type)}`}; expected Card, ListView or Basic`,
      );
    }
    return widget as WidgetRoot;
  }
}

const isEmptySchema = (schema: JsonSchema) =>
  schema === true || (typeof schema === "object" && Object.keys(schema).length === 0);

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));
