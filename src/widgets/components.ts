/**
 * Builders for the widget components: small functions that return the plain object
 * `{ type: "X", ...props }`, dropping props that are `undefined` or `null` so that nothing
 * absent is written out. A plain object literal of the same type is just as valid.
 *
 * ```ts
 * const card = Card({ children: [Text({ value: "Hi", id: "greeting", streaming: true })] });
 * ```
 *
 * Each builder has a type of the same name, so `Card` is both the function and the type.
 */
import type * as W from "../protocol/widgets/components.js";

/** The props of a component: everything but `type`. */
export type PropsOf<T extends { type: string }> = Omit<T, "type">;

function node<T extends { type: string }>(type: T["type"], props: PropsOf<T>): T {
  const out: Record<string, unknown> = { type };
  for (const [key, value] of Object.entries(props)) {
    if (value !== undefined && value !== null) out[key] = value;
  }
  return out as T;
}

// Roots
export type Card = W.Card;
export const Card = (props: PropsOf<W.Card>): W.Card => node("Card", props);
export type ListView = W.ListView;
export const ListView = (props: PropsOf<W.ListView>): W.ListView => node("ListView", props);
export type ListViewItem = W.ListViewItem;
export const ListViewItem = (props: PropsOf<W.ListViewItem>): W.ListViewItem => node("ListViewItem", props);
export type Basic = W.Basic;
export const Basic = (props: PropsOf<W.Basic>): W.Basic => node("Basic", props);

// Layout
export type Box = W.Box;
export const Box = (props: PropsOf<W.Box> = {}): W.Box => node("Box", props);
export type Row = W.Row;
export const Row = (props: PropsOf<W.Row> = {}): W.Row => node("Row", props);
export type Col = W.Col;
export const Col = (props: PropsOf<W.Col> = {}): W.Col => node("Col", props);
export type Form = W.Form;
export const Form = (props: PropsOf<W.Form> = {}): W.Form => node("Form", props);
export type Spacer = W.Spacer;
export const Spacer = (props: PropsOf<W.Spacer> = {}): W.Spacer => node("Spacer", props);
export type Divider = W.Divider;
export const Divider = (props: PropsOf<W.Divider> = {}): W.Divider => node("Divider", props);
export type Transition = W.Transition;
export const Transition = (props: PropsOf<W.Transition>): W.Transition => node("Transition", props);

// Text
/** Builds a `Text` node (the type is `TextComponent`). */
export type Text = W.TextComponent;
export const Text = (props: PropsOf<W.TextComponent>): W.TextComponent => node("Text", props);
export type Title = W.Title;
export const Title = (props: PropsOf<W.Title>): W.Title => node("Title", props);
export type Caption = W.Caption;
export const Caption = (props: PropsOf<W.Caption>): W.Caption => node("Caption", props);
export type Markdown = W.Markdown;
export const Markdown = (props: PropsOf<W.Markdown>): W.Markdown => node("Markdown", props);
export type Label = W.Label;
export const Label = (props: PropsOf<W.Label>): W.Label => node("Label", props);

// Content
export type Badge = W.Badge;
export const Badge = (props: PropsOf<W.Badge>): W.Badge => node("Badge", props);
export type Icon = W.Icon;
export const Icon = (props: PropsOf<W.Icon>): W.Icon => node("Icon", props);
export type Image = W.Image;
export const Image = (props: PropsOf<W.Image>): W.Image => node("Image", props);
export type Button = W.Button;
export const Button = (props: PropsOf<W.Button> = {}): W.Button => node("Button", props);

// Form controls
export type Input = W.Input;
export const Input = (props: PropsOf<W.Input>): W.Input => node("Input", props);
export type Textarea = W.Textarea;
export const Textarea = (props: PropsOf<W.Textarea>): W.Textarea => node("Textarea", props);
export type Select = W.Select;
export const Select = (props: PropsOf<W.Select>): W.Select => node("Select", props);
export type DatePicker = W.DatePicker;
export const DatePicker = (props: PropsOf<W.DatePicker>): W.DatePicker => node("DatePicker", props);
export type Checkbox = W.Checkbox;
export const Checkbox = (props: PropsOf<W.Checkbox>): W.Checkbox => node("Checkbox", props);
export type RadioGroup = W.RadioGroup;
export const RadioGroup = (props: PropsOf<W.RadioGroup>): W.RadioGroup => node("RadioGroup", props);

// Table
export type Table = W.Table;
export const Table = (props: PropsOf<W.Table> = {}): W.Table => node("Table", props);
/** Builds a `Table.Row` node. */
export type TableRow = W.TableRow;
export const TableRow = (props: PropsOf<W.TableRow> = {}): W.TableRow => node("Table.Row", props);
/** Builds a `Table.Cell` node. */
export type TableCell = W.TableCell;
export const TableCell = (props: PropsOf<W.TableCell> = {}): W.TableCell => node("Table.Cell", props);
