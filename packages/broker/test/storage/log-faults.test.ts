import assert from "node:assert/strict";
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { buildRecordBatch, ErrorCode, ZERO_UUID } from "@weir/protocol";
import { Partition } from "../../src/replication/partition.js";
import { Log } from "../../src/storage/log.js";
import { LogManager, type LogManagerConfig } from "../../src/storage/log-manager.js";
import { ProducerStateManager } from "../../src/storage/producer-state-manager.js";
import { StorageError } from "../../src/storage/storage-error.js";
import { FaultyFileSystem } from "./faulty-file-system.js";
import { buildBatch, parseBatches } from "./record-batch-fixture.js";
import {
  FakeClock,
  immediateScheduler,
  LEADER_APPEND,
  partitionDirs,
  tempDir,
  testConfig,
  testDeps,
  waitFor,
} from "./storage-test-kit.js";

/*
 * Part 3 of the durability work: every storage fault the FileSystem port can inject, and what the
 * log, the partition and the log manager make of it — never an acknowledgement for data that is
 * not durable, an error instead, and service again once the fault is gone.
 */

const newDir = partitionDirs("faults-0");

function isStorageError(code: string): (err: unknown) => boolean {
  return (err) => err instanceof StorageError && err.code === code;
}

/** What a fresh open with the real file system finds: [baseOffset, lastOffset] of every batch, all CRC-valid. */
async function batchesOnDisk(dir: string): Promise<[number, number][]> {
  const log = await Log.open(dir, testConfig(), testDeps());
  try {
    const batches = parseBatches(log.read(log.logStartOffset, 1 << 30).records);
    assert.ok(
      batches.every((b) => b.crcValid),
      "every batch read back has a valid CRC",
    );
    return batches.map((b) => [b.baseOffset, b.lastOffset]);
  } finally {
    await log.close();
  }
}

/** A batch the produce path accepts (validated like a client's). */
function produceBatch(values: string[], producer?: { id: number; epoch: number; sequence: number }): Buffer {
  const now = Date.now();
  return buildRecordBatch(
    values.map((v, i) => ({ key: Buffer.from(`k${i}`), value: Buffer.from(v), timestamp: now })),
    producer === undefined
      ? {}
      : { producerId: producer.id, producerEpoch: producer.epoch, baseSequence: producer.sequence },
  );
}

async function openPartition(dir: string, fs: FaultyFileSystem): Promise<{ log: Log; partition: Partition }> {
  const log = await Log.open(dir, testConfig(), testDeps(new FakeClock(Date.now()), fs));
  const producerState = await ProducerStateManager.open({ dir, producerIdExpirationMs: 86_400_000 });
  const partition = new Partition(
    "faults",
    ZERO_UUID,
    0,
    log,
    producerState,
    0,
    {
      maxMessageBytes: 1 << 20,
      timestampBeforeMaxMs: Number.MAX_SAFE_INTEGER,
      timestampAfterMaxMs: Number.MAX_SAFE_INTEGER,
    },
    () => {},
  );
  return { log, partition };
}

/** Appends as a retrying client would: again while the partition answers KAFKA_STORAGE_ERROR (recovering). */
async function appendOnceRecovered(
  partition: Partition,
  batch: Buffer,
): Promise<ReturnType<Partition["appendRecordsToLeader"]>> {
  for (let attempt = 0; ; attempt++) {
    const result = partition.appendRecordsToLeader(Buffer.from(batch), Date.now());
    if (result.errorCode !== ErrorCode.KAFKA_STORAGE_ERROR || attempt === 200) return result;
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe("torn writes", () => {
  it("a crash after any byte of a batch's write leaves the log as it was before the batch (or with it whole)", async () => {
    const victim = buildBatch({ records: 3, valueSize: 7 });
    let cuts = 0;
    for (let cut = 0; cut <= victim.length; cut++) {
      const dir = newDir();
      const fs = new FaultyFileSystem();
      const log = await Log.open(dir, testConfig(), testDeps(undefined, fs));
      for (let i = 0; i < 3; i++) log.append(buildBatch({ records: 2 }), LEADER_APPEND);
      await log.flush();
      fs.crashAfterBytes = cut;
      // However the storage reports it, the process is dead from here on.
      assert.throws(() => log.append(Buffer.from(victim), LEADER_APPEND));
      assert.ok(fs.crashed);
      fs.closeAllDescriptors(); // the process is gone; the kernel closes its files

      const expected: [number, number][] = [
        [0, 1],
        [2, 3],
        [4, 5],
      ];
      if (cut === victim.length) expected.push([6, 8]); // the whole batch reached the page cache
      assert.deepEqual(await batchesOnDisk(dir), expected, `crash after ${cut} of ${victim.length} bytes`);
      // The log goes on from there, at the offset the torn batch did not take.
      const reopened = await Log.open(dir, testConfig(), testDeps());
      const next = reopened.append(buildBatch({ records: 1 }), LEADER_APPEND);
      assert.equal(next.firstOffset, cut === victim.length ? 9 : 6);
      await reopened.close();
      cuts++;
    }
    assert.equal(cuts, victim.length + 1);
  });

  it("a write cut short by ENOSPC after any byte is undone and the log keeps going", async () => {
    const victim = buildBatch({ records: 3, valueSize: 7 });
    const dir = newDir();
    const fs = new FaultyFileSystem();
    const log = await Log.open(dir, testConfig(), testDeps(undefined, fs));
    log.append(buildBatch({ records: 2 }), LEADER_APPEND);
    await log.flush();
    const size = log.size;
    for (let cut = 0; cut < victim.length; cut++) {
      fs.spaceLeft = cut;
      assert.throws(
        () => log.append(Buffer.from(victim), LEADER_APPEND),
        (err: unknown) => isStorageError("IO")(err) && /ENOSPC/.test((err as Error).message),
        `ENOSPC after ${cut} bytes`,
      );
      assert.equal(log.size, size, "the partial write was cut back");
      assert.equal(log.logEndOffset, 2);
      assert.equal(log.failure, undefined, "ENOSPC on a write does not take the log offline");
    }
    fs.heal();
    const info = log.append(Buffer.from(victim), LEADER_APPEND);
    assert.equal(info.firstOffset, 2);
    await log.waitForDurable(info.lastOffset);
    await log.close();
    assert.deepEqual(await batchesOnDisk(dir), [
      [0, 1],
      [2, 4],
    ]);
  });

  it("short writes of any size still write whole batches", async () => {
    for (const max of [1, 2, 3, 5, 13, 61]) {
      const dir = newDir();
      const fs = new FaultyFileSystem();
      fs.maxBytesPerWrite = max;
      const log = await Log.open(dir, testConfig(), testDeps(undefined, fs));
      for (let i = 0; i < 4; i++) log.append(buildBatch({ records: 2, valueSize: 30 }), LEADER_APPEND);
      await log.close();
      assert.equal((await batchesOnDisk(dir)).length, 4, `writes of at most ${max} bytes`);
    }
  });
});

describe("disk full (ENOSPC)", () => {
  it("answers producers with KAFKA_STORAGE_ERROR, keeps serving reads, and accepts writes once space is freed", async () => {
    const dir = newDir();
    const fs = new FaultyFileSystem();
    const { log, partition } = await openPartition(dir, fs);
    const first = partition.appendRecordsToLeader(produceBatch(["a", "b"]), Date.now());
    assert.equal(first.errorCode, ErrorCode.NONE);
    await first.committed;

    fs.spaceLeft = 10;
    const refused = partition.appendRecordsToLeader(produceBatch(["c"]), Date.now());
    assert.equal(refused.errorCode, ErrorCode.KAFKA_STORAGE_ERROR);
    assert.match(refused.errorMessage ?? "", /ENOSPC/);
    assert.equal(log.failure, undefined);
    // Reads go on: the acknowledged records are there, nothing of the refused one.
    assert.deepEqual(
      parseBatches(log.read(0, 1 << 20, partition.highWatermark).records).map((b) => [
        b.baseOffset,
        b.lastOffset,
      ]),
      [[0, 1]],
    );

    fs.heal();
    const accepted = partition.appendRecordsToLeader(produceBatch(["c"]), Date.now());
    assert.equal(accepted.errorCode, ErrorCode.NONE);
    assert.equal(accepted.baseOffset, 2);
    await accepted.committed;
    assert.equal(partition.highWatermark, 3);
    await log.close();
    assert.deepEqual(await batchesOnDisk(dir), [
      [0, 1],
      [2, 2],
    ]);
  });

  it("a roll that cannot create the new segment fails the append and leaves the log usable", async () => {
    const dir = newDir();
    const fs = new FaultyFileSystem();
    const clock = new FakeClock();
    const log = await Log.open(dir, testConfig({ segmentMs: 1000 }), testDeps(clock, fs));
    log.append(buildBatch({ records: 2, baseTimestamp: clock.now() }), LEADER_APPEND);
    clock.advance(2000);
    fs.spaceLeft = 0; // no room for the new segment's file
    assert.throws(
      () => log.append(buildBatch({ records: 1, baseTimestamp: clock.now() }), LEADER_APPEND),
      isStorageError("IO"),
    );
    assert.equal(log.failure, undefined);
    assert.equal(log.segments, 1);
    assert.equal(log.logEndOffset, 2);
    fs.heal();
    const info = log.append(buildBatch({ records: 1, baseTimestamp: clock.now() }), LEADER_APPEND);
    assert.equal(info.firstOffset, 2);
    assert.equal(log.segments, 2);
    await log.close();
    assert.deepEqual(await batchesOnDisk(dir), [
      [0, 1],
      [2, 2],
    ]);
  });
});

describe("fsync failure", () => {
  it("is never acknowledged: the append fails with KAFKA_STORAGE_ERROR and the high watermark stays", async () => {
    const dir = newDir();
    const fs = new FaultyFileSystem();
    const { log, partition } = await openPartition(dir, fs);
    await partition.appendRecordsToLeader(produceBatch(["a"]), Date.now()).committed;
    fs.failSyncs = "EIO";
    const result = partition.appendRecordsToLeader(produceBatch(["b", "c"]), Date.now());
    assert.equal(result.errorCode, ErrorCode.NONE, "appended to the page cache");
    await assert.rejects(result.committed, isStorageError("LOG_OFFLINE"));
    assert.equal(partition.highWatermark, 1, "consumers never see the data that failed to sync");
    assert.equal(log.flushedOffset, 1);
    // Offline: appends and reads refuse, with the error that maps to KAFKA_STORAGE_ERROR.
    const next = partition.appendRecordsToLeader(produceBatch(["d"]), Date.now());
    assert.equal(next.errorCode, ErrorCode.KAFKA_STORAGE_ERROR);
    assert.throws(() => log.read(0, 1000), isStorageError("LOG_OFFLINE"));
    await log.close();
  });

  it("ENOSPC from fsync takes the log offline too; re-opening cuts back to the last good fsync", async () => {
    const dir = newDir();
    const fs = new FaultyFileSystem();
    const { log, partition } = await openPartition(dir, fs);
    await partition.appendRecordsToLeader(produceBatch(["a", "b"]), Date.now()).committed;
    fs.failSyncs = "ENOSPC";
    const lost = partition.appendRecordsToLeader(produceBatch(["c"]), Date.now());
    await assert.rejects(lost.committed);
    assert.ok(log.failure);

    // Still full: re-opening fails and the log stays offline.
    await assert.rejects(log.recoverFromFailure(), isStorageError("LOG_OFFLINE"));
    assert.ok(log.failure);

    fs.heal();
    assert.equal(await log.recoverFromFailure(), true);
    assert.equal(log.failure, undefined);
    assert.equal(log.logEndOffset, 2, "the unsynced batch is cut away");
    const again = await appendOnceRecovered(partition, produceBatch(["c"]));
    assert.equal(again.errorCode, ErrorCode.NONE);
    assert.equal(again.baseOffset, 2);
    await again.committed;
    assert.equal(partition.highWatermark, 3);
    await log.close();
    assert.deepEqual(await batchesOnDisk(dir), [
      [0, 1],
      [2, 2],
    ]);
  });

  it("a retried idempotent batch that was cut away is appended again, not answered as a duplicate", async () => {
    const dir = newDir();
    const fs = new FaultyFileSystem();
    const { log, partition } = await openPartition(dir, fs);
    const producer = { id: 7, epoch: 0, sequence: 0 };
    await partition.appendRecordsToLeader(produceBatch(["a"], producer), Date.now()).committed;
    fs.failSyncs = "EIO";
    const retryMe = produceBatch(["b", "c"], { ...producer, sequence: 1 });
    const first = partition.appendRecordsToLeader(retryMe, Date.now());
    await assert.rejects(first.committed);
    fs.heal();
    await log.recoverFromFailure();
    const retry = await appendOnceRecovered(partition, retryMe);
    assert.equal(retry.errorCode, ErrorCode.NONE);
    await retry.committed;
    assert.equal(log.logEndOffset, 3, "the retry was written, not matched to the cut batch");
    await log.close();
    assert.deepEqual(await batchesOnDisk(dir), [
      [0, 0],
      [1, 2],
    ]);
  });

  it("a write that fails and cannot be undone takes the log offline", async () => {
    const dir = newDir();
    const fs = new FaultyFileSystem();
    const log = await Log.open(dir, testConfig(), testDeps(undefined, fs));
    log.append(buildBatch({ records: 2 }), LEADER_APPEND);
    await log.flush();
    fs.spaceLeft = 5;
    fs.failTruncates = "EIO";
    assert.throws(() => log.append(buildBatch(), LEADER_APPEND), isStorageError("LOG_OFFLINE"));
    assert.ok(log.failure);
    fs.heal();
    await log.recoverFromFailure();
    assert.equal(log.logEndOffset, 2);
    assert.equal(log.append(buildBatch(), LEADER_APPEND).firstOffset, 2);
    await log.close();
  });
});

describe("several log dirs", () => {
  function managerConfig(dirs: string[]): LogManagerConfig {
    return {
      logDirs: dirs,
      defaultLogConfig: testConfig(),
      retentionCheckIntervalMs: 1 << 30,
      flushSchedulerIntervalMs: 1 << 30,
      flushOffsetCheckpointIntervalMs: 1 << 30,
      offlineRetryBackoffMs: 0,
    };
  }

  it("an I/O error in one dir takes only its logs offline; the dir comes back once the disk works", async () => {
    const a = tempDir();
    const b = tempDir();
    try {
      const fs = new FaultyFileSystem();
      fs.scope = (path) => path.startsWith(a.path);
      const deps = { fs, clock: new FakeClock(), scheduler: immediateScheduler };
      const manager = await LogManager.open(managerConfig([a.path, b.path]), deps);
      const logs: Log[] = [];
      for (let p = 0; p < 4; p++) logs.push(await manager.getOrCreateLog("t", p));
      const inA = logs.filter((l) => l.dir.startsWith(a.path));
      const inB = logs.filter((l) => l.dir.startsWith(b.path));
      assert.equal(inA.length, 2);
      assert.equal(inB.length, 2);
      for (const log of logs) {
        const info = log.append(buildBatch({ records: 2 }), LEADER_APPEND);
        await log.waitForDurable(info.lastOffset);
      }

      fs.failSyncs = "EIO";
      const [failing, sibling] = inA as [Log, Log];
      const info = failing.append(buildBatch(), LEADER_APPEND);
      await assert.rejects(failing.waitForDurable(info.lastOffset), isStorageError("LOG_OFFLINE"));
      assert.ok(sibling.failure, "the whole dir went offline");
      assert.throws(() => sibling.append(buildBatch(), LEADER_APPEND), isStorageError("LOG_OFFLINE"));
      const described = manager.describeLogDirs();
      assert.ok(described.find((d) => d.path === a.path)?.error);
      assert.equal(described.find((d) => d.path === b.path)?.error, undefined);
      assert.ok(manager.offlineError("t", Number(failing.name.split("-")[1])));
      // The other dir serves on.
      for (const log of inB) {
        const more = log.append(buildBatch(), LEADER_APPEND);
        await log.waitForDurable(more.lastOffset);
        assert.equal(log.read(0, 1 << 20).records.length > 0, true);
      }

      // Used while the disk is still broken: the re-open fails, the dir stays offline.
      assert.equal(await manager.recoverOfflineLogs(a.path), false);
      assert.ok(manager.describeLogDirs().find((d) => d.path === a.path)?.error);

      // Once the disk works, using an offline log re-opens the dir's logs.
      fs.heal();
      assert.throws(() => sibling.read(0, 100), isStorageError("LOG_OFFLINE"));
      await waitFor(() => failing.failure === undefined && sibling.failure === undefined);
      await waitFor(() => manager.describeLogDirs().find((d) => d.path === a.path)?.error === undefined);
      assert.equal(failing.logEndOffset, 2, "the batch whose fsync failed is gone");
      assert.equal(sibling.logEndOffset, 2);
      const after = failing.append(buildBatch(), LEADER_APPEND);
      assert.equal(after.firstOffset, 2);
      await failing.waitForDurable(after.lastOffset);
      await manager.close();

      // Everything acknowledged is on disk.
      const reopened = await LogManager.open(managerConfig([a.path, b.path]), {
        ...deps,
        fs: new FaultyFileSystem(),
      });
      const ends = reopened
        .allLogs()
        .map((l) => [l.logDir === a.path ? "a" : "b", l.log.logEndOffset])
        .sort();
      assert.deepEqual(ends, [
        ["a", 2],
        ["a", 3],
        ["b", 3],
        ["b", 3],
      ]);
      await reopened.close();
    } finally {
      a.cleanup();
      b.cleanup();
    }
  });

  it("a log that cannot be loaded stays offline and is never created afresh in another dir", async () => {
    const a = tempDir();
    const b = tempDir();
    try {
      const first = await LogManager.open(managerConfig([a.path, b.path]), testDeps());
      const log = await first.getOrCreateLog("t", 0);
      assert.ok(log.dir.startsWith(a.path));
      log.append(buildBatch({ records: 3 }), LEADER_APPEND);
      await first.close();

      const fs = new FaultyFileSystem();
      fs.scope = (path) => path.startsWith(join(a.path, "t-0"));
      fs.failReads = "EIO";
      const second = await LogManager.open(managerConfig([a.path, b.path]), { ...testDeps(), fs });
      await assert.rejects(second.getOrCreateLog("t", 0), isStorageError("LOG_OFFLINE"));
      assert.ok(second.offlineError("t", 0));
      assert.ok(second.describeLogDirs().find((d) => d.path === a.path)?.error);
      assert.equal(second.describeLogDirs().find((d) => d.path === b.path)?.error, undefined);
      assert.deepEqual(readdirSync(b.path), [], "no t-0 in the other dir");
      // Other logs are still created, in the healthy dir.
      const other = await second.getOrCreateLog("u", 0);
      assert.ok(other.dir.startsWith(b.path));
      await second.close();
      assert.ok(statSync(join(a.path, "t-0")).isDirectory());
    } finally {
      a.cleanup();
      b.cleanup();
    }
  });
});
