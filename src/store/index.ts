export { NotFoundError } from "./errors.js";
export { defaultGenerateId, ID_PREFIXES, type StoreItemType } from "./ids.js";
export { InMemoryStore, type StoreOptions } from "./memory.js";
export { AttachmentStore, Store, type PageOrder } from "./store.js";
export { InProcessThreadLock, type ReleaseThreadLock, type ThreadLock } from "./thread-lock.js";
