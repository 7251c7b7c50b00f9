import assert from "node:assert/strict";
import { it } from "node:test";
import { parseSegmentFileName, segmentFileName } from "../../src/storage/segment-file-names.js";

it("segment files are named by their 20-digit base offset", () => {
  assert.equal(segmentFileName(42, ".log"), "00000000000000000042.log");
  assert.deepEqual(parseSegmentFileName("00000000000000000042.timeindex"), {
    baseOffset: 42,
    suffix: ".timeindex",
  });
  assert.equal(parseSegmentFileName("00000000000000000042.snapshot"), undefined);
  assert.equal(parseSegmentFileName("42.log"), undefined);
});
