import pg from "pg";
import { InMemoryStore, type Store } from "../../src/index.js";
import { PostgresStore } from "../../src/store/postgres/index.js";
import { SQLiteStore } from "../../src/store/sqlite/index.js";
import { databaseUrl, postgresSkip, schemaNames } from "./postgres.js";

/** A store for one test, and — for a store shared by several processes — a second instance on the same data. */
export interface OpenedStore<C> {
  store: Store<C>;
  /** Another instance on the same database, with its own pools (as a second server process has). */
  twin?: () => Store<C>;
}

/** One kind of shipped store, for suites that run against each. */
export interface StoreKind {
  name: string;
  skip: string | false;
  /** Whether two instances can share the data (several server processes). */
  shared: boolean;
  open<C>(): OpenedStore<C>;
  /** Closes every store opened, and drops what they created. */
  closeAll(): Promise<void>;
}

function memoryKind(): StoreKind {
  return { name: "InMemoryStore", skip: false, shared: false, open: () => ({ store: new InMemoryStore() }), closeAll: async () => {} };
}

function sqliteKind(): StoreKind {
  const opened: SQLiteStore<unknown>[] = [];
  return {
    name: "SQLiteStore",
    skip: false,
    shared: false,
    open<C>() {
      const store = new SQLiteStore<C>({ path: ":memory:" });
      opened.push(store as SQLiteStore<unknown>);
      return { store };
    },
    closeAll: async () => {
      for (const store of opened.splice(0)) store.close();
    },
  };
}

function postgresKind(): StoreKind {
  const opened: PostgresStore<unknown>[] = [];
  const schemas = schemaNames();
  const instance = <C>(schema: string) => {
    const store = new PostgresStore<C>({ connectionString: databaseUrl, schema });
    opened.push(store as PostgresStore<unknown>);
    return store;
  };
  return {
    name: "PostgresStore",
    skip: postgresSkip,
    shared: true,
    open<C>() {
      const schema = schemas.next();
      return { store: instance<C>(schema), twin: () => instance<C>(schema) };
    },
    async closeAll() {
      await Promise.all(opened.splice(0).map((store) => store.close()));
      if (postgresSkip) return;
      const pool = new pg.Pool({ connectionString: databaseUrl, max: 1 });
      try {
        await schemas.dropAll(pool);
      } finally {
        await pool.end();
      }
    },
  };
}

/** Every shipped store. */
export const storeKinds = (): StoreKind[] => [memoryKind(), sqliteKind(), postgresKind()];
