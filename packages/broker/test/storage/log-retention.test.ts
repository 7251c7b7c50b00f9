import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { type DelayScheduler, Log } from "../../src/storage/log.js";
import { OffsetOutOfRangeError } from "../../src/storage/storage-error.js";
import { buildBatch, parseBatches } from "./record-batch-fixture.js";
import {
  FakeClock,
  LEADER_APPEND,
  partitionDirs,
  settle,
  testConfig,
  testDeps,
  waitFor,
} from "./storage-test-kit.js";

const newDir = partitionDirs("retention-1");

const leader = LEADER_APPEND;
const HOUR = 3_600_000;

function logFiles(dir: string): string[] {
  return readdirSync(dir)
    .filter((n) => n.endsWith(".log"))
    .sort();
}

describe("Log retention", () => {
  it("deletes segments older than retention.ms and moves the log start offset", async () => {
    const clock = new FakeClock(10 * HOUR);
    const dir = newDir();
    const log = await Log.open(dir, testConfig({ retentionMs: HOUR, segmentMs: HOUR / 2 }), testDeps(clock));
    // One segment per half hour, 3 batches each.
    for (let s = 0; s < 6; s++) {
      for (let b = 0; b < 3; b++) {
        log.append(buildBatch({ records: 2, baseTimestamp: clock.now() }), leader);
        clock.advance(60_000);
      }
      clock.advance(HOUR / 2);
    }
    assert.equal(log.segments, 6);
    // Segment s holds timestamps up to start + s*33 + 2 minutes; now is start + 198 minutes, so
    // segments 0..4 are more than an hour old.
    clock.advance(-HOUR / 2 + 60 * 60_000 - 63 * 60_000);
    assert.equal(await log.deleteOldSegments(clock.now()), 4);
    assert.equal(log.segments, 2);
    assert.equal(log.logStartOffset, 24);
    assert.throws(() => log.read(23, 100), OffsetOutOfRangeError);
    assert.equal(parseBatches(log.read(24, 100).records)[0]!.baseOffset, 24);
    clock.advance(33 * 60_000);
    assert.equal(await log.deleteOldSegments(clock.now()), 1);
    assert.equal(log.logStartOffset, 30);
    await settle();
    await waitFor(() => logFiles(dir).length === 1);
    assert.ok(!readdirSync(dir).some((n) => n.endsWith(".deleted")));
    await log.close();
  });

  it("rolls first when every segment has expired, keeping the log end offset", async () => {
    const clock = new FakeClock(10 * HOUR);
    const dir = newDir();
    const log = await Log.open(dir, testConfig({ retentionMs: HOUR }), testDeps(clock));
    log.append(buildBatch({ records: 5, baseTimestamp: clock.now() }), leader);
    clock.advance(2 * HOUR);
    assert.equal(await log.deleteOldSegments(), 1);
    assert.equal(log.logEndOffset, 5);
    assert.equal(log.logStartOffset, 5);
    assert.equal(log.size, 0);
    assert.equal(log.read(5, 100).records.length, 0);
    // An empty active segment is never deleted.
    clock.advance(2 * HOUR);
    assert.equal(await log.deleteOldSegments(), 0);
    assert.equal(log.append(buildBatch(), leader).firstOffset, 5);
    await log.close();
    const reopened = await Log.open(dir, testConfig({ retentionMs: HOUR }), testDeps(clock));
    assert.equal(reopened.logStartOffset, 5);
    assert.equal(reopened.logEndOffset, 6);
    await reopened.close();
  });

  it("deletes the oldest segments beyond retention.bytes", async () => {
    const dir = newDir();
    const batch = buildBatch({ records: 1, valueSize: 100 });
    const log = await Log.open(
      dir,
      testConfig({ segmentBytes: batch.length * 4, retentionBytes: batch.length * 10 }),
      testDeps(),
    );
    for (let i = 0; i < 30; i++) log.append(buildBatch({ records: 1, valueSize: 100 }), leader);
    assert.equal(log.segments, 8); // 7 full segments of 4 batches and one of 2
    assert.equal(log.size, 30 * batch.length);
    // 30 batches - 10 allowed = 20 bytes-worth of batches over: 5 whole segments of 4.
    assert.equal(await log.deleteOldSegments(), 5);
    assert.equal(log.logStartOffset, 20);
    assert.equal(log.size, 10 * batch.length);
    assert.equal(await log.deleteOldSegments(), 0);
    await log.close();
  });

  it("never deletes data at or above the high watermark", async () => {
    const clock = new FakeClock(10 * HOUR);
    const log = await Log.open(newDir(), testConfig({ retentionMs: 0, segmentBytes: 300 }), testDeps(clock));
    for (let i = 0; i < 10; i++) log.append(buildBatch({ records: 1, baseTimestamp: 0 }), leader);
    const bases = log.segmentBaseOffsets();
    assert.ok(bases.length >= 3);
    clock.advance(1);
    await log.deleteOldSegments(clock.now(), bases[2]!);
    assert.equal(log.logStartOffset, bases[2]);
    await log.close();
  });

  it("keeps everything under cleanup.policy=compact and with infinite retention", async () => {
    const clock = new FakeClock(10 * HOUR);
    const compact = await Log.open(
      newDir(),
      testConfig({ retentionMs: 1, cleanupPolicy: ["compact"], segmentBytes: 300 }),
      testDeps(clock),
    );
    const infinite = await Log.open(
      newDir(),
      testConfig({ retentionMs: -1, segmentBytes: 300 }),
      testDeps(clock),
    );
    for (const log of [compact, infinite]) {
      for (let i = 0; i < 10; i++) log.append(buildBatch({ records: 1, baseTimestamp: 0 }), leader);
      assert.equal(await log.deleteOldSegments(clock.now() + HOUR), 0);
      assert.equal(log.logStartOffset, 0);
      await log.close();
    }
  });

  it("keeps deleted segments' files as .deleted until file.delete.delay.ms passes", async () => {
    const timers: (() => void)[] = [];
    const manual: DelayScheduler = {
      setTimeout(run) {
        timers.push(run);
        return timers.length;
      },
      clearTimeout() {},
    };
    const dir = newDir();
    const log = await Log.open(dir, testConfig({ segmentBytes: 300, fileDeleteDelayMs: 60_000 }), {
      ...testDeps(),
      scheduler: manual,
    });
    for (let i = 0; i < 10; i++) log.append(buildBatch({ records: 1 }), leader);
    const before = logFiles(dir).length;
    await log.deleteRecordsBefore(5);
    const deleted = readdirSync(dir).filter((n) => n.endsWith(".deleted"));
    assert.ok(deleted.length > 0 && deleted.length % 3 === 0);
    assert.equal(logFiles(dir).length, before - deleted.length / 3);
    for (const run of timers.splice(0)) run();
    await waitFor(() => !readdirSync(dir).some((n) => n.endsWith(".deleted")));
    await log.close();
  });
});

describe("Log DeleteRecords and truncation", () => {
  it("persists the log start offset of DeleteRecords across reopen", async () => {
    const dir = newDir();
    const config = testConfig({ segmentBytes: 400 });
    const log = await Log.open(dir, config, testDeps());
    for (let i = 0; i < 20; i++) log.append(buildBatch({ records: 2 }), leader);
    assert.equal(await log.deleteRecordsBefore(17), 17);
    assert.equal(log.logStartOffset, 17);
    assert.ok(log.segmentBaseOffsets()[0]! <= 17);
    assert.ok((log.segmentBaseOffsets()[1] ?? Number.POSITIVE_INFINITY) > 17);
    // Going backwards changes nothing; past the end is out of range.
    assert.equal(await log.deleteRecordsBefore(3), 17);
    await assert.rejects(log.deleteRecordsBefore(41), OffsetOutOfRangeError);
    assert.equal(readFileSync(join(dir, "log-start-offset"), "utf8"), "0\n17\n");
    await log.close();
    const reopened = await Log.open(dir, config, testDeps());
    assert.equal(reopened.logStartOffset, 17);
    assert.throws(() => reopened.read(16, 100), OffsetOutOfRangeError);
    assert.equal(parseBatches(reopened.read(17, 100).records)[0]!.baseOffset, 16);
    await reopened.close();
  });

  it("truncates to an offset across segments, durably", async () => {
    const dir = newDir();
    const config = testConfig({ segmentBytes: 400 });
    const log = await Log.open(dir, config, testDeps());
    for (let i = 0; i < 30; i++) log.append(buildBatch({ records: 2 }), leader);
    const segmentsBefore = log.segments;
    assert.equal(await log.truncateTo(60), false);
    assert.equal(await log.truncateTo(20), true);
    assert.equal(log.logEndOffset, 20);
    assert.ok(log.segments < segmentsBefore);
    assert.equal(log.flushedOffset, 20);
    assert.equal(parseBatches(log.read(0, 1 << 20).records).at(-1)!.lastOffset, 19);
    assert.equal(log.append(buildBatch({ records: 3 }), leader).firstOffset, 20);
    await log.close();
    const reopened = await Log.open(dir, config, testDeps());
    assert.equal(reopened.logEndOffset, 23);
    assert.deepEqual(
      parseBatches(reopened.read(0, 1 << 20).records).map((b) => b.baseOffset),
      [...Array.from({ length: 10 }, (_, i) => i * 2), 20],
    );
    await reopened.close();
  });

  it("truncates fully below the log start offset", async () => {
    const dir = newDir();
    const log = await Log.open(dir, testConfig({ segmentBytes: 400 }), testDeps());
    for (let i = 0; i < 10; i++) log.append(buildBatch({ records: 2 }), leader);
    await log.deleteRecordsBefore(10);
    await log.truncateTo(4);
    assert.deepEqual([log.logStartOffset, log.logEndOffset, log.segments, log.size], [4, 4, 1, 0]);
    await log.truncateFullyAndStartAt(100);
    assert.deepEqual([log.logStartOffset, log.logEndOffset], [100, 100]);
    assert.equal(log.append(buildBatch(), leader).firstOffset, 100);
    await log.close();
    await settle();
    const reopened = await Log.open(dir, testConfig({ segmentBytes: 400 }), testDeps());
    assert.deepEqual([reopened.logStartOffset, reopened.logEndOffset], [100, 101]);
    assert.deepEqual(logFiles(dir), ["00000000000000000100.log"]);
    await reopened.close();
  });
});
