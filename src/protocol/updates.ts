import { z } from "zod";
import { TextSchema } from "./text.js";
import { AnnotationSchema, AssistantMessageContentSchema } from "./content.js";
import { optional } from "./fields.js";
import { GeneratedImageSchema } from "./items.js";
import { WidgetComponentSchema, WidgetRootSchema } from "./widget.js";
import { TaskSchema } from "./workflow.js";

const contentIndex = z.number().int().nonnegative();

export const AssistantMessageContentPartAddedSchema = z.object({
  type: z.literal("assistant_message.content_part.added"),
  content_index: contentIndex,
  content: AssistantMessageContentSchema,
});
export const AssistantMessageContentPartTextDeltaSchema = z.object({
  type: z.literal("assistant_message.content_part.text_delta"),
  content_index: contentIndex,
  delta: TextSchema,
});
export const AssistantMessageContentPartAnnotationAddedSchema = z.object({
  type: z.literal("assistant_message.content_part.annotation_added"),
  content_index: contentIndex,
  annotation_index: z.number().int().nonnegative(),
  annotation: AnnotationSchema,
});
export const AssistantMessageContentPartDoneSchema = z.object({
  type: z.literal("assistant_message.content_part.done"),
  content_index: contentIndex,
  content: AssistantMessageContentSchema,
});
export const WidgetStreamingTextValueDeltaSchema = z.object({
  type: z.literal("widget.streaming_text.value_delta"),
  component_id: TextSchema,
  delta: TextSchema,
  done: z.boolean(),
});
export const WidgetComponentUpdatedSchema = z.object({
  type: z.literal("widget.component.updated"),
  component_id: TextSchema,
  component: WidgetComponentSchema,
});
export const WidgetRootUpdatedSchema = z.object({
  type: z.literal("widget.root.updated"),
  widget: WidgetRootSchema,
});
export const WorkflowTaskAddedSchema = z.object({
  type: z.literal("workflow.task.added"),
  task_index: z.number().int().nonnegative(),
  task: TaskSchema,
});
export const WorkflowTaskUpdatedSchema = z.object({
  type: z.literal("workflow.task.updated"),
  task_index: z.number().int().nonnegative(),
  task: TaskSchema,
});
export const GeneratedImageUpdatedSchema = z.object({
  type: z.literal("generated_image.updated"),
  image: GeneratedImageSchema,
  /** 0..1 */
  progress: optional(z.number()),
});

export const ThreadItemUpdateSchema = z.discriminatedUnion("type", [
  AssistantMessageContentPartAddedSchema,
  AssistantMessageContentPartTextDeltaSchema,
  AssistantMessageContentPartAnnotationAddedSchema,
  AssistantMessageContentPartDoneSchema,
  WidgetStreamingTextValueDeltaSchema,
  WidgetComponentUpdatedSchema,
  WidgetRootUpdatedSchema,
  WorkflowTaskAddedSchema,
  WorkflowTaskUpdatedSchema,
  GeneratedImageUpdatedSchema,
]);

export type AssistantMessageContentPartAdded = z.infer<typeof AssistantMessageContentPartAddedSchema>;
export type AssistantMessageContentPartTextDelta = z.infer<typeof AssistantMessageContentPartTextDeltaSchema>;
export type AssistantMessageContentPartAnnotationAdded = z.infer<typeof AssistantMessageContentPartAnnotationAddedSchema>;
export type AssistantMessageContentPartDone = z.infer<typeof AssistantMessageContentPartDoneSchema>;
export type WidgetStreamingTextValueDelta = z.infer<typeof WidgetStreamingTextValueDeltaSchema>;
export type WidgetComponentUpdated = z.infer<typeof WidgetComponentUpdatedSchema>;
export type WidgetRootUpdated = z.infer<typeof WidgetRootUpdatedSchema>;
export type WorkflowTaskAdded = z.infer<typeof WorkflowTaskAddedSchema>;
export type WorkflowTaskUpdated = z.infer<typeof WorkflowTaskUpdatedSchema>;
export type GeneratedImageUpdated = z.infer<typeof GeneratedImageUpdatedSchema>;
export type ThreadItemUpdate = z.infer<typeof ThreadItemUpdateSchema>;
