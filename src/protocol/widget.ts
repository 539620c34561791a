import { z } from "zod";
import { wellFormedJson } from "./text.js";
import type { WidgetComponent, WidgetRoot } from "./widgets/components.js";

export type { WidgetComponent, WidgetRoot } from "./widgets/components.js";

/**
 * Any widget node as the wire and the stores carry it: an object with a string `type`, with any
 * other props, and `children` that may be an array, one node, or absent. Code that walks stored
 * widgets reads them through this shape, since they may hold components our types do not know.
 */
export interface WidgetNodeLike {
  type: string;
  [prop: string]: unknown;
}

/**
 * Widget trees are parsed leniently, so parsing never drops or rewrites a widget (widgets.md §0):
 * unknown components and props pass through, and nothing is checked below the root's `type` but
 * the text rule (no NUL, no lone surrogate in any string).
 * The schemas are typed with the strict authoring types, so hand-built widgets are checked by
 * `tsc`; a parsed widget may still hold more than those types describe (read it through
 * `WidgetNodeLike` when walking unknown data).
 */
const LenientComponentSchema = z.looseObject({ type: z.string() }).check(wellFormedJson);
const LenientRootSchema = z.looseObject({ type: z.enum(["Card", "ListView", "Basic"]) }).check(wellFormedJson);

/** A widget component, parsed leniently (any object with a string `type`). */
export const WidgetComponentSchema = LenientComponentSchema as unknown as z.ZodType<WidgetComponent, WidgetComponent>;

/** A widget root (`Card`, `ListView` or `Basic`), parsed leniently below its `type`. */
export const WidgetRootSchema = LenientRootSchema as unknown as z.ZodType<WidgetRoot, WidgetRoot>;
