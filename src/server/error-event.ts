import type { ErrorEvent } from "../protocol/events.js";
import { CustomStreamError, StreamError } from "./errors.js";

/** The `error` event a handler failure becomes; anything unexpected hides its message. */
export function toErrorEvent(error: unknown): ErrorEvent {
  if (error instanceof CustomStreamError) {
    return { type: "error", code: "custom", message: error.message, allow_retry: error.allowRetry };
  }
  if (error instanceof StreamError) {
    return { type: "error", code: error.code, allow_retry: error.allowRetry };
  }
  return { type: "error", code: "stream.error", allow_retry: true };
}

/** Whether `error` is expected (a StreamError the app threw on purpose) rather than a bug to log. */
export const isDeliberateStreamError = (error: unknown): boolean =>
  error instanceof StreamError || error instanceof CustomStreamError;
