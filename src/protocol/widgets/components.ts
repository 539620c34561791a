/**
 * Strict authoring types for every widget component of the ChatKit client (`@openai/chatkit`
 * 1.9.0, widgets.md §1). Where the Python SDK differs, these follow the client: Python-only
 * props are left out (they still pass through parsing), and `Chart` is an extra type outside the
 * unions. Wire data is parsed leniently by the schemas in `../widget.ts`.
 */
import type { WidgetAction } from "./actions.js";
import type { WidgetIcon } from "./icons.js";
import type {
  Alignment,
  BlockProps,
  Border,
  Borders,
  CaptionSize,
  Color,
  ControlSize,
  ControlVariant,
  Direction,
  EditableProps,
  FontWeight,
  IconSize,
  Justification,
  Spacing,
  TextAlign,
  TextSize,
  ThemeName,
  TitleSize,
} from "./values.js";

/** Props every node may carry. */
export interface NodeBase {
  /** A reconciliation key, like a React key. */
  key?: string;
  /** An address; streaming text deltas and component updates target it. */
  id?: string;
}

/** A status header drawn above a Card or ListView: with a favicon, or with an icon. */
export type WidgetStatus =
  | { text: string; favicon?: string; frame?: boolean }
  | { text: string; icon?: WidgetIcon };

/** A footer button of a Card. */
export interface CardAction {
  label: string;
  action: WidgetAction;
}

/** Props of the flex containers (Box, Row, Col, Form). */
export interface BoxBaseProps extends BlockProps {
  children?: WidgetComponent[];
  /** Cross axis. */
  align?: Alignment;
  /** Main axis. */
  justify?: Justification;
  wrap?: "nowrap" | "wrap" | "wrap-reverse";
  flex?: number | string;
  gap?: number | string;
  padding?: number | string | Spacing;
  border?: number | Border | Borders;
  background?: Color;
}

interface BaseTextProps {
  value: string;
  color?: Color;
  weight?: FontWeight;
  textAlign?: TextAlign;
  truncate?: boolean;
  maxLines?: number;
}

// ---------------------------------------------------------------------------------------------
// Roots

/** One self-contained thing: a summary, a confirmation, a form. */
export interface Card extends NodeBase {
  type: "Card";
  children: WidgetComponent[];
  /** The card acts as a form; its confirm action receives the field values. */
  asForm?: boolean;
  background?: Color;
  border?: number | Border | Borders;
  size?: "sm" | "md" | "lg" | "full";
  padding?: number | string | Spacing;
  status?: WidgetStatus;
  /** Folds the body, e.g. after the main action has run. */
  collapsed?: boolean;
  confirm?: CardAction;
  cancel?: CardAction;
  /** Forces a theme on this subtree. */
  theme?: ThemeName;
}

/** A set of choices. */
export interface ListView extends NodeBase {
  type: "ListView";
  children: ListViewItem[];
  /** How many rows show before a "show more" control. */
  limit?: number | "auto";
  status?: WidgetStatus;
  theme?: ThemeName;
}

/** A row of a ListView (valid only as its direct child). */
export interface ListViewItem extends NodeBase {
  type: "ListViewItem";
  children: WidgetComponent[];
  onClickAction?: WidgetAction;
  gap?: number | string;
  align?: Alignment;
}

/** The root of entity previews; also valid as a widget item's root. */
export interface Basic extends NodeBase {
  type: "Basic";
  children: (WidgetComponent | WidgetRoot)[];
  theme?: ThemeName;
  direction?: Direction;
  gap?: number | string;
  padding?: number | string | Spacing;
  align?: Alignment;
  justify?: Justification;
}

// ---------------------------------------------------------------------------------------------
// Layout

export interface Box extends NodeBase, BoxBaseProps {
  type: "Box";
  direction?: Direction;
}
/** A horizontal flex container. */
export interface Row extends NodeBase, BoxBaseProps {
  type: "Row";
}
/** A vertical flex container. */
export interface Col extends NodeBase, BoxBaseProps {
  type: "Col";
}
/** Collects the named controls inside it into the payload of `onSubmitAction`. */
export interface Form extends NodeBase, BoxBaseProps {
  type: "Form";
  onSubmitAction?: WidgetAction;
  direction?: Direction;
}
/** Grows to push its siblings apart. */
export interface Spacer extends NodeBase {
  type: "Spacer";
  minSize?: number | string;
}
export interface Divider extends NodeBase {
  type: "Divider";
  /** A border token or colour. */
  color?: Color;
  /** Thickness. */
  size?: number | string;
  /** Space above and below. */
  spacing?: number | string;
  /** Reaches the container edge. */
  flush?: boolean;
}
/** Animates the layout changes of its single child. */
export interface Transition extends NodeBase {
  type: "Transition";
  children: WidgetComponent;
}

// ---------------------------------------------------------------------------------------------
// Text

/** Text (the client calls it `TextComponent`, because `Text` is a DOM global). */
export interface TextComponent extends NodeBase, BaseTextProps {
  type: "Text";
  /** Smooth transitions while the text grows. */
  streaming?: boolean;
  italic?: boolean;
  lineThrough?: boolean;
  width?: number | string;
  size?: TextSize;
  /** Reserves height. */
  minLines?: number;
  /** Inline editing; the value is submitted under `editable.name`. */
  editable?: false | EditableProps;
}
export interface Title extends NodeBase, BaseTextProps {
  type: "Title";
  size?: TitleSize;
}
export interface Caption extends NodeBase, BaseTextProps {
  type: "Caption";
  size?: CaptionSize;
}
export interface Markdown extends NodeBase {
  type: "Markdown";
  value: string;
  streaming?: boolean;
}
export interface Label extends NodeBase {
  type: "Label";
  value: string;
  /** The form field it labels. */
  fieldName: string;
  size?: TextSize;
  weight?: FontWeight;
  textAlign?: TextAlign;
  color?: Color;
}

// ---------------------------------------------------------------------------------------------
// Content

export interface Badge extends NodeBase {
  type: "Badge";
  label: string;
  color?: "secondary" | "success" | "danger" | "warning" | "info" | "discovery";
  variant?: "solid" | "soft" | "outline";
  size?: "sm" | "md" | "lg";
  pill?: boolean;
}
export interface Icon extends NodeBase {
  type: "Icon";
  name: WidgetIcon;
  /** A text token or colour. */
  color?: Color;
  size?: IconSize;
}
export interface Image extends NodeBase, BlockProps {
  type: "Image";
  src: string;
  alt?: string;
  /** A subtle frame. */
  frame?: boolean;
  fit?: "cover" | "contain" | "fill" | "scale-down" | "none";
  position?:
    | "top left"
    | "top"
    | "top right"
    | "left"
    | "center"
    | "right"
    | "bottom left"
    | "bottom"
    | "bottom right";
  flush?: boolean;
}
export interface Button extends NodeBase {
  type: "Button";
  /** Submits the enclosing form. */
  submit?: boolean;
  label?: string;
  onClickAction?: WidgetAction;
  iconStart?: WidgetIcon;
  iconEnd?: WidgetIcon;
  style?: "primary" | "secondary";
  iconSize?: "sm" | "md" | "lg" | "xl" | "2xl";
  color?: "primary" | "secondary" | "info" | "discovery" | "success" | "caution" | "warning" | "danger";
  variant?: ControlVariant;
  size?: ControlSize;
  pill?: boolean;
  /** Equal width and height. */
  uniform?: boolean;
  /** Full width. */
  block?: boolean;
  disabled?: boolean;
}

// ---------------------------------------------------------------------------------------------
// Form controls (each submits its value under `name`)

type GutterSize = "2xs" | "xs" | "sm" | "md" | "lg" | "xl";

export interface Input extends NodeBase {
  type: "Input";
  name: string;
  inputType?: "number" | "email" | "text" | "password" | "tel" | "url";
  defaultValue?: string;
  required?: boolean;
  /** A regular expression the value must match. */
  pattern?: string;
  placeholder?: string;
  allowAutofillExtensions?: boolean;
  autoSelect?: boolean;
  autoFocus?: boolean;
  disabled?: boolean;
  variant?: "soft" | "outline";
  size?: ControlSize;
  gutterSize?: GutterSize;
  pill?: boolean;
}
export interface Textarea extends NodeBase {
  type: "Textarea";
  name: string;
  defaultValue?: string;
  required?: boolean;
  pattern?: string;
  placeholder?: string;
  autoSelect?: boolean;
  autoFocus?: boolean;
  disabled?: boolean;
  variant?: "soft" | "outline";
  size?: ControlSize;
  gutterSize?: GutterSize;
  rows?: number;
  autoResize?: boolean;
  maxRows?: number;
  allowAutofillExtensions?: boolean;
}
export interface SelectOption {
  value: string;
  label: string;
}
export interface Select extends NodeBase {
  type: "Select";
  name: string;
  options: SelectOption[];
  onChangeAction?: WidgetAction;
  placeholder?: string;
  defaultValue?: string;
  variant?: ControlVariant;
  size?: ControlSize;
  pill?: boolean;
  block?: boolean;
  clearable?: boolean;
  disabled?: boolean;
}
export interface DatePicker extends NodeBase {
  type: "DatePicker";
  name: string;
  onChangeAction?: WidgetAction;
  placeholder?: string;
  /** ISO date-time. */
  defaultValue?: string;
  /** ISO date-time. */
  min?: string;
  /** ISO date-time. */
  max?: string;
  variant?: ControlVariant;
  size?: ControlSize;
  /** Where the calendar popover opens. */
  side?: "top" | "bottom" | "left" | "right";
  align?: "start" | "center" | "end";
  pill?: boolean;
  block?: boolean;
  clearable?: boolean;
  disabled?: boolean;
}
export interface Checkbox extends NodeBase {
  type: "Checkbox";
  name: string;
  label?: string;
  defaultChecked?: boolean;
  onChangeAction?: WidgetAction;
  disabled?: boolean;
  required?: boolean;
}
export interface RadioOption {
  label: string;
  value: string;
  disabled?: boolean;
}
export interface RadioGroup extends NodeBase {
  type: "RadioGroup";
  name: string;
  options?: RadioOption[];
  /** Falls back to `name`. */
  ariaLabel?: string;
  onChangeAction?: WidgetAction;
  defaultValue?: string;
  direction?: Direction;
  disabled?: boolean;
  required?: boolean;
}

// ---------------------------------------------------------------------------------------------
// Table (client only, new in @openai/chatkit 1.9.0)

export interface Table extends NodeBase {
  type: "Table";
  children?: TableRow[];
}
export interface TableRow extends NodeBase {
  type: "Table.Row";
  children?: TableCell[];
  header?: boolean;
}
export interface TableCell extends NodeBase {
  type: "Table.Cell";
  children?: WidgetComponent[];
  width?: number | string;
  padding?: Spacing;
  colSpan?: number;
  rowSpan?: number;
  align?: "start" | "center" | "end";
  vAlign?: "start" | "center" | "end";
  colSize?: "xs" | "sm" | "md" | "lg" | "xl";
}

// ---------------------------------------------------------------------------------------------
// Unions

/** Every component that may appear below a root (the client's `WidgetComponent`). */
export type WidgetComponent =
  | TextComponent
  | Title
  | Caption
  | Badge
  | Markdown
  | Box
  | Row
  | Col
  | Divider
  | Icon
  | Image
  | Button
  | Checkbox
  | Spacer
  | Select
  | DatePicker
  | Form
  | Input
  | Label
  | RadioGroup
  | Table
  | TableRow
  | TableCell
  | Textarea
  | Transition;

/** A widget item's root. */
export type WidgetRoot = Card | ListView | Basic;

/** Any node type with a strict authoring type. */
export type WidgetNode = WidgetRoot | ListViewItem | WidgetComponent;

/** The `type` strings of the strict node types. */
export type WidgetType = WidgetNode["type"];

// ---------------------------------------------------------------------------------------------
// Chart (Python SDK only)

export type ChartColor = "blue" | "purple" | "orange" | "green" | "red" | "yellow" | "pink";
export type CurveType =
  | "basis"
  | "basisClosed"
  | "basisOpen"
  | "bumpX"
  | "bumpY"
  | "bump"
  | "linear"
  | "linearClosed"
  | "natural"
  | "monotoneX"
  | "monotoneY"
  | "monotone"
  | "step"
  | "stepBefore"
  | "stepAfter";

interface SeriesBase {
  label: string | null;
  dataKey: string;
  /** A chart colour token or any colour. */
  color?: Color;
}
/** One data series of a Chart; series with the same `stack` stack together. */
export type Series =
  | (SeriesBase & { type: "bar"; stack?: string })
  | (SeriesBase & { type: "area"; stack?: string; curveType?: CurveType })
  | (SeriesBase & { type: "line"; curveType?: CurveType });

/**
 * A chart, as the Python SDK defines it. The client's published types lack it, so it is not part
 * of `WidgetComponent`: put it in a tree with a cast, and only for a client that renders it.
 */
export interface Chart extends NodeBase, Omit<BlockProps, "radius" | "margin"> {
  type: "Chart";
  /** One row per x value. */
  data: Record<string, string | number>[];
  series: Series[];
  /** A string is shorthand for `{ dataKey }`. */
  xAxis: string | { dataKey: string; hide?: boolean; labels?: Record<string, string> };
  showYAxis?: boolean;
  showLegend?: boolean;
  showTooltip?: boolean;
  barGap?: number;
  /** px */
  barCategoryGap?: number;
  flex?: number | string;
}
