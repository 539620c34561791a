export {
  hasAttachmentRoutes,
  type AttachmentHttpRequest,
  type AttachmentHttpResponse,
  type AttachmentRouteEnv,
  type AttachmentRoutes,
} from "./attachment-routes.js";
export { ConflictError, NotFoundError } from "./errors.js";
export { assertStorable } from "./storable.js";
export { defaultGenerateId, ID_PREFIXES, type StoreItemType } from "./ids.js";
export {
  DEFAULT_MAX_ATTACHMENT_BYTES,
  LocalAttachmentStore,
  type LocalAttachmentInfo,
  type LocalAttachmentStoreOptions,
} from "./local-attachment-store.js";
export { DEFAULT_ALLOWED_MIME_TYPES } from "./local/mime.js";
export { InMemoryStore, type StoreOptions } from "./memory.js";
export { AttachmentStore, Store, type NewThreadRecords, type PageOrder } from "./store.js";
export { InProcessThreadLock, ThreadLockLostError, type ReleaseThreadLock, type ThreadLock } from "./thread-lock.js";
