import assert from "node:assert/strict";
import { test } from "node:test";
import { ProtocolError, Reader, Writer } from "../../src/index.js";
import {
  readVarint,
  readVarlong,
  sizeOfVarint,
  sizeOfVarlong,
  writeVarint,
  writeVarlong,
} from "../../src/records/record-varint.js";

const ints = [0, 1, -1, 63, -64, 64, -65, 8191, 8192, 2 ** 20, -(2 ** 27), 2 ** 31 - 1, -(2 ** 31)];
const longs = [0, 1, -1, 1_700_000_000_000, -1_700_000_000_000, 2 ** 52 - 1, -(2 ** 52), 2 ** 35, -(2 ** 49)];

test("fast varints agree with the general Reader/Writer byte for byte", () => {
  for (const v of ints) {
    const expected = new Writer().varint(v).toBuffer();
    const buf = Buffer.alloc(10);
    assert.equal(writeVarint(buf, 0, v), expected.length, `${v}`);
    assert.equal(sizeOfVarint(v), expected.length);
    assert.deepEqual(buf.subarray(0, expected.length), expected);
    assert.equal(readVarint(expected, { pos: 0 }, expected.length), v);
  }
  for (const v of longs) {
    const expected = new Writer().varlong(BigInt(v)).toBuffer();
    const buf = Buffer.alloc(10);
    assert.equal(writeVarlong(buf, 0, v), expected.length, `${v}`);
    assert.equal(sizeOfVarlong(v), expected.length);
    assert.deepEqual(buf.subarray(0, expected.length), expected);
    const c = { pos: 0 };
    assert.equal(readVarlong(expected, c, expected.length), v);
    assert.equal(Number(new Reader(expected).varlong()), v);
  }
});

test("extreme varlongs read approximately, never throw; overlong and truncated ones do", () => {
  const max = new Writer().varlong(2n ** 63n - 1n).toBuffer();
  assert.equal(readVarlong(max, { pos: 0 }, max.length), 2 ** 63);
  const min = new Writer().varlong(-(2n ** 63n)).toBuffer();
  assert.equal(readVarlong(min, { pos: 0 }, min.length), -(2 ** 63));
  const overlong = Buffer.alloc(11, 0x80);
  assert.throws(() => readVarlong(overlong, { pos: 0 }, 11), ProtocolError);
  assert.throws(() => readVarint(Buffer.alloc(6, 0x80), { pos: 0 }, 6), ProtocolError);
  assert.throws(() => readVarint(Buffer.from([0x80, 0x80]), { pos: 0 }, 2), ProtocolError);
  // `end` is honoured even when the buffer goes on.
  assert.throws(() => readVarint(Buffer.from([0x80, 0x01]), { pos: 0 }, 1), ProtocolError);
});
