import type { Pool, PoolClient } from "pg";
import { InProcessThreadLock, ThreadLockLostError, type ReleaseThreadLock, type ThreadLock } from "../thread-lock.js";
import { lockKey } from "./lock-key.js";

/** Polling interval bounds while another session holds the lock. */
const FIRST_RETRY_MS = 5;
const MAX_RETRY_MS = 100;

/** @internal A thread lock this process holds: the session it lives in, and whether it is lost. */
export interface HeldLockSession {
  readonly client: PoolClient;
  /** Aborts with a `ThreadLockLostError` once the session is gone. */
  readonly lost: AbortSignal;
  /** Records that the session failed (a write on it broke the connection). */
  markLost(cause: unknown): void;
}

/**
 * A `ThreadLock` that holds across processes: a PostgreSQL session-level advisory lock per thread.
 *
 * The holder keeps one pooled connection for the lock's life (the lock belongs to the session,
 * and dies with it if the process does). Waiters queue in process first (FIFO, no connection
 * held), then the head of the queue polls `pg_try_advisory_lock` with a short backoff, so an
 * abort takes effect at once and never leaves a blocked query behind. Between processes, holders
 * follow each other one at a time, in the order their polls succeed.
 *
 * A lock lost while held — its connection killed, a failover — is noticed at once: the release
 * function's `lost` signal aborts (the server stops the turn). `PostgresStore` writes a held
 * thread's records on this very session, so a write after the loss cannot succeed.
 *
 * Cleanups of turns that ended early take a second advisory lock per thread on the same session
 * until release (`cleaningUp`); `cleanupSettled` waits for it with a shared lock, in any process.
 */
export class PostgresThreadLock implements ThreadLock {
  readonly #pool: Pool;
  readonly #queryPool: Pool;
  readonly #namespace: string;
  readonly #local = new InProcessThreadLock();
  readonly #held = new Map<string, HeldLockSession>();

  /**
   * @param pool where lock connections come from; each held lock uses one connection.
   * @param namespace separates lock keys, e.g. of stores in different schemas.
   * @param queryPool where `cleanupSettled` runs its short query (default `pool`): a pool that
   *   held locks cannot exhaust, so a reload never waits for a turn to end.
   */
  constructor(pool: Pool, namespace: string, queryPool: Pool = pool) {
    this.#pool = pool;
    this.#queryPool = queryPool;
    this.#namespace = namespace;
  }

  /** The advisory-lock key of a thread (a bigint as a decimal string), for diagnostics. */
  key(threadId: string): string {
    return lockKey(`chatkit:${this.#namespace}:thread:${threadId}`);
  }

  /** The advisory-lock key that marks a running cleanup of a thread. */
  #cleanupKey(threadId: string): string {
    return lockKey(`chatkit:${this.#namespace}:cleanup:${threadId}`);
  }

  /** @internal The session holding `threadId`'s lock in this process, if it is held here. */
  session(threadId: string): HeldLockSession | undefined {
    return this.#held.get(threadId);
  }

  async cleanupSettled(threadId: string): Promise<void> {
    // Transaction-level and alone in its statement: taken and let go at once, after any holder.
    await this.#queryPool.query("SELECT pg_advisory_xact_lock_shared($1)", [this.#cleanupKey(threadId)]);
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
    return this.#hold(threadId, client, releaseLocal);
  }

  /** The release function of a lock just taken on `held`, watching the session for its loss. */
  #hold(threadId: string, held: PoolClient, releaseLocal: ReleaseThreadLock): ReleaseThreadLock {
    const key = this.key(threadId);
    const cleanupKey = this.#cleanupKey(threadId);
    const lost = new AbortController();
    const markLost = (cause?: unknown) => {
      if (!lost.signal.aborted) lost.abort(new ThreadLockLostError(threadId, { cause }));
    };
    const onEnd = () => markLost(new Error("The lock's database connection ended"));
    held.off("error", ignore);
    held.on("error", markLost);
    held.on("end", onEnd);
    const session: HeldLockSession = { client: held, lost: lost.signal, markLost };
    this.#held.set(threadId, session);

    let cleanup: Promise<unknown> | undefined;
    let released: Promise<void> | undefined;
    const release = () => {
      released ??= (async () => {
        if (this.#held.get(threadId) === session) this.#held.delete(threadId);
        held.off("end", onEnd);
        try {
          if (lost.signal.aborted) throw lost.signal.reason;
          await cleanup?.catch(() => undefined);
          if (cleanup) await held.query("SELECT pg_advisory_unlock($1), pg_advisory_unlock($2)", [cleanupKey, key]);
          else await held.query("SELECT pg_advisory_unlock($1)", [key]);
          held.off("error", markLost);
          held.release();
        } catch (error) {
          // The session is broken: destroying it is what frees the lock.
          held.off("error", markLost);
          held.on("error", ignore);
          held.release(error instanceof Error ? error : true);
        } finally {
          await releaseLocal();
        }
      })();
      return released;
    };
    return Object.assign(release, {
      lost: lost.signal,
      cleaningUp: () => {
        // Queued on the lock's session, so it is taken before any write of the cleanup.
        cleanup ??= held.query("SELECT pg_advisory_lock($1)", [cleanupKey]);
        return cleanup.then(() => undefined);
      },
    });
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
