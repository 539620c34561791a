import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { WidgetItemSchema } from "../../src/protocol/items.js";
import { IconNameSchema } from "../../src/protocol/fields.js";
import {
  actionConfig,
  Badge,
  Basic,
  Box,
  Button,
  Card,
  Caption,
  Checkbox,
  Col,
  DatePicker,
  Divider,
  externalIcon,
  ExternalIconNameSchema,
  Form,
  Icon,
  Image,
  Input,
  Label,
  ListView,
  ListViewItem,
  Markdown,
  RadioGroup,
  Row,
  Select,
  Spacer,
  Table,
  TableCell,
  TableRow,
  Text,
  Textarea,
  Title,
  Transition,
  WidgetComponentSchema,
  WidgetIconSchema,
  WidgetRootSchema,
  type Chart,
  type WidgetComponent,
  type WidgetRoot,
} from "../../src/widgets/index.js";

describe("builders and authoring types", () => {
  test("a builder returns { type, ...props } and equals the plain object literal", () => {
    const built = Card({ children: [Text({ value: "Hi" })] });
    const literal: Card = { type: "Card", children: [{ type: "Text", value: "Hi" }] };
    assert.deepEqual(built, literal);
    assert.deepEqual(Object.keys(built), ["type", "children"]);
  });

  test("builders drop undefined and null props, and leave payloads alone", () => {
    const maybe = undefined as string | undefined;
    const button = Button({
      label: "Go",
      color: maybe as "primary" | undefined,
      onClickAction: { type: "go", payload: { k: null, l: [1, null] } },
    });
    assert.deepEqual(button, { type: "Button", label: "Go", onClickAction: { type: "go", payload: { k: null, l: [1, null] } } });
    assert.equal(JSON.stringify(Text({ value: "x", color: null as unknown as undefined })), '{"type":"Text","value":"x"}');
  });

  test("every client component has a builder with its type string", () => {
    const nodes: { type: string }[] = [
      Card({ children: [] }),
      ListView({ children: [ListViewItem({ children: [] })] }),
      Basic({ children: [] }),
      Box(),
      Row(),
      Col(),
      Form({ onSubmitAction: actionConfig("submit") }),
      Spacer(),
      Divider(),
      Transition({ children: Text({ value: "x" }) }),
      Text({ value: "x" }),
      Title({ value: "x" }),
      Caption({ value: "x" }),
      Markdown({ value: "x" }),
      Label({ value: "x", fieldName: "f" }),
      Badge({ label: "x" }),
      Icon({ name: "check" }),
      Image({ src: "/x.png" }),
      Button(),
      Input({ name: "n" }),
      Textarea({ name: "n" }),
      Select({ name: "n", options: [{ value: "a", label: "A" }] }),
      DatePicker({ name: "n" }),
      Checkbox({ name: "n" }),
      RadioGroup({ name: "n" }),
      Table(),
      TableRow(),
      TableCell(),
    ];
    assert.deepEqual(
      nodes.map((n) => n.type),
      [
        "Card", "ListView", "Basic", "Box", "Row", "Col", "Form", "Spacer", "Divider", "Transition", "Text", "Title",
        "Caption", "Markdown", "Label", "Badge", "Icon", "Image", "Button", "Input", "Textarea", "Select",
        "DatePicker", "Checkbox", "RadioGroup", "Table", "Table.Row", "Table.Cell",
      ],
    );
  });

  test("tsc rejects typos and values the client does not know", () => {
    // These lines are checked by `tsc --noEmit`; at run time they only build objects.
    // @ts-expect-error: `valu` is not a Text prop
    Text({ valu: "x" });
    // @ts-expect-error: `huge` is not a TextSize
    Text({ value: "x", size: "huge" });
    // @ts-expect-error: ListViewItem is only valid as a ListView child
    Card({ children: [ListViewItem({ children: [] })] });
    // @ts-expect-error: `clock` is Python-only (widgets.md §5)
    Icon({ name: "clock" });
    // @ts-expect-error: Chart is not in the client's component union
    const chart: WidgetComponent = { type: "Chart", data: [], series: [], xAxis: "x" } satisfies Chart;
    // @ts-expect-error: a Row is not a root
    const root: WidgetRoot = Row();
    // Basic may nest roots; Transition takes one child; plain literals work everywhere.
    const basic: WidgetRoot = { type: "Basic", children: [Card({ children: [] }), { type: "Spacer" }] };
    assert.ok(chart && root && basic);
  });

  test("icons: the external escape hatch is explicit", () => {
    assert.deepEqual(Icon({ name: externalIcon("vendor:icon-name") }), { type: "Icon", name: "vendor:icon-name" });
    assert.deepEqual(Button({ iconStart: externalIcon("lucide:rocket") }), { type: "Button", iconStart: "lucide:rocket" });
  });
});

describe("serialization (cases 9-10)", () => {
  test("9: absent props are not written and no null appears", () => {
    const json = JSON.stringify(Card({ children: [Text({ value: "Hello" })] }));
    assert.equal(json, '{"type":"Card","children":[{"type":"Text","value":"Hello"}]}');
    const parsed = JSON.parse(json) as Record<string, unknown> & { children: Record<string, unknown>[] };
    for (const key of ["key", "padding", "status", "collapsed"]) assert.ok(!(key in parsed));
    for (const key of ["italic", "streaming", "color", "key"]) assert.ok(!(key in parsed.children[0]!));
    assert.ok(!json.includes("null"));
  });

  test("10: the same inside a serialized WidgetItem", () => {
    const item = WidgetItemSchema.parse({
      type: "widget",
      id: "wd_1",
      thread_id: "thr_1",
      created_at: "2025-01-01T00:00:00.000Z",
      widget: Card({ children: [Text({ value: "Hello" })] }),
    });
    const json = JSON.parse(JSON.stringify(item)) as { widget: unknown };
    assert.deepEqual(json.widget, { type: "Card", children: [{ type: "Text", value: "Hello" }] });
    assert.ok(!JSON.stringify(item).includes("null"));
  });

  test("actionConfig writes only what is given (no defaults)", () => {
    assert.deepEqual(actionConfig("create_user"), { type: "create_user" });
    assert.deepEqual(actionConfig("create_user", { user_id: "123" }, { handler: "client", loadingBehavior: "self", streaming: false }), {
      type: "create_user",
      payload: { user_id: "123" },
      handler: "client",
      loadingBehavior: "self",
      streaming: false,
    });
    interface Payload {
      id: string;
    }
    const payload: Payload = { id: "1" };
    // Interface payloads (no index signature) fit the component slots.
    assert.deepEqual(Button({ onClickAction: actionConfig("pick", payload) }).onClickAction, { type: "pick", payload: { id: "1" } });
  });
});

describe("lenient parsing (widgets.md §0)", () => {
  test("unknown types and props, single or absent children, and Table pass through untouched", () => {
    const stored = {
      type: "Card",
      futureProp: { nested: [1, null] },
      children: [
        { type: "Chart", data: [{ x: "a", y: 1 }], series: [{ type: "bar", label: null, dataKey: "y" }], xAxis: "x" },
        { type: "Transition" },
        { type: "Custom", children: { type: "Text", value: "single" } },
        { type: "Table", children: [{ type: "Table.Row", children: [{ type: "Table.Cell", colSpan: 2 }] }] },
        { type: "Image", src: "/a.png", background: "red", flex: 1 },
        { type: "Select", name: "s", options: [{ value: "a", label: "A", disabled: true, description: "d" }], searchable: true },
      ],
    };
    const parsed = WidgetRootSchema.parse(structuredClone(stored));
    assert.deepEqual(parsed, stored);
    const basic = { type: "Basic" };
    assert.deepEqual(WidgetRootSchema.parse(basic), basic);
    assert.deepEqual(WidgetComponentSchema.parse({ type: "Anything", x: 1 }), { type: "Anything", x: 1 });
  });

  test("a root must be Card, ListView or Basic; a component needs a string type", () => {
    assert.equal(WidgetRootSchema.safeParse({ type: "Row" }).success, false);
    assert.equal(WidgetRootSchema.safeParse({ children: [] }).success, false);
    assert.equal(WidgetComponentSchema.safeParse({ type: 3 }).success, false);
  });
});

describe("icons (cases 17-19)", () => {
  test("17: vendor: names pass the lenient and the escape-hatch schemas", () => {
    for (const name of ["vendor:icon-name", "vendor:another-icon-name"]) {
      assert.equal(ExternalIconNameSchema.parse(name), name);
      assert.equal(IconNameSchema.parse(name), name);
      assert.deepEqual(WidgetRootSchema.parse({ type: "Card", children: [{ type: "Icon", name }] }), {
        type: "Card",
        children: [{ type: "Icon", name }],
      });
    }
    assert.equal(ExternalIconNameSchema.safeParse("book-open").success, false);
  });

  test("18: book-open, phone and user are valid icon names", () => {
    for (const name of ["book-open", "phone", "user"]) assert.equal(WidgetIconSchema.parse(name), name);
  });

  test("19: invalid-icon (and Python's clock, and prefixed names) fail the strict schema", () => {
    for (const name of ["invalid-icon", "clock", "vendor:icon-name"]) {
      assert.equal(WidgetIconSchema.safeParse(name).success, false, name);
    }
    assert.equal(WidgetIconSchema.options.length, 63);
  });
});
