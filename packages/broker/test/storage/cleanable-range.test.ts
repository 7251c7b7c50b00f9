import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type CleanableSegment, cleanableRange } from "../../src/storage/cleanable-range.js";
import { compactedConfig } from "./cleaner-test-kit.js";

const NOW = 1_000_000_000;

/** Segments of 100 offsets and 1000 bytes each; `ages` are their newest records' ages. */
function segments(ages: number[]): CleanableSegment[] {
  return ages.map((age, i) => ({
    baseOffset: i * 100,
    nextOffset: i * 100 + 100,
    size: 1000,
    largestTimestamp: () => NOW - age,
    firstBatchTimestamp: () => NOW - age - 1,
  }));
}

function range(overrides: Partial<Parameters<typeof cleanableRange>[0]> = {}) {
  return cleanableRange({
    segments: segments([50, 40, 30, 20, 10]),
    config: compactedConfig({ minCleanableDirtyRatio: 0.5 }),
    logStartOffset: 0,
    logEndOffset: 500,
    highWatermark: 500,
    checkpoint: undefined,
    now: NOW,
    ...overrides,
  });
}

describe("cleanableRange", () => {
  it("cleans from the checkpoint to the active segment, by dirty ratio", () => {
    const fresh = range();
    assert.deepEqual(
      [
        fresh.firstDirtyOffset,
        fresh.firstUncleanableOffset,
        fresh.cleanBytes,
        fresh.dirtyBytes,
        fresh.cleanable,
      ],
      [0, 400, 0, 4000, true],
    );
    const half = range({ checkpoint: 200 });
    assert.deepEqual(
      [half.cleanBytes, half.dirtyBytes, half.dirtyRatio, half.cleanable],
      [2000, 2000, 0.5, false],
    );
    assert.equal(range({ checkpoint: 100 }).cleanable, true);
  });

  it("resets a checkpoint outside the log and stops at the high watermark", () => {
    const reset = range({ checkpoint: 900 });
    assert.deepEqual([reset.firstDirtyOffset, reset.checkpointReset], [0, true]);
    assert.deepEqual([range({ checkpoint: 50, logStartOffset: 100 }).firstDirtyOffset], [100]);
    assert.equal(range({ highWatermark: 250 }).firstUncleanableOffset, 250);
    assert.equal(range({ checkpoint: 300, highWatermark: 250 }).cleanable, false);
  });

  it("keeps segments with records younger than min.compaction.lag.ms out", () => {
    const r = range({ config: compactedConfig({ minCompactionLagMs: 35, minCleanableDirtyRatio: 0 }) });
    assert.equal(r.firstUncleanableOffset, 200);
    const none = range({ config: compactedConfig({ minCompactionLagMs: 100 }) });
    assert.equal(none.cleanable, false);
  });

  it("cleans below the ratio once max.compaction.lag.ms has passed", () => {
    const config = compactedConfig({ minCleanableDirtyRatio: 0.9, maxCompactionLagMs: 45 });
    const r = range({ config, checkpoint: 200 });
    assert.deepEqual([r.compactionLagExceeded, r.cleanable], [false, false]);
    const late = range({ config, checkpoint: 0 });
    assert.equal(late.compactionLagExceeded, true);
    const lateDirty = range({ config: { ...config, maxCompactionLagMs: 35 }, checkpoint: 200 });
    assert.deepEqual([lateDirty.compactionLagExceeded, lateDirty.cleanable], [false, false]);
    const older = range({ config: { ...config, maxCompactionLagMs: 25 }, checkpoint: 200 });
    assert.deepEqual([older.compactionLagExceeded, older.cleanable], [true, true]);
  });
});
