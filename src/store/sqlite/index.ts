/**
 * `chatkit-server/sqlite`: the embedded store. Needs the optional peer dependency `better-sqlite3`.
 * @module
 */
export { SQLiteStore, type SQLiteStoreOptions } from "./sqlite-store.js";
export { SQLITE_SCHEMA_VERSION } from "./schema.js";
