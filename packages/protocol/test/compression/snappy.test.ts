import assert from "node:assert/strict";
import { test } from "node:test";
import { compressSync } from "snappy";
import { XERIAL_BLOCK_SIZE } from "../../src/compression/snappy.js";
import { isXerialFramed, ProtocolError, snappyCodec } from "../../src/index.js";

const isCorrupt = (err: unknown) => err instanceof ProtocolError && err.code === "CORRUPT_RECORD";

function xerial(blocks: Buffer[], version = 1, compatible = 1): Buffer {
  const header = Buffer.alloc(16);
  Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00]).copy(header);
  header.writeInt32BE(version, 8);
  header.writeInt32BE(compatible, 12);
  const parts: Buffer[] = [header];
  for (const block of blocks) {
    const length = Buffer.alloc(4);
    length.writeInt32BE(block.length);
    parts.push(length, block);
  }
  return Buffer.concat(parts);
}

test("compresses like snappy-java's SnappyOutputStream: the documented bytes for 'foobar\\n'", () => {
  // snappy-java's documented example: magic header, version 1, compatible version 1, one block.
  const expected = Buffer.from("82534e41505059000000000100000001000000090718666f6f6261720a", "hex");
  assert.deepEqual(snappyCodec.compress(Buffer.from("foobar\n")), expected);
  assert.deepEqual(snappyCodec.decompress(expected), Buffer.from("foobar\n"));
});

test("large input is framed in 32 KiB blocks, each a raw snappy block with a big-endian length", () => {
  const input = Buffer.alloc(3 * XERIAL_BLOCK_SIZE + 100);
  for (let i = 0; i < input.length; i++) input[i] = (i * 31) & 0xff;
  const framed = snappyCodec.compress(input);
  assert.ok(isXerialFramed(framed));
  let pos = 16;
  let blocks = 0;
  const decoded: Buffer[] = [];
  while (pos < framed.length) {
    const length = framed.readInt32BE(pos);
    decoded.push(Buffer.from(snappyCodec.decompress(framed.subarray(pos + 4, pos + 4 + length))));
    pos += 4 + length;
    blocks++;
  }
  assert.equal(blocks, 4);
  assert.deepEqual(decoded[0].length, XERIAL_BLOCK_SIZE);
  assert.deepEqual(Buffer.concat(decoded), input);
  assert.deepEqual(snappyCodec.decompress(framed), input);
});

test("decompresses a raw snappy block, as librdkafka and kafkajs codecs may send", () => {
  const input = Buffer.from("raw snappy from another client ".repeat(300));
  const raw = compressSync(input);
  assert.ok(!isXerialFramed(raw));
  assert.deepEqual(snappyCodec.decompress(raw), input);
});

test("decompresses hand-built xerial streams: several blocks, odd block sizes, empty blocks, other versions", () => {
  const a = Buffer.from("first part, ".repeat(1000));
  const b = Buffer.from("second part");
  const framed = xerial([compressSync(a), Buffer.alloc(0), compressSync(b)], 1, 1);
  assert.deepEqual(snappyCodec.decompress(framed), Buffer.concat([a, b]));
  assert.deepEqual(snappyCodec.decompress(xerial([compressSync(b)], 2, 1)), b);
  assert.deepEqual(snappyCodec.decompress(xerial([])), Buffer.alloc(0));
});

test("xerial framing errors are CORRUPT_RECORD", () => {
  const good = xerial([compressSync(Buffer.from("x".repeat(100)))]);
  assert.throws(() => snappyCodec.decompress(good.subarray(0, 12)), isCorrupt); // header cut
  assert.throws(() => snappyCodec.decompress(good.subarray(0, 18)), isCorrupt); // block length cut
  assert.throws(() => snappyCodec.decompress(good.subarray(0, good.length - 1)), isCorrupt); // block cut
  const negative = Buffer.from(good);
  negative.writeInt32BE(-5, 16);
  assert.throws(() => snappyCodec.decompress(negative), isCorrupt);
});

test("the limit is checked from the length preambles, before decompressing", () => {
  const input = Buffer.alloc(100_000, 1);
  const raw = compressSync(input);
  assert.throws(() => snappyCodec.decompress(raw, 99_999), isCorrupt);
  const framed = snappyCodec.compress(input);
  assert.throws(() => snappyCodec.decompress(framed, 99_999), isCorrupt);
  // A preamble announcing 4 GiB in a 6-byte input is refused by the limit, not attempted.
  assert.throws(() => snappyCodec.decompress(Buffer.from([0xff, 0xff, 0xff, 0xff, 0x0f, 0x00])), isCorrupt);
});
