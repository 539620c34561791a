import { z } from "zod";
import { TextSchema } from "./text.js";
import { AttachmentSchema } from "./attachment.js";
import {
  AssistantMessageContentSchema,
  InferenceOptionsSchema,
  UserMessageContentSchema,
} from "./content.js";
import { DateTimeSchema, JsonObjectSchema, JsonValueSchema, optional } from "./fields.js";
import { StructuredInputSchema, StructuredInputStatusSchema } from "./structured-input.js";
import { WidgetRootSchema } from "./widget.js";
import { TaskSchema, WorkflowSchema } from "./workflow.js";

const itemBase = {
  id: TextSchema,
  thread_id: TextSchema,
  created_at: DateTimeSchema,
};

export const UserMessageItemSchema = z.object({
  type: z.literal("user_message"),
  ...itemBase,
  content: z.array(UserMessageContentSchema),
  attachments: z.array(AttachmentSchema).default([]),
  quoted_text: optional(TextSchema),
  inference_options: InferenceOptionsSchema.default({}),
});
export const AssistantMessageItemSchema = z.object({
  type: z.literal("assistant_message"),
  ...itemBase,
  content: z.array(AssistantMessageContentSchema),
});
export const ClientToolCallItemSchema = z.object({
  type: z.literal("client_tool_call"),
  ...itemBase,
  status: z.enum(["pending", "completed"]).default("pending"),
  call_id: TextSchema,
  name: TextSchema,
  arguments: JsonObjectSchema,
  output: optional(JsonValueSchema),
});
export const WidgetItemSchema = z.object({
  type: z.literal("widget"),
  ...itemBase,
  widget: WidgetRootSchema,
  /** What the copy button under the widget puts on the clipboard. */
  copy_text: optional(TextSchema),
});
export const GeneratedImageSchema = z.object({ id: TextSchema, url: TextSchema });
export const GeneratedImageItemSchema = z.object({
  type: z.literal("generated_image"),
  ...itemBase,
  image: optional(GeneratedImageSchema),
});
export const StructuredInputItemSchema = z.object({
  type: z.literal("structured_input"),
  ...itemBase,
  status: StructuredInputStatusSchema.default("pending"),
  inputs: z.array(StructuredInputSchema),
});
export const WorkflowItemSchema = z.object({
  type: z.literal("workflow"),
  ...itemBase,
  workflow: WorkflowSchema,
});
export const TaskItemSchema = z.object({ type: z.literal("task"), ...itemBase, task: TaskSchema });
export const EndOfTurnItemSchema = z.object({ type: z.literal("end_of_turn"), ...itemBase });
/** Context for the model that the client never sees. */
export const HiddenContextItemSchema = z.object({
  type: z.literal("hidden_context_item"),
  ...itemBase,
  content: JsonValueSchema,
});
/** Hidden context written by the SDK itself, e.g. the note that the user cancelled a response. */
export const SDKHiddenContextItemSchema = z.object({
  type: z.literal("sdk_hidden_context"),
  ...itemBase,
  content: TextSchema,
});

export const ThreadItemSchema = z.discriminatedUnion("type", [
  UserMessageItemSchema,
  AssistantMessageItemSchema,
  ClientToolCallItemSchema,
  WidgetItemSchema,
  GeneratedImageItemSchema,
  StructuredInputItemSchema,
  WorkflowItemSchema,
  TaskItemSchema,
  EndOfTurnItemSchema,
  HiddenContextItemSchema,
  SDKHiddenContextItemSchema,
]);

export type UserMessageItem = z.infer<typeof UserMessageItemSchema>;
export type AssistantMessageItem = z.infer<typeof AssistantMessageItemSchema>;
export type ClientToolCallItem = z.infer<typeof ClientToolCallItemSchema>;
export type WidgetItem = z.infer<typeof WidgetItemSchema>;
export type GeneratedImage = z.infer<typeof GeneratedImageSchema>;
export type GeneratedImageItem = z.infer<typeof GeneratedImageItemSchema>;
export type StructuredInputItem = z.infer<typeof StructuredInputItemSchema>;
export type WorkflowItem = z.infer<typeof WorkflowItemSchema>;
export type TaskItem = z.infer<typeof TaskItemSchema>;
export type EndOfTurnItem = z.infer<typeof EndOfTurnItemSchema>;
export type HiddenContextItem = z.infer<typeof HiddenContextItemSchema>;
export type SDKHiddenContextItem = z.infer<typeof SDKHiddenContextItemSchema>;
export type ThreadItem = z.infer<typeof ThreadItemSchema>;
export type ThreadItemType = ThreadItem["type"];

/** Items stored for the model but never sent to the client. */
export const isHiddenItem = (item: ThreadItem): item is HiddenContextItem | SDKHiddenContextItem =>
  item.type === "hidden_context_item" || item.type === "sdk_hidden_context";
