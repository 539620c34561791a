import { z } from "zod";
import { TextSchema } from "./text.js";
import { FileSourceSchema, UrlSourceSchema } from "./content.js";
import { IconNameSchema, optional } from "./fields.js";

const taskBase = {
  status_indicator: z.enum(["none", "loading", "complete"]).default("none"),
  title: optional(TextSchema),
};

export const CustomTaskSchema = z.object({
  type: z.literal("custom"),
  ...taskBase,
  icon: optional(IconNameSchema),
  content: optional(TextSchema),
});
export const WebSearchTaskSchema = z.object({
  type: z.literal("web_search"),
  ...taskBase,
  title_query: optional(TextSchema),
  queries: z.array(TextSchema).default([]),
  sources: z.array(UrlSourceSchema).default([]),
});
export const ThoughtTaskSchema = z.object({
  type: z.literal("thought"),
  ...taskBase,
  content: TextSchema,
});
export const FileTaskSchema = z.object({
  type: z.literal("file"),
  ...taskBase,
  sources: z.array(FileSourceSchema).default([]),
});
export const ImageTaskSchema = z.object({ type: z.literal("image"), ...taskBase });

export const TaskSchema = z.discriminatedUnion("type", [
  CustomTaskSchema,
  WebSearchTaskSchema,
  ThoughtTaskSchema,
  FileTaskSchema,
  ImageTaskSchema,
]);
export type CustomTask = z.infer<typeof CustomTaskSchema>;
export type WebSearchTask = z.infer<typeof WebSearchTaskSchema>;
export type ThoughtTask = z.infer<typeof ThoughtTaskSchema>;
export type FileTask = z.infer<typeof FileTaskSchema>;
export type ImageTask = z.infer<typeof ImageTaskSchema>;
export type Task = z.infer<typeof TaskSchema>;

export const CustomSummarySchema = z.object({ title: TextSchema, icon: optional(IconNameSchema) });
export const DurationSummarySchema = z.object({
  /** Seconds the workflow took. */
  duration: z.number().int(),
});
/** No discriminator on the wire: the two kinds are told apart by their keys. */
export const WorkflowSummarySchema = z.union([DurationSummarySchema, CustomSummarySchema]);
export type CustomSummary = z.infer<typeof CustomSummarySchema>;
export type DurationSummary = z.infer<typeof DurationSummarySchema>;
export type WorkflowSummary = z.infer<typeof WorkflowSummarySchema>;

export const WorkflowSchema = z.object({
  type: z.enum(["custom", "reasoning"]),
  tasks: z.array(TaskSchema),
  summary: optional(WorkflowSummarySchema),
  expanded: z.boolean().default(false),
});
export type Workflow = z.infer<typeof WorkflowSchema>;
