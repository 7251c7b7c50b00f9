import assert from "node:assert/strict";
import { appendFileSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { nodeFileSystem } from "../../src/storage/file-system.js";
import { LogSegment } from "../../src/storage/log-segment.js";
import { segmentFileName } from "../../src/storage/segment-file-names.js";
import { buildBatch } from "./record-batch-fixture.js";
import { tempDir } from "./storage-test-kit.js";

const root = tempDir();
after(() => root.cleanup());
let n = 0;
function newDir(): string {
  const dir = join(root.path, `seg${n++}`);
  nodeFileSystem.mkdir(dir);
  return dir;
}

const segConfig = { indexIntervalBytes: 300, segmentIndexBytes: 1 << 20 };

/** Appends batches of 2 records at consecutive offsets from `base`; returns their positions. */
function fill(segment: LogSegment, base: number, count: number, ts = 1000): number[] {
  const positions: number[] = [];
  let offset = base;
  for (let i = 0; i < count; i++) {
    positions.push(segment.size);
    segment.append(buildBatch({ baseOffset: offset, records: 2, valueSize: 50, baseTimestamp: ts + i * 10 }));
    offset += 2;
  }
  return positions;
}

describe("LogSegment", () => {
  it("appends, indexes every index.interval.bytes and translates offsets to positions", () => {
    const segment = LogSegment.create(nodeFileSystem, newDir(), 100, segConfig, 0);
    const positions = fill(segment, 100, 50);
    assert.equal(segment.nextOffset, 200);
    const batchSize = positions[1]! - positions[0]!;
    const expectedEntries = Math.floor((50 - 1) / (Math.floor(300 / batchSize) + 1));
    assert.ok(
      Math.abs(segment.offsetIndex.entries - expectedEntries) <= 1,
      `${segment.offsetIndex.entries} entries`,
    );
    assert.ok(segment.timeIndex.entries > 0);
    for (let i = 0; i < 50; i++) {
      for (const o of [100 + 2 * i, 101 + 2 * i]) {
        const loc = segment.translateOffset(o)!;
        assert.deepEqual(
          [loc.position, loc.baseOffset, loc.lastOffset],
          [positions[i], 100 + 2 * i, 101 + 2 * i],
        );
      }
    }
    assert.equal(segment.translateOffset(200), undefined);
    assert.equal(segment.translateOffset(50)!.position, 0);
    assert.equal(segment.maxTimestampSoFar, 1000 + 49 * 10);
    segment.close();
  });

  it("finds offsets by timestamp", () => {
    const segment = LogSegment.create(nodeFileSystem, newDir(), 0, segConfig, 0);
    fill(segment, 0, 30, 5000);
    assert.deepEqual(segment.findOffsetByTimestamp(5000, 0), { offset: 0, timestamp: 5000, leaderEpoch: 0 });
    assert.equal(segment.findOffsetByTimestamp(5001, 0)!.offset, 2);
    assert.equal(segment.findOffsetByTimestamp(5150, 0)!.offset, 30);
    assert.equal(segment.findOffsetByTimestamp(5150, 41)!.offset, 41);
    assert.equal(segment.findOffsetByTimestamp(5291, 0), undefined);
    segment.close();
  });

  it("recovers: rebuilds indexes and cuts a torn tail", () => {
    const dir = newDir();
    const segment = LogSegment.create(nodeFileSystem, dir, 0, segConfig, 0);
    const positions = fill(segment, 0, 20);
    const entries = segment.offsetIndex.entries;
    segment.close();
    const path = join(dir, segmentFileName(0, ".log"));
    appendFileSync(path, buildBatch({ baseOffset: 40 }).subarray(0, 30));
    const reopened = LogSegment.open(nodeFileSystem, dir, 0, segConfig, 0);
    const visited: number[] = [];
    const result = reopened.recover((b) => visited.push(b.baseOffset));
    assert.ok(result.truncatedBytes === 30 && result.problem);
    assert.equal(visited.length, 20);
    assert.equal(reopened.nextOffset, 40);
    assert.equal(reopened.offsetIndex.entries, entries);
    assert.equal(reopened.translateOffset(33)!.position, positions[16]);
    reopened.close();
  });

  it("loads trusted indexes and detects ones that do not match the log", () => {
    const dir = newDir();
    const segment = LogSegment.create(nodeFileSystem, dir, 0, segConfig, 0);
    fill(segment, 0, 20);
    segment.onBecomeInactive();
    segment.close();
    const ok = LogSegment.open(nodeFileSystem, dir, 0, segConfig, 0);
    assert.equal(ok.loadIndexes(), undefined);
    assert.equal(ok.nextOffset, 40);
    assert.equal(ok.maxTimestampSoFar, 1190);
    ok.close();
    // Shift every position in the offset index by one byte: entries no longer point at batches.
    const indexPath = join(dir, segmentFileName(0, ".index"));
    const index = readFileSync(indexPath);
    for (let i = 0; i < index.length; i += 8) index.writeInt32BE(index.readInt32BE(i + 4) + 1, i + 4);
    writeFileSync(indexPath, index);
    const bad = LogSegment.open(nodeFileSystem, dir, 0, segConfig, 0);
    assert.match(bad.loadIndexes()!, /.+/);
    bad.close();
  });

  it("truncates to an offset and rolls by size, time, and full index", () => {
    const segment = LogSegment.create(
      nodeFileSystem,
      newDir(),
      0,
      { indexIntervalBytes: 0, segmentIndexBytes: 8 * 4 },
      0,
    );
    const positions = fill(segment, 0, 3);
    const sizeBefore = segment.size;
    assert.equal(segment.truncateTo(3), sizeBefore - positions[1]!);
    assert.equal(segment.nextOffset, 2);
    assert.equal(segment.size, positions[1]);
    const base = {
      segmentBytes: 10_000,
      segmentMs: 1000,
      now: 0,
      maxTimestampInMessages: 1000,
      maxOffsetInMessages: 5,
      messagesSize: 100,
    };
    assert.equal(segment.shouldRoll(base), false);
    assert.equal(segment.shouldRoll({ ...base, messagesSize: 10_000 }), true);
    assert.equal(segment.shouldRoll({ ...base, maxTimestampInMessages: 1000 + 1001 }), true);
    assert.equal(segment.shouldRoll({ ...base, maxOffsetInMessages: 2 ** 31 }), true);
    fill(segment, 2, 4);
    assert.ok(segment.offsetIndex.entries >= 3);
    assert.equal(segment.shouldRoll(base), true, "time index full");
    segment.close();
  });
});
