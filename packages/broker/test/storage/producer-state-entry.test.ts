import assert from "node:assert/strict";
import { test } from "node:test";
import { producerBatchFromHeader } from "../../src/storage/producer-state-append.js";
import {
  BATCHES_TO_RETAIN,
  decrementSequence,
  incrementSequence,
  isNextSequence,
  NO_SEQUENCE,
  ProducerStateEntry,
} from "../../src/storage/producer-state-entry.js";

const MAX = 2 ** 31 - 1;

test("sequences wrap past Int32.MAX to 0 and back", () => {
  assert.equal(incrementSequence(5, 3), 8);
  assert.equal(incrementSequence(MAX, 1), 0);
  assert.equal(incrementSequence(MAX - 1, 4), 2);
  assert.equal(decrementSequence(2, 4), MAX - 1);
  assert.equal(decrementSequence(0, 1), MAX);
  assert.equal(decrementSequence(10, 3), 7);
  assert.ok(isNextSequence(MAX, 0));
  assert.ok(isNextSequence(-1, 0));
  assert.ok(isNextSequence(41, 42));
  assert.ok(!isNextSequence(MAX, 1));
  assert.ok(!isNextSequence(41, 43));
});

test("a header's last sequence is baseSequence + lastOffsetDelta with wrap; the transactional bit is read", () => {
  const b = producerBatchFromHeader({
    baseOffset: 100,
    lastOffsetDelta: 4,
    producerId: 7,
    producerEpoch: 2,
    baseSequence: MAX - 1,
    attributes: 0x10 | 0x02,
    maxTimestamp: 1234,
  });
  assert.deepEqual(b, {
    producerId: 7,
    producerEpoch: 2,
    baseSequence: MAX - 1,
    lastSequence: 2,
    isTransactional: true,
    maxTimestamp: 1234,
  });
  assert.equal(
    producerBatchFromHeader({ ...b, baseOffset: 0, lastOffsetDelta: 0, attributes: 0 }).isTransactional,
    false,
  );
});

test("an entry keeps the last 5 batches, and a new epoch drops them", () => {
  const e = ProducerStateEntry.empty(1);
  assert.equal(e.lastSeq, NO_SEQUENCE);
  for (let i = 0; i < 7; i++) {
    e.addBatch(0, { firstSeq: i, lastSeq: i, firstOffset: i, lastOffset: i, timestamp: i });
  }
  assert.equal(e.batches.length, BATCHES_TO_RETAIN);
  assert.equal(e.batches[0].firstSeq, 2);
  assert.equal(e.lastSeq, 6);
  assert.equal(e.lastTimestamp, 6);
  assert.equal(e.findBatch(2, 2)?.firstOffset, 2);
  assert.equal(e.findBatch(1, 1), undefined);
  const copy = e.clone();
  e.addBatch(1, { firstSeq: 0, lastSeq: 9, firstOffset: 10, lastOffset: 19, timestamp: 20 });
  assert.equal(e.batches.length, 1);
  assert.equal(e.producerEpoch, 1);
  assert.equal(copy.batches.length, BATCHES_TO_RETAIN, "a clone does not share batches");
  assert.deepEqual(ProducerStateEntry.fromData(e.toData()).toData(), e.toData());
});
