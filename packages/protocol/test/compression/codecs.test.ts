import assert from "node:assert/strict";
import { test } from "node:test";
import {
  type CompressionCodec,
  CompressionType,
  compressionCodec,
  compressionTypeFromName,
  ProtocolError,
} from "../../src/index.js";
import { randomBytes, seededRandom } from "../records/helpers.js";

const CODECS = [
  CompressionType.None,
  CompressionType.Gzip,
  CompressionType.Snappy,
  CompressionType.Lz4,
  CompressionType.Zstd,
].map((t) => compressionCodec(t));

function isCorrupt(err: unknown): boolean {
  return err instanceof ProtocolError && err.code === "CORRUPT_RECORD";
}

function compressible(size: number): Buffer {
  const b = Buffer.allocUnsafe(size);
  for (let i = 0; i < size; i++) b[i] = 97 + ((i * 7) % 13);
  return b;
}

const inputs: [string, Buffer][] = [
  ["empty", Buffer.alloc(0)],
  ["one byte", Buffer.from([42])],
  ["text", Buffer.from("hello, weir! ".repeat(100))],
  ["random 100 KiB", randomBytes(seededRandom(7), 100 * 1024)],
  ["compressible 3 MiB", compressible(3 * 1024 * 1024 + 17)],
];

for (const codec of CODECS) {
  test(`${codec.name}: round-trips empty, small, random and large inputs`, () => {
    for (const [what, input] of inputs) {
      const compressed = codec.compress(input);
      assert.ok(Buffer.isBuffer(compressed), what);
      assert.deepEqual(codec.decompress(compressed), input, what);
    }
  });

  test(`${codec.name}: accepts a Uint8Array that is not a Buffer`, () => {
    const bytes = new Uint8Array(Buffer.from("a plain Uint8Array ".repeat(20)));
    assert.deepEqual(codec.decompress(codec.compress(bytes)), Buffer.from(bytes));
  });

  test(`${codec.name}: maxBytes is exact: the size itself passes, one byte less is refused`, () => {
    const input = compressible(200_000);
    const compressed = codec.compress(input);
    assert.deepEqual(codec.decompress(compressed, input.length), input);
    assert.throws(() => codec.decompress(compressed, input.length - 1), isCorrupt);
    assert.throws(() => codec.decompress(compressed, 0), isCorrupt);
  });
}

for (const codec of CODECS.filter((c) => c.type !== CompressionType.None)) {
  test(`${codec.name}: a zip bomb is refused without inflating it`, () => {
    const bomb = codec.compress(Buffer.alloc(64 * 1024 * 1024));
    assert.ok(bomb.length < 4 * 1024 * 1024, `${bomb.length}`);
    const before = process.memoryUsage().arrayBuffers;
    assert.throws(() => codec.decompress(bomb, 1024 * 1024), isCorrupt);
    // Refusing must not have allocated the 64 MiB (allow generous slack for unrelated buffers).
    assert.ok(process.memoryUsage().arrayBuffers - before < 32 * 1024 * 1024);
  });

  test(`${codec.name}: garbage and truncated input are CORRUPT_RECORD ProtocolErrors`, () => {
    const random = seededRandom(3);
    const good = codec.compress(Buffer.from("some data to truncate ".repeat(50)));
    const bad: Buffer[] = [Buffer.alloc(0), randomBytes(random, 50), good.subarray(0, good.length >> 1)];
    for (let i = 0; i < 20; i++) bad.push(randomBytes(random, 1 + Math.floor(random() * 300)));
    for (const input of bad) {
      try {
        codec.decompress(input);
      } catch (err) {
        assert.ok(isCorrupt(err), `${codec.name}: ${String(err)}`);
      }
      // A few random inputs can be valid by chance (raw snappy with a tiny preamble); fine.
    }
    assert.throws(() => codec.decompress(good.subarray(0, good.length >> 1)), isCorrupt);
  });
}

test("compressionCodec maps the attribute ids and refuses undefined ones", () => {
  for (const codec of CODECS) assert.equal(compressionCodec(codec.type), codec);
  assert.deepEqual(
    CODECS.map((c: CompressionCodec) => c.name),
    ["none", "gzip", "snappy", "lz4", "zstd"],
  );
  for (const id of [5, 6, 7, -1, 1.5]) {
    assert.throws(
      () => compressionCodec(id),
      (err: unknown) => err instanceof ProtocolError && err.code === "UNSUPPORTED_COMPRESSION",
    );
  }
  assert.equal(compressionTypeFromName("zstd"), CompressionType.Zstd);
  assert.equal(compressionTypeFromName("producer"), undefined);
});

test("maxBytes must be a non-negative integer", () => {
  assert.throws(() => compressionCodec(CompressionType.Gzip).decompress(Buffer.alloc(1), -1), RangeError);
  assert.throws(() => compressionCodec(CompressionType.Zstd).decompress(Buffer.alloc(1), 1.5), RangeError);
});

test("fuzz: 2,000 mutated compressed inputs end in CORRUPT_RECORD or a bounded result", () => {
  const random = seededRandom(0xc0dec);
  const samples = CODECS.filter((c) => c.type !== CompressionType.None).flatMap((codec) => [
    [codec, codec.compress(Buffer.from("fuzzing the codecs ".repeat(200)))] as const,
    [codec, codec.compress(randomBytes(random, 2000))] as const,
  ]);
  for (let i = 0; i < 2000; i++) {
    const [codec, sample] = samples[Math.floor(random() * samples.length)];
    let input = Buffer.from(sample);
    const kind = Math.floor(random() * 3);
    if (kind === 0) {
      for (let f = 0; f < 1 + Math.floor(random() * 3); f++)
        input[Math.floor(random() * input.length)] ^= 1 << Math.floor(random() * 8);
    } else if (kind === 1) {
      input = input.subarray(0, Math.floor(random() * input.length));
    } else {
      const at = Math.floor(random() * input.length);
      input = Buffer.concat([
        input.subarray(0, at),
        randomBytes(random, 1 + Math.floor(random() * 6)),
        input.subarray(at),
      ]);
    }
    try {
      assert.ok(codec.decompress(input, 100_000).length <= 100_000);
    } catch (err) {
      assert.ok(isCorrupt(err), `${codec.name} mutation ${i}: ${String(err)}`);
    }
  }
});
