import { z } from "zod";
import { TextSchema } from "./text.js";
import { optional } from "./fields.js";

export const StructuredInputAnswerSchema = z.object({
  values: z.array(TextSchema).default([]),
  skipped: z.boolean().default(false),
});
export type StructuredInputAnswer = z.infer<typeof StructuredInputAnswerSchema>;

export const MultipleChoiceInputSchema = z.object({
  type: z.literal("multiple_choice"),
  id: TextSchema,
  question: TextSchema,
  answer: optional(StructuredInputAnswerSchema),
  options: z.array(z.object({ value: TextSchema })),
  multiple: z.boolean().default(false),
});
export const FreeformInputSchema = z.object({
  type: z.literal("freeform"),
  id: TextSchema,
  question: TextSchema,
  answer: optional(StructuredInputAnswerSchema),
  description: optional(TextSchema),
});
export const StructuredInputSchema = z.discriminatedUnion("type", [
  MultipleChoiceInputSchema,
  FreeformInputSchema,
]);
export type MultipleChoiceInput = z.infer<typeof MultipleChoiceInputSchema>;
export type FreeformInput = z.infer<typeof FreeformInputSchema>;
export type StructuredInput = z.infer<typeof StructuredInputSchema>;

export const StructuredInputStatusSchema = z.enum(["pending", "answered", "skipped"]);
export type StructuredInputStatus = z.infer<typeof StructuredInputStatusSchema>;
