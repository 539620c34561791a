import { z } from "zod";
import { TextSchema } from "./text.js";
import { AttachmentCreateParamsSchema } from "./attachment.js";
import { InferenceOptionsSchema, UserMessageContentSchema } from "./content.js";
import { JsonObjectSchema, JsonValueSchema, optional } from "./fields.js";

/**
 * What the user typed. `attachments` and `inference_options` may be missing and default to `[]`
 * and `{}` (more lenient than Python, never rejecting what a valid client sends).
 */
export const UserMessageInputSchema = z.object({
  content: z.array(UserMessageContentSchema),
  /** Attachment ids, resolved through the store. */
  attachments: z.array(TextSchema).default([]),
  quoted_text: optional(TextSchema),
  inference_options: InferenceOptionsSchema.default({}),
});
export type UserMessageInput = z.infer<typeof UserMessageInputSchema>;

/** An action as the server receives it; a missing `payload` becomes `null`, extra keys are dropped. */
export const ActionSchema = z.object({
  type: TextSchema,
  payload: JsonValueSchema.optional().transform((payload) => payload ?? null),
});
export type Action = z.infer<typeof ActionSchema>;

export const FeedbackKindSchema = z.enum(["positive", "negative"]);
export type FeedbackKind = z.infer<typeof FeedbackKindSchema>;

/** Lenient like Python: `"5"` and `2.0` are accepted, `1.5` is not; `null` and `0` mean the default. */
const limit = z.union([z.null(), z.coerce.number().int()]).optional();
const order = z.enum(["asc", "desc"]).default("desc");
const cursor = optional(TextSchema);

const request = <T extends string, P extends z.ZodType>(type: T, params: P) =>
  z.object({ type: z.literal(type), params, metadata: JsonObjectSchema.default({}) });

export const StructuredInputSubmissionSchema = z.object({
  status: z.enum(["answered", "skipped"]).default("answered"),
  answers: z
    .record(
      TextSchema,
      z.object({ values: z.array(TextSchema).default([]), skipped: z.boolean().default(false) }),
    )
    .default({}),
});
export type StructuredInputSubmission = z.infer<typeof StructuredInputSubmissionSchema>;

const customActionParams = z.object({
  thread_id: TextSchema,
  item_id: optional(TextSchema),
  action: ActionSchema,
});

export const ThreadsCreateRequestSchema = request(
  "threads.create",
  z.object({ input: UserMessageInputSchema }),
);
export const ThreadsAddUserMessageRequestSchema = request(
  "threads.add_user_message",
  z.object({ thread_id: TextSchema, input: UserMessageInputSchema }),
);
export const ThreadsAddClientToolOutputRequestSchema = request(
  "threads.add_client_tool_output",
  z
    .object({ thread_id: TextSchema, result: JsonValueSchema })
    .refine((params) => "result" in params, { message: "Required", path: ["result"] }),
);
export const ThreadsAddStructuredInputRequestSchema = request(
  "threads.add_structured_input",
  z.object({ thread_id: TextSchema, item_id: TextSchema, input: StructuredInputSubmissionSchema }),
);
export const ThreadsRetryAfterItemRequestSchema = request(
  "threads.retry_after_item",
  z.object({ thread_id: TextSchema, item_id: TextSchema }),
);
export const ThreadsCustomActionRequestSchema = request("threads.custom_action", customActionParams);
export const ThreadsSyncCustomActionRequestSchema = request(
  "threads.sync_custom_action",
  customActionParams,
);
export const ThreadsGetByIdRequestSchema = request(
  "threads.get_by_id",
  z.object({ thread_id: TextSchema }),
);
export const ThreadsListRequestSchema = request(
  "threads.list",
  z.object({ limit, order, after: cursor }),
);
export const ThreadsUpdateRequestSchema = request(
  "threads.update",
  z.object({ thread_id: TextSchema, title: TextSchema }),
);
export const ThreadsDeleteRequestSchema = request(
  "threads.delete",
  z.object({ thread_id: TextSchema }),
);
export const ItemsListRequestSchema = request(
  "items.list",
  z.object({ thread_id: TextSchema, limit, order, after: cursor }),
);
export const ItemsFeedbackRequestSchema = request(
  "items.feedback",
  z.object({ thread_id: TextSchema, item_ids: z.array(TextSchema), kind: FeedbackKindSchema }),
);
export const AttachmentsCreateRequestSchema = request(
  "attachments.create",
  AttachmentCreateParamsSchema,
);
export const AttachmentsDeleteRequestSchema = request(
  "attachments.delete",
  z.object({ attachment_id: TextSchema }),
);
export const InputTranscribeRequestSchema = request(
  "input.transcribe",
  z.object({ audio_base64: z.base64(), mime_type: TextSchema }),
);

/** Requests answered with Server-Sent Events. */
export const StreamingRequestSchema = z.discriminatedUnion("type", [
  ThreadsCreateRequestSchema,
  ThreadsAddUserMessageRequestSchema,
  ThreadsAddClientToolOutputRequestSchema,
  ThreadsAddStructuredInputRequestSchema,
  ThreadsRetryAfterItemRequestSchema,
  ThreadsCustomActionRequestSchema,
]);
/** Requests answered with one JSON document. */
export const NonStreamingRequestSchema = z.discriminatedUnion("type", [
  ThreadsGetByIdRequestSchema,
  ThreadsListRequestSchema,
  ThreadsUpdateRequestSchema,
  ThreadsDeleteRequestSchema,
  ThreadsSyncCustomActionRequestSchema,
  ItemsListRequestSchema,
  ItemsFeedbackRequestSchema,
  AttachmentsCreateRequestSchema,
  AttachmentsDeleteRequestSchema,
  InputTranscribeRequestSchema,
]);
/** Every request the ChatKit client sends to the one endpoint. */
export const ChatKitRequestSchema = z.discriminatedUnion("type", [
  ...StreamingRequestSchema.options,
  ...NonStreamingRequestSchema.options,
]);

export type StreamingRequest = z.infer<typeof StreamingRequestSchema>;
export type NonStreamingRequest = z.infer<typeof NonStreamingRequestSchema>;
export type ChatKitRequest = z.infer<typeof ChatKitRequestSchema>;
export type ChatKitRequestType = ChatKitRequest["type"];

const streamingTypes: ReadonlySet<string> = new Set(
  StreamingRequestSchema.options.map((schema) => schema.shape.type.value),
);
export const isStreamingRequest = (request: ChatKitRequest): request is StreamingRequest =>
  streamingTypes.has(request.type);
