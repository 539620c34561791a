import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { modelMessageSchema, streamText, type ModelMessage } from "ai";
import { toModelMessages } from "../../src/ai/index.js";
import { simpleToAgentInput } from "../../src/agents/index.js";
import { USER_CANCELLED_NOTE, type Attachment, type ThreadItem } from "../../src/index.js";
import { collect, thread } from "./helpers.js";
import { ScriptedModel, step, text } from "./mock-model.js";

const base = { thread_id: thread.id, created_at: "2025-01-01T00:00:00.000Z" };
const user = (id: string, value: string, extra: Partial<Extract<ThreadItem, { type: "user_message" }>> = {}): ThreadItem => ({
  type: "user_message",
  id,
  ...base,
  content: [{ type: "input_text", text: value }],
  attachments: [],
  inference_options: {},
  ...extra,
});
const assistantItem = (id: string, ...texts: string[]): ThreadItem => ({
  type: "assistant_message",
  id,
  ...base,
  content: texts.map((value) => ({ type: "output_text", text: value, annotations: [] })),
});
const userText = (value: string): ModelMessage => ({ role: "user", content: [{ type: "text", text: value }] });
const hidden = (value: string) => userText(`Hidden context for the agent (not shown to the user):\n<HiddenContext>\n${value}\n</HiddenContext>`);

const image: Attachment = { type: "image", id: "atc_1", name: "cat.png", mime_type: "image/png", preview_url: "http://localhost:8000/preview/atc_1" };
const pdf: Attachment = { type: "file", id: "atc_2", name: "report.pdf", mime_type: "application/pdf" };

describe("toModelMessages", () => {
  test("a conversation: user and assistant text, in order", async () => {
    const messages = await toModelMessages([user("u1", "Hi"), assistantItem("a1", "Hello", "there"), assistantItem("a2"), user("u2", "Bye")]);
    assert.deepEqual(messages, [
      userText("Hi"),
      { role: "assistant", content: [{ type: "text", text: "Hello" }, { type: "text", text: "there" }] },
      userText("Bye"),
    ]);
  });

  test("a quote is sent only with the last item; a single item is accepted", async () => {
    const quoted = user("u1", "Why?", { quoted_text: "the sky is blue" });
    assert.deepEqual(await toModelMessages([quoted, assistantItem("a", "ok")]), [userText("Why?"), { role: "assistant", content: [{ type: "text", text: "ok" }] }]);
    assert.deepEqual(await toModelMessages(quoted), [userText("Why?"), userText("The user is referring to this in particular: \nthe sky is blue")]);
  });

  test("tags: @text in the message, and each entity once in a context message from tagPart", async () => {
    const tagged = user("u1", "", {
      content: [
        { type: "input_tag", id: "a", text: "a", data: { k: 1 }, interactive: false },
        { type: "input_text", text: " and " },
        { type: "input_tag", id: "b", text: "b", data: {}, interactive: false },
        { type: "input_tag", id: "a", text: "a", data: { k: 1 }, interactive: false },
      ],
    });
    await assert.rejects(toModelMessages([tagged]), { name: "NotImplementedError", message: /tagPart/ });
    const messages = await toModelMessages([tagged], { tagPart: (tag) => ({ type: "text", text: `${tag.text}: ${JSON.stringify(tag.data)}` }) });
    assert.deepEqual(messages, [
      userText("@a and @b@a"),
      {
        role: "user",
        content: [
          {
            type: "text",
            text: "# User-provided context for @-mentions\n- When referencing resolved entities, use their canonical names **without** '@'.\n- The '@' form appears only in user text and should not be echoed.",
          },
          { type: "text", text: 'a: {"k":1}' },
          { type: "text", text: "b: {}" },
        ],
      },
    ]);
  });

  test("attachments need a source; an image becomes an image part, a file a file part", async () => {
    const withFiles = user("u1", "Look", { attachments: [image, pdf] });
    await assert.rejects(toModelMessages([withFiles]), { name: "NotImplementedError", message: /attachmentSource.*atc_1/ });
    const bytes = new Uint8Array([37, 80, 68, 70]);
    const messages = await toModelMessages([withFiles], {
      attachmentSource: (attachment) => (attachment.type === "image" ? { url: `https://files.example/${attachment.id}` } : { data: bytes }),
    });
    assert.deepEqual(messages, [
      {
        role: "user",
        content: [
          { type: "text", text: "Look" },
          { type: "file", data: "https://files.example/atc_1", mediaType: "image/png", filename: "cat.png" },
          { type: "file", data: bytes, mediaType: "application/pdf", filename: "report.pdf" },
        ],
      },
    ]);
    const custom = await toModelMessages([withFiles], { attachmentPart: (attachment) => ({ type: "text", text: `[${attachment.name}]` }) });
    assert.deepEqual(custom, [{ role: "user", content: [{ type: "text", text: "Look" }, { type: "text", text: "[cat.png]" }, { type: "text", text: "[report.pdf]" }] }]);
  });

  test("a completed client tool call is the model's tool call and its result; a pending one is nothing", async () => {
    const call = { type: "client_tool_call" as const, ...base, call_id: "call_1", name: "get_selection", arguments: { scope: "page" } };
    const messages = await toModelMessages([
      { ...call, id: "tc_1", status: "completed", output: { nodes: ["a"] } },
      { ...call, id: "tc_2", call_id: "call_2", status: "completed" },
      { ...call, id: "tc_3", call_id: "call_3", status: "pending" },
    ]);
    assert.deepEqual(messages, [
      { role: "assistant", content: [{ type: "tool-call", toolCallId: "call_1", toolName: "get_selection", input: { scope: "page" } }] },
      { role: "tool", content: [{ type: "tool-result", toolCallId: "call_1", toolName: "get_selection", output: { type: "json", value: { nodes: ["a"] } } }] },
      { role: "assistant", content: [{ type: "tool-call", toolCallId: "call_2", toolName: "get_selection", input: { scope: "page" } }] },
      { role: "tool", content: [{ type: "tool-result", toolCallId: "call_2", toolName: "get_selection", output: { type: "json", value: null } }] },
    ]);
  });

  test("notes, hidden context, widgets, tasks and structured inputs read as the Agents bridge sends them", async () => {
    const items: ThreadItem[] = [
      { type: "sdk_hidden_context", id: "n", ...base, content: USER_CANCELLED_NOTE },
      { type: "hidden_context_item", id: "h", ...base, content: "User pressed the red button" },
      { type: "widget", id: "wd_1", ...base, widget: { type: "Card", children: [{ type: "Text", value: "Hello, world!" }] } },
      {
        type: "workflow",
        id: "wf",
        ...base,
        workflow: { type: "custom", tasks: [{ type: "thought", content: "hmm", status_indicator: "none" }, { type: "custom", title: "Searched", content: "3 hits", status_indicator: "complete" }], expanded: false },
      },
      { type: "task", id: "t", ...base, task: { type: "custom", title: "Called xyz", status_indicator: "none" } },
      {
        type: "structured_input",
        id: "si",
        ...base,
        status: "answered",
        inputs: [
          { type: "multiple_choice", id: "q1", question: "Which subject?", options: [{ value: "Math" }], multiple: false, answer: { values: ["Math"], skipped: false } },
          { type: "freeform", id: "q2", question: "Anything else?", answer: { values: [], skipped: true } },
        ],
      },
      { type: "generated_image", id: "img", ...base, image: { id: "img", url: "https://example.com/img.png" } },
      { type: "generated_image", id: "img_pending", ...base },
      { type: "end_of_turn", id: "eot", ...base },
    ];
    const messages = await toModelMessages(items);
    assert.deepEqual(messages.slice(0, 2), [hidden(USER_CANCELLED_NOTE), hidden("User pressed the red button")]);
    assert.deepEqual(messages[5], userText("A structured input request was displayed to the user with the following status: answered\n<StructuredInput>\n- Which subject?: Math\n- Anything else?: skipped\n</StructuredInput>"));
    assert.deepEqual(messages.at(-1), {
      role: "user",
      content: [{ type: "text", text: "The following image was generated by the agent." }, { type: "file", data: "https://example.com/img.png", mediaType: "image/*" }],
    });
    assert.equal(messages.length, 7);
    // Every text is the Agents bridge's own.
    const agentTexts = (await simpleToAgentInput(items)).map((item) =>
      item.type === "message" && Array.isArray(item.content) ? item.content.map((part) => (part.type === "input_text" ? part.text : part.type)).join("|") : item.type,
    );
    const ourTexts = messages.map((m) => (Array.isArray(m.content) ? m.content.map((part) => (part.type === "text" ? part.text : "input_image")).join("|") : m.content));
    assert.ok(messages.every((m) => !Array.isArray(m.content) || m.content.every((part) => part.type !== "image")), "no deprecated image parts");
    assert.deepEqual(ourTexts, agentTexts);
  });

  test("convert replaces or drops a kind of item; the default conversion stays at hand", async () => {
    const items: ThreadItem[] = [
      user("u1", "Hi"),
      { type: "widget", id: "wd", ...base, widget: { type: "Card", children: [] } },
      { type: "sdk_hidden_context", id: "n", ...base, content: USER_CANCELLED_NOTE },
      { type: "hidden_context_item", id: "h", ...base, content: { pressed: "red" } },
    ];
    await assert.rejects(toModelMessages(items), { name: "NotImplementedError", message: /hidden_context_item/ });
    const seen: boolean[] = [];
    const messages = await toModelMessages(items, {
      convert: {
        widget: false,
        sdk_hidden_context: async (item, { convertDefault }) => [{ role: "system", content: item.content }, ...(await convertDefault())],
        hidden_context_item: (item, { isLast }) => {
          seen.push(isLast);
          return userText(`<ctx>${JSON.stringify(item.content)}</ctx>`);
        },
      },
    });
    assert.deepEqual(messages, [userText("Hi"), { role: "system", content: USER_CANCELLED_NOTE }, hidden(USER_CANCELLED_NOTE), userText('<ctx>{"pressed":"red"}</ctx>')]);
    assert.deepEqual(seen, [true]);
  });

  test("every message it makes is valid AI SDK input, and reaches the model as given", async () => {
    const items: ThreadItem[] = [
      user("u1", "Look", { attachments: [image], quoted_text: "this" }),
      assistantItem("a1", "Let me check."),
      { type: "client_tool_call", id: "tc", ...base, status: "completed", call_id: "call_1", name: "get_selection", arguments: {}, output: "a, b" },
      { type: "sdk_hidden_context", id: "n", ...base, content: USER_CANCELLED_NOTE },
      { type: "generated_image", id: "img", ...base, image: { id: "img", url: "data:image/png;base64,iVBORw0KGgo=" } },
      user("u2", "Again"),
    ];
    const messages = await toModelMessages(items, { attachmentSource: () => ({ data: "iVBORw0KGgo=" }) });
    for (const message of messages) assert.equal(modelMessageSchema.safeParse(message).success, true, JSON.stringify(message));
    const model = new ScriptedModel([step(text("t", "ok"))]);
    await collect(streamText({ model, messages }).fullStream);
    const prompt = model.prompt(0);
    assert.deepEqual(
      prompt.map((message) => message.role),
      ["user", "assistant", "assistant", "tool", "user", "user", "user"],
    );
    // Images reach the model as files of an image type (the media type of a data URL wins).
    const parts: Array<{ type: string; mediaType?: string }> = prompt.flatMap((m) => (Array.isArray(m.content) ? (m.content as Array<{ type: string }>) : []));
    const mediaTypes = parts.filter((part) => part.type === "file").map((part) => part.mediaType);
    assert.deepEqual(mediaTypes, ["image/png", "image/png"]);
    assert.deepEqual(prompt[2], { role: "assistant", content: [{ type: "tool-call", toolCallId: "call_1", toolName: "get_selection", input: {}, providerExecuted: undefined, providerOptions: undefined }], providerOptions: undefined });
  });
});
