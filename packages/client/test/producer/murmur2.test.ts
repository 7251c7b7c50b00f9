import assert from "node:assert/strict";
import { describe, it } from "node:test";
import kafkajs from "kafkajs";
import { murmur2, partitionForKey, toPositive } from "../../src/producer/murmur2.js";

/** Values of Kafka's Java `Utils.murmur2` (its UtilsTest). */
const JAVA_MURMUR2: Record<string, number> = {
  "21": -973932308,
  foobar: -790332482,
  "a-little-bit-long-string": -985981536,
  "a-little-bit-longer-string": -1486304829,
  lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8: -58897971,
  abc: 479470107,
};

describe("murmur2", () => {
  it("computes the Java client's values", () => {
    for (const [key, expected] of Object.entries(JAVA_MURMUR2)) {
      assert.equal(murmur2(Buffer.from(key)), expected, key);
    }
  });

  it("hashes a string key as its UTF-8 bytes", () => {
    for (const key of ["", "a", "ab", "abc", "héllo wörld", "日本語のキー", "x".repeat(5000)]) {
      assert.equal(partitionForKey(key, 97), toPositive(murmur2(Buffer.from(key, "utf8"))) % 97, key);
    }
  });

  it("toPositive clears the sign bit like Java (not Math.abs)", () => {
    assert.equal(toPositive(-2147483648), 0);
    assert.equal(toPositive(-1), 2147483647);
    assert.equal(toPositive(5), 5);
  });

  it("puts every key on the same partition as kafkajs's Java-compatible DefaultPartitioner", () => {
    const partitioner = kafkajs.Partitioners.DefaultPartitioner();
    for (let i = 0; i < 20_000; i++) {
      const key = i % 3 === 0 ? `order-${i}` : Buffer.from(`${i}:${"k".repeat(i % 17)}`);
      const count = 1 + (i % 64);
      const partitionMetadata = Array.from({ length: count }, (_, partitionId) => ({
        partitionId,
        leader: 1,
        replicas: [1],
        isr: [1],
        partitionErrorCode: 0,
      }));
      const expected = partitioner({ topic: "t", partitionMetadata, message: { key, value: null } });
      assert.equal(partitionForKey(key, count), expected, `key ${key.toString()} over ${count} partitions`);
    }
  });
});
