import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  buildControlBatch,
  buildLegacyMessageSet,
  buildRecordBatch,
  CompressionType,
  ControlRecordType,
  downConvertRecordBatches,
  type LegacyMagic,
  type LegacyMessageInput,
  NO_TIMESTAMP,
  ProtocolError,
  type RecordInput,
  readLegacyMessageSet,
  readRecordBatches,
  TimestampType,
  upConvertLegacyMessageSet,
  validateRecordBatches,
} from "../../src/index.js";
import { sampleRecords, T0 } from "./helpers.js";

const LEGACY_CODECS = [
  CompressionType.None,
  CompressionType.Gzip,
  CompressionType.Snappy,
  CompressionType.Lz4,
];
const ALL_CODECS = [...LEGACY_CODECS, CompressionType.Zstd];

function legacyMessages(count: number): LegacyMessageInput[] {
  return Array.from({ length: count }, (_, i) => ({
    key: i % 3 === 0 ? null : Buffer.from(`k${i}`),
    value: i % 4 === 1 ? null : Buffer.from(`value-${i}-${"z".repeat(i)}`),
    timestamp: T0 + i,
  }));
}

function onlyBatch(buf: Buffer) {
  const batches = [...readRecordBatches(buf)];
  assert.equal(batches.length, 1);
  return batches[0];
}

describe("up-conversion: legacy message set → one record batch v2", () => {
  for (const magic of [0, 1] as LegacyMagic[]) {
    for (const compression of LEGACY_CODECS) {
      test(`magic ${magic}, ${CompressionType[compression]}`, () => {
        const messages = legacyMessages(25);
        const set = buildLegacyMessageSet(messages, { magic, compression, baseOffset: 77 });
        const up = upConvertLegacyMessageSet(set);
        assert.equal(up.recordCount, messages.length);
        assert.equal(up.compression, compression);
        assert.equal(up.magic, magic);
        const batch = onlyBatch(up.batch);
        assert.equal(batch.baseOffset, 0, "offsets are the broker's to assign");
        assert.equal(batch.compression, compression, "the codec is kept");
        assert.equal(batch.header.producerId, -1);
        assert.equal(batch.header.producerEpoch, -1);
        assert.equal(batch.header.baseSequence, -1);
        assert.equal(batch.timestampType, TimestampType.CreateTime);
        assert.equal(batch.header.maxTimestamp, magic === 0 ? NO_TIMESTAMP : T0 + 24);
        const records = [...batch.records()];
        records.forEach((r, i) => {
          const e = messages[i];
          assert.equal(r.offset, i);
          assert.equal(r.timestamp, magic === 0 ? NO_TIMESTAMP : e.timestamp);
          assert.deepEqual(r.key, e.key == null ? null : Buffer.from(e.key));
          assert.deepEqual(r.value, e.value == null ? null : Buffer.from(e.value));
          assert.deepEqual(r.headers, []);
        });
        // What the produce path checks: the batch is valid, records and timestamps included.
        const validation = validateRecordBatches(up.batch, {
          requireSingleBatch: true,
          verifyRecords: true,
          timestamps: { now: T0, beforeMaxMs: 1000, afterMaxMs: 1000 },
        });
        assert.ok(validation.ok, JSON.stringify(validation));
      });
    }
  }

  test("several wrappers and plain messages become one batch with the last wrapper's codec", () => {
    const set = Buffer.concat([
      buildLegacyMessageSet(legacyMessages(3), { magic: 1, compression: CompressionType.Lz4 }),
      buildLegacyMessageSet(legacyMessages(2), { magic: 1 }),
      buildLegacyMessageSet(legacyMessages(4), { magic: 1, compression: CompressionType.Gzip }),
      buildLegacyMessageSet(legacyMessages(1), { magic: 0 }),
    ]);
    const up = upConvertLegacyMessageSet(set);
    assert.equal(up.recordCount, 10);
    assert.equal(up.compression, CompressionType.Gzip);
    assert.equal(up.magic, 1);
    const records = [...onlyBatch(up.batch).records()];
    assert.deepEqual(
      records.map((r) => r.offset),
      [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
    );
    assert.equal(records[9].timestamp, NO_TIMESTAMP, "the magic 0 message has no timestamp");
  });

  test("negative timestamps other than -1 are refused (as Kafka does); -1 passes", () => {
    for (const timestamp of [-2, -T0]) {
      const set = buildLegacyMessageSet([{ value: Buffer.from("t"), timestamp }], { magic: 1 });
      assert.throws(
        () => upConvertLegacyMessageSet(set),
        (e) => e instanceof ProtocolError && e.code === "CORRUPT_RECORD" && /timestamp/.test(e.message),
      );
    }
    const ok = upConvertLegacyMessageSet(
      buildLegacyMessageSet([{ value: null, timestamp: -1 }], { magic: 1 }),
    );
    assert.equal([...onlyBatch(ok.batch).records()][0].timestamp, NO_TIMESTAMP);
  });

  test("an empty set, or a broken one, is a ProtocolError", () => {
    assert.throws(() => upConvertLegacyMessageSet(Buffer.alloc(0)), ProtocolError);
    const set = buildLegacyMessageSet(legacyMessages(2), { magic: 1 });
    set[set.length - 1] ^= 0xff;
    assert.throws(
      () => upConvertLegacyMessageSet(set),
      (e) => e instanceof ProtocolError && e.code === "CORRUPT_RECORD",
    );
  });
});

describe("down-conversion: record batches v2 → legacy message set", () => {
  function batches(compression: CompressionType, baseOffset = 100): { buf: Buffer; records: RecordInput[] } {
    const records = sampleRecords(20, compression + 3);
    return {
      buf: Buffer.concat([
        buildRecordBatch(records.slice(0, 12), { compression, baseOffset }),
        buildRecordBatch(records.slice(12), { compression, baseOffset: baseOffset + 12 }),
      ]),
      records,
    };
  }

  for (const magic of [0, 1] as LegacyMagic[]) {
    for (const compression of ALL_CODECS) {
      test(`magic ${magic}, batches compressed with ${CompressionType[compression]}`, () => {
        const { buf, records } = batches(compression);
        const down = downConvertRecordBatches(buf, { magic });
        assert.equal(down.messageCount, records.length);
        assert.equal(down.nextOffset, 120);
        assert.equal(down.truncated, false);
        const read = readLegacyMessageSet(down.records);
        assert.equal(read.magic, magic);
        // gzip, snappy and lz4 stay compressed (one wrapper per batch); zstd goes out uncompressed.
        const expected = compression === CompressionType.Zstd ? CompressionType.None : compression;
        assert.equal(read.compression, expected);
        read.messages.forEach((m, i) => {
          const e = records[i];
          assert.equal(m.offset, 100 + i, "offsets stay absolute");
          assert.equal(m.magic, magic);
          assert.equal(m.timestamp, magic === 0 ? NO_TIMESTAMP : e.timestamp);
          assert.deepEqual(m.key, e.key == null ? null : Buffer.from(e.key));
          assert.deepEqual(m.value, e.value == null ? null : Buffer.from(e.value));
        });
      });
    }
  }

  test("control batches are skipped, transactional data is kept", () => {
    const buf = Buffer.concat([
      buildRecordBatch([{ value: Buffer.from("a"), timestamp: T0 }], {
        baseOffset: 0,
        producerId: 5,
        producerEpoch: 0,
        baseSequence: 0,
        transactional: true,
      }),
      buildControlBatch(
        { type: ControlRecordType.Commit, coordinatorEpoch: 1 },
        { baseOffset: 1, producerId: 5, producerEpoch: 0, timestamp: T0 },
      ),
      buildRecordBatch([{ value: Buffer.from("b"), timestamp: T0 }], { baseOffset: 2 }),
    ]);
    const read = readLegacyMessageSet(downConvertRecordBatches(buf, { magic: 1 }).records);
    assert.deepEqual(
      read.messages.map((m) => [m.offset, m.value?.toString()]),
      [
        [0, "a"],
        [2, "b"],
      ],
    );
  });

  test("LogAppendTime batches: magic 1 messages carry the type bit and the append time", () => {
    for (const compression of ALL_CODECS) {
      const buf = buildRecordBatch(
        [
          { value: Buffer.from("a"), timestamp: T0 },
          { value: Buffer.from("b"), timestamp: T0 + 1 },
        ],
        { compression, logAppendTime: T0 + 500 },
      );
      const down = downConvertRecordBatches(buf, { magic: 1 });
      assert.equal(down.records[17] & 0x08, 0x08);
      for (const m of readLegacyMessageSet(down.records).messages) {
        assert.equal(m.timestamp, T0 + 500);
        assert.equal(m.timestampType, TimestampType.LogAppendTime);
      }
    }
  });

  test("records below fromOffset are left out, compressed or not", () => {
    for (const compression of [CompressionType.None, CompressionType.Gzip]) {
      const { buf } = batches(compression);
      const down = downConvertRecordBatches(buf, { magic: 1, fromOffset: 105 });
      const offsets = readLegacyMessageSet(down.records).messages.map((m) => m.offset);
      assert.deepEqual(
        offsets,
        Array.from({ length: 15 }, (_, i) => 105 + i),
      );
      const past = downConvertRecordBatches(buf, { magic: 1, fromOffset: 115 });
      assert.equal(readLegacyMessageSet(past.records).messages[0].offset, 115);
      assert.equal(past.messageCount, 5);
    }
  });

  test("maxBytes keeps whole messages and reports where it stopped", () => {
    const { buf } = batches(CompressionType.None);
    const all = downConvertRecordBatches(buf, { magic: 1 });
    const half = Math.floor(all.records.length / 2);
    const cut = downConvertRecordBatches(buf, { magic: 1, maxBytes: half });
    assert.equal(cut.truncated, true);
    assert.ok(cut.records.length <= half);
    const read = readLegacyMessageSet(cut.records);
    assert.equal(read.partialTail, false);
    assert.equal(read.messages.length, cut.messageCount);
    assert.equal(cut.nextOffset, 100 + cut.messageCount);
    assert.deepEqual(
      cut.records,
      all.records.subarray(0, cut.records.length),
      "a prefix of the full conversion",
    );
    // The next entry would not have fitted.
    const next = downConvertRecordBatches(buf, { magic: 1, maxBytes: half, fromOffset: cut.nextOffset });
    assert.ok(cut.records.length + readLegacyMessageSet(next.records).size > half || next.messageCount === 0);
  });

  test("the first entry is returned even past maxBytes, unless minOneEntry is false", () => {
    for (const compression of [CompressionType.None, CompressionType.Gzip]) {
      const { buf } = batches(compression);
      const one = downConvertRecordBatches(buf, { magic: 0, maxBytes: 1 });
      assert.equal(one.truncated, true);
      // One message, or the first batch's whole wrapper.
      assert.equal(one.messageCount, compression === CompressionType.None ? 1 : 12);
      const none = downConvertRecordBatches(buf, { magic: 0, maxBytes: 1, minOneEntry: false });
      assert.equal(none.messageCount, 0);
      assert.equal(none.records.length, 0);
      assert.equal(none.nextOffset, -1);
      assert.equal(none.truncated, true);
    }
  });

  test("a wrapper that does not fit is not split: the conversion stops before it", () => {
    const { buf } = batches(CompressionType.Gzip);
    const all = downConvertRecordBatches(buf, { magic: 1 });
    const firstWrapper = all.records.readInt32BE(8) + 12;
    const cut = downConvertRecordBatches(buf, { magic: 1, maxBytes: all.records.length - 1 });
    assert.equal(cut.records.length, firstWrapper);
    assert.equal(cut.nextOffset, 112);
  });

  test("empty input converts to nothing; a corrupt batch is a ProtocolError", () => {
    const empty = downConvertRecordBatches(Buffer.alloc(0), { magic: 1 });
    assert.equal(empty.records.length, 0);
    const bad = buildRecordBatch(sampleRecords(3), { compression: CompressionType.Gzip });
    bad[bad.length - 3] ^= 0xff;
    assert.throws(() => downConvertRecordBatches(bad, { magic: 1 }), ProtocolError);
  });

  test("round trip: legacy → v2 → legacy keeps keys and values (and magic 1 timestamps)", () => {
    for (const magic of [0, 1] as LegacyMagic[]) {
      for (const compression of LEGACY_CODECS) {
        const messages = legacyMessages(30);
        const up = upConvertLegacyMessageSet(buildLegacyMessageSet(messages, { magic, compression }));
        const down = downConvertRecordBatches(up.batch, { magic });
        const read = readLegacyMessageSet(down.records);
        assert.equal(read.compression, compression);
        assert.deepEqual(
          read.messages.map((m) => [m.offset, m.key, m.value, m.timestamp]),
          messages.map((e, i) => [
            i,
            e.key == null ? null : Buffer.from(e.key),
            e.value == null ? null : Buffer.from(e.value),
            magic === 0 ? NO_TIMESTAMP : e.timestamp,
          ]),
        );
      }
    }
  });
});
