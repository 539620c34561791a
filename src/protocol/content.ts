import { z } from "zod";
import { TextSchema } from "./text.js";
import { IconNameSchema, JsonObjectSchema, optional } from "./fields.js";

/** Text typed by the user. */
export const InputTextContentSchema = z.object({
  type: z.literal("input_text"),
  text: TextSchema,
});

/** An @-mention tag. `data` is optional in the client (protocol.md D3) and defaults to `{}`. */
export const InputTagContentSchema = z.object({
  type: z.literal("input_tag"),
  id: TextSchema,
  text: TextSchema,
  data: JsonObjectSchema.default({}),
  group: optional(TextSchema),
  interactive: z.boolean().default(false),
});

export const UserMessageContentSchema = z.discriminatedUnion("type", [
  InputTextContentSchema,
  InputTagContentSchema,
]);
export type UserMessageContent = z.infer<typeof UserMessageContentSchema>;
export type InputTextContent = z.infer<typeof InputTextContentSchema>;
export type InputTagContent = z.infer<typeof InputTagContentSchema>;

export const ToolChoiceSchema = z.object({ id: TextSchema });
export const InferenceOptionsSchema = z.object({
  tool_choice: optional(ToolChoiceSchema),
  model: optional(TextSchema),
});
export type InferenceOptions = z.infer<typeof InferenceOptionsSchema>;

const sourceBase = {
  title: TextSchema,
  description: optional(TextSchema),
  timestamp: optional(TextSchema),
  group: optional(TextSchema),
};

export const UrlSourceSchema = z.object({
  type: z.literal("url"),
  ...sourceBase,
  url: TextSchema,
  attribution: optional(TextSchema),
});
export const FileSourceSchema = z.object({
  type: z.literal("file"),
  ...sourceBase,
  filename: TextSchema,
});
export const EntitySourceSchema = z.object({
  type: z.literal("entity"),
  ...sourceBase,
  id: TextSchema,
  icon: optional(IconNameSchema),
  label: optional(TextSchema),
  inline_label: optional(TextSchema),
  interactive: z.boolean().default(false),
  data: JsonObjectSchema.default({}),
  preview: optional(z.literal("lazy")),
});
export const SourceSchema = z.discriminatedUnion("type", [
  UrlSourceSchema,
  FileSourceSchema,
  EntitySourceSchema,
]);
export type UrlSource = z.infer<typeof UrlSourceSchema>;
export type FileSource = z.infer<typeof FileSourceSchema>;
export type EntitySource = z.infer<typeof EntitySourceSchema>;
export type Source = z.infer<typeof SourceSchema>;

export const AnnotationSchema = z.object({
  type: z.literal("annotation").default("annotation"),
  source: SourceSchema,
  /** Character position of the citation marker in the text. */
  index: optional(z.number().int()),
});
export type Annotation = z.infer<typeof AnnotationSchema>;

export const AssistantMessageContentSchema = z.object({
  type: z.literal("output_text").default("output_text"),
  text: TextSchema,
  annotations: z.array(AnnotationSchema).default([]),
});
export type AssistantMessageContent = z.infer<typeof AssistantMessageContentSchema>;
