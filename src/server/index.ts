export {
  partialItemsToKeep,
  STREAM_FAILED_NOTE,
  streamFailedNote,
  USER_CANCELLED_NOTE,
  userCancelledNote,
} from "./cancellation.js";
export { ChatKitServer, DEFAULT_MAX_TURN_MS, type ChatKitServerOptions, type ProcessOptions } from "./chatkit-server.js";
export { toErrorEvent } from "./error-event.js";
export { CustomStreamError, RequestError, StreamError, type StreamErrorCode } from "./errors.js";
export type { Logger } from "./logger.js";
export { encodeEvent, NonStreamingResult, StreamingResult } from "./results.js";
export type { Turn } from "./turn.js";
