import assert from "node:assert/strict";
import { test } from "node:test";
import { gzipCodec, ProtocolError } from "../../src/index.js";
import { GZIP_TWO_MEMBERS } from "./fixtures.js";

const isCorrupt = (err: unknown) => err instanceof ProtocolError && err.code === "CORRUPT_RECORD";

test("decompresses concatenated gzip members as one stream, as Java's GZIPInputStream does", () => {
  assert.equal(gzipCodec.decompress(GZIP_TWO_MEMBERS).toString(), "hello gzip member one\nand member two\n");
});

test("output is a standard gzip member at the requested level", () => {
  const input = Buffer.from("level test ".repeat(1000));
  const fast = gzipCodec.compress(input, 1);
  assert.equal(fast.readUInt16BE(0), 0x1f8b);
  assert.deepEqual(gzipCodec.decompress(fast), input);
  assert.deepEqual(gzipCodec.decompress(gzipCodec.compress(input)), input);
});

test("a damaged trailer (CRC32 of the content) is detected", () => {
  const good = gzipCodec.compress(Buffer.from("checked by the gzip trailer"));
  const bad = Buffer.from(good);
  bad[bad.length - 6] ^= 1;
  assert.throws(() => gzipCodec.decompress(bad), isCorrupt);
});
