import assert from "node:assert/strict";
import { test } from "node:test";
import {
  FINAL_EPOCH,
  INITIAL_EPOCH,
  isFullFetch,
  nextEpoch,
} from "../../src/replication/fetch-session-metadata.js";

const INT32_MAX = 2 ** 31 - 1;

test("nextEpoch counts up, wraps Int32.MAX to 1 and keeps FINAL final", () => {
  assert.equal(nextEpoch(INITIAL_EPOCH), 1);
  assert.equal(nextEpoch(1), 2);
  assert.equal(nextEpoch(INT32_MAX - 1), INT32_MAX);
  assert.equal(nextEpoch(INT32_MAX), 1);
  assert.equal(nextEpoch(FINAL_EPOCH), FINAL_EPOCH);
  assert.equal(nextEpoch(-7), FINAL_EPOCH);
});

test("epochs 0 and -1 are full fetches, everything else incremental", () => {
  assert.ok(isFullFetch(0));
  assert.ok(isFullFetch(-1));
  assert.ok(!isFullFetch(1));
  assert.ok(!isFullFetch(INT32_MAX));
  assert.ok(!isFullFetch(-2));
});
