import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { ThreadLock } from "../../src/index.js";

/**
 * The FIFO contract every `ThreadLock` keeps within one process: holders one at a time in
 * arrival order, and a waiter that gives up leaves the queue and nothing else. `settle` waits
 * long enough for a waiter that wrongly skipped ahead to have taken the lock (a poll cycle of a
 * cross-process lock), so the order it records would show it.
 */
export function lockQueueContract(name: string, options: { create(): ThreadLock; settle(): Promise<unknown>; skip?: string | false }) {
  const { settle } = options;
  describe(`${name}: queue order`, { skip: options.skip }, () => {
    test("a waiter that aborts at the tail of the queue does not let the next one skip the holder", async () => {
      const lock = options.create();
      const order: string[] = [];
      const releaseA = await lock.acquire("thr_tail");
      const gaveUp = new AbortController();
      const b = lock.acquire("thr_tail", gaveUp.signal);
      gaveUp.abort(new Error("b gave up"));
      await assert.rejects(b, /b gave up/);
      const c = lock.acquire("thr_tail").then((release) => {
        order.push("c acquired");
        return release;
      });
      await settle();
      order.push("a releases");
      await releaseA();
      const releaseC = await c;
      assert.deepEqual(order, ["a releases", "c acquired"]);
      await releaseC();
    });

    test("several waiters aborting anywhere in the queue: the rest run one at a time in arrival order", async () => {
      const lock = options.create();
      const order: string[] = [];
      const releaseA = await lock.acquire("thr_many");
      const controllers = new Map<string, AbortController>();
      const waiters = ["b", "c", "d", "e", "f"].map((name) => {
        const controller = new AbortController();
        controllers.set(name, controller);
        return {
          name,
          acquired: lock.acquire("thr_many", controller.signal).then(
            async (release) => {
              order.push(`${name} acquired`);
              await settle();
              order.push(`${name} releases`);
              await release();
            },
            (error: unknown) => order.push(`${name} gave up: ${(error as Error).message}`),
          ),
        };
      });
      // The head, one in the middle and the tail give up while a holds the lock.
      for (const name of ["b", "d", "f"]) controllers.get(name)!.abort(new Error("gone"));
      await settle();
      const late = lock.acquire("thr_many").then(async (release) => {
        order.push("g acquired");
        await release();
      });
      await settle();
      order.push("a releases");
      await releaseA();
      await Promise.all([...waiters.map((waiter) => waiter.acquired), late]);
      assert.deepEqual(order, [
        "b gave up: gone",
        "d gave up: gone",
        "f gave up: gone",
        "a releases",
        "c acquired",
        "c releases",
        "e acquired",
        "e releases",
        "g acquired",
      ]);
      // Nothing is left behind: the lock is free at once.
      const again = await lock.acquire("thr_many");
      await again();
    });

    test("a waiter that aborts after it was granted the lock still hands it on when released", async () => {
      const lock = options.create();
      const releaseA = await lock.acquire("thr_granted");
      const controller = new AbortController();
      const b = lock.acquire("thr_granted", controller.signal);
      await releaseA();
      const releaseB = await b;
      controller.abort(new Error("too late"));
      const c = lock.acquire("thr_granted");
      let cAcquired = false;
      void c.then(() => (cAcquired = true));
      await settle();
      assert.equal(cAcquired, false, "b still holds the lock");
      await releaseB();
      await (await c)();
    });
  });
}
