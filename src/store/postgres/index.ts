/**
 * `chatkit-server/postgres`: the store for several server processes on one database. Needs the
 * optional peer dependency `pg`.
 * @module
 */
export { PostgresStore, type PostgresStoreOptions } from "./postgres-store.js";
export { PostgresThreadLock } from "./thread-lock.js";
export { POSTGRES_SCHEMA_VERSION } from "./schema.js";
