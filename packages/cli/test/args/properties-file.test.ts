import assert from "node:assert/strict";
import { test } from "node:test";
import { parseProperties } from "../../src/args/properties-file.js";

test("reads key=value, key: value and key value lines, comments, blanks and continuations", () => {
  const text = [
    "# client settings",
    "! also a comment",
    "",
    "client.id=billing",
    "  linger.ms = 20",
    "acks: all",
    "compression.type zstd",
    "bootstrap.servers=a:9092,\\",
    "    b:9092",
    "empty=",
  ].join("\n");
  assert.deepEqual(parseProperties(text), {
    "client.id": "billing",
    "linger.ms": "20",
    acks: "all",
    "compression.type": "zstd",
    "bootstrap.servers": "a:9092,b:9092",
    empty: "",
  });
});
