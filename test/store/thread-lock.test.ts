import { describe, test } from "node:test";
import { InProcessThreadLock } from "../../src/index.js";
import { tick } from "../support/helpers.js";
import { lockQueueContract } from "./lock-contract.js";

lockQueueContract("InProcessThreadLock", { create: () => new InProcessThreadLock(), settle: () => tick() });

describe("InProcessThreadLock", () => {
  test("release is idempotent and frees the lock for the next turn", async () => {
    const lock = new InProcessThreadLock();
    const release = await lock.acquire("thr_1");
    await release();
    await release();
    const again = await lock.acquire("thr_1");
    await again();
  });
});
