import assert from "node:assert/strict";
import { test } from "node:test";
import { ProtocolError, Reader, Writer } from "../../src/index.js";

test("varint and varlong round-trip edge values with zigzag encoding", () => {
  const ints = [0, 1, -1, 63, -64, 64, 300, -300, 2 ** 31 - 1, -(2 ** 31)];
  const longs = [0n, 1n, -1n, 2n ** 63n - 1n, -(2n ** 63n), 1234567890123n];
  const w = new Writer(4);
  for (const v of ints) w.varint(v);
  for (const v of longs) w.varlong(v);
  const r = new Reader(w.toBuffer());
  for (const v of ints) assert.equal(r.varint(), v);
  for (const v of longs) assert.equal(r.varlong(), v);
  assert.equal(r.remaining(), 0);
});

test("known varint encodings match Kafka's documented bytes", () => {
  // zigzag: 0->0, -1->1, 1->2, 150 -> 300 -> 0xac 0x02
  assert.deepEqual(new Writer().varint(150).toBuffer(), Buffer.from([0xac, 0x02]));
  assert.deepEqual(new Writer().varint(-1).toBuffer(), Buffer.from([0x01]));
  assert.deepEqual(new Writer().unsignedVarint(300).toBuffer(), Buffer.from([0xac, 0x02]));
});

test("truncated and overlong varints are ProtocolErrors", () => {
  assert.throws(() => new Reader(Buffer.from([0x80, 0x80])).unsignedVarint(), ProtocolError);
  assert.throws(
    () => new Reader(Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0x01])).unsignedVarint(),
    ProtocolError,
  );
});

test("array counts larger than the remaining bytes are refused", () => {
  const r = new Reader(new Writer().int32(1_000_000_000).int8(0).toBuffer());
  assert.throws(() => r.arrayLength(), ProtocolError);
});

test("large byte fields are carried by reference", () => {
  const big = Buffer.alloc(10_000, 7);
  const chunks = new Writer().int32(big.length).raw(big).int8(1).toChunks();
  assert.equal(chunks.length, 3);
  assert.equal(chunks[1], big);
});
