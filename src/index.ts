export * from "./protocol/index.js";
export * from "./store/index.js";
