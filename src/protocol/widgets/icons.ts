import { z } from "zod";
import { ICON_NAMES } from "../fields.js";

/**
 * An icon name the ChatKit client draws (63 names; widgets.md §5). Used by `Icon.name`,
 * `Button.iconStart`/`iconEnd` and `WidgetStatus.icon`.
 */
export type WidgetIcon = (typeof ICON_NAMES)[number];

/** Accepts exactly the client's 63 icon names, so `invalid-icon` (or Python's `clock`) fails. */
export const WidgetIconSchema = z.enum(ICON_NAMES);

/**
 * Icon names outside the client's list that the Python SDK accepts: `vendor:*` and `lucide:*`.
 * The client's types do not list them, so authoring types take them only through `externalIcon`.
 */
export type ExternalIconName = `vendor:${string}` | `lucide:${string}`;

/** Accepts `vendor:<name>` and `lucide:<name>`. */
export const ExternalIconNameSchema = z.custom<ExternalIconName>(
  (value) => typeof value === "string" && /^(vendor|lucide):./.test(value),
  { message: "Expected a `vendor:` or `lucide:` icon name" },
);

/**
 * The explicit escape hatch for a `vendor:` or `lucide:` icon where a `WidgetIcon` is expected.
 * Use it only with a client that draws such icons: the published client types do not.
 */
export const externalIcon = (name: ExternalIconName): WidgetIcon => name as string as WidgetIcon;
