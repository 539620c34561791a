import type { ThreadLock } from "../store/thread-lock.js";

/**
 * Cleanups of turns that ended early (Stop, a hang-up, a failure), by thread, so that a client
 * that reloads right after reads the thread only once the partial answer and the note are
 * stored. Tracks those of this process; a lock shared by several processes (PostgresStore's)
 * tells about the others.
 */
export class CleanupRegistry {
  readonly #running = new Map<string, Promise<void>>();
  readonly #lock: ThreadLock;

  constructor(lock: ThreadLock) {
    this.#lock = lock;
  }

  track(threadId: string, cleanup: Promise<void>): void {
    const done = cleanup.catch(() => {}).finally(() => {
      if (this.#running.get(threadId) === done) this.#running.delete(threadId);
    });
    this.#running.set(threadId, done);
  }

  /**
   * Resolves when no cleanup of `threadId` is running, here or — with a lock that spans
   * processes — in any process. A normally running turn is not waited for.
   */
  async settled(threadId: string): Promise<void> {
    await this.#running.get(threadId);
    await this.#lock.cleanupSettled?.(threadId);
  }
}
