import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { BYTES_PER_ENTRY, CleanerOffsetMap, hashKey } from "../../src/storage/cleaner-offset-map.js";

const key = (i: number) => Buffer.from(`key-${i}`);

describe("CleanerOffsetMap", () => {
  it("keeps the latest offset of each key and answers -1 for unknown keys", () => {
    const map = new CleanerOffsetMap(1 << 20);
    for (let i = 0; i < 10_000; i++) map.put(key(i % 1000), i);
    assert.equal(map.size, 1000);
    assert.equal(map.latestOffset, 9999);
    for (let k = 0; k < 1000; k++) assert.equal(map.get(key(k)), 9000 + k);
    assert.equal(map.get(key(1000)), -1);
    assert.equal(map.get(Buffer.alloc(0)), -1);
    map.put(Buffer.alloc(0), 10_000);
    assert.equal(map.get(Buffer.alloc(0)), 10_000, "an empty key is a key");
    map.clear();
    assert.equal(map.size, 0);
    assert.equal(map.get(key(1)), -1);
  });

  it("grows as it fills but never past its memory bound", () => {
    const maxBytes = 64 * 1024;
    const map = new CleanerOffsetMap(maxBytes, 0.9);
    assert.ok(map.bytes <= 1024 * BYTES_PER_ENTRY);
    assert.equal(map.maxSlots * BYTES_PER_ENTRY <= maxBytes, true);
    let i = 0;
    while (!map.wouldOverflow(1)) map.put(key(i), i++);
    assert.equal(map.size, map.maxEntries);
    assert.ok(map.bytes <= maxBytes, `${map.bytes} bytes`);
    for (let k = 0; k < i; k++) assert.equal(map.get(key(k)), k);
  });

  it("hashes 200,000 distinct keys to distinct 128-bit values", () => {
    const seen = new Set<string>();
    const out = new Int32Array(4);
    for (let i = 0; i < 200_000; i++) {
      hashKey(Buffer.from(`user-${i}-${"x".repeat(i % 40)}`), out);
      seen.add(out.join(","));
    }
    assert.equal(seen.size, 200_000);
    // Every key length hits a different tail path; the same bytes always hash the same.
    const a = new Int32Array(4);
    const b = new Int32Array(4);
    for (let len = 0; len <= 33; len++) {
      const bytes = Buffer.alloc(len, 7);
      hashKey(bytes, a);
      hashKey(Buffer.from(bytes), b);
      assert.deepEqual(a, b);
    }
  });
});
