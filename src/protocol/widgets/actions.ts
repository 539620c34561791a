/** Where the client sends an action: to the server (default) or to `widgets.onAction` in the page. */
export type ActionHandler = "server" | "client";

/**
 * The loading state shown while an action runs. `auto` (default) depends on where the action is
 * bound: `self` for a button, `none` for a select, `container` for a card's confirm action.
 */
export type LoadingBehavior = "auto" | "none" | "self" | "container";

/**
 * An action attached to a widget (widgets.md §2.1). Only `type` is required; a missing field
 * means the client's default, so defaults are never written out.
 *
 * `handler`, `loadingBehavior` and `streaming` are not in the client's published `.d.ts`, but
 * its guides (and the Python SDK) document them.
 */
export interface ActionConfig<TType extends string = string, TPayload extends object = Record<string, unknown>> {
  /** The app's name for the action, e.g. `"notification.settings"`. */
  type: TType;
  /** App data; the client merges the values of an enclosing form into it. */
  payload?: TPayload;
  /** Default `"server"`. */
  handler?: ActionHandler;
  /** Default `"auto"`. */
  loadingBehavior?: LoadingBehavior;
  /**
   * Default `true`: the action arrives as a streaming `threads.custom_action`. `false` sends
   * `threads.sync_custom_action`, which answers JSON and may run while a response streams.
   */
  streaming?: boolean;
}

/**
 * The action type component props accept: any `ActionConfig`, including ones whose payload is an
 * interface (interfaces are not assignable to `Record<string, unknown>`).
 */
export type WidgetAction = ActionConfig<string, object>;
