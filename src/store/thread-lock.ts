/** Releases a thread lock. Idempotent. */
export type ReleaseThreadLock = () => Promise<void>;

/**
 * Serializes the turns of one thread: a streaming request holds its thread's lock from before it
 * loads the thread until its stream has ended — including a cancelled stream's cleanup — so the
 * next turn always sees what the previous one left behind. Stores that serve several server
 * processes (PostgresStore) implement it across processes.
 */
export interface ThreadLock {
  /** Waits for and takes the lock of `threadId`; rejects with the signal's reason if it aborts first. */
  acquire(threadId: string, signal?: AbortSignal): Promise<ReleaseThreadLock>;
}

/** The default lock: a FIFO queue per thread id inside this process. */
export class InProcessThreadLock implements ThreadLock {
  readonly #tails = new Map<string, Promise<void>>();

  async acquire(threadId: string, signal?: AbortSignal): Promise<ReleaseThreadLock> {
    signal?.throwIfAborted();
    const previous = this.#tails.get(threadId) ?? Promise.resolve();
    let unlock!: () => void;
    const released = new Promise<void>((resolve) => (unlock = resolve));
    // Chain behind whoever holds or waits for the lock; an aborted waiter still keeps its slot
    // until its predecessor is done, then passes the lock on at once.
    const tail = previous.then(() => released);
    this.#tails.set(threadId, tail);
    let done = false;
    const release: ReleaseThreadLock = async () => {
      if (done) return;
      done = true;
      unlock();
      if (this.#tails.get(threadId) === tail) this.#tails.delete(threadId);
    };
    if (!signal) {
      await previous;
      return release;
    }
    try {
      await new Promise<void>((resolve, reject) => {
        const onAbort = () => reject(signal.reason);
        signal.addEventListener("abort", onAbort, { once: true });
        previous.then(() => {
          signal.removeEventListener("abort", onAbort);
          resolve();
        });
      });
    } catch (error) {
      void release();
      throw error;
    }
    return release;
  }
}
