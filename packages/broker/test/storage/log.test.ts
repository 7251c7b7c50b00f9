import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { describe, it } from "node:test";
import { Attributes } from "@weir/protocol";
import { EARLIEST_TIMESTAMP, LATEST_TIMESTAMP, Log, MAX_TIMESTAMP } from "../../src/storage/log.js";
import { OffsetOutOfRangeError, StorageError } from "../../src/storage/storage-error.js";
import { buildBatch, parseBatches } from "./record-batch-fixture.js";
import { FakeClock, LEADER_APPEND, partitionDirs, testConfig, testDeps } from "./storage-test-kit.js";

const newDir = partitionDirs("topic-a-0");

const leader = LEADER_APPEND;

describe("Log append and read", () => {
  it("assigns offsets, rewrites base offsets and epochs in place, and reads batches back", async () => {
    const log = await Log.open(newDir(), testConfig(), testDeps());
    assert.equal(log.logEndOffset, 0);
    const b1 = buildBatch({ records: 3, baseOffset: 999 });
    const info1 = log.append(b1, { assignOffsets: true, leaderEpoch: 7 });
    assert.deepEqual([info1.firstOffset, info1.lastOffset, info1.recordCount], [0, 2, 3]);
    assert.equal(info1.logAppendTime, -1);
    assert.equal(info1.validBytes, b1.length);
    const info2 = log.append(buildBatch({ records: 2 }), { assignOffsets: true, leaderEpoch: 7 });
    assert.deepEqual([info2.firstOffset, info2.lastOffset], [3, 4]);
    assert.equal(log.logEndOffset, 5);

    const read = log.read(0, 1 << 20);
    const batches = parseBatches(read.records);
    assert.deepEqual(
      batches.map((b) => [b.baseOffset, b.lastOffset, b.partitionLeaderEpoch, b.crcValid]),
      [
        [0, 2, 7, true],
        [3, 4, 7, true],
      ],
    );
    // The first batch may start before the requested offset.
    assert.equal(parseBatches(log.read(4, 1 << 20).records)[0]!.baseOffset, 3);
    assert.equal(parseBatches(log.read(1, 1 << 20).records)[0]!.baseOffset, 0);
    // At the log end offset: nothing, and no error.
    assert.equal(log.read(5, 1 << 20).records.length, 0);
    await log.close();
  });

  it("appends several batches with one call", async () => {
    const log = await Log.open(newDir(), testConfig(), testDeps());
    const records = Buffer.concat([
      buildBatch({ records: 2 }),
      buildBatch({ records: 5 }),
      buildBatch({ records: 1 }),
    ]);
    const info = log.append(records, leader);
    assert.deepEqual([info.firstOffset, info.lastOffset, info.recordCount], [0, 7, 8]);
    const batches = parseBatches(log.read(0, 1 << 20).records);
    assert.deepEqual(
      batches.map((b) => b.baseOffset),
      [0, 2, 7],
    );
    await log.close();
  });

  it("round-trips many batches across many segments", async () => {
    const dir = newDir();
    const log = await Log.open(dir, testConfig({ segmentBytes: 4096, indexIntervalBytes: 256 }), testDeps());
    const expected: number[] = [];
    for (let i = 0; i < 300; i++) {
      const info = log.append(buildBatch({ records: 1 + (i % 4), valueSize: 20 + (i % 50) }), leader);
      expected.push(info.firstOffset);
    }
    assert.ok(log.segments > 10, `expected many segments, got ${log.segments}`);
    assert.equal(readdirSync(dir).filter((n) => n.endsWith(".log")).length, log.segments);
    // Read everything back, in chunks, following the offsets as a consumer does.
    const seen: number[] = [];
    let offset = 0;
    while (offset < log.logEndOffset) {
      const { records } = log.read(offset, 1000);
      const batches = parseBatches(records);
      assert.ok(batches.length > 0);
      for (const b of batches) {
        assert.ok(b.crcValid);
        if (b.lastOffset >= offset) seen.push(b.baseOffset);
      }
      offset = batches.at(-1)!.lastOffset + 1;
    }
    assert.deepEqual(seen, expected);
    // Every offset maps to the batch holding it.
    for (let i = 0; i < expected.length; i++) {
      const first = expected[i]!;
      const last = (expected[i + 1] ?? log.logEndOffset) - 1;
      for (const o of [first, last]) {
        const b = parseBatches(log.read(o, 1).records)[0]!;
        assert.equal(b.baseOffset, first, `offset ${o}`);
      }
    }
    await log.close();
    // And again after a reopen.
    const reopened = await Log.open(
      dir,
      testConfig({ segmentBytes: 4096, indexIntervalBytes: 256 }),
      testDeps(),
    );
    assert.equal(reopened.logEndOffset, expected.length === 0 ? 0 : log.logEndOffset);
    assert.equal(parseBatches(reopened.read(expected[150]!, 1).records)[0]!.baseOffset, expected[150]);
    await reopened.close();
  });

  it("honours maxBytes, minOneBatch and maxOffset", async () => {
    const log = await Log.open(newDir(), testConfig({ segmentBytes: 2000 }), testDeps());
    const sizes: number[] = [];
    for (let i = 0; i < 20; i++) {
      const b = buildBatch({ records: 2, valueSize: 100 });
      sizes.push(b.length);
      log.append(b, leader);
    }
    const size = sizes[0]!;
    // maxBytes below one batch: one batch with minOneBatch, nothing without.
    assert.equal(parseBatches(log.read(0, 10, undefined, true).records).length, 1);
    assert.equal(log.read(0, 10, undefined, false).records.length, 0);
    assert.equal(log.read(0, 0, undefined, false).records.length, 0);
    // maxBytes a little over 3 batches: exactly 3 whole batches.
    assert.equal(parseBatches(log.read(0, size * 3 + 5).records).length, 3);
    // Crossing segment boundaries within one read.
    const many = parseBatches(log.read(0, size * 15).records);
    assert.equal(many.length, 15);
    assert.deepEqual(
      many.map((b) => b.baseOffset),
      Array.from({ length: 15 }, (_, i) => i * 2),
    );
    assert.ok(log.segments > 1);
    // maxOffset (high watermark) is exclusive and cuts at batch boundaries.
    const upTo10 = parseBatches(log.read(0, 1 << 20, 10).records);
    assert.equal(upTo10.at(-1)!.lastOffset, 9);
    // A batch straddling maxOffset is not returned.
    assert.equal(parseBatches(log.read(0, 1 << 20, 11).records).at(-1)!.lastOffset, 9);
    assert.equal(log.read(10, 1 << 20, 10).records.length, 0);
    assert.equal(log.read(10, 1 << 20, 11).records.length, 0);
    // maxOffset in a later segment.
    assert.equal(parseBatches(log.read(0, 1 << 20, 30).records).at(-1)!.lastOffset, 29);
    await log.close();
  });

  it("throws OffsetOutOfRange outside [logStartOffset, logEndOffset]", async () => {
    const log = await Log.open(newDir(), testConfig(), testDeps());
    log.append(buildBatch({ records: 5 }), leader);
    assert.throws(() => log.read(6, 100), OffsetOutOfRangeError);
    assert.throws(
      () => log.read(-1, 100),
      (err: unknown) => {
        assert.ok(err instanceof StorageError);
        assert.equal(err.code, "OFFSET_OUT_OF_RANGE");
        return true;
      },
    );
    await log.deleteRecordsBefore(3);
    assert.throws(() => log.read(2, 100), OffsetOutOfRangeError);
    assert.equal(parseBatches(log.read(3, 100).records)[0]!.baseOffset, 0);
    await log.close();
  });

  it("stamps LogAppendTime into batches with a valid CRC", async () => {
    const clock = new FakeClock(5_000_000);
    const log = await Log.open(
      newDir(),
      testConfig({ messageTimestampType: "LogAppendTime" }),
      testDeps(clock),
    );
    const info = log.append(buildBatch({ records: 3, baseTimestamp: 1000 }), leader);
    assert.equal(info.logAppendTime, 5_000_000);
    assert.equal(info.maxTimestamp, 5_000_000);
    const info2 = log.append(buildBatch({ records: 1 }), { ...leader, logAppendTime: 6_000_000 });
    assert.equal(info2.logAppendTime, 6_000_000);
    const batches = parseBatches(log.read(0, 1 << 20).records);
    assert.equal(batches[0]!.maxTimestamp, 5_000_000);
    assert.ok((batches[0]!.attributes & Attributes.timestampTypeLogAppendTime) !== 0);
    assert.ok(batches.every((b) => b.crcValid));
    await log.close();
  });

  it("keeps offsets of replicated appends and rejects offsets going back", async () => {
    const log = await Log.open(newDir(), testConfig(), testDeps());
    const info = log.append(buildBatch({ records: 3, baseOffset: 0, partitionLeaderEpoch: 2 }), {
      assignOffsets: false,
      leaderEpoch: -1,
    });
    assert.deepEqual([info.firstOffset, info.lastOffset], [0, 2]);
    log.append(buildBatch({ records: 2, baseOffset: 3, partitionLeaderEpoch: 4 }), {
      assignOffsets: false,
      leaderEpoch: -1,
    });
    assert.deepEqual(log.leaderEpochEntries(), [
      { epoch: 2, startOffset: 0 },
      { epoch: 4, startOffset: 3 },
    ]);
    assert.throws(
      () => log.append(buildBatch({ records: 1, baseOffset: 4 }), { assignOffsets: false, leaderEpoch: -1 }),
      (err: unknown) => err instanceof StorageError && err.code === "UNEXPECTED_APPEND_OFFSET",
    );
    assert.equal(log.logEndOffset, 5);
    await log.close();
  });

  it("rejects batches over max.message.bytes and appends over segment.bytes", async () => {
    const log = await Log.open(
      newDir(),
      testConfig({ maxMessageBytes: 200, segmentBytes: 1000 }),
      testDeps(),
    );
    assert.throws(
      () => log.append(buildBatch({ records: 1, valueSize: 300 }), leader),
      (err: unknown) => err instanceof StorageError && err.code === "RECORD_TOO_LARGE",
    );
    const big = Buffer.concat(Array.from({ length: 10 }, () => buildBatch({ records: 1, valueSize: 50 })));
    assert.throws(
      () => log.append(big, leader),
      (err: unknown) => err instanceof StorageError && err.code === "RECORD_BATCH_TOO_LARGE",
    );
    assert.throws(
      () => log.append(buildBatch().subarray(0, 40), leader),
      (err: unknown) => err instanceof StorageError && err.code === "CORRUPT",
    );
    assert.equal(log.logEndOffset, 0);
    await log.close();
  });
});

describe("Log roll", () => {
  it("rolls by size", async () => {
    const log = await Log.open(newDir(), testConfig({ segmentBytes: 1000 }), testDeps());
    const batch = buildBatch({ records: 1, valueSize: 200 });
    const perSegment = Math.floor(1000 / batch.length);
    for (let i = 0; i < perSegment; i++) log.append(buildBatch({ records: 1, valueSize: 200 }), leader);
    assert.equal(log.segments, 1);
    log.append(buildBatch({ records: 1, valueSize: 200 }), leader);
    assert.equal(log.segments, 2);
    assert.deepEqual(log.segmentBaseOffsets(), [0, perSegment]);
    await log.close();
  });

  it("rolls by time from the first batch's timestamp, or from creation without timestamps", async () => {
    const clock = new FakeClock(1_000_000);
    const log = await Log.open(newDir(), testConfig({ segmentMs: 60_000 }), testDeps(clock));
    log.append(buildBatch({ baseTimestamp: clock.now() }), leader);
    clock.advance(59_000);
    log.append(buildBatch({ baseTimestamp: clock.now() }), leader);
    assert.equal(log.segments, 1);
    clock.advance(2_000);
    log.append(buildBatch({ baseTimestamp: clock.now() }), leader);
    assert.equal(log.segments, 2);
    assert.deepEqual(log.segmentBaseOffsets(), [0, 2]);

    // Batches without timestamps (-1): the segment's creation time counts.
    log.roll();
    const created = clock.now();
    log.append(buildBatch({ baseTimestamp: -1, maxTimestamp: -1 }), leader);
    clock.time = created + 60_001;
    log.append(buildBatch({ baseTimestamp: -1, maxTimestamp: -1 }), leader);
    assert.equal(log.segments, 4);
    await log.close();
  });

  it("does not roll an empty segment", async () => {
    const clock = new FakeClock();
    const log = await Log.open(newDir(), testConfig({ segmentMs: 1 }), testDeps(clock));
    clock.advance(1000);
    log.append(buildBatch({ baseTimestamp: clock.now() }), leader);
    assert.equal(log.segments, 1);
    log.roll();
    log.roll();
    assert.equal(log.segments, 2);
    await log.close();
  });
});

describe("Log ListOffsets", () => {
  it("finds offsets by timestamp, record-exact in uncompressed batches", async () => {
    const log = await Log.open(
      newDir(),
      testConfig({ segmentBytes: 1500, indexIntervalBytes: 100 }),
      testDeps(),
    );
    const t0 = 1_000_000;
    // 40 batches of 3 records at t0 + 100*i + {0, 10, 20}.
    for (let i = 0; i < 40; i++) {
      log.append(
        buildBatch({
          baseTimestamp: t0 + 100 * i,
          records: [0, 10, 20].map((d) => ({ value: "x".repeat(30), timestampDelta: d })),
        }),
        { assignOffsets: true, leaderEpoch: i < 20 ? 1 : 2 },
      );
    }
    assert.ok(log.segments > 2);
    assert.deepEqual(log.offsetForTimestamp(t0), { offset: 0, timestamp: t0, leaderEpoch: 1 });
    assert.deepEqual(log.offsetForTimestamp(t0 + 5), { offset: 1, timestamp: t0 + 10, leaderEpoch: 1 });
    assert.deepEqual(log.offsetForTimestamp(t0 + 100 * 25 + 15), {
      offset: 77,
      timestamp: t0 + 2520,
      leaderEpoch: 2,
    });
    assert.deepEqual(log.offsetForTimestamp(t0 + 100 * 39 + 20), {
      offset: 119,
      timestamp: t0 + 3920,
      leaderEpoch: 2,
    });
    assert.equal(log.offsetForTimestamp(t0 + 100 * 39 + 21), undefined);
    assert.deepEqual(log.offsetForTimestamp(0), { offset: 0, timestamp: t0, leaderEpoch: 1 });
    assert.deepEqual(log.offsetForTimestamp(LATEST_TIMESTAMP), {
      offset: 120,
      timestamp: -1,
      leaderEpoch: 2,
    });
    assert.deepEqual(log.offsetForTimestamp(EARLIEST_TIMESTAMP), {
      offset: 0,
      timestamp: -1,
      leaderEpoch: 1,
    });
    assert.deepEqual(log.offsetForTimestamp(MAX_TIMESTAMP), {
      offset: 119,
      timestamp: t0 + 3920,
      leaderEpoch: 2,
    });
    // Every timestamp maps to the first record at or after it.
    const all: [number, number][] = [];
    for (let i = 0; i < 40; i++) for (let j = 0; j < 3; j++) all.push([i * 3 + j, t0 + 100 * i + 10 * j]);
    for (let ts = t0 - 3; ts <= t0 + 3920; ts += 7) {
      const [offset, timestamp] = all.find(([, t]) => t >= ts)!;
      const found = log.offsetForTimestamp(ts)!;
      assert.deepEqual([found.offset, found.timestamp], [offset, timestamp], `ts ${ts}`);
    }
    // After DeleteRecords, never below the log start offset.
    await log.deleteRecordsBefore(50);
    assert.equal(log.offsetForTimestamp(t0)!.offset, 50);
    assert.equal(log.offsetForTimestamp(EARLIEST_TIMESTAMP)!.offset, 50);
    await log.close();
  });

  it("answers MAX_TIMESTAMP with the record holding it and undefined for an empty log", async () => {
    const log = await Log.open(newDir(), testConfig(), testDeps());
    assert.equal(log.offsetForTimestamp(MAX_TIMESTAMP), undefined);
    log.append(
      buildBatch({
        baseTimestamp: 100,
        records: [{ timestampDelta: 0 }, { timestampDelta: 50 }, { timestampDelta: 5 }],
      }),
      leader,
    );
    log.append(buildBatch({ baseTimestamp: 120 }), leader);
    assert.deepEqual(log.offsetForTimestamp(MAX_TIMESTAMP), { offset: 1, timestamp: 150, leaderEpoch: 0 });
    await log.close();
  });
});

describe("Log leader epochs", () => {
  it("answers endOffsetForEpoch from the epochs of appends, across reopen", async () => {
    const dir = newDir();
    const log = await Log.open(dir, testConfig(), testDeps());
    log.append(buildBatch({ records: 3 }), { assignOffsets: true, leaderEpoch: 1 });
    log.append(buildBatch({ records: 3 }), { assignOffsets: true, leaderEpoch: 1 });
    log.append(buildBatch({ records: 2 }), { assignOffsets: true, leaderEpoch: 3 });
    log.append(buildBatch({ records: 2 }), { assignOffsets: true, leaderEpoch: 5 });
    assert.deepEqual(log.endOffsetForEpoch(5), { epoch: 5, endOffset: 10 });
    assert.deepEqual(log.endOffsetForEpoch(3), { epoch: 3, endOffset: 8 });
    assert.deepEqual(log.endOffsetForEpoch(2), { epoch: 1, endOffset: 6 });
    assert.deepEqual(log.endOffsetForEpoch(0), { epoch: 0, endOffset: 0 });
    assert.deepEqual(log.endOffsetForEpoch(9), { epoch: -1, endOffset: -1 });
    await log.close();
    const reopened = await Log.open(dir, testConfig(), testDeps());
    assert.deepEqual(reopened.endOffsetForEpoch(3), { epoch: 3, endOffset: 8 });
    assert.equal(reopened.latestEpoch, 5);
    await reopened.truncateTo(8);
    assert.equal(reopened.logEndOffset, 8);
    assert.deepEqual(reopened.endOffsetForEpoch(3), { epoch: 3, endOffset: 8 });
    assert.equal(reopened.latestEpoch, 3);
    // Truncating inside a batch removes the whole batch.
    await reopened.truncateTo(7);
    assert.equal(reopened.logEndOffset, 6);
    assert.equal(reopened.latestEpoch, 1);
    await reopened.close();
  });
});
