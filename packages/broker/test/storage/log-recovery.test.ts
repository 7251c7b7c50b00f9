import assert from "node:assert/strict";
import {
  existsSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  truncateSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { Log } from "../../src/storage/log.js";
import type { LogConfig } from "../../src/storage/log-config.js";
import { segmentFileName } from "../../src/storage/segment-file-names.js";
import { buildBatch, parseBatches } from "./record-batch-fixture.js";
import { countingFileSystem, partitionDirs, testConfig, testDeps } from "./storage-test-kit.js";

const newDir = partitionDirs("recovery-topic-3");

const leader = { assignOffsets: true, leaderEpoch: 1 } as const;

/** Appends `count` batches of 1–4 records; returns the [first, last] offsets of each batch. */
function fill(log: Log, count: number, valueSize = 60): [number, number][] {
  const out: [number, number][] = [];
  for (let i = 0; i < count; i++) {
    const info = log.append(
      buildBatch({ records: 1 + (i % 4), valueSize, baseTimestamp: 1_000_000 + i * 10 }),
      leader,
    );
    out.push([info.firstOffset, info.lastOffset]);
  }
  return out;
}

/** A process crash: descriptors closed, nothing flushed or checkpointed. */
async function crash(log: Log): Promise<void> {
  await log.closeForDeletion();
}

function readAll(log: Log): ReturnType<typeof parseBatches> {
  return parseBatches(log.read(log.logStartOffset, 1 << 30).records);
}

function lastLogFile(dir: string): string {
  const logs = readdirSync(dir)
    .filter((n) => n.endsWith(".log"))
    .sort();
  return join(dir, logs.at(-1)!);
}

const config: LogConfig = testConfig({ segmentBytes: 8 * 1024, indexIntervalBytes: 512 });

describe("Log recovery", () => {
  it("truncates a torn tail at any byte position and keeps every earlier batch", async () => {
    const dir = newDir();
    const log = await Log.open(dir, config, testDeps());
    const batches = fill(log, 60);
    await log.flush();
    await crash(log);
    const file = lastLogFile(dir);
    const content = readFileSync(file);
    const onDisk = parseBatches(content);
    const last = onDisk.at(-1)!;
    const snapshot = new Map(readdirSync(dir).map((n) => [n, readFileSync(join(dir, n))]));
    const restore = (): void => {
      for (const n of readdirSync(dir)) if (!snapshot.has(n)) rmSync(join(dir, n));
      for (const [n, bytes] of snapshot) writeFileSync(join(dir, n), bytes);
    };
    // Cut inside the length field, inside the header, inside the records, one byte short.
    const cuts = [last.position + 3, last.position + 30, last.position + 70, last.position + last.size - 1];
    for (const cut of cuts) {
      restore();
      writeFileSync(file, content.subarray(0, cut));
      const reopened = await Log.open(dir, config, testDeps());
      assert.equal(reopened.logEndOffset, last.baseOffset, `cut at ${cut}`);
      assert.equal(statSync(file).size, last.position);
      const all = readAll(reopened);
      assert.ok(all.every((b) => b.crcValid));
      assert.deepEqual(
        all.map((b) => [b.baseOffset, b.lastOffset]),
        batches.slice(0, -1),
      );
      // The log goes on from there.
      const info = reopened.append(buildBatch({ records: 2 }), leader);
      assert.equal(info.firstOffset, last.baseOffset);
      await crash(reopened);
    }
  });

  it("truncates a torn tail after a clean shutdown too", async () => {
    const dir = newDir();
    const log = await Log.open(dir, config, testDeps());
    const batches = fill(log, 30);
    await log.close();
    const file = lastLogFile(dir);
    truncateSync(file, statSync(file).size - 5);
    const reopened = await Log.open(dir, config, testDeps());
    assert.equal(reopened.logEndOffset, batches.at(-1)![0]);
    assert.equal(readAll(reopened).length, 29);
    await reopened.close();
  });

  it("truncates at a batch whose CRC fails, keeping what precedes it", async () => {
    const dir = newDir();
    const log = await Log.open(dir, config, testDeps());
    const batches = fill(log, 40);
    await log.flush();
    await crash(log);
    const file = lastLogFile(dir);
    const content = readFileSync(file);
    const onDisk = parseBatches(content);
    assert.ok(onDisk.length >= 4);
    // Flip a byte inside the records of the second-to-last batch of the last segment.
    const victim = onDisk.at(-2)!;
    const corrupted = Buffer.from(content);
    corrupted[victim.position + victim.size - 3]! ^= 0xff;
    writeFileSync(file, corrupted);
    const reopened = await Log.open(dir, config, testDeps());
    assert.equal(reopened.logEndOffset, victim.baseOffset);
    const all = readAll(reopened);
    assert.deepEqual(
      all.map((b) => [b.baseOffset, b.lastOffset]),
      batches.filter(([first]) => first < victim.baseOffset),
    );
    await reopened.close();
  });

  it("quarantines the bad tail of an older unflushed segment and keeps the later segments", async () => {
    const dir = newDir();
    const log = await Log.open(dir, config, testDeps());
    const batches = fill(log, 200);
    await log.flush();
    const segmentsBefore = log.segments;
    assert.ok(segmentsBefore >= 4);
    await crash(log);
    const logs = readdirSync(dir)
      .filter((n) => n.endsWith(".log"))
      .sort();
    const middle = join(dir, logs[1]!);
    const content = readFileSync(middle);
    const onDisk = parseBatches(content);
    const victim = onDisk[3]!;
    const segmentEnd = onDisk.at(-1)!.lastOffset + 1;
    content[victim.position + 40]! ^= 0x01; // inside attributes..: covered by the CRC
    writeFileSync(middle, content);
    const reopened = await Log.open(dir, config, testDeps());
    // Nothing after the segment is lost: the log end is where it was.
    assert.equal(reopened.logEndOffset, batches.at(-1)![1] + 1);
    assert.equal(reopened.segments, segmentsBefore);
    // The bad batch and the rest of its segment moved to a .corrupt file, byte for byte.
    const quarantined = `${logs[1]!}.${victim.position}.corrupt`;
    assert.deepEqual(reopened.quarantinedFiles, [join(dir, quarantined)]);
    assert.deepEqual(readFileSync(join(dir, quarantined)), content.subarray(victim.position));
    assert.equal(statSync(middle).size, victim.position);
    // Every other batch is still served, with a gap where the quarantined ones were.
    const all = readAll(reopened);
    assert.ok(all.every((b) => b.crcValid));
    assert.deepEqual(
      all.map((b) => [b.baseOffset, b.lastOffset]),
      batches.filter(([first]) => first < victim.baseOffset || first >= segmentEnd),
    );
    await reopened.close();
    // It stays quarantined (and reported) across restarts.
    const again = await Log.open(dir, config, testDeps());
    assert.deepEqual(again.quarantinedFiles, [join(dir, quarantined)]);
    assert.equal(readAll(again).length, all.length);
    await again.close();
  });

  it("rebuilds deleted and garbage indexes, and lookups stay right", async () => {
    const dir = newDir();
    const log = await Log.open(dir, config, testDeps());
    const batches = fill(log, 150);
    await log.close();
    const names = readdirSync(dir);
    const indexes = names.filter((n) => n.endsWith(".index"));
    const timeIndexes = names.filter((n) => n.endsWith(".timeindex"));
    assert.ok(indexes.length >= 3);
    // Delete some offset indexes, fill others with garbage, truncate a time index mid-entry.
    rmSync(join(dir, indexes[0]!));
    writeFileSync(join(dir, indexes[1]!), Buffer.from("this is not an index at all, not at all!"));
    writeFileSync(join(dir, indexes.at(-1)!), Buffer.alloc(64, 0x7f));
    const ti = join(dir, timeIndexes[1]!);
    writeFileSync(ti, readFileSync(ti).subarray(0, 17));
    rmSync(join(dir, timeIndexes[2]!));

    const reopened = await Log.open(dir, config, testDeps());
    assert.equal(reopened.logEndOffset, batches.at(-1)![1] + 1);
    for (const [first, last] of batches) {
      for (const o of [first, last]) {
        assert.equal(parseBatches(reopened.read(o, 1).records)[0]!.baseOffset, first, `offset ${o}`);
      }
    }
    for (let i = 0; i < batches.length; i += 7) {
      assert.equal(reopened.offsetForTimestamp(1_000_000 + i * 10)!.offset, batches[i]![0]);
    }
    await reopened.close();
    // The rebuilt files are whole again.
    for (const n of readdirSync(dir).filter((x) => x.endsWith(".index"))) {
      assert.equal(statSync(join(dir, n)).size % 8, 0);
    }
    assert.ok(existsSync(join(dir, timeIndexes[2]!)));
  });

  it("reopens after a clean shutdown rescanning only the active segment", async () => {
    const dir = newDir();
    const big = testConfig({ segmentBytes: 256 * 1024 });
    const log = await Log.open(dir, big, testDeps());
    fill(log, 3000, 200);
    const size = log.size;
    const leo = log.logEndOffset;
    await log.close();

    const cleanFs = countingFileSystem();
    const clean = await Log.open(dir, big, testDeps(undefined, cleanFs));
    assert.equal(clean.logEndOffset, leo);
    assert.ok(
      cleanFs.counts.bytesRead < size / 4,
      `clean reopen read ${cleanFs.counts.bytesRead} of ${size} bytes`,
    );
    clean.append(buildBatch(), leader);
    await clean.flush();
    await crash(clean);

    // After a crash, the segments from the recovery point on are validated, not the older ones.
    const dirtyFs = countingFileSystem();
    const recovered = await Log.open(dir, big, testDeps(undefined, dirtyFs));
    assert.equal(recovered.logEndOffset, leo + 1);
    assert.ok(
      dirtyFs.counts.bytesRead < size / 2,
      `recovery read ${dirtyFs.counts.bytesRead} of ${size} bytes`,
    );
    await crash(recovered);

    // Without a recovery point everything is validated.
    rmSync(join(dir, "recovery-point"));
    const fullFs = countingFileSystem();
    const full = await Log.open(dir, big, testDeps(undefined, fullFs));
    assert.equal(full.logEndOffset, leo + 1);
    assert.ok(
      fullFs.counts.bytesRead >= size,
      `full recovery read ${fullFs.counts.bytesRead} of ${size} bytes`,
    );
    await full.close();
  });

  it("recovers only the segments after a periodic recovery point checkpoint", async () => {
    const dir = newDir();
    const log = await Log.open(dir, config, testDeps());
    fill(log, 150);
    await log.flush();
    await log.checkpointRecoveryPoint();
    const checkpointed = log.logEndOffset;
    const more = fill(log, 20);
    await log.flush();
    await crash(log);
    const fs = countingFileSystem();
    const reopened = await Log.open(dir, config, testDeps(undefined, fs));
    assert.equal(reopened.logEndOffset, more.at(-1)![1] + 1);
    assert.ok(reopened.logEndOffset > checkpointed);
    assert.ok(fs.counts.bytesRead < reopened.size / 2);
    assert.equal(readAll(reopened).length, 170);
    await reopened.close();
  });

  it("rebuilds a missing leader epoch checkpoint from the batches", async () => {
    const dir = newDir();
    const log = await Log.open(dir, config, testDeps());
    log.append(buildBatch({ records: 3 }), { assignOffsets: true, leaderEpoch: 2 });
    log.append(buildBatch({ records: 3 }), { assignOffsets: true, leaderEpoch: 4 });
    log.append(buildBatch({ records: 3 }), { assignOffsets: true, leaderEpoch: 4 });
    await log.close();
    rmSync(join(dir, "leader-epoch-checkpoint"));
    const reopened = await Log.open(dir, config, testDeps());
    assert.deepEqual(reopened.leaderEpochEntries(), [
      { epoch: 2, startOffset: 0 },
      { epoch: 4, startOffset: 3 },
    ]);
    await reopened.close();
    assert.equal(readFileSync(join(dir, "leader-epoch-checkpoint"), "utf8"), "0\n2\n2 0\n4 3\n");
  });

  it("restores the leader epochs of unflushed batches after a crash", async () => {
    const dir = newDir();
    const log = await Log.open(dir, config, testDeps());
    log.append(buildBatch({ records: 3 }), { assignOffsets: true, leaderEpoch: 2 });
    await log.close();
    const again = await Log.open(dir, config, testDeps());
    again.append(buildBatch({ records: 3 }), { assignOffsets: true, leaderEpoch: 6 });
    await again.flush();
    await crash(again);
    // As if the epoch checkpoint write was lost in the crash.
    writeFileSync(join(dir, "leader-epoch-checkpoint"), "0\n1\n2 0\n");
    const reopened = await Log.open(dir, config, testDeps());
    assert.deepEqual(reopened.endOffsetForEpoch(2), { epoch: 2, endOffset: 3 });
    assert.deepEqual(reopened.endOffsetForEpoch(6), { epoch: 6, endOffset: 6 });
    await reopened.close();
  });

  it("removes leftovers: .deleted files, orphan indexes, temp checkpoints", async () => {
    const dir = newDir();
    const log = await Log.open(dir, config, testDeps());
    fill(log, 5);
    await log.close();
    writeFileSync(join(dir, `${segmentFileName(500, ".log")}.deleted`), "x");
    writeFileSync(join(dir, segmentFileName(900, ".index")), "x");
    writeFileSync(join(dir, "recovery-point.tmp"), "x");
    writeFileSync(join(dir, "00000000000000000042.snapshot"), "not mine");
    const reopened = await Log.open(dir, config, testDeps());
    const names = readdirSync(dir);
    assert.ok(!names.some((n) => n.endsWith(".deleted") || n.endsWith(".tmp")));
    assert.ok(!names.includes(segmentFileName(900, ".index")));
    assert.ok(names.includes("00000000000000000042.snapshot"));
    await reopened.close();
  });

  it("ignores a corrupt log start offset checkpoint", async () => {
    const dir = newDir();
    const log = await Log.open(dir, config, testDeps());
    fill(log, 5);
    await log.close();
    writeFileSync(join(dir, "log-start-offset"), "garbage");
    const reopened = await Log.open(dir, config, testDeps());
    assert.equal(reopened.logStartOffset, 0);
    await reopened.close();
  });
});
