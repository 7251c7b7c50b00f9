import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { javaStringHashCode, partitionForGroup } from "../../../src/coordinator/group/group-partition.js";

/** String.hashCode computed independently, with BigInt arithmetic mod 2^32. */
function referenceHash(s: string): number {
  let h = 0n;
  for (let i = 0; i < s.length; i++) h = (h * 31n + BigInt(s.charCodeAt(i))) & 0xffffffffn;
  return Number(BigInt.asIntN(32, h));
}

describe("group → __consumer_offsets partition", () => {
  it("matches Java's String.hashCode", () => {
    assert.equal(javaStringHashCode(""), 0);
    assert.equal(javaStringHashCode("hello"), 99162322);
    assert.equal(javaStringHashCode("polygenelubricants"), -2147483648);
    for (const s of ["my-group", "console-consumer-12345", "ünïcode-🙂", "a".repeat(1000)]) {
      assert.equal(javaStringHashCode(s), referenceHash(s), s);
    }
  });

  it("uses Utils.abs: negative hashes by magnitude, Integer.MIN_VALUE to 0", () => {
    assert.equal(partitionForGroup("hello", 50), 99162322 % 50);
    assert.equal(partitionForGroup("polygenelubricants", 50), 0);
    let negative = "";
    for (let i = 0; negative === ""; i++) if (referenceHash(`group-${i}`) < 0) negative = `group-${i}`;
    assert.equal(partitionForGroup(negative, 50), Math.abs(referenceHash(negative)) % 50);
    assert.equal(partitionForGroup(negative, 1), 0);
  });
});
