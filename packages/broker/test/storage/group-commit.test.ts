import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { GroupCommit, type SyncRun } from "../../src/storage/group-commit.js";
import { settle } from "./storage-test-kit.js";

/** A fake log: an end offset, a durable offset, and syncs the test completes by hand. */
function harness() {
  const state = { end: 0, durable: 0, syncs: [] as { target: number; finish(ok?: boolean): void }[] };
  const gc = new GroupCommit(
    (): SyncRun => {
      const target = state.end;
      let finish!: (ok?: boolean) => void;
      const done = new Promise<void>((resolve, reject) => {
        finish = (ok = true) => {
          if (ok) {
            state.durable = Math.max(state.durable, target);
            resolve();
          } else reject(new Error("EIO"));
        };
      });
      state.syncs.push({ target, finish });
      return { target, done };
    },
    () => state.durable,
  );
  return { gc, state };
}

describe("GroupCommit", () => {
  it("starts one sync for every request of a turn", async () => {
    const { gc, state } = harness();
    state.end = 10;
    const waits = Array.from({ length: 10 }, (_, i) => gc.request(i + 1));
    assert.equal(state.syncs.length, 0, "the sync starts on the next turn");
    await settle();
    assert.equal(state.syncs.length, 1);
    assert.equal(gc.inFlightTarget, 10);
    state.syncs[0]!.finish();
    await Promise.all(waits);
    assert.equal(gc.inFlightTarget, undefined);
    await gc.request(10);
    assert.equal(state.syncs.length, 1, "already durable");
  });

  it("queues requests made while a sync runs into exactly one next sync", async () => {
    const { gc, state } = harness();
    state.end = 5;
    const first = gc.request(5);
    await settle();
    state.end = 8;
    const covered = gc.request(3);
    const later = [gc.request(6), gc.request(8)];
    await settle();
    assert.equal(state.syncs.length, 1, "no second sync while one runs");
    state.syncs[0]!.finish();
    await Promise.all([first, covered]);
    assert.equal(state.syncs.length, 2, "the queued sync starts as soon as the first ends");
    assert.equal(state.syncs[1]!.target, 8);
    state.syncs[1]!.finish();
    await Promise.all(later);
  });

  it("fails the waiters and every later request when a sync fails", async () => {
    const { gc, state } = harness();
    state.end = 3;
    const a = gc.request(3);
    await settle();
    state.end = 4;
    const b = gc.request(4);
    state.syncs[0]!.finish(false);
    await assert.rejects(a, /EIO/);
    await assert.rejects(b, /EIO/);
    await assert.rejects(gc.request(4), /EIO/);
    await gc.idle();
  });
});
