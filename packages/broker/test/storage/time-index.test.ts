import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { nodeFileSystem } from "../../src/storage/file-system.js";
import { TimeIndex } from "../../src/storage/time-index.js";
import { tempDir } from "./storage-test-kit.js";

const dir = tempDir();
after(() => dir.cleanup());

describe("TimeIndex", () => {
  it("keeps only increasing timestamps and finds the entry at or below a timestamp", () => {
    const index = TimeIndex.create(nodeFileSystem, join(dir.path, "a.timeindex"), 100, 1200);
    assert.deepEqual(index.lookup(5), { timestamp: -1, offset: 100 });
    assert.equal(index.maybeAppend(-1, 100), false);
    assert.ok(index.maybeAppend(1000, 105));
    assert.equal(index.maybeAppend(1000, 110), false);
    assert.equal(index.maybeAppend(900, 110), false);
    assert.ok(index.maybeAppend(2000, 110));
    assert.ok(index.maybeAppend(1_700_000_000_123, 120));
    assert.equal(index.entries, 3);
    assert.deepEqual(index.lookup(999), { timestamp: -1, offset: 100 });
    assert.deepEqual(index.lookup(1000), { timestamp: 1000, offset: 105 });
    assert.deepEqual(index.lookup(1999), { timestamp: 1000, offset: 105 });
    assert.deepEqual(index.lookup(Number.MAX_SAFE_INTEGER), { timestamp: 1_700_000_000_123, offset: 120 });
  });

  it("is full one entry early, keeping room for the final entry", () => {
    const index = TimeIndex.create(nodeFileSystem, join(dir.path, "b.timeindex"), 0, 12 * 3);
    assert.ok(index.maybeAppend(1, 1));
    assert.ok(index.maybeAppend(2, 2));
    assert.ok(index.isFull);
    assert.equal(index.maybeAppend(3, 3), false);
    assert.ok(index.maybeAppend(3, 3, true));
    assert.equal(index.maybeAppend(4, 4, true), false);
  });

  it("truncates, persists and loads back; refuses insane files", () => {
    const path = join(dir.path, "c.timeindex");
    const index = TimeIndex.create(nodeFileSystem, path, 0, 1 << 20);
    for (let i = 1; i <= 6; i++) index.maybeAppend(i * 1000, i * 10);
    index.truncateTo(40);
    assert.deepEqual(index.lastEntry(), { timestamp: 3000, offset: 30 });
    index.persist();
    index.close();
    assert.equal(readFileSync(path).length, 36);
    const loaded = TimeIndex.load(nodeFileSystem, path, 0, 1 << 20, 31);
    assert.deepEqual(loaded.lookup(2500), { timestamp: 2000, offset: 20 });
    loaded.close();
    assert.throws(() => TimeIndex.load(nodeFileSystem, path, 0, 1 << 20, 30), /out of order or range/);
    const bytes = readFileSync(path);
    writeFileSync(path, Buffer.concat([bytes.subarray(12, 24), bytes.subarray(0, 12)]));
    assert.throws(() => TimeIndex.load(nodeFileSystem, path, 0, 1 << 20), /out of order/);
    writeFileSync(path, bytes.subarray(0, 13));
    assert.throws(() => TimeIndex.load(nodeFileSystem, path, 0, 1 << 20), /partial entry/);
  });
});
