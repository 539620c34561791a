/**
 * Calls `ping` whenever nothing was written for `idleMs`. Writers call `touch()`; it only records
 * the time, so the hot path pays no timer work.
 */
export class KeepAlive {
  #last = performance.now();
  #timer: NodeJS.Timeout | undefined;
  readonly #idleMs: number;
  readonly #ping: () => void;

  constructor(idleMs: number, ping: () => void) {
    this.#idleMs = idleMs;
    this.#ping = ping;
    if (idleMs > 0) this.#arm(idleMs);
  }

  touch(): void {
    this.#last = performance.now();
  }

  #arm(delay: number): void {
    this.#timer = setTimeout(() => {
      const idle = performance.now() - this.#last;
      if (idle >= this.#idleMs) {
        this.#ping();
        this.#last = performance.now();
        this.#arm(this.#idleMs);
      } else {
        this.#arm(this.#idleMs - idle);
      }
    }, delay);
    this.#timer.unref?.();
  }

  stop(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}
