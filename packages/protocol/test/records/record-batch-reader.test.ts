import assert from "node:assert/strict";
import { test } from "node:test";
import {
  buildRecordBatch,
  CompressionType,
  ProtocolError,
  RecordBatchReader,
  readRecordBatches,
} from "../../src/index.js";
import { sampleRecords, T0 } from "./helpers.js";

const code = (expected: string) => (err: unknown) => err instanceof ProtocolError && err.code === expected;

function twoBatches(): { buf: Buffer; first: Buffer; second: Buffer } {
  const first = buildRecordBatch(sampleRecords(5, 1), { baseOffset: 0 });
  const second = buildRecordBatch(sampleRecords(7, 2), {
    baseOffset: 5,
    compression: CompressionType.Snappy,
  });
  return { buf: Buffer.concat([first, second]), first, second };
}

test("iterates several batches and their records", () => {
  const { buf, first } = twoBatches();
  const reader = readRecordBatches(buf);
  const batches = [...reader];
  assert.equal(batches.length, 2);
  assert.equal(reader.partialTail, false);
  assert.equal(reader.position, buf.length);
  assert.deepEqual(batches[0].buffer, first);
  assert.deepEqual(
    [...batches[1].records()].map((r) => r.offset),
    [5, 6, 7, 8, 9, 10, 11],
  );
});

test("every truncation stops cleanly at a partial tail, never throwing", () => {
  const { buf, first } = twoBatches();
  for (let cut = 0; cut < buf.length; cut++) {
    const reader = new RecordBatchReader(buf.subarray(0, cut));
    const batches = [...reader];
    const expected = cut >= first.length ? 1 : 0;
    assert.equal(batches.length, expected, `cut ${cut}`);
    assert.equal(reader.position, expected ? first.length : 0);
    assert.equal(reader.partialTail, cut !== 0 && cut !== first.length, `cut ${cut}`);
  }
});

test("every single-bit flip in the CRC-covered bytes is detected", () => {
  const batch = buildRecordBatch(sampleRecords(4), { compression: CompressionType.Gzip });
  for (let byte = 17; byte < batch.length; byte++) {
    for (let bit = 0; bit < 8; bit++) {
      const damaged = Buffer.from(batch);
      damaged[byte] ^= 1 << bit;
      assert.throws(() => [...readRecordBatches(damaged)], code("CORRUPT_RECORD"), `byte ${byte} bit ${bit}`);
    }
  }
});

test("baseOffset and partitionLeaderEpoch are outside the CRC and may be rewritten", () => {
  const batch = buildRecordBatch(sampleRecords(2));
  batch.writeBigInt64BE(999n, 0);
  batch.writeInt32BE(7, 12);
  const [read] = readRecordBatches(batch);
  assert.equal(read.baseOffset, 999);
  assert.equal(read.header.partitionLeaderEpoch, 7);
});

test("legacy message sets (magic 0 and 1) are reported as UNSUPPORTED_VERSION", () => {
  for (const magic of [0, 1]) {
    const legacy = Buffer.alloc(12 + 26);
    legacy.writeInt32BE(26, 8);
    legacy[16] = magic;
    assert.throws(() => [...readRecordBatches(legacy)], code("UNSUPPORTED_VERSION"));
  }
  const future = buildRecordBatch(sampleRecords(1));
  future[16] = 3;
  assert.throws(() => [...readRecordBatches(future)], code("CORRUPT_RECORD"));
});

test("impossible lengths are CORRUPT_RECORD; a too-large length is a partial tail", () => {
  const batch = buildRecordBatch(sampleRecords(1));
  const small = Buffer.from(batch);
  small.writeInt32BE(13, 8);
  assert.throws(() => [...readRecordBatches(small)], code("CORRUPT_RECORD"));
  const underV2 = Buffer.from(batch);
  underV2.writeInt32BE(40, 8);
  assert.throws(() => [...readRecordBatches(underV2)], code("CORRUPT_RECORD"));
  const negative = Buffer.from(batch);
  negative.writeInt32BE(-1, 8);
  assert.throws(() => [...readRecordBatches(negative)], code("CORRUPT_RECORD"));
  const huge = Buffer.from(batch);
  huge.writeInt32BE(0x7fffffff, 8);
  const reader = readRecordBatches(huge);
  assert.deepEqual([...reader], []);
  assert.ok(reader.partialTail);
});

test("records that disagree with the header are CORRUPT_RECORD (CRC check off to reach them)", () => {
  const batch = buildRecordBatch(sampleRecords(3));
  const tooMany = Buffer.from(batch);
  tooMany.writeInt32BE(4, 57);
  assert.throws(
    () => [...[...readRecordBatches(tooMany, { verifyCrc: false })][0].records()],
    code("CORRUPT_RECORD"),
  );
  const tooFew = Buffer.from(batch);
  tooFew.writeInt32BE(2, 57);
  assert.throws(
    () => [...[...readRecordBatches(tooFew, { verifyCrc: false })][0].records()],
    code("CORRUPT_RECORD"),
  );
  const absurd = Buffer.from(batch);
  absurd.writeInt32BE(2_000_000_000, 57);
  assert.throws(
    () => [...[...readRecordBatches(absurd, { verifyCrc: false })][0].records()],
    code("CORRUPT_RECORD"),
  );
});

test("an undefined compression id fails when the records are read", () => {
  const batch = buildRecordBatch(sampleRecords(1), { compression: CompressionType.Gzip });
  batch[22] = (batch[22] & ~7) | 6;
  const [read] = readRecordBatches(batch, { verifyCrc: false });
  assert.equal(read.compression, 6);
  assert.throws(() => [...read.records()], code("UNSUPPORTED_COMPRESSION"));
});

test("maxDecompressedBytes bounds a batch's records section", () => {
  const records = [{ value: Buffer.alloc(500_000), timestamp: T0 }];
  const [batch] = readRecordBatches(buildRecordBatch(records, { compression: CompressionType.Zstd }));
  assert.throws(() => [...batch.records({ maxDecompressedBytes: 100_000 })], code("CORRUPT_RECORD"));
  assert.equal([...batch.records({ maxDecompressedBytes: 600_000 })].length, 1);
});

test("the reader honours start and end bounds", () => {
  const { buf, first, second } = twoBatches();
  const padded = Buffer.concat([Buffer.alloc(5, 0xee), buf, Buffer.alloc(3, 0xee)]);
  const reader = new RecordBatchReader(padded, {}, 5 + first.length, 5 + buf.length);
  const batches = [...reader];
  assert.equal(batches.length, 1);
  assert.deepEqual(batches[0].buffer, second);
  assert.equal(reader.partialTail, false);
});
