import assert from "node:assert/strict";
import { test } from "node:test";
import { crc32c } from "@node-rs/crc32";
import {
  buildControlBatch,
  buildRecordBatch,
  CompressionType,
  ControlRecordType,
  type RecordBatchErrorCode,
  type RecordBatchLimits,
  validateRecordBatches,
} from "../../src/index.js";
import { sampleRecords, T0 } from "./helpers.js";

function errorOf(buf: Buffer, limits?: RecordBatchLimits): RecordBatchErrorCode | "ok" {
  const result = validateRecordBatches(buf, limits);
  return result.ok ? "ok" : result.error;
}

/** Rewrites a header field and fixes the CRC, so only the field's meaning is wrong. */
function tamper(batch: Buffer, edit: (b: Buffer) => void): Buffer {
  const b = Buffer.from(batch);
  edit(b);
  b.writeUInt32BE(crc32c(b.subarray(21)) >>> 0, 17);
  return b;
}

const good = buildRecordBatch(sampleRecords(10), { producerId: 9, producerEpoch: 0, baseSequence: 0 });

test("valid batches pass, with their positions and headers", () => {
  const second = buildRecordBatch(sampleRecords(3), { compression: CompressionType.Lz4 });
  const result = validateRecordBatches(Buffer.concat([good, second]), { verifyRecords: true });
  assert.ok(result.ok);
  assert.deepEqual(
    result.batches.map((b) => [b.position, b.size, b.header.recordsCount]),
    [
      [0, good.length, 10],
      [good.length, second.length, 3],
    ],
  );
  for (const codec of [1, 2, 3, 4]) {
    assert.equal(
      errorOf(buildRecordBatch(sampleRecords(20), { compression: codec }), { verifyRecords: true }),
      "ok",
    );
  }
});

test("structure and CRC errors are CORRUPT_MESSAGE", () => {
  assert.equal(errorOf(good.subarray(0, good.length - 1)), "CORRUPT_MESSAGE");
  assert.equal(errorOf(Buffer.concat([good, Buffer.alloc(5)])), "CORRUPT_MESSAGE");
  const flipped = Buffer.from(good);
  flipped[good.length - 3] ^= 4;
  assert.equal(errorOf(flipped), "CORRUPT_MESSAGE");
  assert.equal(
    errorOf(
      tamper(good, (b) => {
        b[16] = 7;
      }),
    ),
    "CORRUPT_MESSAGE",
  );
  assert.equal(errorOf(Buffer.from(good).fill(0xff, 8, 12)), "CORRUPT_MESSAGE");
});

test("produce rules: INVALID_RECORD", () => {
  assert.equal(errorOf(Buffer.alloc(0)), "INVALID_RECORD");
  assert.equal(errorOf(Buffer.concat([good, good]), { requireSingleBatch: true }), "INVALID_RECORD");
  assert.equal(errorOf(Buffer.concat([good, good])), "ok");
  const legacy = Buffer.alloc(12 + 26);
  legacy.writeInt32BE(26, 8);
  legacy[16] = 1;
  assert.equal(errorOf(legacy), "INVALID_RECORD");
  assert.equal(errorOf(tamper(good, (b) => b.writeInt32BE(8, 23))), "INVALID_RECORD"); // lastOffsetDelta
  assert.equal(errorOf(tamper(good, (b) => b.writeInt32BE(-1, 53))), "INVALID_RECORD"); // base sequence
  const marker = buildControlBatch(
    { type: ControlRecordType.Commit, coordinatorEpoch: 1 },
    { producerId: 9, producerEpoch: 0, timestamp: T0 },
  );
  assert.equal(errorOf(marker), "INVALID_RECORD");
  assert.equal(errorOf(marker, { allowControlBatches: true, verifyRecords: true }), "ok");
});

test("size, compression and timestamp limits", () => {
  assert.equal(errorOf(good, { maxBatchBytes: good.length }), "ok");
  assert.equal(errorOf(good, { maxBatchBytes: good.length - 1 }), "MESSAGE_TOO_LARGE");
  const zstd = buildRecordBatch(sampleRecords(2), { compression: CompressionType.Zstd });
  assert.equal(errorOf(zstd, { allowZstd: false }), "UNSUPPORTED_COMPRESSION_TYPE");
  assert.equal(errorOf(tamper(good, (b) => (b[22] |= 5))), "UNSUPPORTED_COMPRESSION_TYPE");
  const window = { now: T0, beforeMaxMs: 60_000, afterMaxMs: 60_000 };
  assert.equal(errorOf(good, { timestamps: window }), "ok");
  const future = buildRecordBatch([{ value: null, timestamp: T0 + 3_600_000 }]);
  assert.equal(errorOf(future, { timestamps: window }), "INVALID_TIMESTAMP");
  assert.equal(errorOf(future, { timestamps: window, verifyRecords: true }), "INVALID_TIMESTAMP");
  // The second record is old; only the per-record walk can see it.
  const oldInside = buildRecordBatch([
    { value: null, timestamp: T0 },
    { value: null, timestamp: T0 - 3_600_000 },
    { value: null, timestamp: T0 },
  ]);
  assert.equal(errorOf(oldInside, { timestamps: window }), "ok");
  assert.equal(errorOf(oldInside, { timestamps: window, verifyRecords: true }), "INVALID_TIMESTAMP");
  assert.equal(errorOf(buildRecordBatch([{ value: null, timestamp: -1 }]), { timestamps: window }), "ok");
  const appendTime = buildRecordBatch([{ value: null, timestamp: 5 }], { logAppendTime: 5 });
  assert.equal(errorOf(appendTime, { timestamps: window, verifyRecords: true }), "ok");
});

test("verifyRecords walks the records: bad framing inside a valid CRC is INVALID_RECORD", () => {
  // Record count agrees with lastOffsetDelta, but there are only 10 records.
  const lying = tamper(good, (b) => {
    b.writeInt32BE(10, 23);
    b.writeInt32BE(11, 57);
  });
  assert.equal(errorOf(lying), "ok");
  assert.equal(errorOf(lying, { verifyRecords: true }), "INVALID_RECORD");
  const gappy = tamper(
    buildRecordBatch([
      { value: null, timestamp: T0, offsetDelta: 0 },
      { value: null, timestamp: T0, offsetDelta: 2 },
    ]),
    (b) => b.writeInt32BE(1, 23),
  );
  assert.equal(errorOf(gappy), "ok");
  assert.equal(errorOf(gappy, { verifyRecords: true }), "INVALID_RECORD");
  const bomb = buildRecordBatch([{ value: Buffer.alloc(4_000_000), timestamp: T0 }], {
    compression: CompressionType.Gzip,
  });
  assert.equal(errorOf(bomb, { verifyRecords: true, maxDecompressedBytes: 1_000_000 }), "INVALID_RECORD");
});
