import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type RetainedSegment, segmentsToDelete } from "../../src/storage/log-retention.js";
import { testConfig } from "./storage-test-kit.js";

function seg(baseOffset: number, size: number, newest: number): RetainedSegment {
  return { baseOffset, size, largestTimestamp: () => newest };
}

// Four segments of 100 bytes, newest timestamps 1000, 2000, 3000, 4000; offsets 0, 10, 20, 30; LEO 40.
const segments = [seg(0, 100, 1000), seg(10, 100, 2000), seg(20, 100, 3000), seg(30, 100, 4000)];
const base = { now: 5000, highWatermark: 40, logEndOffset: 40, logStartOffset: 0, timeAndSize: true };

describe("segmentsToDelete", () => {
  it("takes the leading run older than retention.ms", () => {
    const d = segmentsToDelete(segments, { ...base, config: testConfig({ retentionMs: 2500 }) });
    assert.deepEqual(d, { count: 2, reasons: ["retention.ms"] });
    assert.equal(segmentsToDelete(segments, { ...base, config: testConfig({ retentionMs: -1 }) }).count, 0);
    assert.equal(segmentsToDelete(segments, { ...base, config: testConfig({ retentionMs: 0 }) }).count, 4);
  });

  it("takes the oldest segments while over retention.bytes, after the time pass", () => {
    const bytes = testConfig({ retentionMs: -1, retentionBytes: 150 });
    assert.deepEqual(segmentsToDelete(segments, { ...base, config: bytes }), {
      count: 2,
      reasons: ["retention.bytes"],
    });
    // The time pass takes the first segment (4000 ms old), then 300 bytes remain against 150.
    const both = testConfig({ retentionMs: 3500, retentionBytes: 150 });
    assert.deepEqual(segmentsToDelete(segments, { ...base, config: both }), {
      count: 2,
      reasons: ["retention.ms", "retention.bytes"],
    });
    const tight = testConfig({ retentionMs: 3500, retentionBytes: 50 });
    assert.deepEqual(segmentsToDelete(segments, { ...base, config: tight }), {
      count: 3,
      reasons: ["retention.ms", "retention.bytes"],
    });
  });

  it("stops at the high watermark, spares the empty active segment, honours cleanup.policy", () => {
    const all = testConfig({ retentionMs: 0 });
    assert.equal(segmentsToDelete(segments, { ...base, config: all, highWatermark: 25 }).count, 2);
    const withEmptyActive = [...segments, seg(40, 0, -1)];
    assert.equal(segmentsToDelete(withEmptyActive, { ...base, config: all }).count, 4);
    const compact = testConfig({ retentionMs: 0, cleanupPolicy: ["compact"] });
    assert.equal(segmentsToDelete(segments, { ...base, config: compact }).count, 0);
  });

  it("deletes segments wholly below the log start offset, whatever the policy", () => {
    const keep = testConfig({ retentionMs: -1, cleanupPolicy: ["compact"] });
    const d = segmentsToDelete(segments, { ...base, config: keep, logStartOffset: 25, timeAndSize: false });
    assert.deepEqual(d, { count: 2, reasons: ["log start offset"] });
    assert.equal(segmentsToDelete(segments, { ...base, config: keep, logStartOffset: 40 }).count, 3);
  });
});
