import assert from "node:assert/strict";
import { test } from "node:test";
import { parseStartPosition } from "../../src/args/start-position.js";

test("--from accepts beginning, end, offsets, the last n, epoch ms and ISO dates", () => {
  assert.deepEqual(parseStartPosition("beginning"), { kind: "beginning" });
  assert.deepEqual(parseStartPosition("earliest"), { kind: "beginning" });
  assert.deepEqual(parseStartPosition("end"), { kind: "end" });
  assert.deepEqual(parseStartPosition("42"), { kind: "offset", offset: 42 });
  assert.deepEqual(parseStartPosition("-10"), { kind: "last", count: 10 });
  assert.deepEqual(parseStartPosition("@1714564800000"), { kind: "timestamp", timestamp: 1714564800000 });
  assert.deepEqual(parseStartPosition("2024-05-01T12:00:00Z"), {
    kind: "timestamp",
    timestamp: 1714564800000,
  });
  assert.throws(() => parseStartPosition("soon"), /--from must be/);
  assert.throws(() => parseStartPosition("2024-13-45"), /--from must be/);
});
