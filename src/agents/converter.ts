import type { AgentInputItem, protocol } from "@openai/agents";
import type { Attachment } from "../protocol/attachment.js";
import type { InputTagContent } from "../protocol/content.js";
import type {
  AssistantMessageItem,
  ClientToolCallItem,
  EndOfTurnItem,
  GeneratedImageItem,
  HiddenContextItem,
  SDKHiddenContextItem,
  StructuredInputItem,
  TaskItem,
  ThreadItem,
  UserMessageItem,
  WidgetItem,
  WorkflowItem,
} from "../protocol/items.js";
import type { Task } from "../protocol/workflow.js";
import { NotImplementedError } from "./errors.js";

/** What a converter hook returns: one input item, several, or nothing. */
export type AgentInputResult = AgentInputItem | AgentInputItem[] | null | undefined;

/**
 * Where the model gets an attachment's content from, as returned by
 * `ThreadItemConverter.attachmentSource`:
 * - `{ url }`: a URL the model provider can fetch (public or signed);
 * - `{ data }`: the bytes (or base64 text), sent inline as a data URL;
 * - `{ fileId }`: a file already uploaded to the provider (e.g. OpenAI Files).
 */
export type AttachmentSource =
  | { url: string }
  | { data: Uint8Array | string; mimeType?: string }
  | { fileId: string };

/** Hooks that can be passed to the constructor instead of subclassing. */
export type ThreadItemConverterHooks = Partial<
  Pick<
    ThreadItemConverter,
    | "attachmentSource"
    | "attachmentToMessageContent"
    | "tagToMessageContent"
    | "hiddenContextToInput"
    | "generatedImageToInput"
  >
>;

/** The header of the message that lists @-mentioned entities (Python's exact text). */
export const TAG_CONTEXT_HEADER = [
  "# User-provided context for @-mentions",
  "- When referencing resolved entities, use their canonical names **without** '@'.",
  "- The '@' form appears only in user text and should not be echoed.",
].join("\n");

/**
 * What a model reads of a user message besides its attachments: its text (each tag as `@text`),
 * the message about its quoted text (only for the last item of the input), and its tags, each
 * entity once in first-seen order (for the @-mention context message).
 */
export function userMessageTexts(
  item: UserMessageItem,
  isLastMessage: boolean,
): { text: string; quote: string | undefined; tags: InputTagContent[] } {
  let text = "";
  const tags = new Map<string, InputTagContent>();
  for (const part of item.content) {
    if (part.type === "input_text") text += part.text;
    else {
      text += `@${part.text}`;
      if (!tags.has(part.text)) tags.set(part.text, part);
    }
  }
  const quote = item.quoted_text && isLastMessage ? `The user is referring to this in particular: \n${item.quoted_text}` : undefined;
  return { text, quote, tags: [...tags.values()] };
}

/** A user message with one text part. */
export const userText = (text: string): protocol.UserMessageItem => ({
  type: "message",
  role: "user",
  content: [{ type: "input_text", text }],
});

const hiddenContext = (content: string) =>
  userText(`Hidden context for the agent (not shown to the user):\n<HiddenContext>\n${content}\n</HiddenContext>`);

const toBase64 = (data: Uint8Array | string) =>
  typeof data === "string" ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString("base64");

/** JSON without nulls, as Python's `model_dump_json(exclude_none=True)`. */
const compactJson = (value: unknown) => JSON.stringify(value, (_key, v: unknown) => (v === null ? undefined : v));

/**
 * Turns thread items into model input (`AgentInputItem`s) for `run()`. Every kind of item has a
 * hook; subclass and override one to change its format, or pass hooks to the constructor.
 * Override (or pass) `attachmentSource` to send attachments, `tagToMessageContent` to send
 * @-mentions, and `hiddenContextToInput` for non-string hidden context: by default they throw
 * `NotImplementedError`.
 */
export class ThreadItemConverter {
  constructor(hooks: ThreadItemConverterHooks = {}) {
    Object.assign(this, hooks);
  }

  /**
   * Where the model gets an attachment's content: a URL it can fetch, the bytes, or a provider
   * file id. Default: throws `NotImplementedError` — the SDK cannot know how the app stores bytes.
   */
  attachmentSource(attachment: Attachment): Promise<AttachmentSource> {
    return Promise.reject(
      new NotImplementedError(
        `ThreadItemConverter.attachmentSource (or attachmentToMessageContent) must be implemented to send attachment ${attachment.id} to the model`,
      ),
    );
  }

  /**
   * An attachment as a content part: an image becomes `input_image` (detail `auto`), any other
   * file `input_file` with its name. The content comes from `attachmentSource`.
   */
  async attachmentToMessageContent(attachment: Attachment): Promise<protocol.UserContent> {
    const source = await this.attachmentSource(attachment);
    if ("fileId" in source) {
      return attachment.type === "image"
        ? { type: "input_image", image: { id: source.fileId }, detail: "auto" }
        : { type: "input_file", file: { id: source.fileId }, filename: attachment.name };
    }
    if ("url" in source) {
      return attachment.type === "image"
        ? { type: "input_image", image: source.url, detail: "auto" }
        : { type: "input_file", file: { url: source.url }, filename: attachment.name };
    }
    const dataUrl = `data:${source.mimeType ?? attachment.mime_type};base64,${toBase64(source.data)}`;
    return attachment.type === "image"
      ? { type: "input_image", image: dataUrl, detail: "auto" }
      : { type: "input_file", file: dataUrl, filename: attachment.name };
  }

  /** What the model learns about an @-mentioned entity. Default: throws `NotImplementedError`. */
  tagToMessageContent(tag: InputTagContent): Promise<protocol.UserContent> {
    return Promise.reject(
      new NotImplementedError(`ThreadItemConverter.tagToMessageContent must be implemented to send tag "${tag.text}" to the model`),
    );
  }

  /**
   * Up to three user messages: the text (tags as `@text`) with the attachments; the quoted text,
   * only when this is the last item; and the context of the @-mentioned entities.
   */
  async userMessageToInput(item: UserMessageItem, isLastMessage = true): Promise<AgentInputResult> {
    const { text, quote, tags } = userMessageTexts(item, isLastMessage);
    const content: protocol.UserContent[] = [{ type: "input_text", text }];
    for (const attachment of item.attachments) content.push(await this.attachmentToMessageContent(attachment));
    const out: AgentInputItem[] = [{ type: "message", role: "user", content }];
    if (quote !== undefined) out.push(userText(quote));
    if (tags.length > 0) {
      const parts: protocol.UserContent[] = [];
      for (const tag of tags) parts.push(await this.tagToMessageContent(tag));
      out.push({ type: "message", role: "user", content: [{ type: "input_text", text: TAG_CONTEXT_HEADER }, ...parts] });
    }
    return out;
  }

  /** One assistant message, one `output_text` per part (annotations are not sent, as in Python). */
  assistantMessageToInput(item: AssistantMessageItem): Promise<AgentInputResult> {
    return Promise.resolve({
      type: "message",
      role: "assistant",
      status: "completed",
      content: item.content.map((part) => ({ type: "output_text" as const, text: part.text })),
    });
  }

  /** A completed call as a `function_call` and its result; a pending call as nothing. */
  clientToolCallToInput(item: ClientToolCallItem): Promise<AgentInputResult> {
    if (item.status === "pending") return Promise.resolve(null);
    return Promise.resolve([
      { type: "function_call", callId: item.call_id, name: item.name, arguments: JSON.stringify(item.arguments) },
      {
        type: "function_call_result",
        callId: item.call_id,
        name: item.name,
        status: "completed",
        output: JSON.stringify(item.output ?? null),
      },
    ]);
  }

  /** The widget as compact JSON, introduced as shown to the user. */
  widgetToInput(item: WidgetItem): Promise<AgentInputResult> {
    return Promise.resolve(
      userText(`The following graphical UI widget (id: ${item.id}) was displayed to the user:${compactJson(item.widget)}`),
    );
  }

  /** One message per custom task with a title or content; thoughts and other tasks are dropped. */
  workflowToInput(item: WorkflowItem): Promise<AgentInputResult> {
    const out: AgentInputItem[] = [];
    for (const task of item.workflow.tasks) {
      const message = taskMessage(task);
      if (message) out.push(message);
    }
    return Promise.resolve(out);
  }

  /** A custom task with a title or content, as performed; anything else as nothing. */
  taskToInput(item: TaskItem): Promise<AgentInputResult> {
    return Promise.resolve(taskMessage(item.task));
  }

  /** The questions of a structured input with their answers, and its status. */
  structuredInputToInput(item: StructuredInputItem): Promise<AgentInputResult> {
    const lines = item.inputs.map((input) => {
      const { answer } = input;
      if (!answer) return `- ${input.question}: unanswered`;
      if (answer.skipped) return `- ${input.question}: skipped`;
      return `- ${input.question}: ${answer.values.join(", ")}`;
    });
    return Promise.resolve(
      userText(
        `A structured input request was displayed to the user with the following status: ${item.status}\n<StructuredInput>\n${lines.join("\n")}\n</StructuredInput>`,
      ),
    );
  }

  /** String content wrapped as hidden context. Other content: throws `NotImplementedError`. */
  hiddenContextToInput(item: HiddenContextItem): Promise<AgentInputResult> {
    if (typeof item.content !== "string") {
      return Promise.reject(
        new NotImplementedError("ThreadItemConverter.hiddenContextToInput must be implemented for non-string hidden context"),
      );
    }
    return Promise.resolve(hiddenContext(item.content));
  }

  /**
   * Hidden context written by the SDK, such as the note that the user cancelled the previous
   * response — so the model does not resume that answer.
   */
  sdkHiddenContextToInput(item: SDKHiddenContextItem): Promise<AgentInputResult> {
    return Promise.resolve(hiddenContext(item.content));
  }

  /**
   * The image URL as `input_image`. Override when the URL is not reachable by the model (e.g.
   * sign it, or rehydrate a data URL).
   */
  generatedImageToInput(item: GeneratedImageItem): Promise<AgentInputResult> {
    if (!item.image) return Promise.resolve(null);
    return Promise.resolve({
      type: "message",
      role: "user",
      content: [
        { type: "input_text", text: "The following image was generated by the agent." },
        { type: "input_image", image: item.image.url, detail: "auto" },
      ],
    });
  }

  /** Nothing. */
  endOfTurnToInput(_item: EndOfTurnItem): Promise<AgentInputResult> {
    return Promise.resolve(null);
  }

  /** Converts items (oldest first) with the hook of each kind, and concatenates the results. */
  async toAgentInput(items: ThreadItem | readonly ThreadItem[]): Promise<AgentInputItem[]> {
    const list: readonly ThreadItem[] = isItemArray(items) ? [...items] : [items];
    const last = list[list.length - 1];
    const out: AgentInputItem[] = [];
    for (const item of list) {
      const result = await this.#convert(item, item === last);
      if (Array.isArray(result)) out.push(...result);
      else if (result) out.push(result);
    }
    return out;
  }

  #convert(item: ThreadItem, isLast: boolean): Promise<AgentInputResult> {
    switch (item.type) {
      case "user_message":
        return this.userMessageToInput(item, isLast);
      case "assistant_message":
        return this.assistantMessageToInput(item);
      case "client_tool_call":
        return this.clientToolCallToInput(item);
      case "widget":
        return this.widgetToInput(item);
      case "workflow":
        return this.workflowToInput(item);
      case "task":
        return this.taskToInput(item);
      case "structured_input":
        return this.structuredInputToInput(item);
      case "hidden_context_item":
        return this.hiddenContextToInput(item);
      case "sdk_hidden_context":
        return this.sdkHiddenContextToInput(item);
      case "generated_image":
        return this.generatedImageToInput(item);
      case "end_of_turn":
        return this.endOfTurnToInput(item);
      default:
        return Promise.resolve(null);
    }
  }
}

const isItemArray = (items: ThreadItem | readonly ThreadItem[]): items is readonly ThreadItem[] => Array.isArray(items);

function taskMessage(task: Task): AgentInputItem | null {
  if (task.type !== "custom" || !(task.title || task.content)) return null;
  const text = task.title && task.content ? `${task.title}: ${task.content}` : (task.title || task.content)!;
  return userText(`A message was displayed to the user that the following task was performed:\n<Task>\n${text}\n</Task>`);
}

const defaultConverter = new ThreadItemConverter();

/** `new ThreadItemConverter().toAgentInput(items)`: enough when there are no attachments, tags or object hidden context. */
export function simpleToAgentInput(items: ThreadItem | readonly ThreadItem[]): Promise<AgentInputItem[]> {
  return defaultConverter.toAgentInput(items);
}
