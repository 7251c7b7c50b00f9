import assert from "node:assert/strict";
import { readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { BatchOffsets } from "@weir/protocol";
import { Log } from "../../src/storage/log.js";
import type { LogConfig } from "../../src/storage/log-config.js";
import { StorageError } from "../../src/storage/storage-error.js";
import type { StorageLogger } from "../../src/storage/storage-logger.js";
import { buildBatch, type ParsedBatch, parseBatches } from "./record-batch-fixture.js";
import { LEADER_APPEND, partitionDirs, testConfig, testDeps, waitFor } from "./storage-test-kit.js";

/*
 * Part 4 of the durability work: a flipped bit anywhere a batch's CRC32C covers (and in the
 * framing fields: length, magic, the CRC itself) is found — by recovery in the active segment, by
 * the read path in older segments — and the bad batch is never served. The base offset and the
 * partition leader epoch are outside the v2 CRC by design (the broker rewrites them): a flip there
 * is caught only when it breaks the order of offsets, so these tests leave those 12 bytes alone.
 */

const newDir = partitionDirs("corrupt-0");

/** A logger that keeps what it was told. */
function recordingLogger(): StorageLogger & { lines: { level: string; fields: object; message: string }[] } {
  const lines: { level: string; fields: object; message: string }[] = [];
  return {
    lines,
    info: (fields, message) => lines.push({ level: "info", fields, message }),
    warn: (fields, message) => lines.push({ level: "warn", fields, message }),
    error: (fields, message) => lines.push({ level: "error", fields, message }),
  };
}

function segmentFiles(dir: string): string[] {
  return readdirSync(dir)
    .filter((n) => /^\d{20}\.log$/.test(n))
    .sort()
    .map((n) => join(dir, n));
}

/** Every batch a sequence of reads from the log start returns (reads may fail: counted, not thrown). */
function readEverything(log: Log): { batches: ParsedBatch[]; corruptReads: number } {
  const batches: ParsedBatch[] = [];
  let corruptReads = 0;
  let offset = log.logStartOffset;
  while (offset < log.logEndOffset) {
    let records: Buffer;
    try {
      records = log.read(offset, 1 << 20).records;
    } catch (err) {
      assert.ok(err instanceof StorageError && err.code === "CORRUPT", String(err));
      corruptReads++;
      return { batches, corruptReads };
    }
    if (records.length === 0) break;
    for (const b of parseBatches(records)) {
      if (b.lastOffset >= offset) batches.push(b);
      offset = b.lastOffset + 1;
    }
  }
  return { batches, corruptReads };
}

/** Byte indexes inside a batch that a flip there must be caught at: framing, CRC and what it covers. */
function checkedBytes(size: number): number[] {
  const out: number[] = [];
  for (let i = BatchOffsets.batchLength; i < size; i++) {
    if (i >= BatchOffsets.partitionLeaderEpoch && i < BatchOffsets.magic) continue; // not covered
    out.push(i);
  }
  return out;
}

describe("a flipped bit in the active segment", () => {
  it("is found by recovery at every checked byte: the log is cut at that batch, nothing bad is served", async () => {
    const dir = newDir();
    const log = await Log.open(dir, testConfig(), testDeps());
    const offsets: [number, number][] = [];
    for (let i = 0; i < 3; i++) {
      const info = log.append(buildBatch({ records: 2, valueSize: 5 }), LEADER_APPEND);
      offsets.push([info.firstOffset, info.lastOffset]);
    }
    await log.close();
    const file = segmentFiles(dir)[0]!;
    const pristine = readFileSync(file);
    const snapshot = new Map(readdirSync(dir).map((n) => [n, readFileSync(join(dir, n))]));
    const onDisk = parseBatches(pristine);
    let flips = 0;
    for (const [b, batch] of onDisk.entries()) {
      for (const i of checkedBytes(batch.size)) {
        for (const n of readdirSync(dir)) if (!snapshot.has(n)) rmSync(join(dir, n));
        for (const [n, bytes] of snapshot) writeFileSync(join(dir, n), bytes);
        const flipped = Buffer.from(pristine);
        flipped[batch.position + i]! ^= 1 << (i % 8);
        writeFileSync(file, flipped);
        const logger = recordingLogger();
        const reopened = await Log.open(dir, testConfig(), { ...testDeps(), logger });
        const what = `bit ${i % 8} of byte ${i} of batch ${b}`;
        assert.equal(reopened.logEndOffset, batch.baseOffset, what);
        const served = parseBatches(reopened.read(0, 1 << 20).records);
        assert.deepEqual(
          served.map((s) => [s.baseOffset, s.lastOffset]),
          offsets.slice(0, b),
          what,
        );
        assert.ok(served.every((s) => s.crcValid));
        // The log says which file and where.
        const line = logger.lines.find((l) => l.level !== "info" && "file" in l.fields);
        assert.ok(line, `${what}: logged`);
        assert.equal((line.fields as { file: string }).file, file);
        assert.equal((line.fields as { position: number }).position, batch.position);
        // A CRC mismatch with batches after it is corruption, not a torn write: those bytes are kept.
        if (b < onDisk.length - 1 && i >= BatchOffsets.crc) {
          assert.deepEqual(
            readFileSync(`${file}.${batch.position}.corrupt`),
            flipped.subarray(batch.position),
            what,
          );
        }
        await reopened.close();
        flips++;
      }
    }
    assert.ok(flips > 150, `${flips} flips`);
  });
});

describe("a flipped bit in an older segment", () => {
  const config: LogConfig = testConfig({ segmentBytes: 4 * 1024 });

  async function logWithSegments(): Promise<{ dir: string; batches: [number, number][] }> {
    const dir = newDir();
    const log = await Log.open(dir, config, testDeps());
    const batches: [number, number][] = [];
    for (let i = 0; i < 60; i++) {
      const info = log.append(buildBatch({ records: 1 + (i % 3), valueSize: 80 }), LEADER_APPEND);
      batches.push([info.firstOffset, info.lastOffset]);
    }
    assert.ok(log.segments >= 4);
    await log.close();
    return { dir, batches };
  }

  it("is found by the read path, never served, and the segment's bad tail is quarantined", async () => {
    const bytes = [
      BatchOffsets.batchLength + 2,
      BatchOffsets.magic,
      BatchOffsets.crc + 1,
      BatchOffsets.attributes,
      40,
      70,
      -1,
    ];
    for (const byte of bytes) {
      const { dir, batches } = await logWithSegments();
      const victimFile = segmentFiles(dir)[1]!;
      const content = readFileSync(victimFile);
      const onDisk = parseBatches(content);
      const victim = onDisk[2]!;
      const at = byte < 0 ? victim.size - 1 : byte;
      content[victim.position + at]! ^= 0x10;
      writeFileSync(victimFile, content);

      const logger = recordingLogger();
      const log = await Log.open(dir, config, { ...testDeps(), logger });
      // Below the recovery point: not CRC-checked at startup. (A broken header may still be met by
      // the walk that checks the segment's index, and quarantined at once.)
      assert.equal(log.logEndOffset, batches.at(-1)![1] + 1);
      const headerFlip = at < BatchOffsets.crc;
      if (!headerFlip || log.quarantinedFiles.length === 0) {
        const first = readEverything(log);
        assert.equal(first.corruptReads, 1, `byte ${at}: the read at the bad batch fails`);
        assert.ok(first.batches.every((b) => b.crcValid));
        assert.equal(first.batches.at(-1)!.lastOffset, victim.baseOffset - 1, "served up to the bad batch");
      }
      const line = logger.lines.find((l) => l.level === "error" && "file" in l.fields);
      assert.ok(line, "the corrupt batch is logged");
      assert.equal((line.fields as { file: string }).file, victimFile);
      assert.equal((line.fields as { position: number }).position, victim.position);

      await waitFor(() => log.quarantinedFiles.length === 1);
      const quarantined = `${victimFile}.${victim.position}.corrupt`;
      assert.deepEqual(log.quarantinedFiles, [quarantined]);
      assert.deepEqual(readFileSync(quarantined), content.subarray(victim.position));
      assert.equal(statSync(victimFile).size, victim.position);
      // Readers now get everything else, past the gap; nothing is lost but the quarantined bytes.
      const segmentEnd = onDisk.at(-1)!.lastOffset + 1;
      const second = readEverything(log);
      assert.equal(second.corruptReads, 0);
      assert.ok(second.batches.every((b) => b.crcValid));
      assert.deepEqual(
        second.batches.map((b) => [b.baseOffset, b.lastOffset]),
        batches.filter(([f]) => f < victim.baseOffset || f >= segmentEnd),
      );
      // Appends go on at the log end.
      assert.equal(log.append(buildBatch(), LEADER_APPEND).firstOffset, batches.at(-1)![1] + 1);
      await log.close();

      const again = await Log.open(dir, config, testDeps());
      assert.deepEqual(again.quarantinedFiles, [quarantined]);
      assert.equal(readEverything(again).batches.length, second.batches.length + 1);
      await again.close();
    }
  });

  it("a broken batch header met while looking up an offset is quarantined too", async () => {
    const indexed = testConfig({ segmentBytes: 8 * 1024, indexIntervalBytes: 256 });
    const dir = newDir();
    const writer = await Log.open(dir, indexed, testDeps());
    for (let i = 0; i < 120; i++) writer.append(buildBatch({ records: 2, valueSize: 80 }), LEADER_APPEND);
    await writer.close();
    const victimFile = segmentFiles(dir)[1]!;
    const content = readFileSync(victimFile);
    const victim = parseBatches(content)[3]!; // well before the segment's last index entry
    content[victim.position + BatchOffsets.magic]! ^= 0x01;
    writeFileSync(victimFile, content);

    const log = await Log.open(dir, indexed, testDeps());
    assert.deepEqual(log.quarantinedFiles, [], "not met at startup");
    // A reader that asks for an offset after the victim walks over its header from an index entry.
    const target = parseBatches(content)[4]!.baseOffset;
    assert.throws(
      () => log.read(target, 1 << 20),
      (err: unknown) => err instanceof StorageError && err.code === "CORRUPT",
    );
    await waitFor(() => log.quarantinedFiles.length === 1);
    assert.deepEqual(log.quarantinedFiles, [`${victimFile}.${victim.position}.corrupt`]);
    const after = readEverything(log);
    assert.equal(after.corruptReads, 0);
    assert.ok(after.batches.every((b) => b.crcValid && b.baseOffset !== victim.baseOffset));
    await log.close();
  });

  it("is quarantined at startup when the segment is scanned (its indexes did not add up)", async () => {
    const { dir, batches } = await logWithSegments();
    const victimFile = segmentFiles(dir)[1]!;
    const content = readFileSync(victimFile);
    const victim = parseBatches(content)[4]!;
    content[victim.position + 50]! ^= 0x01;
    writeFileSync(victimFile, content);
    rmSync(victimFile.replace(/\.log$/, ".index")); // forces a scan of that segment
    const log = await Log.open(dir, config, testDeps());
    assert.deepEqual(log.quarantinedFiles, [`${victimFile}.${victim.position}.corrupt`]);
    assert.equal(log.logEndOffset, batches.at(-1)![1] + 1, "later segments are kept");
    const all = readEverything(log);
    assert.equal(all.corruptReads, 0);
    assert.ok(!all.batches.some((b) => b.baseOffset === victim.baseOffset));
    await log.close();
  });
});
