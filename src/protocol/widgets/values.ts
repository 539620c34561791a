/**
 * Value types shared by the widget components, as the ChatKit client (`@openai/chatkit` 1.9.0)
 * types them (widgets.md §1.1).
 */

/** One colour per theme. */
export interface ThemeColor {
  light: string;
  dark: string;
}

/**
 * A colour: a token (`secondary`, `surface-elevated`, `subtle`…), a palette token
 * (`<hue>-<shade>`, e.g. `blue-500`), any CSS colour, or one per theme.
 */
export type Color = string | ThemeColor;

/** Per-side spacing; a number is a spacing unit, a string is CSS. */
export interface Spacing {
  top?: number | string;
  right?: number | string;
  bottom?: number | string;
  left?: number | string;
  x?: number | string;
  y?: number | string;
}

export type BorderStyle = "solid" | "dashed" | "dotted" | "double" | "groove" | "ridge" | "inset" | "outset";

export interface Border {
  /** Width in px. */
  size: number;
  color?: Color;
  style?: BorderStyle;
}

/** Per-side borders; a number is a width in px. */
export interface Borders {
  top?: number | Border;
  right?: number | Border;
  bottom?: number | Border;
  left?: number | Border;
  x?: number | Border;
  y?: number | Border;
}

export type RadiusValue = "2xs" | "xs" | "sm" | "md" | "lg" | "xl" | "2xl" | "3xl" | "4xl" | "full" | "100%" | "none";
export type Alignment = "start" | "center" | "end" | "baseline" | "stretch";
export type Justification = "start" | "center" | "end" | "between" | "around" | "evenly" | "stretch";
export type ControlVariant = "solid" | "soft" | "outline" | "ghost";
export type ControlSize = "3xs" | "2xs" | "xs" | "sm" | "md" | "lg" | "xl" | "2xl" | "3xl";
export type TextAlign = "start" | "center" | "end";
export type TextSize = "xs" | "sm" | "md" | "lg" | "xl";
export type TitleSize = "sm" | "md" | "lg" | "xl" | "2xl" | "3xl" | "4xl" | "5xl";
export type CaptionSize = "sm" | "md" | "lg";
export type IconSize = "xs" | "sm" | "md" | "lg" | "xl" | "2xl" | "3xl";
export type FontWeight = "normal" | "medium" | "semibold" | "bold";
export type ThemeName = "light" | "dark";
export type Direction = "row" | "col";

/** Size, constraints, radius and margin of a block-level component. */
export interface BlockProps {
  height?: number | string;
  width?: number | string;
  /** Width and height together. */
  size?: number | string;
  minHeight?: number | string;
  minWidth?: number | string;
  minSize?: number | string;
  maxHeight?: number | string;
  maxWidth?: number | string;
  maxSize?: number | string;
  aspectRatio?: number | string;
  radius?: RadiusValue;
  margin?: number | string | Spacing;
}

/** Inline editing of a Text; the value is submitted under `name`. */
export interface EditableProps {
  name: string;
  autoFocus?: boolean;
  autoSelect?: boolean;
  autoComplete?: string;
  allowAutofillExtensions?: boolean;
  pattern?: string;
  placeholder?: string;
  required?: boolean;
}
