import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { applyWidgetUpdate, Card, Col, diffWidget, ListView, ListViewItem, Markdown, Text, Transition } from "../../src/widgets/index.js";
import type { WidgetRoot } from "../../src/widgets/index.js";

const parse = (json: string) => JSON.parse(json) as WidgetRoot;

describe("diffWidget: Python's test_diff", () => {
  const cases = {
    emptyCards: [Card({ children: [] }), Card({ children: [] })],
    streamingGrows: [
      Card({ children: [Text({ id: "text", value: "Hello", streaming: true })] }),
      Card({ children: [Text({ id: "text", value: "Hello, world!", streaming: true })] }),
    ],
    streamingStops: [
      Card({ children: [Text({ id: "text", value: "Hello", streaming: true })] }),
      Card({ children: [Text({ id: "text", value: "Hello, world!", streaming: false })] }),
    ],
    noId: [Card({ children: [Text({ value: "Hello" })] }), Card({ children: [Text({ value: "world!" })] })],
  } satisfies Record<string, [WidgetRoot, WidgetRoot]>;

  const expectations = (name: keyof typeof cases, after: WidgetRoot) =>
    ({
      emptyCards: [],
      streamingGrows: [
        { type: "widget.streaming_text.value_delta", component_id: "text", delta: ", world!", done: false },
      ],
      streamingStops: [{ type: "widget.root.updated", widget: after }],
      noId: [{ type: "widget.root.updated", widget: after }],
    })[name];

  for (const [name, [before, after]] of Object.entries(cases) as [keyof typeof cases, [WidgetRoot, WidgetRoot]][]) {
    test(`cases 1-4 (${name}), built with builders`, () => {
      assert.deepEqual(diffWidget(before, after), expectations(name, after));
    });
    test(`cases 5-8 (${name}), parsed from JSON`, () => {
      const b = parse(JSON.stringify(before));
      const a = parse(JSON.stringify(after));
      assert.deepEqual(diffWidget(b, a), expectations(name, a));
    });
  }

  test("a builder Card compared with the same Card parsed from JSON diffs on values only", () => {
    const card = Card({ children: [Text({ id: "t", value: "Hi", streaming: true })] });
    assert.deepEqual(diffWidget(card, parse(JSON.stringify(card))), []);
  });

  test('"" grows to "abc"', () => {
    const before = Card({ children: [Text({ id: "t", value: "", streaming: true })] });
    const after = Card({ children: [Text({ id: "t", value: "abc", streaming: true })] });
    assert.deepEqual(diffWidget(before, after), [
      { type: "widget.streaming_text.value_delta", component_id: "t", delta: "abc", done: false },
    ]);
  });
});

describe("diffWidget: cases from the spec", () => {
  test("31: two streaming nodes grow in one frame → two deltas in pre-order", () => {
    const before = Card({
      children: [Markdown({ id: "md", value: "A", streaming: true }), Text({ id: "t", value: "x", streaming: true })],
    });
    const after = Card({
      children: [Markdown({ id: "md", value: "AB", streaming: true }), Text({ id: "t", value: "xyz", streaming: true })],
    });
    assert.deepEqual(diffWidget(before, after), [
      { type: "widget.streaming_text.value_delta", component_id: "md", delta: "B", done: false },
      { type: "widget.streaming_text.value_delta", component_id: "t", delta: "yz", done: false },
    ]);
  });

  test("32: text nested in Col and in ListViewItem is found", () => {
    const col = (v: string) => Card({ children: [Col({ children: [Text({ id: "c", value: v, streaming: true })] })] });
    assert.deepEqual(diffWidget(col("a"), col("ab")), [
      { type: "widget.streaming_text.value_delta", component_id: "c", delta: "b", done: false },
    ]);
    const list = (v: string) =>
      ListView({ children: [ListViewItem({ children: [Text({ id: "l", value: v, streaming: true })] })] });
    assert.deepEqual(diffWidget(list("a"), list("ab")), [
      { type: "widget.streaming_text.value_delta", component_id: "l", delta: "b", done: false },
    ]);
  });

  test("33: text with an id but no streaming prop → delta with done: true", () => {
    const card = (v: string) => Card({ children: [Text({ id: "t", value: v })] });
    assert.deepEqual(diffWidget(card("a"), card("ab")), [
      { type: "widget.streaming_text.value_delta", component_id: "t", delta: "b", done: true },
    ]);
  });

  const base = (): WidgetRoot =>
    Card({
      status: { text: "Working" },
      confirm: { label: "OK", action: { type: "ok" } },
      children: [Text({ id: "t", value: "Hello", color: "primary", streaming: true })],
    });
  const variants: Record<string, (card: Record<string, unknown> & { children: Record<string, unknown>[] }) => void> = {
    "a colour change": (c) => void (c.children[0]!.color = "secondary"),
    "a key change": (c) => void (c.children[0]!.key = "k"),
    "a child added": (c) => void c.children.push({ type: "Divider" }),
    "the root type changed": (c) => void (c.type = "ListView"),
    "status.text changed": (c) => void (c.status = { text: "Done" }),
    "confirm.action.type changed": (c) => void (c.confirm = { label: "OK", action: { type: "other" } }),
    "text shrinking": (c) => void (c.children[0]!.value = "Hell"),
    "an id change": (c) => void (c.children[0]!.id = "u"),
    "a child removed": (c) => void c.children.pop(),
  };
  for (const [name, change] of Object.entries(variants)) {
    test(`34: ${name} → one root.updated`, () => {
      const before = base();
      const after = base();
      change(after as never);
      assert.deepEqual(diffWidget(before, after), [{ type: "widget.root.updated", widget: after }]);
    });
  }

  test("35: a prop null on one side and missing on the other → no updates", () => {
    const before = parse('{"type":"Card","padding":null,"children":[{"type":"Text","value":"a","color":null}]}');
    const after = parse('{"type":"Card","children":[{"type":"Text","value":"a","key":null}]}');
    assert.deepEqual(diffWidget(before, after), []);
    assert.deepEqual(diffWidget(after, before), []);
  });

  test("36 (Q1): an id-less growing Text → root.updated (Python sent nothing)", () => {
    const before = Card({ children: [Text({ value: "Hel", streaming: true })] });
    const after = Card({ children: [Text({ value: "Hello", streaming: true })] });
    assert.deepEqual(diffWidget(before, after), [{ type: "widget.root.updated", widget: after }]);
  });

  test("36 (Q2): growing text inside a Transition → a delta", () => {
    const card = (v: string) =>
      Card({ children: [Transition({ children: Text({ id: "t", value: v, streaming: true }) })] });
    assert.deepEqual(diffWidget(card("a"), card("ab")), [
      { type: "widget.streaming_text.value_delta", component_id: "t", delta: "b", done: false },
    ]);
    // A dynamic node whose children is a single object, as parsed from stored JSON.
    const dyn = (v: string) => parse(`{"type":"Basic","children":{"type":"Custom","children":{"type":"Markdown","id":"m","value":"${v}"}}}`);
    assert.deepEqual(diffWidget(dyn("a"), dyn("ab")), [
      { type: "widget.streaming_text.value_delta", component_id: "m", delta: "b", done: true },
    ]);
  });

  test("36 (Q3): duplicate streaming ids → root.updated", () => {
    const card = (v: string) =>
      Card({ children: [Text({ id: "t", value: "x", streaming: true }), Text({ id: "t", value: v, streaming: true })] });
    const after = card("ab");
    assert.deepEqual(diffWidget(card("a"), after), [{ type: "widget.root.updated", widget: after }]);
    // A non-text node first with the id would receive the delta: also a replace.
    const shadow = (v: string) =>
      Card({ children: [Col({ id: "t", children: [] }), Text({ id: "t", value: v, streaming: true })] });
    const shadowAfter = shadow("ab");
    assert.deepEqual(diffWidget(shadow("a"), shadowAfter), [{ type: "widget.root.updated", widget: shadowAfter }]);
  });

  test("unknown components and props are compared like known ones", () => {
    const before = parse('{"type":"Card","children":[{"type":"Table","children":[{"type":"Table.Row","children":[{"type":"Table.Cell","children":[{"type":"Text","id":"c","value":"1","streaming":true}]}]}]}]}');
    const after = parse('{"type":"Card","children":[{"type":"Table","children":[{"type":"Table.Row","children":[{"type":"Table.Cell","children":[{"type":"Text","id":"c","value":"12","streaming":true}]}]}]}]}');
    assert.deepEqual(diffWidget(before, after), [
      { type: "widget.streaming_text.value_delta", component_id: "c", delta: "2", done: false },
    ]);
  });
});

// ---------------------------------------------------------------------------------------------
// Case 37: applying diffWidget(a, b) to a gives b, for random frame sequences.

/** mulberry32: a small seeded PRNG, so a failure can be replayed from its seed. */
function rng(seed: number) {
  let s = seed >>> 0;
  const next = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (n: number) => Math.floor(next() * n),
    pick: <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!,
    chance: (p: number) => next() < p,
  };
}
type Rng = ReturnType<typeof rng>;
type Loose = { type: string; [k: string]: unknown };

const IDS = ["a", "b", "c", "d", ""];
const WORDS = ["", "x", "He", "llo", " wor", "ld", "!"];

function randomNode(r: Rng, depth: number): Loose {
  const kind = r.pick(depth > 2 ? ["Text", "Markdown", "Divider", "Icon"] : ["Text", "Markdown", "Text", "Col", "Box", "Transition", "Custom", "Divider"]);
  const node: Loose = { type: kind };
  if (r.chance(0.5)) node.id = r.pick(IDS);
  if (r.chance(0.1)) node.key = r.pick(["k1", "k2"]);
  switch (kind) {
    case "Text":
    case "Markdown":
      node.value = r.pick(WORDS);
      if (r.chance(0.7)) node.streaming = r.chance(0.7);
      if (r.chance(0.2)) node.color = r.pick(["primary", "secondary"]);
      break;
    case "Transition":
      node.children = randomNode(r, depth + 1);
      break;
    case "Custom":
      if (r.chance(0.5)) node.children = randomNode(r, depth + 1);
      else if (r.chance(0.5)) node.children = [randomNode(r, depth + 1)];
      break;
    case "Icon":
      node.name = r.pick(["check", "star"]);
      break;
    case "Divider":
      break;
    default:
      node.children = Array.from({ length: r.int(4) }, () => randomNode(r, depth + 1));
      if (r.chance(0.3)) node.gap = r.int(3);
  }
  return node;
}

function randomRoot(r: Rng): WidgetRoot {
  const root: Loose = { type: r.pick(["Card", "Card", "Basic", "ListView"]) };
  root.children = Array.from({ length: 1 + r.int(3) }, () => randomNode(r, 1));
  if (r.chance(0.2)) root.status = { text: r.pick(["one", "two"]) };
  return root as unknown as WidgetRoot;
}

/** All nodes below the root, pre-order. */
function nodesOf(root: Loose): Loose[] {
  const out: Loose[] = [];
  const visit = (node: Loose) => {
    const c = node.children;
    for (const child of Array.isArray(c) ? c : c ? [c] : []) {
      out.push(child as Loose);
      visit(child as Loose);
    }
  };
  visit(root);
  return out;
}

/** The next frame: mostly text growing, sometimes any other change. */
function mutate(r: Rng, frame: WidgetRoot): WidgetRoot {
  const next = structuredClone(frame) as unknown as Loose;
  const nodes = nodesOf(next);
  const steps = 1 + r.int(3);
  for (let i = 0; i < steps; i++) {
    const texts = nodes.filter((n) => typeof n.value === "string");
    const op = r.int(10);
    if (op < 6 && texts.length > 0) {
      const t = r.pick(texts);
      t.value = (t.value as string) + r.pick(WORDS);
    } else if (op === 6 && texts.length > 0) {
      const t = r.pick(texts);
      t.streaming = r.chance(0.5) ? !t.streaming : undefined;
      if (t.streaming === undefined) delete t.streaming;
    } else if (op === 7 && nodes.length > 0) {
      const n = r.pick(nodes);
      n.id = r.pick(IDS);
    } else if (op === 8) {
      const containers = [next, ...nodes].filter((n) => Array.isArray(n.children));
      const c = r.pick(containers);
      const children = c.children as Loose[];
      if (r.chance(0.5) || children.length === 0) children.push(randomNode(r, 2));
      else children.splice(r.int(children.length), 1);
    } else if (texts.length > 0) {
      const t = r.pick(texts);
      t.value = (t.value as string).slice(0, r.int((t.value as string).length + 1));
    }
  }
  return next as unknown as WidgetRoot;
}

test("37: applying diffWidget(a, b) to a gives b, for random frame sequences", () => {
  let deltas = 0;
  let replaces = 0;
  for (let seed = 1; seed <= 1500; seed++) {
    const r = rng(seed);
    let frame = randomRoot(r);
    let applied = structuredClone(frame);
    for (let step = 0; step < 8; step++) {
      const next = mutate(r, frame);
      for (const update of diffWidget(frame, next)) {
        if (update.type === "widget.root.updated") replaces++;
        else deltas++;
        applied = applyWidgetUpdate(applied, update);
      }
      assert.deepEqual(applied, next, `seed ${seed}, step ${step}`);
      frame = next;
    }
  }
  // The generator must exercise both paths, or the property says little.
  assert.ok(deltas > 1000 && replaces > 1000, `deltas ${deltas}, replaces ${replaces}`);
});
