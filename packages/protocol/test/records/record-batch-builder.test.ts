import assert from "node:assert/strict";
import { test } from "node:test";
import { crc32c } from "@node-rs/crc32";
import {
  Attributes,
  buildRecordBatch,
  CompressionType,
  type Record,
  type RecordInput,
  readRecordBatches,
  TimestampType,
} from "../../src/index.js";
import { randomBytes, sampleRecords, seededRandom, T0 } from "./helpers.js";

const CODECS = [
  CompressionType.None,
  CompressionType.Gzip,
  CompressionType.Snappy,
  CompressionType.Lz4,
  CompressionType.Zstd,
];

function readAll(batch: Buffer): Record[] {
  const batches = [...readRecordBatches(batch)];
  assert.equal(batches.length, 1);
  return [...batches[0].records()];
}

function assertSameRecords(actual: Record[], expected: RecordInput[], baseOffset = 0): void {
  assert.equal(actual.length, expected.length);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i];
    const e = expected[i];
    assert.equal(a.offset, baseOffset + (e.offsetDelta ?? i), `offset ${i}`);
    assert.equal(a.timestamp, e.timestamp, `timestamp ${i}`);
    assert.deepEqual(a.key, e.key == null ? null : Buffer.from(e.key), `key ${i}`);
    assert.deepEqual(a.value, e.value == null ? null : Buffer.from(e.value), `value ${i}`);
    const headers = (e.headers ?? []).map((h) => ({
      key: h.key,
      value: h.value === null ? null : Buffer.from(h.value),
    }));
    assert.deepEqual(a.headers, headers, `headers ${i}`);
    assert.equal(a.attributes, 0);
  }
}

test("a one-record batch has exactly the documented v2 layout", () => {
  const batch = buildRecordBatch([{ key: Buffer.from("k"), value: Buffer.from("v"), timestamp: T0 }]);
  const record = Buffer.from([0x10, 0x00, 0x00, 0x00, 0x02, 0x6b, 0x02, 0x76, 0x00]);
  const afterCrc = Buffer.alloc(40 + record.length);
  let p = afterCrc.writeInt16BE(0, 0); // attributes
  p = afterCrc.writeInt32BE(0, p); // lastOffsetDelta
  p = afterCrc.writeBigInt64BE(BigInt(T0), p); // baseTimestamp
  p = afterCrc.writeBigInt64BE(BigInt(T0), p); // maxTimestamp
  p = afterCrc.writeBigInt64BE(-1n, p); // producerId
  p = afterCrc.writeInt16BE(-1, p); // producerEpoch
  p = afterCrc.writeInt32BE(-1, p); // baseSequence
  p = afterCrc.writeInt32BE(1, p); // records count
  record.copy(afterCrc, p);
  const head = Buffer.alloc(21);
  head.writeBigInt64BE(0n, 0); // baseOffset
  head.writeInt32BE(49 + record.length, 8); // batchLength
  head.writeInt32BE(-1, 12); // partitionLeaderEpoch
  head.writeInt8(2, 16); // magic
  head.writeUInt32BE(crc32c(afterCrc) >>> 0, 17);
  assert.deepEqual(batch, Buffer.concat([head, afterCrc]));
});

for (const compression of CODECS) {
  test(`codec ${CompressionType[compression]}: records round-trip (nulls, empties, headers, unicode)`, () => {
    const records = sampleRecords(60);
    const batch = buildRecordBatch(records, { compression, baseOffset: 1000 });
    assertSameRecords([...[...readRecordBatches(batch)][0].records()], records, 1000);
  });

  test(`codec ${CompressionType[compression]}: 20,000 records and 1 MiB values`, () => {
    const many: RecordInput[] = [];
    for (let i = 0; i < 20_000; i++) many.push({ value: Buffer.from(`m${i}`), timestamp: T0 + i });
    assertSameRecords(readAll(buildRecordBatch(many, { compression })), many);
    const random = seededRandom(compression + 1);
    const large: RecordInput[] = [
      { key: Buffer.from("big"), value: randomBytes(random, 1024 * 1024), timestamp: T0 },
      {
        value: Buffer.alloc(1024 * 1024, 0x61),
        timestamp: T0 + 1,
        headers: [{ key: "h", value: randomBytes(random, 70_000) }],
      },
    ];
    assertSameRecords(readAll(buildRecordBatch(large, { compression })), large);
  });
}

test("header fields: offsets, timestamps, producer fields, flags", () => {
  const records: RecordInput[] = [
    { value: Buffer.from("a"), timestamp: T0 + 50 },
    { value: Buffer.from("b"), timestamp: T0 + 500 },
    { value: Buffer.from("c"), timestamp: T0 - 20 },
  ];
  const buffer = buildRecordBatch(records, {
    baseOffset: 77,
    partitionLeaderEpoch: 4,
    compression: CompressionType.Zstd,
    producerId: 123456789012,
    producerEpoch: 3,
    baseSequence: 42,
    transactional: true,
  });
  const [batch] = readRecordBatches(buffer);
  const h = batch.header;
  assert.equal(h.baseOffset, 77);
  assert.equal(h.batchLength, buffer.length - 12);
  assert.equal(h.partitionLeaderEpoch, 4);
  assert.equal(h.magic, 2);
  assert.equal(h.lastOffsetDelta, 2);
  assert.equal(h.baseTimestamp, T0 + 50);
  assert.equal(h.maxTimestamp, T0 + 500);
  assert.equal(h.producerId, 123456789012);
  assert.equal(h.producerEpoch, 3);
  assert.equal(h.baseSequence, 42);
  assert.equal(h.recordsCount, 3);
  assert.equal(h.attributes, CompressionType.Zstd | Attributes.transactional);
  assert.equal(batch.compression, CompressionType.Zstd);
  assert.ok(batch.isTransactional && !batch.isControl && batch.hasProducerId);
  assert.equal(batch.timestampType, TimestampType.CreateTime);
  assert.equal(batch.lastOffset, 79);
  assert.equal(batch.nextOffset, 80);
  assert.deepEqual(
    [...batch.records()].map((r) => [r.offset, r.timestamp]),
    [
      [77, T0 + 50],
      [78, T0 + 500],
      [79, T0 - 20],
    ],
  );
});

test("LogAppendTime: the batch carries it as max timestamp and records report it", () => {
  const buffer = buildRecordBatch(sampleRecords(3), { logAppendTime: T0 + 9999 });
  const [batch] = readRecordBatches(buffer);
  assert.equal(batch.timestampType, TimestampType.LogAppendTime);
  assert.equal(batch.header.maxTimestamp, T0 + 9999);
  for (const r of batch.records()) assert.equal(r.timestamp, T0 + 9999);
});

test("offset gaps (compacted batches), explicit lastOffsetDelta and empty batches", () => {
  const records: RecordInput[] = [
    { value: Buffer.from("a"), timestamp: T0, offsetDelta: 0 },
    { value: Buffer.from("d"), timestamp: T0, offsetDelta: 3 },
  ];
  const [batch] = readRecordBatches(buildRecordBatch(records, { baseOffset: 10, lastOffsetDelta: 5 }));
  assert.equal(batch.header.lastOffsetDelta, 5);
  assert.deepEqual(
    [...batch.records()].map((r) => r.offset),
    [10, 13],
  );
  const [empty] = readRecordBatches(buildRecordBatch([], { baseOffset: 5, lastOffsetDelta: 2 }));
  assert.equal(empty.header.recordsCount, 0);
  assert.equal(empty.header.baseTimestamp, -1);
  assert.deepEqual([...empty.records()], []);
});

test("arguments Kafka cannot carry are refused", () => {
  const one: RecordInput[] = [{ value: null, timestamp: T0 }];
  assert.throws(() => buildRecordBatch([{ value: null, timestamp: 1.5 }]), RangeError);
  assert.throws(() => buildRecordBatch(one, { producerEpoch: 40_000 }), RangeError);
  assert.throws(() => buildRecordBatch(one, { baseOffset: -1 }), RangeError);
  assert.throws(
    () =>
      buildRecordBatch([
        { value: null, timestamp: T0, offsetDelta: 2 },
        { value: null, timestamp: T0, offsetDelta: 2 },
      ]),
    RangeError,
  );
  assert.throws(() => buildRecordBatch(one, { lastOffsetDelta: -1 }), RangeError);
});

test("batches are independent buffers (no shared scratch leaks between builds)", () => {
  const a = buildRecordBatch(sampleRecords(10, 1));
  const copyOfA = Buffer.from(a);
  buildRecordBatch(sampleRecords(50, 2), { compression: CompressionType.Lz4 });
  assert.deepEqual(a, copyOfA);
});
