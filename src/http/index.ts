export { toFetchHandler, type FetchHandlerOptions } from "./fetch.js";
export { toNodeHandler, type NodeHandlerOptions } from "./node.js";
export { DEFAULT_KEEP_ALIVE_MS, DEFAULT_MAX_BODY_BYTES, type HandlerOptions } from "./options.js";
