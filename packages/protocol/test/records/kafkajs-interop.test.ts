import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { test } from "node:test";
import { buildRecordBatch, CompressionType, type RecordInput, readRecordBatches } from "../../src/index.js";
import { sampleRecords, T0 } from "./helpers.js";

/*
 * Cross-checks against kafkajs's own record batch v2 encoder and decoder (internal modules of the
 * kafkajs devDependency). kafkajs ships only the gzip codec, so none and gzip are checked here.
 */
const require = createRequire(import.meta.url);

interface KafkajsEncoder {
  buffer: Buffer;
}
interface KafkajsDecodedRecord {
  offset: string;
  timestamp: string;
  key: Buffer | null;
  value: Buffer | null;
  headers: { [key: string]: Buffer | Buffer[] };
}
interface KafkajsDecodedBatch {
  firstOffset: string;
  lastOffsetDelta: number;
  producerId: string;
  producerEpoch: number;
  firstSequence: number;
  inTransaction: boolean;
  records: KafkajsDecodedRecord[];
}
type Long = unknown;

const { RecordBatch: kafkajsRecordBatch } = require("kafkajs/src/protocol/recordBatch/v0/index.js") as {
  RecordBatch: (options: {
    compression: number;
    firstOffset: Long;
    firstTimestamp: number;
    maxTimestamp: number;
    lastOffsetDelta: number;
    producerId: Long;
    producerEpoch: number;
    firstSequence: number;
    transactional: boolean;
    records: KafkajsEncoder[];
  }) => Promise<KafkajsEncoder>;
};
const kafkajsRecord = require("kafkajs/src/protocol/recordBatch/record/v0/index.js") as (record: {
  offsetDelta: number;
  timestampDelta: number;
  key: Buffer | null;
  value: Buffer | null;
  headers: { [key: string]: Buffer };
}) => KafkajsEncoder;
const KafkajsDecoder = require("kafkajs/src/protocol/decoder.js") as new (buffer: Buffer) => unknown;
const kafkajsDecodeBatch = require("kafkajs/src/protocol/recordBatch/v0/decoder.js") as (
  decoder: unknown,
) => Promise<KafkajsDecodedBatch>;
const Long = require("kafkajs/src/utils/long.js") as { fromValue(v: number): Long; fromInt(v: number): Long };

/** kafkajs keeps headers in an object, so use records whose header keys are distinct. */
function recordsForKafkajs(): RecordInput[] {
  return sampleRecords(30).map((r) => ({
    ...r,
    headers: r.headers?.filter((h) => h.value !== null),
  }));
}

for (const compression of [CompressionType.None, CompressionType.Gzip]) {
  const name = CompressionType[compression];

  test(`${name}: batches built here decode with kafkajs's decoder`, async () => {
    const records = recordsForKafkajs();
    const batch = buildRecordBatch(records, {
      compression,
      baseOffset: 500,
      producerId: 77,
      producerEpoch: 2,
      baseSequence: 10,
      transactional: true,
    });
    const decoded = await kafkajsDecodeBatch(new KafkajsDecoder(batch));
    assert.equal(decoded.firstOffset, "500");
    assert.equal(decoded.lastOffsetDelta, records.length - 1);
    assert.equal(decoded.producerId, "77");
    assert.equal(decoded.producerEpoch, 2);
    assert.equal(decoded.firstSequence, 10);
    assert.equal(decoded.inTransaction, true);
    assert.equal(decoded.records.length, records.length);
    decoded.records.forEach((r, i) => {
      const e = records[i];
      assert.equal(r.offset, String(500 + i));
      assert.equal(r.timestamp, String(e.timestamp));
      assert.deepEqual(r.key, e.key == null ? null : Buffer.from(e.key));
      assert.deepEqual(r.value, e.value == null ? null : Buffer.from(e.value));
      const headers = Object.fromEntries(
        (e.headers ?? []).map((h) => [h.key, Buffer.from(h.value as Uint8Array)]),
      );
      assert.deepEqual(r.headers, headers);
    });
  });

  test(`${name}: batches built by kafkajs decode here, CRC included`, async () => {
    const records = recordsForKafkajs();
    const encoded = await kafkajsRecordBatch({
      compression,
      firstOffset: Long.fromInt(0),
      firstTimestamp: T0,
      maxTimestamp: Math.max(...records.map((r) => r.timestamp)),
      lastOffsetDelta: records.length - 1,
      producerId: Long.fromValue(-1),
      producerEpoch: 0,
      firstSequence: 0,
      transactional: false,
      records: records.map((r, i) =>
        kafkajsRecord({
          offsetDelta: i,
          timestampDelta: r.timestamp - T0,
          key: r.key == null ? null : Buffer.from(r.key),
          value: r.value == null ? null : Buffer.from(r.value),
          headers: Object.fromEntries(
            (r.headers ?? []).map((h) => [h.key, Buffer.from(h.value as Uint8Array)]),
          ),
        }),
      ),
    });
    const [batch] = [...readRecordBatches(encoded.buffer)];
    assert.equal(batch.compression, compression);
    const decoded = [...batch.records()];
    assert.equal(decoded.length, records.length);
    decoded.forEach((r, i) => {
      const e = records[i];
      assert.equal(r.offset, i);
      assert.equal(r.timestamp, e.timestamp);
      assert.deepEqual(r.key, e.key == null ? null : Buffer.from(e.key));
      assert.deepEqual(r.value, e.value == null ? null : Buffer.from(e.value));
      assert.deepEqual(
        r.headers,
        (e.headers ?? []).map((h) => ({ key: h.key, value: Buffer.from(h.value as Uint8Array) })),
      );
    });
  });
}
