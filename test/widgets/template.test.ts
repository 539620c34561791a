import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { describe, test } from "node:test";
import { WidgetItemSchema } from "../../src/protocol/items.js";
import { WidgetTemplate, type WidgetDefinition } from "../../src/widgets/index.js";

const fixtures = path.join(path.dirname(fileURLToPath(import.meta.url)), "fixtures");
const fixture = (name: string) => path.join(fixtures, name);
const readJson = async (file: string): Promise<unknown> => JSON.parse(await readFile(fixture(file), "utf8"));

/** The data each fixture's `.json` was rendered from. */
const INPUTS: Record<string, object | null> = {
  list_view_no_data: null,
  card_no_data: null,
  list_view_with_data: {
    items: [
      { id: "blue", label: "Blue line", color: "blue-500" },
      { id: "orange", label: "Orange line", color: "orange-500" },
      { id: "purple", label: "Purple line", color: "purple-500" },
    ],
  },
  card_with_data: { channel: "#proj-chatkit", time: "4:48 PM", user: { image: "/pam.png", name: "Pam Beesly" } },
  basic_root: { name: "Harry Potter", bio: "The boy who lived" },
};

describe("WidgetTemplate: the five fixtures (cases 11-15)", () => {
  for (const [name, data] of Object.entries(INPUTS)) {
    test(`${name}.widget builds ${name}.json`, async () => {
      const template = await WidgetTemplate.fromFile(fixture(`${name}.widget`));
      assert.deepEqual(template.build(data), await readJson(`${name}.json`));
    });
  }

  test("11: list_view_no_data has 2 items; 13: list_view_with_data has 3", async () => {
    const noData = (await WidgetTemplate.fromFile(fixture("list_view_no_data.widget"))).build();
    const withData = (await WidgetTemplate.fromFile(fixture("list_view_with_data.widget"))).build(INPUTS.list_view_with_data);
    assert.equal(noData.children.length, 2);
    assert.equal(withData.children.length, 3);
    assert.deepEqual(withData.children[2], {
      type: "ListViewItem",
      key: "purple",
      gap: 5,
      onClickAction: { type: "line.select", payload: { id: "purple" } },
      children: [
        { type: "Box", background: "purple-500", radius: "full", size: 25 },
        { type: "Text", value: "Purple line", size: "sm" },
      ],
    });
  });

  test("14: the Markdown value of card_with_data has real newlines", async () => {
    const template = await WidgetTemplate.fromFile(fixture("card_with_data.widget"));
    const widget = template.build(INPUTS.card_with_data);
    const markdown = JSON.stringify(widget).match(/"type":"Markdown","value":("(?:[^"\\]|\\.)*")/);
    assert.ok(markdown);
    assert.match(JSON.parse(markdown[1]!) as string, /^End of week update for ChatKit:\n\n1\. Designed/);
  });

  test("15: basic_root builds a Basic root that is valid as a WidgetItem.widget", async () => {
    const template = await WidgetTemplate.fromFile(fixture("basic_root.widget"));
    assert.equal(template.name, "Author preview");
    const widget = template.build(INPUTS.basic_root);
    assert.equal(widget.type, "Basic");
    const item = { type: "widget", id: "msg_1", thread_id: "thr_1", created_at: "2025-01-01T00:00:00.000Z", widget };
    assert.deepEqual(WidgetItemSchema.parse(item), item);
  });

  test("48: building with the decoded defaultState of encodedWidget gives outputJsonPreview", async () => {
    for (const name of Object.keys(INPUTS)) {
      const definition = (await readJson(`${name}.widget`)) as WidgetDefinition;
      const editorState = JSON.parse(Buffer.from(definition.encodedWidget!, "base64url").toString("utf8")) as {
        defaultState: object;
      };
      assert.deepEqual(new WidgetTemplate(definition).build(editorState.defaultState), definition.outputJsonPreview, name);
    }
  });

  test("fromFile accepts a file URL, and resolves a relative path against the working directory", async () => {
    const fromUrl = await WidgetTemplate.fromFile(pathToFileURL(fixture("card_no_data.widget")));
    assert.deepEqual(fromUrl.build(), await readJson("card_no_data.json"));
    const relative = path.relative(process.cwd(), fixture("card_no_data.widget"));
    assert.deepEqual((await WidgetTemplate.fromFile(relative)).build(), await readJson("card_no_data.json"));
  });

  test("the data schema is kept as dataSchema, {} when absent", async () => {
    const template = await WidgetTemplate.fromFile(fixture("basic_root.widget"));
    assert.deepEqual((template.dataSchema as { required: string[] }).required, ["name", "bio"]);
    assert.deepEqual(new WidgetTemplate({ version: "1.0", name: "x", template: '{"type":"Card","children":[]}' }).dataSchema, {});
  });
});

describe("WidgetTemplate: errors and data handling", () => {
  const card = (value: string) => ({ version: "1.0", name: "Greeting", template: `{"type":"Card","children":[{"type":"Text","value":${value}}]}` });

  test("45: version 2.0 is rejected", () => {
    assert.throws(() => new WidgetTemplate({ ...card('"x"'), version: "2.0" }), {
      message: "Unsupported widget spec version: 2.0",
    });
  });

  test("46: output that is not JSON, or a root that is not Card/ListView/Basic, throws naming the template", () => {
    assert.throws(() => new WidgetTemplate({ version: "1.0", name: "Broken", template: "{{ name }} is not JSON" }).build({ name: "x" }), {
      message: /^Widget template "Broken" did not render valid JSON: /,
    });
    assert.throws(() => new WidgetTemplate({ version: "1.0", name: "Row", template: '{"type":"Row","children":[]}' }).build(), {
      message: 'Widget template "Row" rendered a root of type "Row"; expected Card, ListView or Basic',
    });
    assert.throws(() => new WidgetTemplate({ version: "1.0", name: "List", template: "[1]" }).build(), {
      message: 'Widget template "List" rendered no widget root; expected Card, ListView or Basic',
    });
  });

  test("a template that does not parse fails at construction, naming the template", () => {
    assert.throws(() => new WidgetTemplate({ version: "1.0", name: "Bad", template: "{% for x in %}" }), {
      message: /^Widget template "Bad" could not be parsed: /,
    });
  });

  test("47: card_with_data without user throws naming user; { validate: false } turns the check off", async () => {
    const template = await WidgetTemplate.fromFile(fixture("card_with_data.widget"));
    const data = { channel: "#proj-chatkit", time: "4:48 PM" };
    assert.throws(() => template.build(data), {
      message: 'Invalid data for widget template "Channel message": user is required',
    });
    // Without the check, @huggingface/jinja renders the missing values as null (no StrictUndefined).
    const widget = template.build(data, { validate: false }) as unknown as { children: { children: unknown[] }[] };
    assert.deepEqual(widget.children[2]!.children[0], { type: "Image", src: null, size: 44 });
  });

  test("47: the error names nested paths and every failing check", async () => {
    const template = await WidgetTemplate.fromFile(fixture("list_view_with_data.widget"));
    assert.throws(
      () => template.build({ items: [{ id: "blue", label: "Blue", color: "red-500" }, { id: 1, label: "x", color: "blue-500", extra: true }] }),
      {
        message:
          'Invalid data for widget template "list_view_with_data": items[0].color must be one of "blue-500", "orange-500", "purple-500"; items[1].extra is not an allowed property; items[1].id must be string',
      },
    );
    const basic = await WidgetTemplate.fromFile(fixture("basic_root.widget"));
    assert.throws(() => basic.build({ name: "", bio: "b" }), { message: /: name must NOT have fewer than 1 characters$/ });
  });

  test("data is normalized as JSON: dates become ISO strings, toJSON runs, undefined disappears", () => {
    const template = new WidgetTemplate(card("{{ (when) | tojson }}"));
    const when = new Date("2025-05-01T12:00:00.000Z");
    assert.deepEqual(template.build({ when }), { type: "Card", children: [{ type: "Text", value: "2025-05-01T12:00:00.000Z" }] });
    const custom = { toJSON: () => "custom" };
    assert.deepEqual(template.build({ when: custom, unused: undefined }), {
      type: "Card",
      children: [{ type: "Text", value: "custom" }],
    });
  });

  test("tojson escapes like Jinja (the parsed result is the same string)", () => {
    const template = new WidgetTemplate(card("{{ (v) | tojson }}"));
    const value = `<b>"Tom" & 'Jerry'</b>\n\u00e9`;
    assert.deepEqual(template.build({ v: value }), { type: "Card", children: [{ type: "Text", value }] });
  });

  test("build returns the rendered JSON unchanged: unknown components and props pass through", () => {
    const template = new WidgetTemplate({
      version: "1.0",
      name: "Table",
      template: '{"type":"Card","children":[{"type":"Table","children":[{"type":"Table.Row","header":true}]},{"type":"Future","x":null}],"onClickAction":{"type":"a"}}',
    });
    assert.deepEqual(template.build(), {
      type: "Card",
      children: [{ type: "Table", children: [{ type: "Table.Row", header: true }] }, { type: "Future", x: null }],
      onClickAction: { type: "a" },
    });
  });
});
