/**
 * Releases a thread lock. Idempotent.
 *
 * A lock held through a connection to a database may be lost while held (the session ends): then
 * `lost` aborts, and the turn holding the lock must stop at once, since another process may take
 * the lock. Locks that cannot be lost leave it undefined.
 */
export interface ReleaseThreadLock {
  (): Promise<void>;
  /** Aborts, with the reason, when the lock is lost while held. */
  readonly lost?: AbortSignal;
  /**
   * Announces to every process that a cleanup of the turn (Stop, a failure) is running, until
   * the lock is released: `ThreadLock.cleanupSettled` waits for it there.
   */
  cleaningUp?(): Promise<void>;
}

/**
 * Serializes the turns of one thread: a streaming request holds its thread's lock from before it
 * loads the thread (a new thread: before it is created) until its stream has ended — including a
 * cancelled or failed stream's cleanup — so the next turn always sees what the previous one left
 * behind. Holders follow each other in arrival order; a waiter that gives up leaves the queue.
 * Stores that serve several server processes (PostgresStore) implement it across processes.
 */
export interface ThreadLock {
  /** Waits for and takes the lock of `threadId`; rejects with the signal's reason if it aborts first. */
  acquire(threadId: string, signal?: AbortSignal): Promise<ReleaseThreadLock>;
  /**
   * Resolves once no cleanup announced with `cleaningUp` runs for `threadId` in any process (at
   * once in the common case). Absent on locks that live in one process: the server tracks those.
   */
  cleanupSettled?(threadId: string): Promise<void>;
}

/**
 * The lock of a thread was lost while a turn held it (its database session ended): the turn is
 * stopped, and its writes to the thread are refused, since another process may own it now.
 */
export class ThreadLockLostError extends Error {
  override readonly name = "ThreadLockLostError";
  readonly threadId: string;

  constructor(threadId: string, options?: { cause?: unknown }) {
    super(`The lock of thread ${threadId} was lost (its database session ended); the turn may no longer write to it`, options);
    this.threadId = threadId;
  }
}

interface Waiter {
  grant(): void;
}

/** The default lock: a FIFO queue per thread id inside this process. */
export class InProcessThreadLock implements ThreadLock {
  /** The queue of each held thread (the holder is not in it); no entry means the lock is free. */
  readonly #queues = new Map<string, Waiter[]>();

  acquire(threadId: string, signal?: AbortSignal): Promise<ReleaseThreadLock> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    const queue = this.#queues.get(threadId);
    if (!queue) {
      this.#queues.set(threadId, []);
      return Promise.resolve(this.#releaser(threadId));
    }
    return new Promise<ReleaseThreadLock>((resolve, reject) => {
      const onAbort = () => {
        // Leaves the queue and nothing else: the holder and the others keep their places.
        queue.splice(queue.indexOf(waiter), 1);
        reject(signal!.reason);
      };
      const waiter: Waiter = {
        grant: () => {
          signal?.removeEventListener("abort", onAbort);
          resolve(this.#releaser(threadId));
        },
      };
      queue.push(waiter);
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  }

  /** Hands the lock to the next waiter, or frees it. */
  #releaser(threadId: string): ReleaseThreadLock {
    let released = false;
    return async () => {
      if (released) return;
      released = true;
      const queue = this.#queues.get(threadId)!;
      const next = queue.shift();
      if (next) next.grant();
      else this.#queues.delete(threadId);
    };
  }
}
