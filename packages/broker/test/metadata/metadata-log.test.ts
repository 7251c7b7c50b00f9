import assert from "node:assert/strict";
import { appendFile, readFile, stat, truncate, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import { MetadataError } from "../../src/metadata/metadata-error.js";
import { MetadataImage } from "../../src/metadata/metadata-image.js";
import {
  encodeFrame,
  METADATA_LOG_DIR_NAME,
  METADATA_LOG_FILE_NAME,
  type MetadataBatch,
  MetadataLog,
} from "../../src/metadata/metadata-log.js";
import { encodeBatch } from "../../src/metadata/metadata-record-codec.js";
import type { MetadataRecord } from "../../src/metadata/metadata-records.js";
import { withTempDir } from "./fixtures.js";

const TOPIC = "AAAAAAAAAAAAAAAAAAAAZA";
const BATCHES: readonly (readonly MetadataRecord[])[] = [
  [{ type: "FeatureLevel", name: "metadata.version", featureLevel: 21 }],
  [
    { type: "Topic", name: "t", topicId: TOPIC },
    { type: "Config", resourceType: "topic", resourceName: "t", name: "retention.ms", value: "1" },
    {
      type: "Partition",
      topicId: TOPIC,
      partitionId: 0,
      replicas: [1],
      isr: [1],
      leader: 1,
      leaderEpoch: 0,
      partitionEpoch: 0,
    },
  ],
  [{ type: "ProducerIds", brokerId: 1, brokerEpoch: 0n, nextProducerId: 1000n }],
];

const logPath = (dir: string) => join(dir, METADATA_LOG_DIR_NAME, METADATA_LOG_FILE_NAME);
const replay = (batches: readonly MetadataBatch[]) =>
  MetadataImage.EMPTY.replayAll(batches.flatMap((b) => b.records));

async function writeAll(dir: string): Promise<MetadataImage> {
  const { log, batches, recovery } = await MetadataLog.open(dir);
  assert.deepEqual(batches, []);
  assert.deepEqual(recovery, { batches: 0, records: 0, truncatedBytes: 0 });
  let image = MetadataImage.EMPTY;
  for (const records of BATCHES) {
    const base = await log.append(records);
    assert.equal(base, image.offset + 1);
    image = image.replayAll(records);
  }
  assert.equal(log.nextOffset, 5);
  await log.close();
  return image;
}

test("write, close, reopen: the same records at the same offsets, the same image", async () => {
  await withTempDir(async (dir) => {
    const written = await writeAll(dir);
    const { log, batches, recovery } = await MetadataLog.open(dir);
    assert.deepEqual(
      batches.map((b) => b.baseOffset),
      [0, 1, 4],
    );
    assert.deepEqual(
      batches.map((b) => b.records),
      BATCHES,
    );
    assert.deepEqual(recovery, { batches: 3, records: 5, truncatedBytes: 0 });
    assert.deepEqual(replay(batches), written);
    assert.equal(log.nextOffset, 5);
    // appending after a reopen continues the offsets
    assert.equal(await log.append([{ type: "RemoveTopic", topicId: TOPIC }]), 5);
    assert.equal(await log.append([]), 6, "an empty append writes nothing");
    await log.close();
    const reopened = await MetadataLog.open(dir);
    assert.equal(reopened.recovery.records, 6);
    await reopened.log.close();
  });
});

test("a torn tail is truncated on recovery, whatever its length", async () => {
  await withTempDir(async (dir) => {
    await writeAll(dir);
    const full = await readFile(logPath(dir));
    const nextFrame = encodeFrame(encodeBatch(5, [{ type: "RemoveTopic", topicId: TOPIC }]));
    for (const cut of [1, 5, 12, 13, nextFrame.length - 1]) {
      await writeFile(logPath(dir), Buffer.concat([full, nextFrame.subarray(0, cut)]));
      const { log, batches, recovery } = await MetadataLog.open(dir);
      assert.equal(recovery.truncatedBytes, cut, `cut ${cut}`);
      assert.equal(recovery.records, 5);
      assert.equal(batches.length, 3);
      await log.close();
      assert.equal((await stat(logPath(dir))).size, full.length, "file truncated to the last whole batch");
    }
  });
});

test("a garbled or zero-filled last batch is truncated too", async () => {
  await withTempDir(async (dir) => {
    await writeAll(dir);
    const full = await readFile(logPath(dir));
    // zeros after the end (a crash after the file grew but before the data reached the disk)
    await appendFile(logPath(dir), Buffer.alloc(4096));
    let opened = await MetadataLog.open(dir);
    assert.equal(opened.recovery.truncatedBytes, 4096);
    await opened.log.close();
    // the last batch's payload garbled: checksum mismatch at the tail
    const corrupt = Buffer.from(full);
    corrupt[corrupt.length - 2] ^= 0xff;
    await writeFile(logPath(dir), corrupt);
    opened = await MetadataLog.open(dir);
    assert.equal(opened.recovery.records, 4);
    assert.ok(opened.recovery.truncatedBytes > 0);
    // and the log accepts appends again from offset 4
    assert.equal(await opened.log.append(BATCHES[2]!), 4);
    await opened.log.close();
    const final = await MetadataLog.open(dir);
    await final.log.close();
    assert.equal(final.recovery.records, 5);
  });
});

test("corruption in the middle of the log is a clear error, not a truncation", async () => {
  await withTempDir(async (dir) => {
    await writeAll(dir);
    const full = await readFile(logPath(dir));
    const corrupt = Buffer.from(full);
    corrupt[20] ^= 0xff; // inside the first batch
    await writeFile(logPath(dir), corrupt);
    await assert.rejects(MetadataLog.open(dir), (e: unknown) => {
      assert.ok(e instanceof MetadataError);
      assert.equal(e.code, "CORRUPT_METADATA_LOG");
      assert.match(e.message, /corrupt record batch at byte 0 .* followed by intact batches/);
      return true;
    });
    assert.deepEqual(await readFile(logPath(dir)), corrupt, "nothing was truncated");
  });
});

test("a batch whose base offset does not follow is corruption", async () => {
  await withTempDir(async (dir) => {
    await writeAll(dir);
    await appendFile(logPath(dir), encodeFrame(encodeBatch(9, [{ type: "RemoveTopic", topicId: TOPIC }])));
    await assert.rejects(MetadataLog.open(dir), /base offset 9, expected 5/);
  });
});

test("appends after close are refused", async () => {
  await withTempDir(async (dir) => {
    const { log } = await MetadataLog.open(dir);
    await log.close();
    await assert.rejects(
      log.append(BATCHES[0]!),
      (e: unknown) => e instanceof MetadataError && e.code === "CLOSED",
    );
  });
});

test("concurrent appends are serialized in call order", async () => {
  await withTempDir(async (dir) => {
    const { log } = await MetadataLog.open(dir);
    const offsets = await Promise.all(BATCHES.map((records) => log.append(records)));
    assert.deepEqual(offsets, [0, 1, 4]);
    await log.close();
    await truncate(logPath(dir), 0);
    const { log: empty, recovery } = await MetadataLog.open(dir);
    assert.equal(recovery.records, 0);
    await empty.close();
  });
});
