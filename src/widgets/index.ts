/**
 * `chatkit-server/widgets`: widget types and builders, `diffWidget`, `streamWidget`, actions,
 * icons and `.widget` templates.
 */
export type * from "../protocol/widgets/values.js";
export type {
  BoxBaseProps,
  CardAction,
  Chart,
  ChartColor,
  CurveType,
  NodeBase,
  RadioOption,
  SelectOption,
  Series,
  TextComponent,
  WidgetComponent,
  WidgetNode,
  WidgetRoot,
  WidgetStatus,
  WidgetType,
} from "../protocol/widgets/components.js";
export type {
  ActionConfig,
  ActionHandler,
  LoadingBehavior,
  WidgetAction,
} from "../protocol/widgets/actions.js";
export {
  ExternalIconNameSchema,
  externalIcon,
  WidgetIconSchema,
  type ExternalIconName,
  type WidgetIcon,
} from "../protocol/widgets/icons.js";
export {
  WidgetComponentSchema,
  WidgetRootSchema,
  type WidgetNodeLike,
} from "../protocol/widget.js";
export type { WidgetItem } from "../protocol/items.js";

export * from "./components.js";
export { actionConfig, type ActionConfigOptions } from "./actions.js";
export { diffWidget, type WidgetDiffUpdate } from "./diff.js";
export { streamWidget, type StreamWidgetOptions } from "./stream.js";
export { applyWidgetUpdate, settleStreamingText, type WidgetUpdate } from "./apply.js";
export { WidgetTemplate, type BuildOptions, type WidgetDefinition } from "./template.js";
export type { JsonSchema } from "./data-schema.js";
