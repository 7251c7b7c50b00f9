import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { buildRecordBatch, CompressionType, type RecordInput, readRecordBatches } from "@weir/protocol";
import type { KafkaError } from "../../src/errors.js";
import { type DeliverySink, ProducerBatch } from "../../src/producer/producer-batch.js";
import {
  encodeHeaders,
  type MessageHeaders,
  type RecordMetadata,
} from "../../src/producer/producer-record.js";

const NOOP_SINK: DeliverySink = { delivered() {}, failed() {} };

interface Input {
  key: Buffer | string | null;
  value: Buffer | string | null;
  headers?: MessageHeaders;
  timestamp: number;
}

function build(inputs: Input[], compression = CompressionType.None, capacity = 1 << 20): ProducerBatch {
  const batch = new ProducerBatch("t", 0, capacity, 0);
  for (const r of inputs) {
    assert.ok(batch.tryAppend(r.key, r.value, encodeHeaders(r.headers), r.timestamp, NOOP_SINK, 0) > 0);
  }
  batch.seal(compression, undefined);
  return batch;
}

const bytes = (v: Uint8Array | string | null) => (v === null ? null : Buffer.from(v));

function asRecordInputs(inputs: Input[]): RecordInput[] {
  return inputs.map((r) => ({
    key: bytes(r.key),
    value: bytes(r.value),
    headers: (encodeHeaders(r.headers) ?? undefined)?.map((h) => ({ key: h.key, value: bytes(h.value) })),
    timestamp: r.timestamp,
  }));
}

const SAMPLE: Input[] = [
  { key: "k1", value: "hello", timestamp: 1_700_000_000_000 },
  { key: null, value: Buffer.from([0, 1, 2, 255]), timestamp: 1_700_000_000_005 },
  {
    key: Buffer.alloc(0),
    value: null,
    headers: { a: "1", b: ["x", "y"], c: null },
    timestamp: 1_699_999_999_000,
  },
  {
    key: "ключ",
    value: "значение ✓",
    headers: [
      { key: "dup", value: "1" },
      { key: "dup", value: Buffer.from("2") },
    ],
    timestamp: 1_700_000_100_000,
  },
  { key: "big", value: "v".repeat(70_000), timestamp: 1_700_000_100_001 },
];

describe("ProducerBatch", () => {
  it("writes the same bytes as the protocol package's batch builder", () => {
    const ours = build(SAMPLE);
    const reference = buildRecordBatch(asRecordInputs(SAMPLE));
    assert.deepEqual(ours.sealed, reference);
  });

  it("stamps producer id, epoch and sequence into the header and a valid CRC", () => {
    const ours = build(SAMPLE.slice(0, 2));
    ours.stamp(4242, 3, 17);
    const reference = buildRecordBatch(asRecordInputs(SAMPLE.slice(0, 2)), {
      producerId: 4242,
      producerEpoch: 3,
      baseSequence: 17,
    });
    assert.deepEqual(ours.sealed, reference);
    const [batch] = [...readRecordBatches(ours.sealed!)];
    assert.equal(batch.header.baseSequence, 17);
    assert.equal(ours.lastSequence, 18);
  });

  for (const [name, type] of [
    ["gzip", CompressionType.Gzip],
    ["snappy", CompressionType.Snappy],
    ["lz4", CompressionType.Lz4],
    ["zstd", CompressionType.Zstd],
  ] as const) {
    it(`compresses with ${name} and the records read back unchanged`, () => {
      const ours = build(SAMPLE, type);
      const [batch] = [...readRecordBatches(ours.sealed!)];
      assert.equal(batch.compression, type);
      const records = [...batch.records()];
      assert.equal(records.length, SAMPLE.length);
      records.forEach((r, i) => {
        assert.deepEqual(r.key, bytes(SAMPLE[i].key));
        assert.deepEqual(r.value, bytes(SAMPLE[i].value));
        assert.equal(r.timestamp, SAMPLE[i].timestamp);
        assert.equal(r.offset, i);
      });
      assert.deepEqual(
        records[2].headers.map((h) => [h.key, h.value?.toString() ?? null]),
        [
          ["a", "1"],
          ["b", "x"],
          ["b", "y"],
          ["c", null],
        ],
      );
    });
  }

  it("reports full when a record does not fit, and always takes its first record", () => {
    const batch = new ProducerBatch("t", 0, 100, 0);
    assert.ok(batch.tryAppend(null, "x".repeat(20), null, 1, NOOP_SINK, 0) > 0);
    assert.equal(batch.tryAppend(null, "x".repeat(20), null, 1, NOOP_SINK, 1), 0);
    assert.equal(batch.full, true);
    const big = new ProducerBatch("t", 0, 64, 0);
    assert.ok(
      big.tryAppend(null, "y".repeat(500), null, 1, NOOP_SINK, 0) > 0,
      "a first record larger than the batch grows it",
    );
  });

  it("grows up to its maximum while the memory grants it, and reads back every record", () => {
    let granted = 0;
    let allow = true;
    const memory = {
      reserve: (bytes: number) => {
        if (allow) granted += bytes;
        return allow;
      },
    };
    const batch = new ProducerBatch("t", 0, 1000, 0, 10_000, memory);
    const inputs: Input[] = [];
    for (let i = 0; ; i++) {
      const value = `v${i}-${"z".repeat(90)}`;
      if (batch.tryAppend(null, value, null, 1000 + i, NOOP_SINK, i) === 0) break;
      inputs.push({ key: null, value, timestamp: 1000 + i });
    }
    assert.equal(batch.full, true);
    assert.ok(batch.sizeInBytes <= 10_000 && batch.sizeInBytes > 9_000, `filled to ${batch.sizeInBytes}`);
    assert.equal(batch.reserved, 10_000, "1000, doubled to 2000, 4000, 8000, then capped at 10,000");
    assert.equal(granted, 9_000);
    const [sealed] = [...readRecordBatches(batch.seal(CompressionType.None, undefined))];
    const read = [...sealed.records()];
    assert.deepEqual(
      read.map((r) => r.value?.toString()),
      inputs.map((r) => r.value),
    );

    allow = false;
    const starved = new ProducerBatch("t", 0, 300, 0, 10_000, memory);
    assert.ok(starved.tryAppend(null, "a".repeat(200), null, 1, NOOP_SINK, 0) > 0);
    assert.equal(starved.tryAppend(null, "b".repeat(200), null, 1, NOOP_SINK, 1), 0, "no memory: full");
    assert.equal(starved.full, true);
    assert.equal(starved.reserved, 300);
  });

  it("splits into smaller batches with the same records, promises, creation time and sequence range", async () => {
    const delivered: [number, RecordMetadata][] = [];
    const sink: DeliverySink = { delivered: (i, m) => delivered.push([i, m]), failed() {} };
    const inputs: Input[] = Array.from({ length: 40 }, (_, i) => ({
      key: i % 3 === 0 ? null : `key-${i}`,
      value: `value-${i}-${"x".repeat(i * 7)}`,
      headers: i % 4 === 0 ? { n: String(i) } : undefined,
      timestamp: 1_700_000_000_000 + (i % 5) * 1000 - i,
    }));
    const big = new ProducerBatch("t", 2, 1 << 20, 12345);
    for (const [i, r] of inputs.entries()) {
      assert.ok(big.tryAppend(r.key, r.value, encodeHeaders(r.headers), r.timestamp, sink, i) > 0);
    }
    big.seal(CompressionType.None, undefined);
    big.stamp(7, 2, 1000);
    const limit = Math.ceil(big.sizeInBytes / 3);
    const parts = big.split(limit);
    assert.ok(parts.length >= 3, `${parts.length} parts`);
    let sequence = 1000;
    let next = 0;
    for (const part of parts) {
      assert.equal(part.createdAt, 12345);
      assert.ok(part.sizeInBytes <= limit, `${part.sizeInBytes} <= ${limit}`);
      assert.equal(part.baseSequence, sequence, "consecutive sequences from the split batch's base");
      assert.equal(part.producerId, 7);
      assert.equal(part.producerEpoch, 2);
      sequence += part.count;
      part.seal(CompressionType.Lz4, undefined);
      const [batch] = [...readRecordBatches(part.sealed!)];
      assert.equal(batch.header.baseSequence, part.baseSequence);
      const reference = asRecordInputs(inputs.slice(next, next + part.count));
      const records = [...batch.records()];
      records.forEach((r, i) => {
        assert.equal(r.offset, i);
        assert.deepEqual(r.key, reference[i].key);
        assert.deepEqual(r.value, reference[i].value);
        assert.equal(r.timestamp, reference[i].timestamp);
        assert.deepEqual(
          r.headers.map((h) => [h.key, h.value]),
          (reference[i].headers ?? []).map((h) => [h.key, h.value]),
        );
      });
      next += part.count;
    }
    assert.equal(next, inputs.length, "every record in exactly one part, in order");
    let finished = false;
    big.handOver(parts);
    void big.done().then(() => {
      finished = true;
    });
    for (const [n, part] of parts.entries()) part.succeed(n * 100, -1);
    await big.done();
    assert.ok(finished, "the split batch is done once its parts are");
    assert.deepEqual(
      delivered.map(([i]) => i),
      inputs.map((_, i) => i),
      "each record's own promise is settled by its part",
    );
  });

  it("resolves each record with base offset + its index and the log append time when given", () => {
    const seen: RecordMetadata[] = [];
    const errors: KafkaError[] = [];
    const sink: DeliverySink = { delivered: (_i, m) => seen.push(m), failed: (_i, e) => errors.push(e) };
    const batch = new ProducerBatch("topic", 3, 1024, 0);
    batch.tryAppend(null, "a", null, 10, sink, 0);
    batch.tryAppend(null, "b", null, 20, sink, 1);
    batch.succeed(100, -1);
    assert.deepEqual(seen, [
      { topic: "topic", partition: 3, offset: 100, timestamp: 10 },
      { topic: "topic", partition: 3, offset: 101, timestamp: 20 },
    ]);
    batch.fail({} as KafkaError);
    assert.equal(errors.length, 0, "a completed batch ignores later outcomes");
  });
});
