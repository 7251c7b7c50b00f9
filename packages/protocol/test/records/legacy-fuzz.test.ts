import assert from "node:assert/strict";
import { test } from "node:test";
import {
  buildLegacyMessageSet,
  buildRecordBatch,
  type CompressionType,
  crc32,
  downConvertRecordBatches,
  type LegacyMagic,
  ProtocolError,
  readLegacyMessageSet,
  upConvertLegacyMessageSet,
} from "../../src/index.js";
import { crc32c } from "../../src/records/crc32c.js";
import { randomBytes, randomInt, sampleRecords, seededRandom, T0 } from "./helpers.js";

const SEED = 0x1e6a_c7;
const MUTATIONS = 2000;
const LIMIT = 1 << 20;

function legacyCorpus(): Buffer[] {
  const out: Buffer[] = [];
  for (const magic of [0, 1] as LegacyMagic[]) {
    for (const compression of [0, 1, 2, 3] as CompressionType[]) {
      const messages = sampleRecords(6, magic * 10 + compression).map((r) => ({
        key: r.key,
        value: r.value,
        timestamp: r.timestamp,
      }));
      out.push(buildLegacyMessageSet(messages, { magic, compression, baseOffset: 4 }));
    }
    out.push(buildLegacyMessageSet([{ value: Buffer.alloc(2000, 0x42), timestamp: T0 }], { magic }));
  }
  out.push(Buffer.concat([out[1], out[6], out[0]]));
  return out;
}

/** Rewrites the CRC32 of every top-level entry whose size fits, so damage reaches what is inside. */
function fixLegacyCrcs(b: Buffer): void {
  for (let pos = 0; pos + 17 <= b.length; ) {
    const size = b.readInt32BE(pos + 8);
    if (size < 5 || pos + 12 + size > b.length) return;
    b.writeUInt32BE(crc32(b.subarray(pos + 16, pos + 12 + size)), pos + 12);
    pos += 12 + size;
  }
}

function mutate(random: () => number, input: Buffer, fixCrc: (b: Buffer) => void): Buffer {
  let b = Buffer.from(input);
  switch (randomInt(random, 7)) {
    case 0:
    case 1: {
      const flips = 1 + randomInt(random, 4);
      for (let i = 0; i < flips; i++) b[randomInt(random, b.length)] ^= 1 << randomInt(random, 8);
      break;
    }
    case 2:
      b = b.subarray(0, randomInt(random, b.length));
      break;
    case 3: // the size field
      b.writeInt32BE(
        [0, 13, 14, 21, 22, -1, 0x7fffffff, b.length - 12 + randomInt(random, 9) - 4][randomInt(random, 8)],
        8,
      );
      break;
    case 4: // magic and attributes
      b[16 + randomInt(random, 2)] = randomInt(random, 256);
      break;
    case 5: {
      // a key or value length (magic 0 at 18, magic 1 at 26), or anything after it
      const at = Math.min(b.length - 4, [18, 22, 26, 30][randomInt(random, 4)]);
      if (at >= 0)
        b.writeInt32BE([-2, -1, 0, 1, 0x7fffffff, randomInt(random, 5000)][randomInt(random, 6)], at);
      break;
    }
    default: {
      const at = randomInt(random, b.length);
      b =
        randomInt(random, 2) === 0
          ? Buffer.concat([b.subarray(0, at), randomBytes(random, 1 + randomInt(random, 8)), b.subarray(at)])
          : Buffer.concat([b.subarray(0, at), b.subarray(Math.min(b.length, at + 1 + randomInt(random, 8)))]);
    }
  }
  if (randomInt(random, 2) === 0) fixCrc(b);
  return b;
}

function outcomeOf(fn: () => void): string {
  try {
    fn();
    return "ok";
  } catch (err) {
    if (err instanceof ProtocolError) return err.code;
    throw err;
  }
}

test(`fuzz: ${MUTATIONS} mutated legacy message sets end in a ProtocolError or a valid result (seed ${SEED})`, () => {
  const random = seededRandom(SEED);
  const inputs = legacyCorpus();
  const outcomes = new Map<string, number>();
  for (let i = 0; i < MUTATIONS; i++) {
    const buf = mutate(random, inputs[randomInt(random, inputs.length)], fixLegacyCrcs);
    try {
      for (const allowPartialTail of [false, true]) {
        const outcome = outcomeOf(() => {
          const set = readLegacyMessageSet(buf, { allowPartialTail, maxDecompressedBytes: LIMIT });
          assert.ok(set.size <= buf.length);
          for (const m of set.messages) assert.ok(m.magic === 0 || m.magic === 1);
        });
        outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
      }
      outcomeOf(() => {
        const up = upConvertLegacyMessageSet(buf, { maxDecompressedBytes: LIMIT });
        assert.ok(up.recordCount > 0);
      });
    } catch (err) {
      assert.fail(`mutation ${i} (seed ${SEED}): ${(err as Error).stack}\ninput: ${buf.toString("hex")}`);
    }
  }
  for (const expected of ["ok", "CORRUPT_RECORD", "UNSUPPORTED_COMPRESSION"]) {
    assert.ok(outcomes.has(expected), `${expected} in ${[...outcomes.keys()]}`);
  }
});

test(`fuzz: down-conversion of ${MUTATIONS / 4} mutated v2 batches ends in a ProtocolError or a valid set`, () => {
  const random = seededRandom(SEED + 1);
  const inputs = [0, 1, 2, 3, 4].map((compression) =>
    buildRecordBatch(sampleRecords(6, compression), {
      compression: compression as CompressionType,
      baseOffset: 9,
    }),
  );
  const fixCrc = (b: Buffer) => {
    if (b.length < 61) return;
    const end = Math.min(b.length, 12 + Math.max(0, b.readInt32BE(8)));
    if (end > 21) b.writeUInt32BE(crc32c(b.subarray(21, end)), 17);
  };
  for (let i = 0; i < MUTATIONS / 4; i++) {
    const buf = mutate(random, inputs[randomInt(random, inputs.length)], fixCrc);
    try {
      outcomeOf(() => {
        const down = downConvertRecordBatches(buf, {
          magic: (i % 2) as LegacyMagic,
          maxDecompressedBytes: LIMIT,
          maxBytes: 1 + randomInt(random, 2000),
        });
        const read = readLegacyMessageSet(down.records);
        assert.equal(read.messages.length, down.messageCount);
      });
    } catch (err) {
      assert.fail(`mutation ${i}: ${(err as Error).stack}\ninput: ${buf.toString("hex")}`);
    }
  }
});
