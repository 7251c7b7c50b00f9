import assert from "node:assert/strict";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import type { ProducerBatchHeader } from "../../src/storage/producer-state-append.js";
import type { ProducerStateEntryData } from "../../src/storage/producer-state-entry.js";
import { ProducerStateManager } from "../../src/storage/producer-state-manager.js";
import {
  decodeProducerSnapshot,
  encodeProducerSnapshot,
  nodeProducerSnapshotFileSystem,
  type ProducerSnapshotFileSystem,
  parseSnapshotFileName,
  snapshotFileName,
} from "../../src/storage/producer-state-snapshot.js";

const T0 = 1_700_000_000_000;

const dirs: string[] = [];
after(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "weir-psnap-"));
  dirs.push(dir);
  return dir;
}

/** Deterministic pseudo-random numbers (mulberry32). */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A log of a few producers with epoch bumps, transactions, markers and non-idempotent batches. */
function workload(seed: number, batches: number): ProducerBatchHeader[] {
  const rnd = prng(seed);
  const out: ProducerBatchHeader[] = [];
  const seq = new Map<number, number>();
  const epoch = new Map<number, number>();
  let offset = 0;
  for (let i = 0; i < batches; i++) {
    const r = rnd();
    const pid = 1000 + Math.floor(rnd() * 6);
    const count = 1 + Math.floor(rnd() * 4);
    if (r < 0.1) {
      out.push({
        baseOffset: offset,
        lastOffsetDelta: count - 1,
        producerId: -1,
        producerEpoch: -1,
        baseSequence: -1,
        attributes: 0,
        maxTimestamp: T0 + i,
      });
    } else {
      if (r < 0.15) {
        epoch.set(pid, (epoch.get(pid) ?? 0) + 1);
        seq.set(pid, 0);
      }
      const base = seq.get(pid) ?? 0;
      const txn = pid % 2 === 0;
      out.push({
        baseOffset: offset,
        lastOffsetDelta: count - 1,
        producerId: pid,
        producerEpoch: epoch.get(pid) ?? 0,
        baseSequence: base,
        attributes: txn ? 0x10 : 0,
        maxTimestamp: T0 + i,
      });
      seq.set(pid, base + count);
    }
    offset += count;
  }
  return out;
}

function stateOf(psm: ProducerStateManager): ProducerStateEntryData[] {
  return psm
    .entries()
    .map((e) => e.toData())
    .sort((a, b) => a.producerId - b.producerId);
}

/** In-memory file system whose operations can be made to fail. */
class MemFs implements ProducerSnapshotFileSystem {
  files = new Map<string, Buffer>();
  failNext: { op: keyof ProducerSnapshotFileSystem; error: Error } | undefined;
  #maybeFail(op: keyof ProducerSnapshotFileSystem): void {
    if (this.failNext?.op === op) {
      const { error } = this.failNext;
      this.failNext = undefined;
      throw error;
    }
  }
  async list(dir: string) {
    this.#maybeFail("list");
    return [...this.files.keys()].filter((p) => p.startsWith(`${dir}/`)).map((p) => p.slice(dir.length + 1));
  }
  async read(path: string) {
    this.#maybeFail("read");
    return this.files.get(path);
  }
  async writeAndSync(path: string, data: Buffer) {
    this.#maybeFail("writeAndSync");
    this.files.set(path, Buffer.from(data));
  }
  async rename(from: string, to: string) {
    this.#maybeFail("rename");
    const data = this.files.get(from);
    if (data === undefined) throw new Error(`ENOENT ${from}`);
    this.files.delete(from);
    this.files.set(to, data);
  }
  async syncDir() {
    this.#maybeFail("syncDir");
  }
  async remove(path: string) {
    this.#maybeFail("remove");
    this.files.delete(path);
  }
}

const sample: ProducerStateEntryData[] = [
  {
    producerId: 42,
    producerEpoch: 3,
    coordinatorEpoch: -1,
    lastTimestamp: T0,
    currentTxnFirstOffset: -1,
    batches: [
      { firstSeq: 0, lastSeq: 4, firstOffset: 10, lastOffset: 14, timestamp: T0 - 5 },
      { firstSeq: 2 ** 31 - 2, lastSeq: 1, firstOffset: 15, lastOffset: 18, timestamp: T0 },
    ],
  },
  {
    producerId: 2 ** 40,
    producerEpoch: 32767,
    coordinatorEpoch: 9,
    lastTimestamp: -1,
    currentTxnFirstOffset: 7,
    batches: [],
  },
];

test("snapshot file names are the offset in 20 digits", () => {
  assert.equal(snapshotFileName(1234), "00000000000000001234.snapshot");
  assert.equal(parseSnapshotFileName("00000000000000001234.snapshot"), 1234);
  assert.equal(parseSnapshotFileName("00000000000000001234.snapshot.tmp"), undefined);
  assert.equal(parseSnapshotFileName("00000000000000001234.log"), undefined);
  assert.equal(parseSnapshotFileName("1234.snapshot"), undefined);
});

test("the binary format round-trips every field", () => {
  const buf = encodeProducerSnapshot(99, sample);
  assert.equal(buf.readInt16BE(0), 1, "version 1 first");
  const decoded = decodeProducerSnapshot(buf, 99);
  assert.ok(decoded.ok);
  assert.equal(decoded.offset, 99);
  assert.deepEqual(decoded.producers, sample);
  const empty = decodeProducerSnapshot(encodeProducerSnapshot(0, []), 0);
  assert.ok(empty.ok && empty.producers.length === 0);
});

test("damaged snapshots are reported corrupt, never thrown", () => {
  const good = encodeProducerSnapshot(99, sample);
  const flipped = Buffer.from(good);
  flipped[20] ^= 0x04;
  const cases: [string, Buffer, number?][] = [
    ["bit flip", flipped],
    ["truncated", good.subarray(0, good.length - 1)],
    ["empty", Buffer.alloc(0)],
    ["trailing bytes", Buffer.concat([good, Buffer.alloc(1)])],
    ["other version", Buffer.from(good).fill(0x07, 0, 2)],
    ["wrong name", good, 100],
  ];
  for (const [what, buf, expected] of cases) {
    const r = decodeProducerSnapshot(buf, expected ?? 99);
    assert.equal(r.ok, false, what);
  }
  const rnd = prng(7);
  for (let i = 0; i < 2000; i++) {
    const mutated = Buffer.from(good.subarray(0, Math.floor(rnd() * (good.length + 1))));
    for (let j = 0; j < 3 && mutated.length > 0; j++)
      mutated[Math.floor(rnd() * mutated.length)] = Math.floor(rnd() * 256);
    assert.doesNotThrow(() => decodeProducerSnapshot(mutated));
  }
});

test("takeSnapshot writes <offset>.snapshot atomically and a new manager loads it", async () => {
  const dir = await tempDir();
  const psm = await ProducerStateManager.open({ dir });
  for (const h of workload(1, 40)) psm.replayBatch(h);
  const end = psm.mapEndOffset;
  const path = await psm.takeSnapshot();
  assert.equal(path, join(dir, snapshotFileName(end)));
  assert.deepEqual(await readdir(dir), [snapshotFileName(end)], "no temp file left");
  assert.equal(await psm.takeSnapshot(), undefined, "a snapshot at that offset exists");
  await assert.rejects(psm.takeSnapshot(end - 1), { code: "PRODUCER_SNAPSHOT_OFFSET" });

  const reopened = await ProducerStateManager.open({ dir });
  assert.equal(await reopened.loadLatestSnapshot(T0), end);
  assert.equal(reopened.mapEndOffset, end);
  assert.deepEqual(stateOf(reopened), stateOf(psm));
  assert.deepEqual(
    reopened.activeProducers().sort((a, b) => a.producerId - b.producerId),
    psm.activeProducers().sort((a, b) => a.producerId - b.producerId),
  );
  // Duplicates of all 5 retained batches are still recognised after the restart.
  const last = psm.entries()[0];
  assert.equal(reopened.lastEntry(last.producerId)?.batches.length, last.batches.length);
});

test("a corrupt newest snapshot is skipped and deleted; the previous one is loaded", async () => {
  const dir = await tempDir();
  const psm = await ProducerStateManager.open({ dir });
  const log = workload(2, 60);
  for (const h of log.slice(0, 30)) psm.replayBatch(h);
  const first = psm.mapEndOffset;
  await psm.takeSnapshot();
  const atFirst = stateOf(psm);
  for (const h of log.slice(30)) psm.replayBatch(h);
  const second = psm.mapEndOffset;
  const secondPath = await psm.takeSnapshot();
  assert.ok(secondPath);
  const bytes = await readFile(secondPath);
  bytes[bytes.length - 3] ^= 0x01;
  await writeFile(secondPath, bytes);

  const corrupt: string[] = [];
  const reopened = await ProducerStateManager.open({ dir, onCorruptSnapshot: (file) => corrupt.push(file) });
  assert.deepEqual(reopened.snapshotOffsets, [first, second]);
  assert.equal(await reopened.truncateAndReload(0, second, T0), first);
  assert.deepEqual(corrupt, [secondPath]);
  assert.deepEqual(reopened.snapshotOffsets, [first]);
  assert.deepEqual(await readdir(dir), [snapshotFileName(first)]);
  assert.deepEqual(stateOf(reopened), atFirst);
});

test("replaying the log after the snapshot rebuilds exactly the state before the restart", async () => {
  for (const seed of [3, 4, 5]) {
    const dir = await tempDir();
    const log = workload(seed, 200);
    const psm = await ProducerStateManager.open({ dir });
    const cut = 120;
    for (const h of log.slice(0, cut)) psm.replayBatch(h);
    await psm.takeSnapshot();
    for (const h of log.slice(cut)) psm.replayBatch(h);
    const logEnd = psm.mapEndOffset;

    const reopened = await ProducerStateManager.open({ dir });
    const replayFrom = await reopened.truncateAndReload(0, logEnd, T0);
    assert.equal(replayFrom, log[cut].baseOffset);
    for (const h of log) if (h.baseOffset >= replayFrom) reopened.replayBatch(h);
    assert.equal(reopened.mapEndOffset, logEnd);
    assert.deepEqual(stateOf(reopened), stateOf(psm), `seed ${seed}`);
  }
});

test("takeSnapshot keeps the newest two snapshots", async () => {
  const dir = await tempDir();
  const psm = await ProducerStateManager.open({ dir });
  for (const offset of [10, 20, 30, 40]) await psm.takeSnapshot(offset);
  assert.deepEqual(psm.snapshotOffsets, [30, 40]);
  assert.deepEqual((await readdir(dir)).sort(), [snapshotFileName(30), snapshotFileName(40)]);
  await psm.deleteSnapshotsBefore(40);
  assert.deepEqual(await readdir(dir), [snapshotFileName(40)]);
});

test("truncation deletes snapshots above the new log end and below the log start, then reloads", async () => {
  const fs = new MemFs();
  const psm = await ProducerStateManager.open({ dir: "/p", fs, snapshotsToRetain: 10 });
  const log = workload(6, 50);
  const offsets: number[] = [];
  for (const [i, h] of log.entries()) {
    psm.replayBatch(h);
    if (i % 10 === 9) {
      await psm.takeSnapshot();
      offsets.push(psm.mapEndOffset);
    }
  }
  const reference = await ProducerStateManager.open({ dir: "/q", fs: new MemFs() });
  assert.equal(log[30].baseOffset, offsets[2]);
  const truncateAt = log[32].baseOffset;
  for (const h of log) if (h.baseOffset < truncateAt) reference.replayBatch(h);

  const replayFrom = await psm.truncateAndReload(offsets[0], truncateAt, T0);
  assert.equal(replayFrom, offsets[2]);
  assert.deepEqual(
    psm.snapshotOffsets,
    [offsets[0], offsets[1], offsets[2]],
    "the one at the log start is kept",
  );
  for (const h of log) if (h.baseOffset >= replayFrom && h.baseOffset < truncateAt) psm.replayBatch(h);
  assert.deepEqual(stateOf(psm), stateOf(reference));

  await psm.truncateAndReload(offsets[1], truncateAt, T0);
  assert.deepEqual(psm.snapshotOffsets, [offsets[1], offsets[2]]);
});

test("producers already expired are not loaded from a snapshot", async () => {
  const fs = new MemFs();
  const psm = await ProducerStateManager.open({ dir: "/p", fs, producerIdExpirationMs: 1000 });
  psm.replayBatch({
    baseOffset: 0,
    lastOffsetDelta: 0,
    producerId: 1,
    producerEpoch: 0,
    baseSequence: 0,
    attributes: 0,
    maxTimestamp: T0,
  });
  psm.replayBatch({
    baseOffset: 1,
    lastOffsetDelta: 0,
    producerId: 2,
    producerEpoch: 0,
    baseSequence: 0,
    attributes: 0,
    maxTimestamp: T0 + 900,
  });
  await psm.takeSnapshot();
  const reopened = await ProducerStateManager.open({ dir: "/p", fs, producerIdExpirationMs: 1000 });
  await reopened.loadLatestSnapshot(T0 + 1000);
  assert.deepEqual(
    reopened.activeProducers().map((p) => p.producerId),
    [2],
  );
});

test("a failed write or rename leaves no snapshot and no temp file; the next one succeeds", async () => {
  const fs = new MemFs();
  const psm = await ProducerStateManager.open({ dir: "/p", fs });
  psm.replayBatch({
    baseOffset: 0,
    lastOffsetDelta: 0,
    producerId: 1,
    producerEpoch: 0,
    baseSequence: 0,
    attributes: 0,
    maxTimestamp: T0,
  });
  fs.failNext = { op: "rename", error: new Error("disk on fire") };
  await assert.rejects(psm.takeSnapshot(), /disk on fire/);
  assert.deepEqual(psm.snapshotOffsets, []);
  assert.deepEqual([...fs.files.keys()], []);
  fs.failNext = { op: "writeAndSync", error: new Error("ENOSPC") };
  await assert.rejects(psm.takeSnapshot(), /ENOSPC/);
  assert.deepEqual([...fs.files.keys()], []);
  assert.equal(await psm.takeSnapshot(), `/p/${snapshotFileName(1)}`);
  assert.deepEqual([...fs.files.keys()], [`/p/${snapshotFileName(1)}`]);
});

test("open deletes half-written snapshots and ignores other files", async () => {
  const dir = await tempDir();
  await writeFile(join(dir, "00000000000000000005.snapshot.tmp"), "partial");
  await writeFile(join(dir, "00000000000000000000.log"), "");
  await writeFile(join(dir, snapshotFileName(3)), encodeProducerSnapshot(3, sample));
  const psm = await ProducerStateManager.open({ dir });
  assert.deepEqual(psm.snapshotOffsets, [3]);
  assert.deepEqual((await readdir(dir)).sort(), ["00000000000000000000.log", snapshotFileName(3)]);
  assert.equal(await psm.loadLatestSnapshot(T0), 3);
  assert.equal(psm.lastEntry(42)?.batches.length, 2);
});

test("the node file system port reports missing files and directories as empty", async () => {
  const dir = await tempDir();
  assert.deepEqual(await nodeProducerSnapshotFileSystem.list(join(dir, "nope")), []);
  assert.equal(await nodeProducerSnapshotFileSystem.read(join(dir, "nope")), undefined);
  await nodeProducerSnapshotFileSystem.remove(join(dir, "nope"));
  await nodeProducerSnapshotFileSystem.syncDir(dir);
});
