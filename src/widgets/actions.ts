import type { ActionConfig, ActionHandler, LoadingBehavior } from "../protocol/widgets/actions.js";

/** Options of `actionConfig`; each one is written only when given. */
export interface ActionConfigOptions {
  /** Default `"server"`. */
  handler?: ActionHandler;
  /** Default `"auto"`. */
  loadingBehavior?: LoadingBehavior;
  /** Default `true`; `false` sends the action as `threads.sync_custom_action`. */
  streaming?: boolean;
}

/**
 * An action to attach to a widget, e.g.
 * `Button({ label: "Send", onClickAction: actionConfig("email.send", { id }) })`.
 * Unlike Python's `Action.create`, defaults are not written out: the client applies them.
 */
export function actionConfig<TType extends string, TPayload extends object = Record<string, unknown>>(
  type: TType,
  payload?: TPayload,
  options: ActionConfigOptions = {},
): ActionConfig<TType, TPayload> {
  const config: ActionConfig<TType, TPayload> = { type };
  if (payload !== undefined && payload !== null) config.payload = payload;
  if (options.handler !== undefined) config.handler = options.handler;
  if (options.loadingBehavior !== undefined) config.loadingBehavior = options.loadingBehavior;
  if (options.streaming !== undefined) config.streaming = options.streaming;
  return config;
}
