import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import type {
  ProducerBatch,
  ProducerBatchHeader,
  ProducerCheckResult,
} from "../../src/storage/producer-state-append.js";
import {
  incrementSequence,
  type ReadonlyProducerStateEntry,
} from "../../src/storage/producer-state-entry.js";
import { ProducerStateManager } from "../../src/storage/producer-state-manager.js";

const MAX = 2 ** 31 - 1;
const T0 = 1_700_000_000_000;

const dirs: string[] = [];
after(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

async function manager(expirationMs?: number): Promise<ProducerStateManager> {
  const dir = await mkdtemp(join(tmpdir(), "weir-pstate-"));
  dirs.push(dir);
  return ProducerStateManager.open({ dir, producerIdExpirationMs: expirationMs });
}

function batch(
  producerId: number,
  producerEpoch: number,
  baseSequence: number,
  count = 1,
  opts: { txn?: boolean; ts?: number } = {},
): ProducerBatch {
  return {
    producerId,
    producerEpoch,
    baseSequence,
    lastSequence: incrementSequence(baseSequence, count - 1),
    isTransactional: opts.txn ?? false,
    maxTimestamp: opts.ts ?? T0,
  };
}

/** A log of headers that appends through the manager the way the log's append path will. */
class FakeLog {
  headers: ProducerBatchHeader[] = [];
  leo = 0;
  constructor(readonly psm: ProducerStateManager) {}

  append(b: ProducerBatch): ProducerCheckResult & { firstOffset?: number } {
    const r = this.psm.check(b);
    if (r.kind !== "ok") return r;
    const count =
      b.lastSequence >= b.baseSequence
        ? b.lastSequence - b.baseSequence + 1
        : MAX - b.baseSequence + 2 + b.lastSequence;
    const firstOffset = this.leo;
    const lastOffset = firstOffset + count - 1;
    this.headers.push({
      baseOffset: firstOffset,
      lastOffsetDelta: count - 1,
      producerId: b.producerId,
      producerEpoch: b.producerEpoch,
      baseSequence: b.baseSequence,
      attributes: b.isTransactional ? 0x10 : 0,
      maxTimestamp: b.maxTimestamp,
    });
    this.psm.update(b, firstOffset, lastOffset);
    this.leo = lastOffset + 1;
    return { ...r, firstOffset };
  }
}

function errorOf(r: ProducerCheckResult): string | undefined {
  return r.kind === "error" ? r.error : undefined;
}

function stateOf(psm: ProducerStateManager) {
  return psm
    .entries()
    .map((e: ReadonlyProducerStateEntry) => e.toData())
    .sort((a, b) => a.producerId - b.producerId);
}

test("in-order sequences from several producers are accepted and tracked", async () => {
  const log = new FakeLog(await manager());
  assert.equal(log.append(batch(1, 0, 0, 3)).kind, "ok");
  assert.equal(log.append(batch(2, 5, 0, 1)).kind, "ok");
  assert.equal(log.append(batch(1, 0, 3, 2)).kind, "ok");
  assert.equal(log.append(batch(2, 5, 1, 10)).kind, "ok");
  assert.equal(log.psm.lastEntry(1)?.lastSeq, 4);
  assert.equal(log.psm.lastEntry(2)?.lastSeq, 10);
  assert.equal(log.psm.mapEndOffset, 16);
  assert.deepEqual(
    log.psm.activeProducers().sort((a, b) => a.producerId - b.producerId),
    [
      {
        producerId: 1,
        producerEpoch: 0,
        lastSequence: 4,
        lastTimestamp: T0,
        coordinatorEpoch: -1,
        currentTxnStartOffset: -1,
      },
      {
        producerId: 2,
        producerEpoch: 5,
        lastSequence: 10,
        lastTimestamp: T0,
        coordinatorEpoch: -1,
        currentTxnStartOffset: -1,
      },
    ],
  );
});

test("batches without a producer id bypass every check and only move mapEndOffset", async () => {
  const psm = await manager();
  const plain = batch(-1, -1, -1, 1);
  assert.equal(psm.check(plain).kind, "ok");
  psm.update(plain, 0, 9);
  assert.equal(psm.check(plain).kind, "ok");
  assert.equal(psm.producerIdCount, 0);
  assert.equal(psm.mapEndOffset, 10);
});

test("a retry of any of the last 5 batches is a duplicate answered with the original offsets", async () => {
  const log = new FakeLog(await manager());
  const sent: ProducerBatch[] = [];
  for (let i = 0; i < 7; i++) {
    const b = batch(9, 1, i * 2, 2, { ts: T0 + i });
    sent.push(b);
    assert.equal(log.append(b).kind, "ok");
  }
  const leo = log.leo;
  for (let i = 2; i < 7; i++) {
    const r = log.append(sent[i]);
    assert.equal(r.kind, "duplicate", `batch ${i}`);
    assert.ok(r.kind === "duplicate");
    assert.deepEqual(r.batch, {
      firstSeq: i * 2,
      lastSeq: i * 2 + 1,
      firstOffset: i * 2,
      lastOffset: i * 2 + 1,
      timestamp: T0 + i,
    });
  }
  assert.equal(log.leo, leo, "nothing appended");
  // Older than the last 5: Kafka no longer knows it and answers OUT_OF_ORDER_SEQUENCE_NUMBER.
  assert.equal(errorOf(log.append(sent[1])), "OUT_OF_ORDER_SEQUENCE_NUMBER");
  assert.equal(errorOf(log.append(sent[0])), "OUT_OF_ORDER_SEQUENCE_NUMBER");
  // Same start but a different range is not a duplicate.
  assert.equal(errorOf(log.append(batch(9, 1, 12, 1))), "OUT_OF_ORDER_SEQUENCE_NUMBER");
  assert.equal(log.append(batch(9, 1, 14, 1)).kind, "ok");
});

test("a gap in the sequence is OUT_OF_ORDER_SEQUENCE_NUMBER and changes nothing", async () => {
  const log = new FakeLog(await manager());
  log.append(batch(1, 0, 0, 5));
  const r = log.append(batch(1, 0, 6, 1));
  assert.equal(errorOf(r), "OUT_OF_ORDER_SEQUENCE_NUMBER");
  assert.ok(r.kind === "error" && r.message.includes("expected 5"));
  assert.equal(log.psm.lastEntry(1)?.lastSeq, 4);
  assert.equal(log.append(batch(1, 0, 5, 1)).kind, "ok");
});

test("sequences wrap at Int32.MAX to 0", async () => {
  const log = new FakeLog(await manager());
  assert.equal(log.append(batch(3, 0, MAX - 2, 1)).kind, "ok");
  const wrapping = batch(3, 0, MAX - 1, 4); // MAX-1, MAX, 0, 1
  assert.equal(wrapping.lastSequence, 1);
  assert.equal(log.append(wrapping).kind, "ok");
  assert.equal(log.append(wrapping).kind, "duplicate");
  assert.equal(errorOf(log.append(batch(3, 0, 0, 1))), "OUT_OF_ORDER_SEQUENCE_NUMBER");
  assert.equal(log.append(batch(3, 0, 2, 1)).kind, "ok");

  const log2 = new FakeLog(await manager());
  log2.append(batch(4, 0, MAX - 1, 2)); // ends exactly at MAX
  assert.equal(log2.psm.lastEntry(4)?.lastSeq, MAX);
  assert.equal(log2.append(batch(4, 0, 0, 1)).kind, "ok");
});

test("a producer with no state here is accepted at any sequence (KIP-360), then must continue it", async () => {
  const log = new FakeLog(await manager());
  assert.equal(log.append(batch(5, 3, 1234, 2)).kind, "ok");
  assert.equal(errorOf(log.append(batch(5, 3, 1237, 1))), "OUT_OF_ORDER_SEQUENCE_NUMBER");
  assert.equal(log.append(batch(5, 3, 1236, 1)).kind, "ok");
});

test("an epoch bump must start at sequence 0 and forgets the old epoch's batches", async () => {
  const log = new FakeLog(await manager());
  const old = batch(6, 0, 0, 3);
  log.append(old);
  assert.equal(errorOf(log.append(batch(6, 1, 3, 1))), "OUT_OF_ORDER_SEQUENCE_NUMBER");
  assert.equal(errorOf(log.append(batch(6, 1, 5, 1))), "OUT_OF_ORDER_SEQUENCE_NUMBER");
  assert.equal(log.append(batch(6, 1, 0, 2)).kind, "ok");
  assert.equal(log.psm.lastEntry(6)?.producerEpoch, 1);
  assert.equal(log.psm.lastEntry(6)?.batches.length, 1);
  // The old epoch's retry is now fenced rather than a duplicate.
  assert.equal(errorOf(log.append(old)), "INVALID_PRODUCER_EPOCH");
});

test("a batch from an older epoch is INVALID_PRODUCER_EPOCH", async () => {
  const log = new FakeLog(await manager());
  log.append(batch(7, 4, 0, 1));
  const r = log.append(batch(7, 3, 1, 1));
  assert.equal(errorOf(r), "INVALID_PRODUCER_EPOCH");
  assert.equal(errorOf(log.append(batch(7, 3, 0, 1))), "INVALID_PRODUCER_EPOCH");
  assert.equal(log.append(batch(7, 4, 1, 1)).kind, "ok");
});

test("transactions: the first offset is recorded, a non-transactional write meanwhile is INVALID_TXN_STATE", async () => {
  const log = new FakeLog(await manager());
  log.append(batch(8, 0, 0, 1)); // offset 0, idempotent only
  log.append(batch(8, 0, 1, 2, { txn: true })); // offsets 1-2 start the transaction
  log.append(batch(8, 0, 3, 1, { txn: true })); // offset 3
  assert.equal(log.psm.lastEntry(8)?.currentTxnFirstOffset, 1);
  assert.equal(log.psm.activeProducers()[0].currentTxnStartOffset, 1);
  assert.equal(errorOf(log.append(batch(8, 0, 4, 1))), "INVALID_TXN_STATE");

  assert.equal(
    errorOf(
      log.psm.checkEndTxnMarker({
        producerId: 8,
        producerEpoch: 0,
        coordinatorEpoch: 2,
        offset: 4,
        timestamp: T0,
      }),
    ),
    undefined,
  );
  const done = log.psm.updateEndTxnMarker({
    producerId: 8,
    producerEpoch: 0,
    coordinatorEpoch: 2,
    offset: 4,
    timestamp: T0,
  });
  assert.deepEqual(done, { producerId: 8, firstOffset: 1, lastOffset: 4 });
  assert.equal(log.psm.mapEndOffset, 5);
  assert.equal(log.psm.lastEntry(8)?.currentTxnFirstOffset, -1);
  assert.equal(log.psm.lastEntry(8)?.coordinatorEpoch, 2);
  const zombie = { producerId: 8, producerEpoch: 0, coordinatorEpoch: 1, offset: 5, timestamp: T0 };
  assert.equal(errorOf(log.psm.checkEndTxnMarker(zombie)), "TRANSACTION_COORDINATOR_FENCED");
  assert.equal(
    errorOf(log.psm.checkEndTxnMarker({ ...zombie, producerEpoch: -1, coordinatorEpoch: 3 })),
    "INVALID_PRODUCER_EPOCH",
  );
});

test("producers idle for producer.id.expiration.ms are removed, unless in a transaction", async () => {
  const psm = await manager(1000);
  psm.update(batch(1, 0, 0, 1, { ts: T0 }), 0, 0);
  psm.update(batch(2, 0, 0, 1, { ts: T0 + 500 }), 1, 1);
  psm.update(batch(3, 0, 0, 1, { ts: T0, txn: true }), 2, 2);
  assert.equal(psm.removeExpiredProducers(T0 + 999), 0);
  assert.equal(psm.removeExpiredProducers(T0 + 1000), 1);
  assert.equal(psm.lastEntry(1), undefined);
  assert.ok(psm.lastEntry(2));
  assert.equal(psm.removeExpiredProducers(T0 + 100_000), 1);
  assert.deepEqual(
    psm.activeProducers().map((p) => p.producerId),
    [3],
  );
  // An expired producer comes back as unknown: any sequence is accepted.
  assert.equal(psm.check(batch(1, 0, 77, 1)).kind, "ok");
});

test("the default expiration is one day", async () => {
  const psm = await manager();
  psm.update(batch(1, 0, 0, 1, { ts: T0 }), 0, 0);
  assert.equal(psm.removeExpiredProducers(T0 + 86_400_000 - 1), 0);
  assert.equal(psm.removeExpiredProducers(T0 + 86_400_000), 1);
});

test("a multi-batch append checks each batch against the earlier ones and changes nothing until commit", async () => {
  const psm = await manager();
  psm.update(batch(1, 0, 0, 1), 0, 0);
  const append = psm.prepareAppend();
  assert.equal(append.check(batch(1, 0, 1, 2)).kind, "ok");
  append.record(batch(1, 0, 1, 2), 1, 2);
  // The next batch must follow the staged one, not the committed one.
  assert.equal(errorOf(append.check(batch(1, 0, 1, 2))), "OUT_OF_ORDER_SEQUENCE_NUMBER");
  assert.equal(append.check(batch(1, 0, 3, 1)).kind, "ok");
  append.record(batch(1, 0, 3, 1), 3, 3);
  assert.equal(append.check(batch(2, 0, 0, 1)).kind, "ok");
  append.record(batch(2, 0, 0, 1), 4, 4);
  assert.equal(append.check(batch(-1, -1, -1, 1)).kind, "ok");
  append.record(batch(-1, -1, -1, 1), 5, 9);
  assert.equal(psm.lastEntry(1)?.lastSeq, 0, "not committed yet");
  assert.equal(psm.lastEntry(2), undefined);
  assert.equal(psm.mapEndOffset, 1);
  psm.commit(append);
  assert.equal(psm.lastEntry(1)?.lastSeq, 3);
  assert.equal(psm.lastEntry(1)?.batches.length, 3);
  assert.equal(psm.lastEntry(2)?.lastSeq, 0);
  assert.equal(psm.mapEndOffset, 10);
  assert.equal(psm.check(batch(1, 0, 1, 2)).kind, "duplicate");
});

test("within one append, a new producer's later batches must follow its first one", async () => {
  const psm = await manager();
  const append = psm.prepareAppend();
  assert.equal(append.check(batch(5, 0, 100, 2)).kind, "ok");
  append.record(batch(5, 0, 100, 2), 0, 1);
  assert.equal(errorOf(append.check(batch(5, 0, 105, 1))), "OUT_OF_ORDER_SEQUENCE_NUMBER");
  assert.equal(append.check(batch(5, 0, 102, 1)).kind, "ok");
});

test("a moving log start offset keeps producers (KIP-360) and brings mapEndOffset forward", async () => {
  const log = new FakeLog(await manager());
  log.append(batch(1, 0, 0, 5));
  log.psm.onLogStartOffsetIncremented(100);
  assert.equal(log.psm.mapEndOffset, 100);
  assert.equal(log.psm.lastEntry(1)?.lastSeq, 4);
  assert.equal(log.psm.check(batch(1, 0, 5, 1)).kind, "ok");
});

test("truncation without snapshots drops the state; replaying the rest of the log rebuilds it", async () => {
  const log = new FakeLog(await manager());
  log.append(batch(1, 0, 0, 2));
  log.append(batch(2, 0, 0, 2));
  log.append(batch(1, 0, 2, 2)); // offsets 4-5
  log.append(batch(2, 1, 0, 2)); // offsets 6-7
  const expected = new FakeLog(await manager());
  for (const h of log.headers.slice(0, 2)) expected.psm.replayBatch(h);

  const replayFrom = await log.psm.truncateAndReload(0, 4, T0);
  assert.equal(replayFrom, 0);
  assert.equal(log.psm.producerIdCount, 0, "truncation dropped every entry");
  for (const h of log.headers) if (h.baseOffset >= replayFrom && h.baseOffset < 4) log.psm.replayBatch(h);
  assert.equal(log.psm.mapEndOffset, 4);
  assert.deepEqual(stateOf(log.psm), stateOf(expected.psm));
  assert.equal(log.psm.lastEntry(2)?.producerEpoch, 0, "the truncated epoch bump is gone");
  assert.equal(log.psm.check(batch(1, 0, 2, 2)).kind, "ok", "the truncated batch may be written again");
});

test("truncating at the state's end offset keeps the state", async () => {
  const log = new FakeLog(await manager());
  log.append(batch(1, 0, 0, 2));
  assert.equal(await log.psm.truncateAndReload(0, 2, T0), 2);
  assert.equal(log.psm.lastEntry(1)?.lastSeq, 1);
});

test("truncateFullyAndStartAt forgets everything", async () => {
  const log = new FakeLog(await manager());
  log.append(batch(1, 0, 0, 2));
  await log.psm.takeSnapshot();
  await log.psm.truncateFullyAndStartAt(50);
  assert.equal(log.psm.producerIdCount, 0);
  assert.equal(log.psm.mapEndOffset, 50);
  assert.deepEqual(log.psm.snapshotOffsets, []);
});

test("replaying a control batch with its marker ends the transaction; without one it is skipped", async () => {
  const psm = await manager();
  psm.replayBatch({
    baseOffset: 0,
    lastOffsetDelta: 1,
    producerId: 4,
    producerEpoch: 0,
    baseSequence: 0,
    attributes: 0x10,
    maxTimestamp: T0,
  });
  const marker = {
    baseOffset: 2,
    lastOffsetDelta: 0,
    producerId: 4,
    producerEpoch: 0,
    baseSequence: -1,
    attributes: 0x30,
    maxTimestamp: T0 + 1,
  };
  psm.replayBatch(marker);
  assert.equal(psm.lastEntry(4)?.currentTxnFirstOffset, 0);
  assert.equal(psm.mapEndOffset, 3);
  psm.replayBatch({ ...marker, baseOffset: 3 }, { coordinatorEpoch: 7 });
  assert.equal(psm.lastEntry(4)?.currentTxnFirstOffset, -1);
  assert.equal(psm.lastEntry(4)?.coordinatorEpoch, 7);
  assert.equal(psm.lastEntry(4)?.lastTimestamp, T0 + 1);
  assert.equal(psm.lastEntry(4)?.lastSeq, 1, "a marker adds no batch metadata");
  assert.equal(psm.mapEndOffset, 4);
});
