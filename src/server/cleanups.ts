/**
 * Cancellation cleanups in progress in this process, by thread. A client that reloads right
 * after Stop reads the thread only once the partial answer and the cancel note are stored.
 */
export class CleanupRegistry {
  readonly #running = new Map<string, Promise<void>>();

  track(threadId: string, cleanup: Promise<void>): void {
    const done = cleanup.catch(() => {}).finally(() => {
      if (this.#running.get(threadId) === done) this.#running.delete(threadId);
    });
    this.#running.set(threadId, done);
  }

  /** Resolves when no cleanup of `threadId` is running (at once in the common case). */
  settled(threadId: string): Promise<void> | undefined {
    return this.#running.get(threadId);
  }
}
