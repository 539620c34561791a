import { z } from "zod";

/**
 * Widget trees as the wire and the stores carry them: lenient, so parsing never drops or rewrites
 * a widget (widgets.md §0). Strict authoring types for each component live beside these.
 */
export const WidgetComponentSchema = z.looseObject({ type: z.string() });
export type WidgetComponent = z.infer<typeof WidgetComponentSchema>;

export const WidgetRootSchema = z.looseObject({ type: z.enum(["Card", "ListView", "Basic"]) });
export type WidgetRoot = z.infer<typeof WidgetRootSchema>;
