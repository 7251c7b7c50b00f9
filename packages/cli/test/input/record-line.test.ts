import assert from "node:assert/strict";
import { test } from "node:test";
import { parseRecordLine, unescapeSeparator } from "../../src/input/record-line.js";

test("without a separator the line is the value; with one, the key is before its first occurrence", () => {
  assert.deepEqual(parseRecordLine("a:b:c", 1, undefined), { key: null, value: "a:b:c" });
  assert.deepEqual(parseRecordLine("a:b:c", 1, ":"), { key: "a", value: "b:c" });
  assert.deepEqual(parseRecordLine(":v", 1, ":"), { key: "", value: "v" });
  assert.deepEqual(parseRecordLine("k::v", 1, "::"), { key: "k", value: "v" });
  assert.throws(() => parseRecordLine("no key", 7, ":"), /line 7 has no key separator ":"/);
});

test("separators written with shell escapes become the characters", () => {
  assert.equal(unescapeSeparator("\\t"), "\t");
  assert.equal(unescapeSeparator("|"), "|");
  assert.equal(unescapeSeparator("\\\\"), "\\");
});
