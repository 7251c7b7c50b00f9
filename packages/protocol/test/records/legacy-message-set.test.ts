import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { describe, test } from "node:test";
import * as zlib from "node:zlib";
import {
  buildLegacyMessageSet,
  CompressionType,
  crc32,
  type LegacyMagic,
  type LegacyMessageInput,
  LegacyMessageOffsets,
  lz4HeaderChecksum,
  lz4LegacyHeaderChecksum,
  NO_TIMESTAMP,
  ProtocolError,
  readLegacyMessageSet,
  TimestampType,
} from "../../src/index.js";
import { T0 } from "./helpers.js";

const CODECS = [CompressionType.None, CompressionType.Gzip, CompressionType.Snappy, CompressionType.Lz4];

/** Messages of every shape: null and empty keys and values, binary, a large one. */
function sampleMessages(count = 12): LegacyMessageInput[] {
  const out: LegacyMessageInput[] = [];
  for (let i = 0; i < count; i++) {
    const shape = i % 5;
    out.push({
      key: shape === 0 ? null : shape === 1 ? Buffer.alloc(0) : Buffer.from(`key-${i}`),
      value:
        shape === 2
          ? null
          : shape === 3
            ? Buffer.alloc(0)
            : shape === 4
              ? Buffer.from([0, 255, i, 0x80, 10])
              : Buffer.from(`value ${i} ${"y".repeat(i * 7)}`),
      timestamp: T0 + i * 11,
    });
  }
  out.push({ key: Buffer.from("big"), value: Buffer.alloc(70_000, 0x61), timestamp: T0 + 5 });
  return out;
}

function expectError(fn: () => unknown, code: string, pattern?: RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof ProtocolError, `a ProtocolError, got ${err}`);
    assert.equal(err.code, code, err.message);
    if (pattern) assert.match(err.message, pattern);
    return true;
  });
}

/** Rewrites the CRC32 of the entry at `pos` after a test changed its bytes. */
function fixCrc(buf: Buffer, pos = 0): Buffer {
  const end = pos + 12 + buf.readInt32BE(pos + LegacyMessageOffsets.messageSize);
  buf.writeUInt32BE(
    crc32(buf.subarray(pos + LegacyMessageOffsets.magic, end)),
    pos + LegacyMessageOffsets.crc,
  );
  return buf;
}

/** One hand-built entry: offset | size | crc | magic | attributes | [timestamp] | key | value. */
function entry(
  magic: number,
  attributes: number,
  key: Buffer | null,
  value: Buffer | null,
  offset = 0,
  timestamp = T0,
): Buffer {
  const body: Buffer[] = [Buffer.from([magic, attributes])];
  if (magic === 1) {
    const t = Buffer.alloc(8);
    t.writeBigInt64BE(BigInt(timestamp));
    body.push(t);
  }
  for (const b of [key, value]) {
    const length = Buffer.alloc(4);
    length.writeInt32BE(b === null ? -1 : b.length);
    body.push(length);
    if (b !== null) body.push(b);
  }
  const content = Buffer.concat(body);
  const head = Buffer.alloc(16);
  head.writeBigInt64BE(BigInt(offset), 0);
  head.writeInt32BE(content.length + 4, 8);
  head.writeUInt32BE(crc32(content), 12);
  return Buffer.concat([head, content]);
}

describe("legacy message sets: layout", () => {
  test("a magic 0 message is offset | size | crc | magic | attributes | key | value", () => {
    const set = buildLegacyMessageSet([{ key: null, value: Buffer.from("abc"), offset: 7 }], { magic: 0 });
    assert.deepEqual(set, entry(0, 0, null, Buffer.from("abc"), 7));
    assert.equal(set.length, 12 + 14 + 3);
    assert.equal(set.readBigInt64BE(0), 7n);
    assert.equal(set.readInt32BE(8), 17);
    assert.equal(set[16], 0);
    assert.equal(set.readInt32BE(18), -1);
    assert.equal(set.readInt32BE(22), 3);
    // CRC32 (IEEE) of "magic .. value"; cross-checked with node:zlib where it has crc32 (20.15+).
    const zlibCrc32 = (zlib as { crc32?: (b: Buffer) => number }).crc32;
    if (zlibCrc32) assert.equal(set.readUInt32BE(12), zlibCrc32(set.subarray(16)));
  });

  test("a magic 1 message has an 8-byte timestamp after the attributes", () => {
    const set = buildLegacyMessageSet([{ key: Buffer.from("k"), value: Buffer.from("v"), timestamp: T0 }], {
      magic: 1,
      baseOffset: 3,
    });
    assert.deepEqual(set, entry(1, 0, Buffer.from("k"), Buffer.from("v"), 3, T0));
    assert.equal(set.readBigInt64BE(18), BigInt(T0));
  });

  test("CRC32 is the IEEE polynomial (check value of '123456789')", () => {
    assert.equal(crc32(Buffer.from("123456789")), 0xcbf43926);
  });
});

describe("legacy message sets: round trips", () => {
  for (const magic of [0, 1] as LegacyMagic[]) {
    for (const compression of CODECS) {
      test(`magic ${magic}, ${CompressionType[compression]}`, () => {
        const messages = sampleMessages();
        const set = buildLegacyMessageSet(messages, { magic, compression, baseOffset: 1000 });
        const read = readLegacyMessageSet(set);
        assert.equal(read.magic, magic);
        assert.equal(read.compression, compression);
        assert.equal(read.partialTail, false);
        assert.equal(read.size, set.length);
        assert.equal(read.messages.length, messages.length);
        read.messages.forEach((m, i) => {
          const e = messages[i];
          assert.equal(m.offset, 1000 + i);
          assert.equal(m.magic, magic);
          assert.equal(m.timestamp, magic === 0 ? NO_TIMESTAMP : e.timestamp);
          assert.equal(m.timestampType, TimestampType.CreateTime);
          assert.deepEqual(m.key, e.key == null ? null : Buffer.from(e.key));
          assert.deepEqual(m.value, e.value == null ? null : Buffer.from(e.value));
        });
        if (compression !== CompressionType.None) {
          assert.equal(set.readInt32BE(8) + 12, set.length, "one wrapper entry");
          assert.equal(set[17] & 7, compression);
        }
      });
    }
  }

  test("explicit offsets with gaps survive, in both magics, compressed or not", () => {
    const messages = [10, 11, 15, 40].map((offset) => ({
      offset,
      value: Buffer.from(`o${offset}`),
      timestamp: T0,
    }));
    for (const magic of [0, 1] as LegacyMagic[]) {
      for (const compression of CODECS) {
        const read = readLegacyMessageSet(buildLegacyMessageSet(messages, { magic, compression }));
        assert.deepEqual(
          read.messages.map((m) => m.offset),
          [10, 11, 15, 40],
        );
      }
    }
  });

  test("magic 1 wrapper: offset of the last inner message, max inner timestamp (CreateTime)", () => {
    const messages = [0, 1, 2].map((i) => ({ value: Buffer.from(`m${i}`), timestamp: T0 + [5, 9, 2][i] }));
    const set = buildLegacyMessageSet(messages, {
      magic: 1,
      compression: CompressionType.Gzip,
      baseOffset: 50,
    });
    assert.equal(set.readBigInt64BE(0), 52n);
    assert.equal(set.readBigInt64BE(18), BigInt(T0 + 9));
    assert.equal(set[17], CompressionType.Gzip);
  });

  test("magic 0 wrapper: inner offsets are absolute", () => {
    const set = buildLegacyMessageSet([{ value: Buffer.from("a") }, { value: Buffer.from("b") }], {
      magic: 0,
      compression: CompressionType.Gzip,
      baseOffset: 20,
    });
    assert.equal(set.readBigInt64BE(0), 21n);
    const value = wrapperValue(set);
    const inner = zlib.gunzipSync(value);
    assert.equal(inner.readBigInt64BE(0), 20n);
    assert.equal(inner.readBigInt64BE(inner.length / 2), 21n);
  });

  test("magic 1 wrapper: the inner offsets on the wire are 0, 1, 2", () => {
    const set = buildLegacyMessageSet(
      [0, 1, 2].map((i) => ({ value: Buffer.from(`m${i}`), timestamp: T0 })),
      { magic: 1, compression: CompressionType.Gzip, baseOffset: 50 },
    );
    const inner = zlib.gunzipSync(wrapperValue(set));
    const size = inner.length / 3;
    assert.deepEqual(
      [0, 1, 2].map((i) => inner.readBigInt64BE(i * size)),
      [0n, 1n, 2n],
    );
  });

  test("LogAppendTime (magic 1): the type bit is set and every message reports the append time", () => {
    for (const compression of CODECS) {
      const set = buildLegacyMessageSet(
        [
          { value: Buffer.from("a"), timestamp: T0 },
          { value: Buffer.from("b"), timestamp: T0 + 1 },
        ],
        { magic: 1, compression, logAppendTime: T0 + 999 },
      );
      assert.equal(set[17] & 0x08, 0x08);
      const read = readLegacyMessageSet(set);
      for (const m of read.messages) {
        assert.equal(m.timestamp, T0 + 999);
        assert.equal(m.timestampType, TimestampType.LogAppendTime);
      }
    }
  });

  test("a LogAppendTime wrapper overrides the inner timestamps when reading", () => {
    const inner = Buffer.concat([
      entry(1, 0, null, Buffer.from("x"), 0, T0),
      entry(1, 0, null, Buffer.from("y"), 1, T0),
    ]);
    const wrapper = entry(1, CompressionType.Gzip | 0x08, null, zlib.gzipSync(inner), 9, T0 + 77);
    const read = readLegacyMessageSet(wrapper);
    assert.deepEqual(
      read.messages.map((m) => [m.offset, m.timestamp, m.timestampType]),
      [
        [8, T0 + 77, TimestampType.LogAppendTime],
        [9, T0 + 77, TimestampType.LogAppendTime],
      ],
    );
  });

  test("magic 0 and 1 entries may be mixed; the set reports the highest magic", () => {
    const set = Buffer.concat([
      entry(0, 0, null, Buffer.from("a"), 0),
      entry(1, 0, null, Buffer.from("b"), 1, T0),
    ]);
    const read = readLegacyMessageSet(set);
    assert.equal(read.magic, 1);
    assert.deepEqual(
      read.messages.map((m) => [m.magic, m.timestamp]),
      [
        [0, -1],
        [1, T0],
      ],
    );
  });

  test("the codec reported is that of the last compressed wrapper", () => {
    const set = Buffer.concat([
      buildLegacyMessageSet([{ value: Buffer.from("a") }], { magic: 1, compression: CompressionType.Gzip }),
      buildLegacyMessageSet([{ value: Buffer.from("b") }], { magic: 1, compression: CompressionType.Snappy }),
      buildLegacyMessageSet([{ value: Buffer.from("c") }], { magic: 1 }),
    ]);
    const read = readLegacyMessageSet(set);
    assert.equal(read.compression, CompressionType.Snappy);
    assert.deepEqual(
      read.messages.map((m) => m.value?.toString()),
      ["a", "b", "c"],
    );
  });

  test("an empty input is an empty set; empty input builds nothing", () => {
    assert.deepEqual(readLegacyMessageSet(Buffer.alloc(0)).messages, []);
    assert.equal(buildLegacyMessageSet([], { magic: 1, compression: CompressionType.Gzip }).length, 0);
  });

  test("lz4 wrappers: magic 0 carries Kafka's old header checksum, magic 1 the standard one", () => {
    const messages = sampleMessages(4);
    const v0 = wrapperValue(buildLegacyMessageSet(messages, { magic: 0, compression: CompressionType.Lz4 }));
    const v1 = wrapperValue(buildLegacyMessageSet(messages, { magic: 1, compression: CompressionType.Lz4 }));
    assert.equal(v0[6], lz4LegacyHeaderChecksum(v0));
    assert.equal(v1[6], lz4HeaderChecksum(v1));
    assert.notEqual(lz4LegacyHeaderChecksum(v0), lz4HeaderChecksum(v0));
    // Both read back, whichever checksum a producer used.
    const standard = Buffer.from(v0);
    standard[6] = lz4HeaderChecksum(standard);
    const rewrapped = entry(0, CompressionType.Lz4, null, standard, 3);
    assert.equal(readLegacyMessageSet(rewrapped).messages.length, messages.length);
  });

  test("the builder refuses what the formats cannot carry", () => {
    expectError(
      () => buildLegacyMessageSet([{ value: null }], { magic: 1, compression: CompressionType.Zstd }),
      "UNSUPPORTED_COMPRESSION",
    );
    assert.throws(() => buildLegacyMessageSet([{ value: null }], { magic: 2 as LegacyMagic }), RangeError);
    assert.throws(() => buildLegacyMessageSet([{ value: null, timestamp: 1.5 }], { magic: 1 }), RangeError);
    assert.throws(
      () => buildLegacyMessageSet([{ value: null, offset: Number.NaN }], { magic: 0 }),
      RangeError,
    );
  });
});

/** The value of the single wrapper entry of a set. */
function wrapperValue(set: Buffer): Buffer {
  const magic = set[16];
  let pos = magic === 0 ? 18 : 26;
  const keyLength = set.readInt32BE(pos);
  pos += 4 + Math.max(0, keyLength);
  const valueLength = set.readInt32BE(pos);
  return set.subarray(pos + 4, pos + 4 + valueLength);
}

describe("legacy message sets: hostile input", () => {
  const good = buildLegacyMessageSet(sampleMessages(3), { magic: 1 });

  test("a wrong CRC32 is CORRUPT_RECORD", () => {
    const bad = Buffer.from(good);
    bad[bad.length - 1] ^= 1;
    expectError(() => readLegacyMessageSet(bad), "CORRUPT_RECORD", /CRC32/);
    const badCrc = Buffer.from(good);
    badCrc[12] ^= 0x80;
    expectError(() => readLegacyMessageSet(badCrc), "CORRUPT_RECORD", /CRC32/);
  });

  test("truncation anywhere is CORRUPT_RECORD, or a partial tail when allowed", () => {
    const boundaries: number[] = [0];
    while (boundaries[boundaries.length - 1] < good.length) {
      const at = boundaries[boundaries.length - 1];
      boundaries.push(at + 12 + good.readInt32BE(at + 8));
    }
    for (let cut = 1; cut < good.length; cut++) {
      const part = good.subarray(0, cut);
      const whole = boundaries.filter((b) => b <= cut).length - 1;
      if (boundaries.includes(cut)) {
        assert.equal(readLegacyMessageSet(part).messages.length, whole);
        continue;
      }
      expectError(() => readLegacyMessageSet(part), "CORRUPT_RECORD", /truncated/);
      const read = readLegacyMessageSet(part, { allowPartialTail: true });
      assert.equal(read.partialTail, true);
      assert.equal(read.messages.length, whole);
      assert.equal(read.size, boundaries[whole]);
    }
  });

  test("sizes below the minimum of the magic are refused", () => {
    expectError(
      () =>
        readLegacyMessageSet(Buffer.concat([Buffer.alloc(8), Buffer.from([0, 0, 0, 13]), Buffer.alloc(13)])),
      "CORRUPT_RECORD",
    );
    // A magic 1 entry of 14..21 bytes fits a magic 0 message but not a magic 1 one.
    const short = entry(0, 0, null, null);
    short[16] = 1;
    expectError(() => readLegacyMessageSet(fixCrc(short)), "CORRUPT_RECORD", /minimum/);
  });

  test("key and value lengths must fill the message exactly", () => {
    const longKey = entry(0, 0, Buffer.from("abc"), null);
    longKey.writeInt32BE(4, 18);
    expectError(() => readLegacyMessageSet(fixCrc(longKey)), "CORRUPT_RECORD");
    const negative = entry(0, 0, Buffer.from("abc"), null);
    negative.writeInt32BE(-2, 18);
    expectError(() => readLegacyMessageSet(fixCrc(negative)), "CORRUPT_RECORD");
    const trailing = entry(0, 0, null, Buffer.from("abc"));
    trailing.writeInt32BE(2, 22);
    expectError(() => readLegacyMessageSet(fixCrc(trailing)), "CORRUPT_RECORD", /disagrees/);
  });

  test("compression ids 4-7 are UNSUPPORTED_COMPRESSION in magic 0 and 1", () => {
    for (const magic of [0, 1]) {
      for (const id of [4, 5, 6, 7]) {
        expectError(
          () => readLegacyMessageSet(entry(magic, id, null, Buffer.from("x"))),
          "UNSUPPORTED_COMPRESSION",
        );
      }
    }
  });

  test("a magic 2 batch or an unknown magic inside a legacy set is refused", () => {
    const v2 = entry(0, 0, null, Buffer.from("abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnop"));
    v2[16] = 2;
    expectError(() => readLegacyMessageSet(v2), "UNSUPPORTED_VERSION");
    v2[16] = 7;
    expectError(() => readLegacyMessageSet(v2), "CORRUPT_RECORD");
  });

  test("wrappers: null value, no inner message, nested compression, magic mismatch", () => {
    expectError(
      () => readLegacyMessageSet(entry(1, CompressionType.Gzip, null, null)),
      "CORRUPT_RECORD",
      /null value/,
    );
    expectError(
      () => readLegacyMessageSet(entry(1, CompressionType.Gzip, null, zlib.gzipSync(Buffer.alloc(0)))),
      "CORRUPT_RECORD",
      /no messages/,
    );
    const nested = entry(
      1,
      CompressionType.Gzip,
      null,
      zlib.gzipSync(entry(1, CompressionType.Gzip, null, zlib.gzipSync(entry(1, 0, null, null)))),
    );
    expectError(() => readLegacyMessageSet(nested), "CORRUPT_RECORD", /compressed message/);
    const mismatch = entry(1, CompressionType.Gzip, null, zlib.gzipSync(entry(0, 0, null, Buffer.from("x"))));
    expectError(() => readLegacyMessageSet(mismatch), "CORRUPT_RECORD", /magic 0/);
    const truncatedInner = entry(
      0,
      CompressionType.Gzip,
      null,
      zlib.gzipSync(entry(0, 0, null, Buffer.from("x")).subarray(0, 20)),
    );
    expectError(() => readLegacyMessageSet(truncatedInner), "CORRUPT_RECORD");
    const garbage = entry(0, CompressionType.Snappy, null, Buffer.from("definitely not snappy"));
    expectError(() => readLegacyMessageSet(garbage), "CORRUPT_RECORD");
  });

  test("decompression is bounded, across all wrappers of the set together", () => {
    const bomb = buildLegacyMessageSet([{ value: Buffer.alloc(1_000_000) }], {
      magic: 1,
      compression: CompressionType.Gzip,
    });
    assert.ok(bomb.length < 10_000);
    expectError(
      () => readLegacyMessageSet(bomb, { maxDecompressedBytes: 500_000 }),
      "CORRUPT_RECORD",
      /exceeds/,
    );
    const two = Buffer.concat([bomb, bomb]);
    assert.equal(readLegacyMessageSet(bomb, { maxDecompressedBytes: 1_500_000 }).messages.length, 1);
    expectError(
      () => readLegacyMessageSet(two, { maxDecompressedBytes: 1_500_000 }),
      "CORRUPT_RECORD",
      /exceeds/,
    );
  });
});

describe("legacy message sets: kafkajs interop", () => {
  const require = createRequire(import.meta.url);
  type Encoder = { buffer: Buffer };
  const MessageSet = require("kafkajs/src/protocol/messageSet/index.js") as (options: {
    messageVersion: number;
    compression?: number;
    entries: { key?: Buffer | null; value: Buffer | null; timestamp?: number; compression?: number }[];
  }) => Encoder;
  const gzip = require("kafkajs/src/protocol/message/compression/gzip.js") as {
    compress(encoder: Encoder): Promise<Buffer>;
  };
  const Decoder = require("kafkajs/src/protocol/decoder.js") as new (buffer: Buffer) => unknown;
  const decodeMessageSet = require("kafkajs/src/protocol/messageSet/decoder.js") as (
    decoder: unknown,
    size: number,
  ) => Promise<
    { offset: string; key: Buffer | null; value: Buffer | null; timestamp?: string; magicByte: number }[]
  >;

  const entries = [
    { key: Buffer.from("k1"), value: Buffer.from("v1"), timestamp: T0 },
    { key: null, value: Buffer.from("v2"), timestamp: T0 + 1 },
    { key: Buffer.from("k3"), value: null, timestamp: T0 + 2 },
  ];

  for (const magic of [0, 1]) {
    test(`magic ${magic}: sets encoded by kafkajs read here (uncompressed and gzip wrappers)`, async () => {
      const plain = MessageSet({ messageVersion: magic, entries }).buffer;
      const read = readLegacyMessageSet(plain);
      assert.deepEqual(
        read.messages.map((m) => [m.key, m.value, m.timestamp]),
        entries.map((e) => [e.key, e.value, magic === 0 ? -1 : e.timestamp]),
      );
      const inner = MessageSet({ messageVersion: magic, compression: 1, entries });
      const wrapped = MessageSet({
        messageVersion: magic,
        entries: [{ compression: 1, timestamp: T0 + 2, value: await gzip.compress(inner) }],
      }).buffer;
      const readWrapped = readLegacyMessageSet(wrapped);
      assert.equal(readWrapped.compression, CompressionType.Gzip);
      assert.deepEqual(
        readWrapped.messages.map((m) => m.value),
        entries.map((e) => e.value),
      );
    });

    test(`magic ${magic}: sets built here decode with kafkajs (uncompressed and gzip)`, async () => {
      for (const compression of [CompressionType.None, CompressionType.Gzip]) {
        const set = buildLegacyMessageSet(entries, {
          magic: magic as LegacyMagic,
          compression,
          baseOffset: 30,
        });
        const decoded = await decodeMessageSet(new Decoder(set), set.length);
        assert.deepEqual(
          decoded.map((m) => [m.offset, m.key, m.value, m.magicByte]),
          entries.map((e, i) => [String(30 + i), e.key, e.value, magic]),
        );
        if (magic === 1)
          assert.deepEqual(
            decoded.map((m) => m.timestamp),
            entries.map((e) => String(e.timestamp)),
          );
      }
    });
  }
});
