import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { once } from "node:events";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { describe, test } from "node:test";
import { promisify } from "node:util";
import { AiSdkServer, modelFromEnv } from "../../examples/ai-sdk-server.js";
import { toNodeHandler, type ThreadStreamEvent } from "../../src/index.js";
import { ScriptedModel, step, text, toolCall } from "../ai/mock-model.js";
import { parseSse } from "../support/helpers.js";

const example = fileURLToPath(new URL("../../examples/ai-sdk-server.ts", import.meta.url));

describe("examples/ai-sdk-server.ts", () => {
  test("the provider comes from the environment: Anthropic, else OpenAI; AI_MODEL names the model", () => {
    assert.equal(modelFromEnv({}), undefined);
    const openai = modelFromEnv({ OPENAI_API_KEY: "sk-test" });
    assert.ok(openai && typeof openai === "object");
    assert.match(openai.provider, /^openai\./);
    assert.equal(openai.modelId, "gpt-5-mini");
    const claude = modelFromEnv({ OPENAI_API_KEY: "sk-test", ANTHROPIC_API_KEY: "sk-ant-test", AI_MODEL: "claude-test" });
    assert.ok(claude && typeof claude === "object");
    assert.match(claude.provider, /^anthropic\./);
    assert.equal(claude.modelId, "claude-test");
  });

  test("run without a key, it says which keys it needs", async () => {
    const env = { ...process.env, ANTHROPIC_API_KEY: "", OPENAI_API_KEY: "" };
    const run = promisify(execFile)(process.execPath, ["--import", "tsx", example], { env });
    await assert.rejects(run, (error: { code: number; stderr: string }) => {
      assert.equal(error.code, 1);
      assert.match(error.stderr, /Set ANTHROPIC_API_KEY or OPENAI_API_KEY/);
      return true;
    });
  });

  test("with a mock model over node:http: the weather card, the answer, then a client tool round trip", async () => {
    const model = new ScriptedModel([
      step(toolCall("call_w", "get_weather", { city: "Paris" })),
      step(text("t", "It is sunny in Paris.")),
      step(toolCall("call_s", "get_selected_text", {})),
      step(text("t", "You selected “hello”.")),
    ]);
    const handler = toNodeHandler(new AiSdkServer(model), { context: () => ({ userId: "u1" }) });
    const server = http.createServer((req, res) => void handler(req, res)).listen(0, "127.0.0.1");
    await once(server, "listening");
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/chatkit`;
    const post = async (body: unknown): Promise<ThreadStreamEvent[]> =>
      parseSse(await (await fetch(url, { method: "POST", body: JSON.stringify(body), headers: { "content-type": "application/json" } })).text());
    try {
      const first = await post({ type: "threads.create", params: { input: { content: [{ type: "input_text", text: "Weather in Paris?" }], attachments: [], inference_options: {} } } });
      const threadId = first[0]!.type === "thread.created" ? first[0]!.thread.id : "";
      const widget = first.find((event) => event.type === "thread.item.done" && event.item.type === "widget");
      assert.ok(widget?.type === "thread.item.done" && widget.item.type === "widget");
      assert.deepEqual(widget.item.widget, {
        type: "Card",
        children: [
          { type: "Title", value: "Paris" },
          { type: "Row", children: [{ type: "Text", value: "21 °C" }, { type: "Col", children: [{ type: "Text", value: "Sunny" }] }] },
        ],
      });
      const answer = first.find((event) => event.type === "thread.item.done" && event.item.type === "assistant_message");
      assert.ok(answer?.type === "thread.item.done" && answer.item.type === "assistant_message");
      assert.equal(answer.item.content[0]!.text, "It is sunny in Paris.");
      assert.equal(first.at(-1)!.type, "thread.updated");

      const second = await post({ type: "threads.add_user_message", params: { thread_id: threadId, input: { content: [{ type: "input_text", text: "What did I select?" }], attachments: [], inference_options: {} } } });
      const call = second.at(-1);
      assert.ok(call?.type === "thread.item.done" && call.item.type === "client_tool_call");
      assert.equal(call.item.name, "get_selected_text");

      const third = await post({ type: "threads.add_client_tool_output", params: { thread_id: threadId, result: { text: "hello" } } });
      const reply = third.find((event) => event.type === "thread.item.done" && event.item.type === "assistant_message");
      assert.ok(reply?.type === "thread.item.done" && reply.item.type === "assistant_message");
      assert.equal(reply.item.content[0]!.text, "You selected “hello”.");
      assert.match(JSON.stringify(model.prompt(3).at(-1)), /"call_s".*"hello"/);
    } finally {
      server.close();
    }
  });
});
