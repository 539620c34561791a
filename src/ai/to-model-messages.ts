import type { FilePart, ImagePart, JSONValue, ModelMessage, TextPart } from "ai";
import { NotImplementedError, TAG_CONTEXT_HEADER, ThreadItemConverter, userMessageTexts, type AgentInputResult } from "../agents/index.js";
import type {
  AssistantMessageItem,
  Attachment,
  ClientToolCallItem,
  InputTagContent,
  ThreadItem,
  ThreadItemType,
  UserMessageItem,
} from "../index.js";
import { attachmentPart, type AttachmentSource } from "./attachment-part.js";

/** A part of a user message the model reads. */
export type UserMessagePart = TextPart | ImagePart | FilePart;
/** What an item converter returns: one message, several, or nothing. */
export type ModelMessagesResult = ModelMessage | ModelMessage[] | null | undefined;

/** What an item converter learns besides the item. */
export interface ConvertItemInfo {
  /** Whether the item is the last one converted (a user message's quote is sent only then). */
  isLast: boolean;
  /** The default conversion of this item, e.g. to extend it. */
  convertDefault(): Promise<ModelMessage[]>;
}

/** Converts one kind of thread item into model messages. */
export type ItemConverter<T extends ThreadItemType> = (
  item: Extract<ThreadItem, { type: T }>,
  info: ConvertItemInfo,
) => ModelMessagesResult | PromiseLike<ModelMessagesResult>;

/** Options of `toModelMessages`. */
export interface ToModelMessagesOptions {
  /**
   * Where the model gets an attachment's content: a URL it can fetch, or the bytes. Without it
   * (or `attachmentPart`), a message with attachments throws `NotImplementedError`: the SDK
   * cannot know how the app stores bytes, and a model cannot fetch a `localhost` preview.
   */
  attachmentSource?: (attachment: Attachment) => AttachmentSource | PromiseLike<AttachmentSource>;
  /** The whole part for an attachment; default: an image or file part from `attachmentSource`. */
  attachmentPart?: (attachment: Attachment) => UserMessagePart | PromiseLike<UserMessagePart>;
  /**
   * What the model learns about an @-mentioned entity. Without it, a message with tags throws
   * `NotImplementedError`.
   */
  tagPart?: (tag: InputTagContent) => UserMessagePart | PromiseLike<UserMessagePart>;
  /**
   * Per item type (as on the wire, e.g. `widget`): a function that replaces the default
   * conversion, or `false` to leave such items out.
   */
  convert?: { [T in ThreadItemType]?: ItemConverter<T> | false };
}

/**
 * The texts the model sees for items that are not a conversation turn (widgets, tasks, hidden
 * context, the cancellation note, …) are those of the Agents SDK bridge, so both bridges give a
 * model the same history.
 */
const agentTexts = new ThreadItemConverter();

/** A user message of text (and image) parts from the Agents bridge's message items. */
function fromAgentInput(result: AgentInputResult): ModelMessage[] {
  const items = Array.isArray(result) ? result : result ? [result] : [];
  const out: ModelMessage[] = [];
  for (const item of items) {
    if (item.type !== "message" || item.role !== "user" || typeof item.content === "string") continue;
    const content: UserMessagePart[] = [];
    for (const part of item.content) {
      if (part.type === "input_text") content.push({ type: "text", text: part.text });
      // An image as a file part of an image type (AI SDK 7 deprecates the image part).
      else if (part.type === "input_image" && typeof part.image === "string") content.push({ type: "file", data: part.image, mediaType: "image/*" });
    }
    out.push({ role: "user", content });
  }
  return out;
}

const userText = (text: string): ModelMessage => ({ role: "user", content: [{ type: "text", text }] });

/**
 * Turns ChatKit thread items (oldest first) into the AI SDK's model messages, for `streamText`'s
 * `messages`:
 *
 * - a user message: its text (tags as `@text`) with its attachments (see `attachmentSource`);
 *   its quoted text, when it is the last item; the context of its @-mentions (`tagPart`);
 * - an assistant message: its text;
 * - a completed client tool call: the tool call and its result (a pending one: nothing);
 * - a generated image: the image, introduced as generated;
 * - widgets, workflow tasks, structured inputs, hidden context and the SDK's notes (such as the
 *   one left when the user stopped a response): user messages that describe them, as the Agents
 *   SDK bridge sends them. Thoughts and end-of-turn markers are left out.
 *
 * Any kind of item can be converted differently, or left out, with `convert`.
 *
 * ```ts
 * const page = await this.store.loadThreadItems(thread.id, undefined, 20, "desc", context);
 * const messages = await toModelMessages([...page.data].reverse(), {
 *   attachmentSource: (attachment) => ({ url: signedUrl(attachment) }),
 *   convert: { widget: false },
 * });
 * ```
 */
export async function toModelMessages(
  items: ThreadItem | readonly ThreadItem[],
  options: ToModelMessagesOptions = {},
): Promise<ModelMessage[]> {
  const list: readonly ThreadItem[] = Array.isArray(items) ? items : [items as ThreadItem];
  const last = list[list.length - 1];
  const out: ModelMessage[] = [];
  for (const item of list) {
    const isLast = item === last;
    const convertDefault = () => defaultMessages(item, isLast, options);
    const custom = options.convert?.[item.type] as ItemConverter<ThreadItemType> | false | undefined;
    if (custom === false) continue;
    const result = custom ? await custom(item as never, { isLast, convertDefault }) : await convertDefault();
    if (Array.isArray(result)) out.push(...result);
    else if (result) out.push(result);
  }
  return out;
}

async function defaultMessages(item: ThreadItem, isLast: boolean, options: ToModelMessagesOptions): Promise<ModelMessage[]> {
  switch (item.type) {
    case "user_message":
      return userMessages(item, isLast, options);
    case "assistant_message":
      return assistantMessages(item);
    case "client_tool_call":
      return clientToolCallMessages(item);
    case "widget":
      return fromAgentInput(await agentTexts.widgetToInput(item));
    case "workflow":
      return fromAgentInput(await agentTexts.workflowToInput(item));
    case "task":
      return fromAgentInput(await agentTexts.taskToInput(item));
    case "structured_input":
      return fromAgentInput(await agentTexts.structuredInputToInput(item));
    case "hidden_context_item":
      if (typeof item.content !== "string") {
        throw new NotImplementedError("toModelMessages needs a convert.hidden_context_item option for hidden context that is not a string");
      }
      return fromAgentInput(await agentTexts.hiddenContextToInput(item));
    case "sdk_hidden_context":
      return fromAgentInput(await agentTexts.sdkHiddenContextToInput(item));
    case "generated_image":
      return fromAgentInput(await agentTexts.generatedImageToInput(item));
    case "end_of_turn":
      return [];
  }
}

/**
 * Up to three user messages: the text with the attachments; the quoted text, only when this is
 * the last item; and the context of the @-mentioned entities (each entity once).
 */
async function userMessages(item: UserMessageItem, isLast: boolean, options: ToModelMessagesOptions): Promise<ModelMessage[]> {
  const { text, quote, tags } = userMessageTexts(item, isLast);
  const content: UserMessagePart[] = [{ type: "text", text }];
  for (const attachment of item.attachments) content.push(await toAttachmentPart(attachment, options));
  const out: ModelMessage[] = [{ role: "user", content }];
  if (quote !== undefined) out.push(userText(quote));
  if (tags.length > 0) {
    const { tagPart } = options;
    if (!tagPart) throw new NotImplementedError(`toModelMessages needs a tagPart option to send tag "${tags[0]!.text}" to the model`);
    const parts: UserMessagePart[] = [];
    for (const tag of tags) parts.push(await tagPart(tag));
    out.push({ role: "user", content: [{ type: "text", text: TAG_CONTEXT_HEADER }, ...parts] });
  }
  return out;
}

async function toAttachmentPart(attachment: Attachment, options: ToModelMessagesOptions): Promise<UserMessagePart> {
  if (options.attachmentPart) return options.attachmentPart(attachment);
  if (!options.attachmentSource) {
    throw new NotImplementedError(
      `toModelMessages needs an attachmentSource (or attachmentPart) option to send attachment ${attachment.id} to the model`,
    );
  }
  return attachmentPart(attachment, await options.attachmentSource(attachment));
}

/** One assistant message with a text part per content part; nothing when it has no text. */
function assistantMessages(item: AssistantMessageItem): ModelMessage[] {
  const content = item.content.filter((part) => part.text !== "").map((part) => ({ type: "text" as const, text: part.text }));
  return content.length > 0 ? [{ role: "assistant", content }] : [];
}

/** A completed call as the model's tool call and the tool's result; a pending call as nothing. */
function clientToolCallMessages(item: ClientToolCallItem): ModelMessage[] {
  if (item.status === "pending") return [];
  return [
    {
      role: "assistant",
      content: [{ type: "tool-call", toolCallId: item.call_id, toolName: item.name, input: item.arguments }],
    },
    {
      role: "tool",
      content: [
        {
          type: "tool-result",
          toolCallId: item.call_id,
          toolName: item.name,
          output: { type: "json", value: (item.output ?? null) as JSONValue },
        },
      ],
    },
  ];
}
