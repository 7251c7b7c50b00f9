import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type FileSystem, nodeFileSystem } from "../../src/storage/file-system.js";
import { Log } from "../../src/storage/log.js";
import { StorageError } from "../../src/storage/storage-error.js";
import { buildBatch, parseBatches } from "./record-batch-fixture.js";
import {
  countingFileSystem,
  FakeClock,
  LEADER_APPEND,
  partitionDirs,
  settle,
  testConfig,
  testDeps,
  waitFor,
} from "./storage-test-kit.js";

const newDir = partitionDirs("flush-0");

const leader = LEADER_APPEND;

/** A file system whose fdatasync waits until the test releases it. */
function gatedFileSystem(): FileSystem & { gated: boolean; release(): void; pending(): number } {
  const waiting: (() => void)[] = [];
  const fs = {
    ...nodeFileSystem,
    gated: false,
    fdatasync: async (fd: number) => {
      if (fs.gated) await new Promise<void>((resolve) => waiting.push(resolve));
      return nodeFileSystem.fdatasync(fd);
    },
    release() {
      for (const r of waiting.splice(0)) r();
    },
    pending: () => waiting.length,
  };
  return fs;
}

describe("Log group commit", () => {
  it("makes 100 concurrent appends durable with one fsync", async () => {
    const fs = countingFileSystem();
    const log = await Log.open(newDir(), testConfig(), testDeps(undefined, fs));
    assert.equal(log.durableAcks, true);
    const before = fs.counts.fdatasync;
    const waits: Promise<void>[] = [];
    for (let i = 0; i < 100; i++) {
      const info = log.append(buildBatch({ records: 2 }), leader);
      waits.push(log.waitForDurable(info.lastOffset));
    }
    await Promise.all(waits);
    assert.equal(fs.counts.fdatasync - before, 1);
    assert.equal(log.flushedOffset, 200);
    await log.close();
  });

  it("shares fsyncs between appends arriving while one runs", async () => {
    const slow: FileSystem = {
      ...nodeFileSystem,
      fdatasync: async (fd) => {
        await new Promise((r) => setTimeout(r, 5));
        return nodeFileSystem.fdatasync(fd);
      },
    };
    const fs = countingFileSystem(slow);
    const log = await Log.open(newDir(), testConfig(), testDeps(undefined, fs));
    const before = fs.counts.fdatasync;
    const waits: Promise<void>[] = [];
    for (let i = 0; i < 100; i++) {
      const info = log.append(buildBatch({ records: 1 }), leader);
      waits.push(log.waitForDurable(info.lastOffset));
      if (i % 10 === 9) await new Promise((r) => setTimeout(r, 1));
    }
    await Promise.all(waits);
    const syncs = fs.counts.fdatasync - before;
    assert.ok(syncs >= 2 && syncs <= 15, `${syncs} fsyncs for 100 appends`);
    assert.equal(log.flushedOffset, log.logEndOffset);
    await log.close();
  });

  it("does not count an append made during an fsync as covered by it", async () => {
    const fs = gatedFileSystem();
    const log = await Log.open(newDir(), testConfig(), testDeps(undefined, fs));
    fs.gated = true;
    const a = log.append(buildBatch(), leader);
    let aDone = false;
    const aWait = log.waitForDurable(a.lastOffset).then(() => {
      aDone = true;
    });
    await settle();
    assert.equal(fs.pending(), 1);
    const b = log.append(buildBatch(), leader);
    let bDone = false;
    const bWait = log.waitForDurable(b.lastOffset).then(() => {
      bDone = true;
    });
    const c = log.append(buildBatch(), leader);
    const cWait = log.waitForDurable(c.lastOffset);
    fs.release();
    await aWait;
    assert.equal(log.flushedOffset, 1);
    assert.equal(bDone, false);
    await settle();
    assert.equal(fs.pending(), 1, "b and c share the second fsync");
    fs.release();
    await Promise.all([bWait, cWait]);
    assert.ok(aDone && bDone);
    assert.equal(log.flushedOffset, 3);
    fs.gated = false;
    await log.close();
  });

  it("resolves at once for offsets already durable", async () => {
    const fs = countingFileSystem();
    const log = await Log.open(newDir(), testConfig(), testDeps(undefined, fs));
    const info = log.append(buildBatch(), leader);
    await log.waitForDurable(info.lastOffset);
    const syncs = fs.counts.fdatasync;
    await log.waitForDurable(info.lastOffset);
    await log.flush();
    assert.equal(fs.counts.fdatasync, syncs);
    await log.close();
  });

  it("flushes in the background after flush.messages, and by flush.ms", async () => {
    const clock = new FakeClock();
    const fs = countingFileSystem();
    const log = await Log.open(
      newDir(),
      testConfig({ flushMessages: 10, flushMs: 1000 }),
      testDeps(clock, fs),
    );
    assert.equal(log.durableAcks, false);
    const before = fs.counts.fdatasync;
    for (let i = 0; i < 3; i++) log.append(buildBatch({ records: 3 }), leader);
    await settle();
    await settle();
    assert.equal(fs.counts.fdatasync, before);
    assert.equal(log.flushedOffset, 0);
    log.append(buildBatch({ records: 1 }), leader); // 10 unflushed messages
    await waitFor(() => log.flushedOffset === 10);
    assert.equal(fs.counts.fdatasync, before + 1);
    log.append(buildBatch({ records: 1 }), leader);
    assert.equal(log.flushIfDue(clock.now()), undefined);
    clock.advance(1000);
    await log.flushIfDue(clock.now());
    assert.equal(log.flushedOffset, 11);
    await log.close();
  });
});

describe("Log storage faults", () => {
  it("survives short writes", async () => {
    const shortWrites: FileSystem = {
      ...nodeFileSystem,
      write: (fd, buf, off, len, pos) => nodeFileSystem.write(fd, buf, off, Math.min(len, 7), pos),
    };
    const dir = newDir();
    const log = await Log.open(dir, testConfig(), testDeps(undefined, shortWrites));
    for (let i = 0; i < 5; i++) log.append(buildBatch({ records: 3, valueSize: 50 }), leader);
    await log.close();
    const reopened = await Log.open(dir, testConfig(), testDeps());
    const batches = parseBatches(reopened.read(0, 1 << 20).records);
    assert.equal(batches.length, 5);
    assert.ok(batches.every((b) => b.crcValid));
    await reopened.close();
  });

  it("undoes a write that fails half way (ENOSPC) and keeps going when space returns", async () => {
    let full = false;
    const fs: FileSystem = {
      ...nodeFileSystem,
      write: (fd, buf, off, len, pos) => {
        if (!full) return nodeFileSystem.write(fd, buf, off, len, pos);
        if (len > 20) return nodeFileSystem.write(fd, buf, off, 20, pos);
        throw Object.assign(new Error("ENOSPC: no space left on device"), { code: "ENOSPC" });
      },
    };
    const dir = newDir();
    const log = await Log.open(dir, testConfig(), testDeps(undefined, fs));
    log.append(buildBatch({ records: 2 }), leader);
    const sizeBefore = log.size;
    full = true;
    assert.throws(
      () => log.append(buildBatch({ records: 2, valueSize: 100 }), leader),
      (err: unknown) => err instanceof StorageError && err.code === "IO" && /ENOSPC/.test(err.message),
    );
    assert.equal(log.logEndOffset, 2);
    assert.equal(log.size, sizeBefore);
    full = false;
    const info = log.append(buildBatch({ records: 2 }), leader);
    assert.equal(info.firstOffset, 2);
    await log.waitForDurable(info.lastOffset);
    await log.close();
    const reopened = await Log.open(dir, testConfig(), testDeps());
    assert.deepEqual(
      parseBatches(reopened.read(0, 1 << 20).records).map((b) => [b.baseOffset, b.crcValid]),
      [
        [0, true],
        [2, true],
      ],
    );
    await reopened.close();
  });

  it("goes offline when a failed write cannot be undone", async () => {
    let broken = false;
    const fs: FileSystem = {
      ...nodeFileSystem,
      write: (fd, buf, off, len, pos) => {
        if (broken) throw Object.assign(new Error("EIO: i/o error"), { code: "EIO" });
        return nodeFileSystem.write(fd, buf, off, len, pos);
      },
      ftruncate: (fd, len) => {
        if (broken) throw Object.assign(new Error("EIO: i/o error"), { code: "EIO" });
        return nodeFileSystem.ftruncate(fd, len);
      },
    };
    const log = await Log.open(newDir(), testConfig(), testDeps(undefined, fs));
    broken = true;
    assert.throws(
      () => log.append(buildBatch(), leader),
      (err: unknown) => err instanceof StorageError && err.code === "LOG_OFFLINE",
    );
    assert.ok(log.failure);
    assert.throws(
      () => log.read(0, 100),
      (err: unknown) => err instanceof StorageError && err.code === "LOG_OFFLINE",
    );
    await log.closeForDeletion();
  });

  it("fails the waiters and goes offline when fsync fails", async () => {
    let failSync = false;
    const fs: FileSystem = {
      ...nodeFileSystem,
      fdatasync: async (fd) => {
        if (failSync) throw Object.assign(new Error("EIO: i/o error, fdatasync"), { code: "EIO" });
        return nodeFileSystem.fdatasync(fd);
      },
    };
    const log = await Log.open(newDir(), testConfig(), testDeps(undefined, fs));
    failSync = true;
    const info = log.append(buildBatch(), leader);
    const second = log.append(buildBatch(), leader);
    await assert.rejects(log.waitForDurable(info.lastOffset), (err: unknown) => {
      return err instanceof StorageError && err.code === "LOG_OFFLINE";
    });
    await assert.rejects(log.waitForDurable(second.lastOffset));
    assert.equal(log.flushedOffset, 0);
    assert.throws(
      () => log.append(buildBatch(), leader),
      (err: unknown) => err instanceof StorageError && err.code === "LOG_OFFLINE",
    );
    // Closing an offline log releases its files without flushing.
    await log.close();
  });
});
