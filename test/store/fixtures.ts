import type { Attachment, ThreadItem, ThreadMetadata } from "../../src/index.js";

/** A thread created at `ms` milliseconds after a fixed epoch (so tests control the order). */
export function thread(id: string, ms = 0, extra: Partial<ThreadMetadata> = {}): ThreadMetadata {
  return { id, created_at: at(ms), status: { type: "active" }, metadata: {}, ...extra };
}

/** An assistant message at `ms`. */
export function message(id: string, threadId: string, ms = 0, text = id): ThreadItem {
  return {
    type: "assistant_message",
    id,
    thread_id: threadId,
    created_at: at(ms),
    content: [{ type: "output_text", text, annotations: [] }],
  };
}

export function at(ms: number): string {
  return new Date(Date.UTC(2025, 5, 1) + ms).toISOString();
}

export const fileAttachment = (id: string, extra: Partial<Attachment> = {}): Attachment =>
  ({ type: "file", id, name: `${id}.pdf`, mime_type: "application/pdf", ...extra }) as Attachment;

export const imageAttachment = (id: string, extra: Partial<Attachment> = {}): Attachment =>
  ({
    type: "image",
    id,
    name: `${id}.png`,
    mime_type: "image/png",
    preview_url: `https://cdn.example.com/${id}.png`,
    ...extra,
  }) as Attachment;

/**
 * One item of every kind, with the awkward values a store must keep: nested free-form JSON with
 * nulls, unicode, floats, big and negative numbers, empty arrays and objects, Python-style
 * timestamps.
 */
export function everyItemKind(threadId: string): ThreadItem[] {
  const base = (id: string, ms: number) => ({ id, thread_id: threadId, created_at: at(ms) });
  return [
    {
      ...base("msg_user", 1),
      type: "user_message",
      content: [
        { type: "input_text", text: "Résumé ✓ — 日本語 😀 \"quoted\" \\ back\nslash" },
        { type: "input_tag", id: "doc_7", text: "Q2 plan", data: { kind: "doc", nested: { n: null, list: [1, 2.5, -3e-7] } }, group: "docs", interactive: true },
      ],
      attachments: [
        imageAttachment("atc_img", { thread_id: threadId, metadata: { bucket: "b", key: ["a", null], size: 12345678901 } }),
        fileAttachment("atc_file", { upload_descriptor: { url: "https://up.example.com/x", method: "PUT", headers: { "x-a": "1" } } }),
      ],
      quoted_text: "the second paragraph",
      inference_options: { tool_choice: { id: "summarize" }, model: "gpt-4.1" },
    },
    {
      ...base("msg_assistant", 2),
      type: "assistant_message",
      content: [
        {
          type: "output_text",
          text: "See [1].",
          annotations: [
            { type: "annotation", source: { type: "url", title: "Doc", url: "https://example.com/", attribution: "ex" }, index: 4 },
            { type: "annotation", source: { type: "file", title: "F", filename: "f.txt", description: "d" } },
            { type: "annotation", source: { type: "entity", title: "E", id: "ent_1", interactive: true, data: { a: null, b: [true, false] }, icon: "star", label: "L", inline_label: "IL" } },
          ],
        },
      ],
    },
    {
      ...base("tc_call", 3),
      type: "client_tool_call",
      status: "completed",
      call_id: "call_1",
      name: "get_weather",
      arguments: { city: "Zürich", units: null, days: [1, 2], deep: { x: { y: { z: 0.1 } } } },
      output: { temp: -4.25, ok: true, tags: [] },
    },
    {
      ...base("msg_widget", 4),
      type: "widget",
      widget: { type: "Card", size: "md", children: [{ type: "Text", value: "Hi", streaming: false }, { type: "Button", label: "Go", onClickAction: { type: "go", payload: { id: 1, none: null } } }] },
      copy_text: "Hi",
    },
    { ...base("msg_image", 5), type: "generated_image", image: { id: "img_1", url: "https://img.example.com/1.png" } },
    {
      ...base("msg_structured", 6),
      type: "structured_input",
      status: "answered",
      inputs: [
        { type: "multiple_choice", id: "q1", question: "Pick", options: [{ value: "a" }, { value: "b" }], multiple: true, answer: { values: ["a", "b"], skipped: false } },
        { type: "freeform", id: "q2", question: "Why?", description: "Explain" },
      ],
    },
    {
      ...base("wf_flow", 7),
      type: "workflow",
      workflow: {
        type: "reasoning",
        tasks: [
          { type: "thought", status_indicator: "complete", content: "Checking…" },
          { type: "web_search", status_indicator: "loading", title_query: "q", queries: ["a", "b"], sources: [{ type: "url", title: "T", url: "https://t.example/" }] },
          { type: "file", status_indicator: "none", sources: [] },
          { type: "image", status_indicator: "none", title: "img" },
          { type: "custom", status_indicator: "none", title: "c", icon: "lucide:box", content: "x" },
        ],
        summary: { duration: 4 },
        expanded: true,
      },
    },
    { ...base("tsk_task", 8), type: "task", task: { type: "custom", status_indicator: "none", title: "Task", icon: "bolt" } },
    { ...base("msg_eot", 9), type: "end_of_turn" },
    { ...base("hc_hidden", 10), type: "hidden_context_item", content: { notes: ["a", null, { deep: [[]] }], score: 0.5, big: 9007199254740991 } },
    // A Python-style naive timestamp with microseconds: kept exactly as written.
    { id: "shcx_sdk", thread_id: threadId, created_at: "2025-06-01T00:00:00.011000", type: "sdk_hidden_context", content: "The user cancelled the response." },
  ];
}
