import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { nodeFileSystem } from "../../src/storage/file-system.js";
import { OffsetIndex } from "../../src/storage/offset-index.js";
import { StorageError } from "../../src/storage/storage-error.js";
import { tempDir } from "./storage-test-kit.js";

const dir = tempDir();
after(() => dir.cleanup());

describe("OffsetIndex", () => {
  it("looks up the largest entry at or below an offset", () => {
    const index = OffsetIndex.create(nodeFileSystem, join(dir.path, "a.index"), 1000, 1024);
    assert.deepEqual(index.lookup(1500), { offset: 1000, position: 0 });
    for (let i = 1; i <= 100; i++) assert.ok(index.append(1000 + i * 10, i * 4096));
    assert.equal(index.entries, 100);
    assert.deepEqual(index.lookup(999), { offset: 1000, position: 0 });
    assert.deepEqual(index.lookup(1009), { offset: 1000, position: 0 });
    assert.deepEqual(index.lookup(1010), { offset: 1010, position: 4096 });
    assert.deepEqual(index.lookup(1555), { offset: 1550, position: 55 * 4096 });
    assert.deepEqual(index.lookup(99999), { offset: 2000, position: 100 * 4096 });
    assert.throws(() => index.append(2000, 1 << 30), StorageError);
    assert.throws(() => index.append(2010, 100), StorageError);
  });

  it("fills up at segment.index.bytes / 8 entries", () => {
    const index = OffsetIndex.create(nodeFileSystem, join(dir.path, "b.index"), 0, 8 * 5);
    for (let i = 0; i < 5; i++) assert.ok(index.append(i + 1, i + 1));
    assert.ok(index.isFull);
    assert.equal(index.append(10, 10), false);
  });

  it("truncates, persists and loads back", () => {
    const path = join(dir.path, "c.index");
    const index = OffsetIndex.create(nodeFileSystem, path, 50, 1 << 20);
    for (let i = 1; i <= 10; i++) index.append(50 + i * 3, i * 100);
    index.persist();
    assert.equal(readFileSync(path).length, 80);
    index.truncateTo(62); // removes entries with offset >= 62: 62, 65, ...
    assert.deepEqual(index.lastEntry(), { offset: 59, position: 300 });
    index.append(61, 350);
    index.persist();
    index.close();
    assert.equal(readFileSync(path).length, 32);
    const loaded = OffsetIndex.load(nodeFileSystem, path, 50, 1 << 20, 10_000);
    assert.equal(loaded.entries, 4);
    assert.deepEqual(loaded.lookup(61), { offset: 61, position: 350 });
    loaded.close();
  });

  it("refuses insane files on load", () => {
    const path = join(dir.path, "d.index");
    const good = OffsetIndex.create(nodeFileSystem, path, 0, 1 << 20);
    good.append(5, 100);
    good.append(9, 200);
    good.persist();
    good.close();
    assert.throws(() => OffsetIndex.load(nodeFileSystem, path, 0, 1 << 20, 150), /out of order or range/);
    const bytes = readFileSync(path);
    writeFileSync(path, bytes.subarray(0, 12));
    assert.throws(() => OffsetIndex.load(nodeFileSystem, path, 0, 1 << 20, 1000), /partial entry/);
    const swapped = Buffer.concat([bytes.subarray(8), bytes.subarray(0, 8)]);
    writeFileSync(path, swapped);
    assert.throws(() => OffsetIndex.load(nodeFileSystem, path, 0, 1 << 20, 1000), /out of order/);
    assert.throws(
      () => OffsetIndex.load(nodeFileSystem, join(dir.path, "missing.index"), 0, 1 << 20, 1000),
      /missing/,
    );
  });
});
