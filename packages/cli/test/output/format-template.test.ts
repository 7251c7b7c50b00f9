import assert from "node:assert/strict";
import { test } from "node:test";
import { ConsumerRecord } from "@weir/client";
import { FormatTemplate } from "../../src/output/format-template.js";

const record = new ConsumerRecord(
  "orders",
  2,
  41,
  Date.UTC(2024, 4, 1, 12),
  "CreateTime",
  Buffer.from("k"),
  null,
  [
    { key: "a", value: Buffer.from("1") },
    { key: "b", value: null },
    { key: "a", value: Buffer.from("2") },
  ],
  0,
);

test("placeholders, escapes and literal braces", () => {
  const t = new FormatTemplate(
    "{topic}/{partition}@{offset} {{{key}}}={value}\\t{timestamp} {time} {timestampType}\\n",
  );
  assert.equal(
    t.render(record, "utf8"),
    "orders/2@41 {k}=null\t1714564800000 2024-05-01T12:00:00.000Z CreateTime\n",
  );
});

test("headers: all of them, or the first value of one; values in the chosen encoding", () => {
  assert.equal(new FormatTemplate("{headers}").render(record, "utf8"), "a=1,b=null,a=2");
  assert.equal(new FormatTemplate("[{header:a}][{header:zz}]").render(record, "utf8"), "[1][]");
  assert.equal(new FormatTemplate("{key} {header:a}").render(record, "hex"), "6b 31");
});

test("unknown placeholders and unbalanced braces are usage errors", () => {
  assert.throws(() => new FormatTemplate("{nope}"), /unknown placeholder \{nope\}/);
  assert.throws(() => new FormatTemplate("{value"), /is not closed/);
  assert.throws(() => new FormatTemplate("value}"), /has no '\{'/);
});
