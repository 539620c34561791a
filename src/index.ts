export * from "./protocol/index.js";
export * from "./store/index.js";
export * from "./server/index.js";
export * from "./http/index.js";
