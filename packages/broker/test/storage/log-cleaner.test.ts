import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { describe, it } from "node:test";
import { Attributes, buildRecordBatch, CompressionType } from "@weir/protocol";
import { Log } from "../../src/storage/log.js";
import { CLEANER_OFFSET_CHECKPOINT_FILE } from "../../src/storage/log-cleaner-checkpoint.js";
import { DEFAULT_CLEANER_CONFIG } from "../../src/storage/log-cleaner-config.js";
import { LogManager } from "../../src/storage/log-manager.js";
import {
  appendUpdates,
  assertExactlyLatest,
  cleanerOver,
  cleanUntilDone,
  compactedConfig,
  type KeyedRecord,
  readLog,
} from "./cleaner-test-kit.js";
import { FakeClock, LEADER_APPEND, partitionDirs, testDeps } from "./storage-test-kit.js";

const newDir = partitionDirs("compacted-0", "weir-cleaner-");
const MINUTE = 60_000;

async function openCompacted(clock: FakeClock, overrides: Parameters<typeof compactedConfig>[0] = {}) {
  const dir = newDir();
  const log = await Log.open(dir, compactedConfig(overrides), testDeps(clock));
  const entry = { topic: "compacted", partition: 0, logDir: dirname(dir), log };
  return { dir, log, entry, cleaner: cleanerOver(() => [entry], clock) };
}

/** Rolls and flushes, so everything written so far is cleanable. */
async function sealed(log: Log): Promise<void> {
  log.roll();
  await log.flush();
}

describe("LogCleaner", () => {
  it("keeps exactly the latest value of each key at its original offset (100,000 updates, 1,000 keys)", async (t) => {
    const clock = new FakeClock();
    const { log, cleaner, entry } = await openCompacted(clock);
    const latest = appendUpdates(log, { keys: 1000, updates: 100_000, perBatch: 20 });
    await sealed(log);
    const before = log.size;
    const segmentsBefore = log.segments;
    const cleanings = await cleanUntilDone(cleaner);
    assert.ok(cleanings.length >= 1);
    const content = readLog(log);
    assertExactlyLatest(content, latest);
    assert.ok(log.size < before / 20, `${log.size} bytes left of ${before}`);
    assert.equal(log.logEndOffset, 100_000, "the log end offset stays");
    assert.equal(cleaner.checkpointOf(entry), log.segmentBaseOffsets().at(-1));
    // The next cleaning groups the small cleaned segments into one.
    const more = appendUpdates(log, { keys: 1000, updates: 1000, perBatch: 20 });
    await sealed(log);
    await cleanUntilDone(cleaner);
    assertExactlyLatest(readLog(log), more);
    assert.ok(log.segments <= 3, `${log.segments} segments after merging ${segmentsBefore}`);
    const mb = cleanings.reduce((n, c) => n + c.stats.bytesRead, 0) / 1e6;
    const seconds = cleanings.reduce((n, c) => n + c.elapsedMs, 0) / 1000;
    t.diagnostic(
      `cleaned ${(before / 1e6).toFixed(1)} MB in ${segmentsBefore} segments to ${(log.size / 1e3).toFixed(1)} kB; ` +
        `read ${mb.toFixed(1)} MB in ${seconds.toFixed(2)} s: ${(mb / seconds).toFixed(1)} MB/s`,
    );
    await log.close();
  });

  it("rewrites batches with their offsets, producer metadata, codec and valid CRCs", async () => {
    const clock = new FakeClock();
    const { log, cleaner } = await openCompacted(clock);
    for (const compression of [CompressionType.Gzip, CompressionType.Lz4, CompressionType.Zstd]) {
      appendUpdates(log, {
        keys: 50,
        updates: 300,
        perBatch: 30,
        compression,
        producer: { id: 7 + compression, epoch: 3, sequence: 0 },
      });
    }
    const latest = appendUpdates(log, { keys: 50, updates: 50, perBatch: 50 });
    await sealed(log);
    const before = readLog(log).batches;
    await cleanUntilDone(cleaner);
    const content = readLog(log);
    assertExactlyLatest(content, latest);
    const byBase = new Map(before.map((b) => [b.baseOffset, b]));
    for (const batch of content.batches) {
      const original = byBase.get(batch.baseOffset);
      assert.ok(original, `batch ${batch.baseOffset} starts where an original did`);
      assert.equal(batch.lastOffsetDelta, original.lastOffsetDelta);
      assert.equal(batch.producerId, original.producerId);
      assert.equal(batch.producerEpoch, original.producerEpoch);
      assert.equal(batch.baseSequence, original.baseSequence);
      assert.equal(batch.partitionLeaderEpoch, original.partitionLeaderEpoch);
      if (batch.recordsCount > 0) {
        assert.equal(
          batch.attributes & Attributes.compressionMask,
          original.attributes & Attributes.compressionMask,
        );
      }
    }
    // Every producer's last batch stays (emptied), so its sequence and epoch survive.
    for (const compression of [CompressionType.Gzip, CompressionType.Lz4, CompressionType.Zstd]) {
      const producerId = 7 + compression;
      const last = before.filter((b) => b.producerId === producerId).at(-1)!;
      const kept = content.batches.find((b) => b.baseOffset === last.baseOffset);
      assert.ok(kept, `the last batch of producer ${producerId} is kept`);
      assert.equal(kept.recordsCount, 0);
      assert.equal(kept.baseSequence, last.baseSequence);
      assert.equal(kept.maxTimestamp, last.maxTimestamp);
    }
    await log.close();
  });

  it("removes tombstoned keys once delete.retention.ms has passed", async () => {
    const clock = new FakeClock();
    const { log, cleaner } = await openCompacted(clock, { deleteRetentionMs: 10 * MINUTE });
    appendUpdates(log, { keys: 100, updates: 1000 });
    clock.advance(MINUTE);
    // Tombstones for the even keys.
    const afterDelete = appendUpdates(log, {
      keys: 100,
      updates: 50,
      keyOf: (i) => i * 2,
      value: () => null,
      clock,
    });
    await sealed(log);
    await cleanUntilDone(cleaner);
    let content = readLog(log);
    const tombstones = content.records.filter((r) => r.value === null);
    assert.equal(tombstones.length, 50, "tombstones younger than delete.retention.ms stay");
    assert.equal(content.records.length, 100);
    assert.deepEqual(
      tombstones.map((r) => [r.offset, r.key]),
      [...afterDelete.values()].map((r) => [r.offset, r.key]),
    );

    clock.advance(10 * MINUTE);
    const latest = appendUpdates(log, { keys: 100, updates: 10, keyOf: (i) => 2 * i + 1, clock });
    await sealed(log);
    await cleanUntilDone(cleaner);
    content = readLog(log);
    assert.equal(content.records.filter((r) => r.value === null).length, 0, "expired tombstones are gone");
    assert.deepEqual(
      content.records.map((r) => r.key).sort(),
      Array.from({ length: 50 }, (_, i) => `key-${2 * i + 1}`).sort(),
    );
    for (const r of latest.values()) assert.ok(content.records.some((c) => c.offset === r.offset));
    await log.close();
  });

  it("leaves records younger than min.compaction.lag.ms alone", async () => {
    const clock = new FakeClock();
    const { log, cleaner } = await openCompacted(clock, { minCompactionLagMs: 30 * MINUTE });
    const old = appendUpdates(log, { keys: 10, updates: 200, clock });
    await sealed(log);
    clock.advance(20 * MINUTE);
    appendUpdates(log, { keys: 10, updates: 200, clock, value: (k, i) => `young-${k}-${i}` });
    await sealed(log);
    clock.advance(15 * MINUTE);
    // The first run is 35 minutes old, the second 15: only the first is compacted.
    await cleanUntilDone(cleaner);
    let content = readLog(log);
    assert.equal(content.records.filter((r) => r.value?.startsWith("young-")).length, 200);
    assert.deepEqual(
      content.records.filter((r) => r.value?.startsWith("value-")).map((r) => r.offset),
      [...old.values()].map((r) => r.offset).sort((a, b) => a - b),
    );
    clock.advance(20 * MINUTE);
    await cleanUntilDone(cleaner);
    content = readLog(log);
    assert.equal(content.records.length, 10);
    assert.ok(content.records.every((r) => r.value?.startsWith("young-")));
    await log.close();
  });

  it("waits for min.cleanable.dirty.ratio unless max.compaction.lag.ms has passed", async () => {
    const clock = new FakeClock();
    const { log, cleaner } = await openCompacted(clock, {
      minCleanableDirtyRatio: 0.99,
      maxCompactionLagMs: 60 * MINUTE,
    });
    appendUpdates(log, { keys: 10, updates: 100, clock });
    await sealed(log);
    await cleanUntilDone(cleaner);
    // Cleaned once (never cleaned: the whole log is dirty); now a little new dirt is below the ratio.
    appendUpdates(log, { keys: 10, updates: 20, clock });
    await sealed(log);
    assert.equal(await cleaner.cleanFilthiestLog(), undefined);
    clock.advance(61 * MINUTE);
    const cleaning = await cleaner.cleanFilthiestLog();
    assert.ok(cleaning, "max.compaction.lag.ms forces a cleaning");
    assert.equal(readLog(log).records.length, 10);
    await log.close();
  });

  it("rolls the active segment of a compacted log by max.compaction.lag.ms", async () => {
    const clock = new FakeClock();
    const { log } = await openCompacted(clock, { maxCompactionLagMs: 5 * MINUTE });
    appendUpdates(log, { keys: 5, updates: 5, clock });
    clock.advance(6 * MINUTE);
    appendUpdates(log, { keys: 5, updates: 5, clock });
    assert.equal(log.segments, 2);
    await log.close();
  });

  it("cleans in several passes when the offset map is small, ending with one record per key", async () => {
    const clock = new FakeClock();
    const { log, entry } = await openCompacted(clock);
    const cleaner = cleanerOver(() => [entry], clock, { dedupeBufferSize: 24 * 1024 });
    const latest = appendUpdates(log, { keys: 3000, updates: 12_000, perBatch: 20 });
    await sealed(log);
    const cleanings = await cleanUntilDone(cleaner);
    assert.ok(cleanings.length > 1, `${cleanings.length} passes`);
    for (const c of cleanings) assert.ok(c.stats.mapBytes <= 24 * 1024, "the map stays in its memory bound");
    assertExactlyLatest(readLog(log), latest);
    await log.close();
  });

  it("drops records without a key", async () => {
    const clock = new FakeClock();
    const { log, cleaner } = await openCompacted(clock);
    const latest = appendUpdates(log, { keys: 5, updates: 20 });
    log.append(
      buildRecordBatch([{ key: null, value: Buffer.from("keyless"), timestamp: clock.now() }]),
      LEADER_APPEND,
    );
    const after = appendUpdates(log, { keys: 5, updates: 5 });
    await sealed(log);
    await cleanUntilDone(cleaner);
    const content = readLog(log);
    assert.ok(content.records.every((r) => r.key !== null));
    assertExactlyLatest(content, new Map([...latest, ...after]));
    await log.close();
  });

  it("writes the first dirty offset to cleaner-offset-checkpoint and starts from it after a restart", async () => {
    const clock = new FakeClock();
    const { dir, log, cleaner, entry } = await openCompacted(clock);
    const latest = appendUpdates(log, { keys: 20, updates: 400 });
    await sealed(log);
    await cleanUntilDone(cleaner);
    const firstDirty = log.segmentBaseOffsets().at(-1)!;
    const text = readFileSync(join(entry.logDir, CLEANER_OFFSET_CHECKPOINT_FILE), "utf8");
    assert.equal(text, `0\n1\ncompacted 0 ${firstDirty}\n`);
    await log.close();

    const reopened = await Log.open(dir, compactedConfig(), testDeps(clock));
    const again = { ...entry, log: reopened };
    const restarted = cleanerOver(() => [again], clock);
    assert.equal(restarted.checkpointOf(again), firstDirty);
    assert.equal(await restarted.cleanFilthiestLog(), undefined, "nothing dirty after a restart");
    assertExactlyLatest(readLog(reopened), latest);
    const more = appendUpdates(reopened, { keys: 20, updates: 40 });
    await sealed(reopened);
    const cleaning = await restarted.cleanFilthiestLog();
    assert.equal(cleaning?.firstDirtyOffset, firstDirty);
    assertExactlyLatest(readLog(reopened), new Map([...latest, ...more]));
    await reopened.close();
  });

  it("serves consistent reads and takes appends while it cleans", async () => {
    const clock = new FakeClock();
    const { log, cleaner } = await openCompacted(clock);
    const latest = appendUpdates(log, { keys: 200, updates: 25_000, perBatch: 10 });
    await sealed(log);
    let done = false;
    const cleaning = cleaner.cleanFilthiestLog().finally(() => {
      done = true;
    });
    let reads = 0;
    let appended = 0;
    while (!done) {
      const content = readLog(log, 64 * 1024);
      const seen = new Map<string, KeyedRecord>();
      for (const r of content.records) seen.set(r.key!, r);
      for (const [key, record] of latest) {
        assert.equal(seen.get(key)?.value, record.value, `the latest value of ${key} is readable`);
      }
      reads++;
      for (const [key, record] of appendUpdates(log, {
        keys: 200,
        updates: 10,
        keyOf: (i) => appended + i,
      })) {
        latest.set(key, record);
      }
      appended += 10;
      await new Promise((resolve) => setImmediate(resolve));
    }
    const result = await cleaning;
    assert.ok(result !== undefined && result.stats.segmentsSwapped > 0);
    assert.ok(reads >= 3, `${reads} full reads while cleaning`);
    await sealed(log);
    await cleanUntilDone(cleaner);
    assertExactlyLatest(readLog(log), latest);
    await log.close();
  });

  it("abandons a cleaning when retention or truncation changes the segments under it", async () => {
    const clock = new FakeClock();
    const { log, cleaner, dir } = await openCompacted(clock, { cleanupPolicy: ["compact", "delete"] });
    appendUpdates(log, { keys: 100, updates: 20_000, perBatch: 10 });
    await sealed(log);
    const cleaning = cleaner.cleanFilthiestLog();
    await new Promise((resolve) => setImmediate(resolve));
    await log.deleteRecordsBefore(log.segmentBaseOffsets()[2]!);
    assert.equal(await cleaning, undefined, "the cleaning was abandoned");
    assert.deepEqual(
      readdirSync(dir).filter((n) => n.endsWith(".cleaned") || n.endsWith(".swap")),
      [],
      "nothing of it is left",
    );
    const after = await cleanUntilDone(cleaner);
    assert.ok(after.length > 0, "the next pass cleans");
    await log.close();
  });

  it("runs in the LogManager: started with the background tasks, woken by its backoff timer", async () => {
    const clock = new FakeClock();
    const root = newDir();
    const ticks: (() => void)[] = [];
    const manager = await LogManager.open(
      {
        logDirs: [root],
        defaultLogConfig: compactedConfig(),
        retentionCheckIntervalMs: 300_000,
        flushSchedulerIntervalMs: 1000,
        flushOffsetCheckpointIntervalMs: 60_000,
        cleaner: { ...DEFAULT_CLEANER_CONFIG, backoffMs: 50 },
      },
      {
        ...testDeps(clock),
        intervals: {
          setInterval: (run, ms) => (ms === 50 ? ticks.push(run) : undefined),
          clearInterval: () => {},
        },
      },
    );
    const log = await manager.getOrCreateLog("compacted", 0);
    const latest = appendUpdates(log, { keys: 50, updates: 5000 });
    await sealed(log);
    manager.startBackgroundTasks();
    assert.equal(ticks.length, 1, "one backoff timer");
    const [entry] = manager.allLogs();
    for (let i = 0; i < 200 && manager.cleaner.checkpointOf(entry!) === undefined; i++) {
      ticks[0]!();
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    assert.equal(manager.cleaner.checkpointOf(entry!), 5000);
    assertExactlyLatest(readLog(log), latest);

    // Deleting a log stops its cleaning and drops its checkpoint entry.
    appendUpdates(log, { keys: 50, updates: 20_000 });
    await sealed(log);
    ticks[0]!();
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(await manager.deleteLog("compacted", 0), true);
    await manager.close();
    assert.equal(readFileSync(join(root, CLEANER_OFFSET_CHECKPOINT_FILE), "utf8"), "0\n0\n");
  });
});
