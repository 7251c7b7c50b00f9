import assert from "node:assert/strict";
import { test } from "node:test";
import { compressFrameSync, decompressFrameSync } from "lz4-napi";
import { lz4Codec, ProtocolError } from "../../src/index.js";
import { randomBytes, seededRandom } from "../records/helpers.js";
import { fixtureText, LZ4_BLOCK_CHECKSUM_CONTENT_SIZE, LZ4_JAVA_LIKE, LZ4_LINKED } from "./fixtures.js";

const isCorrupt = (err: unknown) => err instanceof ProtocolError && err.code === "CORRUPT_RECORD";
const text = fixtureText();

test("decompresses frames written by the reference lz4 tool, with and without checksums", () => {
  assert.deepEqual(lz4Codec.decompress(LZ4_LINKED), text); // linked blocks + content checksum
  assert.deepEqual(lz4Codec.decompress(LZ4_BLOCK_CHECKSUM_CONTENT_SIZE), text);
  assert.deepEqual(lz4Codec.decompress(LZ4_JAVA_LIKE), text); // no checksums, as Java writes
  assert.equal(LZ4_LINKED[4] & 0x20, 0, "fixture really has dependent blocks");
  assert.equal(LZ4_LINKED[4] & 0x04, 0x04, "fixture really has a content checksum");
  assert.equal(LZ4_JAVA_LIKE[4], 0x60);
});

test("writes frames Kafka's Java reader accepts: version 1, independent blocks, 64 KiB–4 MiB, no dictionary", () => {
  for (const input of [Buffer.alloc(0), Buffer.from("small"), text, randomBytes(seededRandom(1), 300_000)]) {
    const frame = lz4Codec.compress(input);
    assert.equal(frame.readUInt32LE(0), 0x184d2204);
    const flg = frame[4];
    const bd = frame[5];
    assert.equal(flg & 0xc0, 0x40, "version 01");
    assert.equal(flg & 0x20, 0x20, "block independence");
    assert.equal(flg & 0x03, 0, "reserved bit and dict id clear");
    assert.equal(bd & 0x8f, 0, "BD reserved bits clear");
    assert.ok(((bd >> 4) & 7) >= 4, "block size code 4..7");
    assert.deepEqual(lz4Codec.decompress(frame), input);
  }
});

test("decodes concatenated frames and skips skippable frames", () => {
  const a = lz4Codec.compress(Buffer.from("frame one "));
  const skippable = Buffer.from([0x5a, 0x2a, 0x4d, 0x18, 3, 0, 0, 0, 9, 9, 9]);
  const b = lz4Codec.compress(Buffer.from("frame two"));
  assert.equal(lz4Codec.decompress(Buffer.concat([a, skippable, b])).toString(), "frame one frame two");
  assert.throws(() => lz4Codec.decompress(Buffer.concat([a, Buffer.from([1, 2])])), isCorrupt);
});

test("checksum fields are not verified (the batch CRC32C covers them); structural damage is refused", () => {
  const contentChecksum = Buffer.from(LZ4_LINKED);
  contentChecksum[contentChecksum.length - 1] ^= 0x40;
  assert.deepEqual(lz4Codec.decompress(contentChecksum), text);
  const headerChecksum = Buffer.from(LZ4_JAVA_LIKE);
  headerChecksum[6] ^= 1;
  assert.deepEqual(lz4Codec.decompress(headerChecksum), text);
  const dict = Buffer.from(LZ4_JAVA_LIKE);
  dict[4] |= 0x01;
  assert.throws(() => lz4Codec.decompress(dict), isCorrupt);
  const version = Buffer.from(LZ4_JAVA_LIKE);
  version[4] ^= 0xc0;
  assert.throws(() => lz4Codec.decompress(version), isCorrupt);
  const blockSize = Buffer.from(LZ4_JAVA_LIKE);
  blockSize.writeUInt32LE(0x7fffffff, 7); // first block longer than 64 KiB
  assert.throws(() => lz4Codec.decompress(blockSize), isCorrupt);
  const noEndMark = LZ4_JAVA_LIKE.subarray(0, LZ4_JAVA_LIKE.length - 4);
  assert.throws(() => lz4Codec.decompress(noEndMark), isCorrupt);
});

test("a linked-block frame fails if its blocks are decoded independently (the fixture really links)", () => {
  const relabelled = Buffer.from(LZ4_LINKED);
  relabelled[4] |= 0x20; // claim independence: matches reaching into the previous block now fail
  assert.throws(() => lz4Codec.decompress(relabelled), isCorrupt);
});

test("differential: agrees with lz4-napi's decoder on valid and on damaged frames", () => {
  const random = seededRandom(0x1a4);
  for (let i = 0; i < 3000; i++) {
    const alphabet = 1 + Math.floor(random() * 24);
    const input = Buffer.alloc(Math.floor(random() * 5000));
    for (let j = 0; j < input.length; j++) input[j] = Math.floor(random() * alphabet);
    let frame = compressFrameSync(input);
    assert.deepEqual(lz4Codec.decompress(frame), input);
    frame = Buffer.from(frame);
    if (random() < 0.5) frame[7 + Math.floor(random() * (frame.length - 7))] ^= 1 << Math.floor(random() * 8);
    else frame = frame.subarray(0, Math.floor(random() * frame.length));
    let ours: Buffer | Error;
    let native: Buffer | Error;
    try {
      ours = lz4Codec.decompress(frame, 1 << 20);
    } catch (err) {
      assert.ok(isCorrupt(err), String(err));
      ours = err as Error;
    }
    try {
      native = decompressFrameSync(frame);
    } catch (err) {
      native = err as Error;
    }
    // lz4-napi accepts some truncated frames as empty; everything this decoder accepts, it accepts too.
    if (Buffer.isBuffer(ours)) assert.deepEqual(ours, native, `mutation ${i}`);
  }
});

test("a declared content size above the limit is refused before decoding", () => {
  assert.throws(() => lz4Codec.decompress(LZ4_BLOCK_CHECKSUM_CONTENT_SIZE, text.length - 1), isCorrupt);
  assert.deepEqual(lz4Codec.decompress(LZ4_BLOCK_CHECKSUM_CONTENT_SIZE, text.length), text);
  const lie = Buffer.from(LZ4_BLOCK_CHECKSUM_CONTENT_SIZE);
  lie.writeUInt32LE(0xffffffff, 10); // high word of the content size
  assert.throws(() => lz4Codec.decompress(lie), isCorrupt);
});

test("without a content size, the exact decoded size decides near the limit", () => {
  // Block maximums (4 × 64 KiB) exceed the text, so the frame is scanned for its exact size.
  assert.deepEqual(lz4Codec.decompress(LZ4_LINKED, text.length), text);
  assert.throws(() => lz4Codec.decompress(LZ4_LINKED, text.length - 1), isCorrupt);
});
