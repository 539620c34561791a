import type { Pool, PoolClient } from "pg";
import { InProcessThreadLock, type ReleaseThreadLock, type ThreadLock } from "../thread-lock.js";
import { lockKey } from "./lock-key.js";

/** Polling interval bounds while another session holds the lock. */
const FIRST_RETRY_MS = 5;
const MAX_RETRY_MS = 100;

/**
 * A `ThreadLock` that holds across processes: a PostgreSQL session-level advisory lock per thread.
 *
 * The holder keeps one pooled connection for the lock's life (the lock belongs to the session,
 * and dies with it if the process does). Waiters queue in process first (FIFO, no connection
 * held), then the head of the queue polls `pg_try_advisory_lock` with a short backoff, so an
 * abort takes effect at once and never leaves a blocked query behind.
 */
export class PostgresThreadLock implements ThreadLock {
  readonly #pool: Pool;
  readonly #namespace: string;
  readonly #local = new InProcessThreadLock();

  /**
   * @param pool where lock connections come from; each held lock uses one connection.
   * @param namespace separates lock keys, e.g. of stores in different schemas.
   */
  constructor(pool: Pool, namespace: string) {
    this.#pool = pool;
    this.#namespace = namespace;
  }

  /** The advisory-lock key of a thread (a bigint as a decimal string), for diagnostics. */
  key(threadId: string): string {
    return lockKey(`chatkit:${this.#namespace}:thread:${threadId}`);
  }

  async acquire(threadId: string, signal?: AbortSignal): Promise<ReleaseThreadLock> {
    const releaseLocal = await this.#local.acquire(threadId, signal);
    let client: PoolClient | undefined;
    const key = this.key(threadId);
    try {
      client = await connect(this.#pool, signal);
      // A checked-out client that loses its connection emits "error"; unhandled, that would
      // crash the process. The lock is gone with the session; the release below then fails
      // and discards the client.
      client.on("error", ignore);
      for (let wait = FIRST_RETRY_MS; ; wait = Math.min(MAX_RETRY_MS, wait * 2)) {
        signal?.throwIfAborted();
        const { rows } = await client.query<{ locked: boolean }>("SELECT pg_try_advisory_lock($1) AS locked", [key]);
        if (rows[0]?.locked) break;
        await sleep(wait, signal);
      }
    } catch (error) {
      if (client) {
        client.off("error", ignore);
        client.release();
      }
      await releaseLocal();
      throw error;
    }
    const held = client;
    let released: Promise<void> | undefined;
    return () => {
      released ??= (async () => {
        try {
          await held.query("SELECT pg_advisory_unlock($1)", [key]);
          held.off("error", ignore);
          held.release();
        } catch (error) {
          // The session is broken: destroying it is what frees the lock.
          held.off("error", ignore);
          held.release(error instanceof Error ? error : true);
        } finally {
          await releaseLocal();
        }
      })();
      return released;
    };
  }
}

const ignore = () => undefined;

/** `pool.connect()` that gives up when `signal` aborts (returning the client if it comes later). */
function connect(pool: Pool, signal: AbortSignal | undefined): Promise<PoolClient> {
  if (!signal) return pool.connect();
  signal.throwIfAborted();
  return new Promise<PoolClient>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    pool.connect().then(
      (client) => {
        signal.removeEventListener("abort", onAbort);
        if (signal.aborted) client.release();
        else resolve(client);
      },
      (error: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(error);
      },
    );
  });
}

/** Waits `ms`, or rejects with the signal's reason as soon as it aborts. */
function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
