import assert from "node:assert/strict";
import { test } from "node:test";
import { applyWidgetUpdate, Card, Col, settleStreamingText, Text, Transition } from "../../src/widgets/index.js";
import type { WidgetRoot } from "../../src/widgets/index.js";

const tree = (): WidgetRoot =>
  Card({
    children: [
      Col({ children: [Text({ id: "t", value: "Hel", streaming: true })] }),
      Text({ id: "t", value: "second" }),
      Transition({ children: Text({ id: "only", value: "x" }) }),
    ],
  });

test("38: a value delta appends to the first pre-order node with that id and changes nothing else", () => {
  const root = tree();
  const result = applyWidgetUpdate(root, {
    type: "widget.streaming_text.value_delta",
    component_id: "t",
    delta: "lo",
    done: true,
  });
  assert.equal(result, root);
  assert.deepEqual(
    result,
    Card({
      children: [
        Col({ children: [Text({ id: "t", value: "Hello", streaming: true })] }),
        Text({ id: "t", value: "second" }),
        Transition({ children: Text({ id: "only", value: "x" }) }),
      ],
    }),
  );
});

test("38: component.updated replaces the node, in an array slot or as a single child", () => {
  const root = tree();
  const component = Text({ id: "only", value: "new" });
  applyWidgetUpdate(root, { type: "widget.component.updated", component_id: "only", component });
  applyWidgetUpdate(root, {
    type: "widget.component.updated",
    component_id: "t",
    component: Text({ id: "t", value: "replaced" }),
  });
  assert.deepEqual(
    root,
    Card({
      children: [
        Col({ children: [Text({ id: "t", value: "replaced" })] }),
        Text({ id: "t", value: "second" }),
        Transition({ children: Text({ id: "only", value: "new" }) }),
      ],
    }),
  );
  component.value = "mutated later";
  assert.equal((root.children[2] as { children: { value: string } }).children.value, "new");
});

test("38: root.updated replaces the root with a copy", () => {
  const widget = Card({ children: [Text({ value: "Email sent!" })] });
  const result = applyWidgetUpdate(tree(), { type: "widget.root.updated", widget });
  assert.deepEqual(result, widget);
  assert.notEqual(result, widget);
});

test("38: an unknown component_id, a non-string value or an unknown update type changes nothing", () => {
  const root = tree();
  const before = structuredClone(root);
  applyWidgetUpdate(root, { type: "widget.streaming_text.value_delta", component_id: "nope", delta: "!", done: false });
  applyWidgetUpdate(root, { type: "widget.component.updated", component_id: "nope", component: Text({ value: "x" }) });
  const weird = JSON.parse('{"type":"Card","children":[{"type":"Custom","id":"c","value":3}]}') as WidgetRoot;
  applyWidgetUpdate(weird, { type: "widget.streaming_text.value_delta", component_id: "c", delta: "!", done: false });
  assert.deepEqual(weird, JSON.parse('{"type":"Card","children":[{"type":"Custom","id":"c","value":3}]}'));
  assert.equal(applyWidgetUpdate(root, { type: "widget.future" } as never), root);
  assert.deepEqual(root, before);
});

test("the root itself is never a match", () => {
  const root = JSON.parse('{"type":"Card","id":"r","children":[]}') as WidgetRoot;
  applyWidgetUpdate(root, { type: "widget.component.updated", component_id: "r", component: Text({ value: "x" }) });
  assert.deepEqual(root, JSON.parse('{"type":"Card","id":"r","children":[]}'));
});

test("settleStreamingText clears streaming: true on Text and Markdown, through single children", () => {
  const root = Card({
    children: [
      Text({ value: "a", streaming: true }),
      Transition({ children: Text({ value: "b", streaming: true }) }),
      Text({ value: "c" }),
    ],
  });
  assert.deepEqual(
    settleStreamingText(root),
    Card({
      children: [
        Text({ value: "a", streaming: false }),
        Transition({ children: Text({ value: "b", streaming: false }) }),
        Text({ value: "c" }),
      ],
    }),
  );
});
