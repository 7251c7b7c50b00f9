import assert from "node:assert/strict";
import { test } from "node:test";
import { crc32c } from "@node-rs/crc32";
import {
  buildControlBatch,
  buildRecordBatch,
  type CompressionType,
  ControlRecordType,
  ProtocolError,
  RecordBatchReader,
  validateRecordBatches,
} from "../../src/index.js";
import { randomBytes, randomInt, sampleRecords, seededRandom, T0 } from "./helpers.js";

const SEED = 0x5eed_2024;
const MUTATIONS = 2000;
const ERROR_CODES = new Set([
  "CORRUPT_MESSAGE",
  "INVALID_RECORD",
  "MESSAGE_TOO_LARGE",
  "UNSUPPORTED_COMPRESSION_TYPE",
  "INVALID_TIMESTAMP",
]);

function corpus(): Buffer[] {
  const out: Buffer[] = [];
  for (const compression of [0, 1, 2, 3, 4] as CompressionType[]) {
    out.push(
      buildRecordBatch(sampleRecords(8, compression + 10), { compression, producerId: 3, baseSequence: 0 }),
    );
    out.push(buildRecordBatch([{ value: Buffer.alloc(3000, 0x41), timestamp: T0 }], { compression }));
  }
  out.push(
    buildControlBatch(
      { type: ControlRecordType.Abort, coordinatorEpoch: 5 },
      { producerId: 1, producerEpoch: 0, timestamp: T0 },
    ),
  );
  out.push(Buffer.concat([out[0], out[2]]));
  return out;
}

function mutate(random: () => number, input: Buffer): Buffer {
  let b = Buffer.from(input);
  const kind = randomInt(random, 8);
  switch (kind) {
    case 0: // bit flips anywhere
    case 1: {
      const flips = 1 + randomInt(random, 4);
      for (let i = 0; i < flips; i++) b[randomInt(random, b.length)] ^= 1 << randomInt(random, 8);
      break;
    }
    case 2: // truncation
      b = b.subarray(0, randomInt(random, b.length));
      break;
    case 3: // batch length changes
      b.writeInt32BE(
        [0, 13, 14, 48, 49, -1, 0x7fffffff, b.length - 12 + randomInt(random, 9) - 4][randomInt(random, 8)],
        8,
      );
      break;
    case 4: // counts and deltas
      b.writeInt32BE(
        randomInt(random, 3) === 0 ? -randomInt(random, 5) : randomInt(random, 2 ** 31),
        [23, 57][randomInt(random, 2)],
      );
      break;
    case 5: // bytes inside the records section
      for (let i = 0; i < 1 + randomInt(random, 3); i++) {
        b[61 + randomInt(random, Math.max(1, b.length - 61))] = randomInt(random, 256);
      }
      break;
    case 6: {
      // insert or delete bytes in the records section
      const at = 61 + randomInt(random, Math.max(1, b.length - 61));
      b =
        randomInt(random, 2) === 0
          ? Buffer.concat([b.subarray(0, at), randomBytes(random, 1 + randomInt(random, 8)), b.subarray(at)])
          : Buffer.concat([b.subarray(0, at), b.subarray(Math.min(b.length, at + 1 + randomInt(random, 8)))]);
      break;
    }
    default: // attributes: compression id, flags
      b.writeInt16BE(randomInt(random, 0x80), 21);
  }
  // Half the time, make the CRC right again so the damage reaches the records and the codecs.
  if (randomInt(random, 2) === 0 && b.length >= 61) {
    const end = Math.min(b.length, 12 + Math.max(0, b.readInt32BE(8)));
    if (end > 21) b.writeUInt32BE(crc32c(b.subarray(21, end)) >>> 0, 17);
  }
  return b;
}

function exerciseReader(buf: Buffer, verifyCrc: boolean): void {
  const reader = new RecordBatchReader(buf, { verifyCrc });
  let batches = 0;
  try {
    for (const batch of reader) {
      assert.ok(++batches <= buf.length, "reader must make progress");
      let records = 0;
      for (const _record of batch.records({ maxDecompressedBytes: 1 << 20 })) {
        assert.ok(++records <= 1 << 20, "record iteration must end");
      }
      batch.checkRecords({ maxDecompressedBytes: 1 << 20 });
    }
  } catch (err) {
    if (!(err instanceof ProtocolError)) throw err;
  }
}

test(`fuzz: ${MUTATIONS} mutated batches end in a typed error or a valid result (seed ${SEED})`, {
  timeout: 120_000,
}, () => {
  const random = seededRandom(SEED);
  const inputs = corpus();
  const outcomes = new Map<string, number>();
  for (let i = 0; i < MUTATIONS; i++) {
    const buf = mutate(random, inputs[randomInt(random, inputs.length)]);
    try {
      exerciseReader(buf, true);
      exerciseReader(buf, false);
      for (const limits of [
        {},
        { verifyRecords: true, maxDecompressedBytes: 1 << 20, allowControlBatches: true },
      ]) {
        const result = validateRecordBatches(buf, limits);
        const outcome = result.ok ? "ok" : result.error;
        assert.ok(outcome === "ok" || ERROR_CODES.has(outcome), outcome);
        outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
      }
    } catch (err) {
      assert.fail(`mutation ${i} (seed ${SEED}): ${(err as Error).stack}\ninput: ${buf.toString("hex")}`);
    }
  }
  // The corpus and mutations should exercise both acceptance and every common refusal.
  for (const expected of ["ok", "CORRUPT_MESSAGE", "INVALID_RECORD"])
    assert.ok(outcomes.has(expected), expected);
});
