import { z } from "zod";
import { TextSchema, wellFormedJson } from "./text.js";

/**
 * An optional wire field. `null` (as Python writes it, or as stored data may hold it) is read as
 * absent, so parsed values never carry `null` and `JSON.stringify` omits the field — the
 * protocol's "exclude none" rule falls out of the types instead of a serializer pass.
 */
export const optional = <T extends z.ZodType>(schema: T) =>
  z.preprocess((value) => (value === null ? undefined : value), schema.optional());

/** ISO-8601 timestamp as on the wire. Any ISO form is accepted; the SDK writes `toISOString()`. */
export const DateTimeSchema = TextSchema;

/** Any free-form JSON value (a tool result, an action payload); its strings follow the text rule. */
export const JsonValueSchema = z.unknown().check(wellFormedJson);

/**
 * Free-form JSON object (tool arguments, tag data, client effect data). Nulls inside are kept;
 * its keys and strings follow the text rule.
 */
export const JsonObjectSchema = z.record(z.string(), z.unknown()).check(wellFormedJson);

/** Icon names of the ChatKit client (63), shared by widgets, progress updates, tasks and sources. */
export const ICON_NAMES = [
  "agent", "analytics", "atom", "batch", "bolt", "book-open", "book-closed", "book-clock", "bug",
  "calendar", "chart", "check", "check-circle", "check-circle-filled", "chevron-left", "chevron-right",
  "circle-question", "compass", "confetti", "cube", "desktop", "document", "dot", "dots-horizontal",
  "dots-vertical", "empty-circle", "external-link", "globe", "keys", "lab", "images", "info",
  "lifesaver", "lightbulb", "mail", "map-pin", "maps", "mobile", "name", "notebook", "notebook-pencil",
  "page-blank", "phone", "play", "plus", "profile", "profile-card", "reload", "star", "star-filled",
  "search", "sparkle", "sparkle-double", "square-code", "square-image", "square-text", "suitcase",
  "settings-slider", "user", "wreath", "write", "write-alt", "write-alt2",
] as const;

/**
 * An icon for protocol objects (progress updates, tasks, workflow summaries, entity sources):
 * a client icon name, Python's `clock`, or a `vendor:` / `lucide:` name. The wire accepts any string.
 */
export type IconName =
  | (typeof ICON_NAMES)[number]
  | "clock"
  | `vendor:${string}`
  | `lucide:${string}`;

export const IconNameSchema = z
  .custom<IconName>((value) => typeof value === "string", { message: "Expected an icon name" })
  .check(wellFormedJson);
