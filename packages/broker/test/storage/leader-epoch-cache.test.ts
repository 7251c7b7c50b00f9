import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { nodeFileSystem } from "../../src/storage/file-system.js";
import { LEADER_EPOCH_CHECKPOINT_FILE, LeaderEpochCache } from "../../src/storage/leader-epoch-cache.js";
import { tempDir } from "./storage-test-kit.js";

const dir = tempDir();
after(() => dir.cleanup());

describe("LeaderEpochCache", () => {
  it("assigns epochs, answers end offsets, truncates and persists", async () => {
    const { cache, loaded } = LeaderEpochCache.load(nodeFileSystem, dir.path);
    assert.equal(loaded, false);
    assert.deepEqual(cache.endOffsetFor(0, 10), { epoch: -1, endOffset: -1 });
    assert.ok(cache.assign(2, 0));
    assert.equal(cache.assign(2, 5), false);
    assert.ok(cache.assign(3, 10));
    assert.ok(cache.assign(6, 20));
    assert.equal(cache.assign(-1, 30), false);
    assert.deepEqual(cache.endOffsetFor(6, 25), { epoch: 6, endOffset: 25 });
    assert.deepEqual(cache.endOffsetFor(3, 25), { epoch: 3, endOffset: 20 });
    assert.deepEqual(cache.endOffsetFor(4, 25), { epoch: 3, endOffset: 20 });
    assert.deepEqual(cache.endOffsetFor(1, 25), { epoch: 1, endOffset: 0 });
    assert.deepEqual(cache.endOffsetFor(7, 25), { epoch: -1, endOffset: -1 });
    assert.deepEqual(cache.endOffsetFor(-1, 25), { epoch: -1, endOffset: -1 });
    assert.equal(cache.epochForOffset(15), 3);
    assert.equal(cache.epochForOffset(20), 6);
    await cache.flush();
    assert.equal(
      readFileSync(join(dir.path, LEADER_EPOCH_CHECKPOINT_FILE), "utf8"),
      "0\n3\n2 0\n3 10\n6 20\n",
    );

    cache.truncateFromStart(12);
    assert.deepEqual(cache.entries(), [
      { epoch: 3, startOffset: 12 },
      { epoch: 6, startOffset: 20 },
    ]);
    cache.truncateFromEnd(20);
    assert.deepEqual(cache.entries(), [{ epoch: 3, startOffset: 12 }]);
    // A lower epoch removes the contradicting later entries, as Kafka does.
    cache.assign(4, 15);
    cache.assign(2, 18);
    assert.deepEqual(cache.entries(), [{ epoch: 2, startOffset: 18 }]);
    await cache.flush();
    const reloaded = LeaderEpochCache.load(nodeFileSystem, dir.path);
    assert.equal(reloaded.loaded, true);
    assert.deepEqual(reloaded.cache.entries(), [{ epoch: 2, startOffset: 18 }]);
  });

  it("reports a corrupt checkpoint as not loaded", () => {
    writeFileSync(join(dir.path, LEADER_EPOCH_CHECKPOINT_FILE), "0\n2\n5 10\n");
    assert.equal(LeaderEpochCache.load(nodeFileSystem, dir.path).loaded, false);
    writeFileSync(join(dir.path, LEADER_EPOCH_CHECKPOINT_FILE), "0\n2\n5 10\n4 20\n");
    assert.equal(LeaderEpochCache.load(nodeFileSystem, dir.path).loaded, false);
    writeFileSync(join(dir.path, LEADER_EPOCH_CHECKPOINT_FILE), "1\n0\n");
    assert.equal(LeaderEpochCache.load(nodeFileSystem, dir.path).loaded, false);
  });
});
