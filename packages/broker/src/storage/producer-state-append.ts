/**
 * Validation of one append against a partition's producer state, and the staging of the state
 * changes it makes until the append is durable in the log.
 *
 * The rules are Kafka's (ProducerAppendInfo, KIP-98, KIP-360), for appends from clients:
 *  - a batch whose epoch and sequence range equal one of the producer's last 5 batches is a
 *    retry of a batch already in the log: it is answered with that batch's offsets, not appended;
 *  - an epoch lower than the producer's current one is INVALID_PRODUCER_EPOCH (Kafka 2.7+ answers
 *    produce with it rather than PRODUCER_FENCED, so the client can abort and retry);
 *  - a higher epoch (a bump) must start at sequence 0, else OUT_OF_ORDER_SEQUENCE_NUMBER;
 *  - the same epoch must continue at lastSeq + 1 (Int32.MAX is followed by 0), else
 *    OUT_OF_ORDER_SEQUENCE_NUMBER — which is also the answer to a retry older than the last 5;
 *  - a producer the partition has no epoch for is accepted at any sequence. Since KIP-360
 *    (KAFKA-8710, Kafka 2.5) the broker no longer answers UNKNOWN_PRODUCER_ID for produce: its
 *    state may have been removed by retention, DeleteRecords or expiry, and the client's sequence
 *    is trusted. (Kafka trusts the later batches of that same append too; Weir checks them
 *    against the earlier ones, since the producer's position is known by then);
 *  - a non-transactional batch while the producer has an ongoing transaction is INVALID_TXN_STATE.
 */
import type { RecordBatchHeader } from "@weir/protocol";
import { Attributes } from "@weir/protocol";
import {
  type BatchMetadata,
  incrementSequence,
  isNextSequence,
  NO_PRODUCER_EPOCH,
  NO_PRODUCER_ID,
  NO_SEQUENCE,
  ProducerStateEntry,
  type ReadonlyProducerStateEntry,
} from "./producer-state-entry.js";

/** The producer fields of one batch, as the append path knows them before offsets are assigned. */
export interface ProducerBatch {
  readonly producerId: number;
  readonly producerEpoch: number;
  readonly baseSequence: number;
  /** baseSequence + lastOffsetDelta, wrapping past Int32.MAX to 0. */
  readonly lastSequence: number;
  readonly isTransactional: boolean;
  readonly maxTimestamp: number;
}

/** The record batch header fields producer state needs; a `RecordBatchHeader` fits. */
export type ProducerBatchHeader = Pick<
  RecordBatchHeader,
  | "baseOffset"
  | "lastOffsetDelta"
  | "producerId"
  | "producerEpoch"
  | "baseSequence"
  | "attributes"
  | "maxTimestamp"
>;

export function producerBatchFromHeader(header: ProducerBatchHeader): ProducerBatch {
  return {
    producerId: header.producerId,
    producerEpoch: header.producerEpoch,
    baseSequence: header.baseSequence,
    lastSequence: incrementSequence(header.baseSequence, header.lastOffsetDelta),
    isTransactional: (header.attributes & Attributes.transactional) !== 0,
    maxTimestamp: header.maxTimestamp,
  };
}

/** Kafka error names a producer-state check can answer with. */
export type ProducerStateErrorName =
  | "OUT_OF_ORDER_SEQUENCE_NUMBER"
  | "INVALID_PRODUCER_EPOCH"
  | "INVALID_TXN_STATE"
  | "TRANSACTION_COORDINATOR_FENCED";

export type ProducerCheckResult =
  | { readonly kind: "ok" }
  /** A retry of a batch already in the log: answer with its offsets and timestamp, append nothing. */
  | { readonly kind: "duplicate"; readonly batch: BatchMetadata }
  | { readonly kind: "error"; readonly error: ProducerStateErrorName; readonly message: string };

export const CHECK_OK: ProducerCheckResult = Object.freeze({ kind: "ok" });

function fail(error: ProducerStateErrorName, message: string): ProducerCheckResult {
  return { kind: "error", error, message };
}

/** Kafka's duplicate lookup: same epoch and exactly the sequence range of a retained batch. */
export function findDuplicate(
  entry: ReadonlyProducerStateEntry | undefined,
  batch: ProducerBatch,
): BatchMetadata | undefined {
  if (entry === undefined || entry.producerEpoch !== batch.producerEpoch) return undefined;
  return entry.findBatch(batch.baseSequence, batch.lastSequence);
}

/**
 * Epoch, sequence and transaction checks of a data batch. `current` is the committed entry,
 * `updated` the entry including earlier batches of the same append (the same object when none).
 */
export function validateDataBatch(
  current: ReadonlyProducerStateEntry | undefined,
  updated: ReadonlyProducerStateEntry | undefined,
  batch: ProducerBatch,
): ProducerCheckResult {
  const pid = batch.producerId;
  const epoch = updated?.producerEpoch ?? NO_PRODUCER_EPOCH;
  if (batch.producerEpoch < epoch) {
    return fail(
      "INVALID_PRODUCER_EPOCH",
      `epoch ${batch.producerEpoch} of producer ${pid} is older than the current epoch ${epoch}`,
    );
  }
  if (batch.producerEpoch !== epoch) {
    // A new epoch restarts the sequence; a producer with no epoch here may start anywhere (KIP-360).
    if (batch.baseSequence !== 0 && epoch !== NO_PRODUCER_EPOCH) {
      return fail(
        "OUT_OF_ORDER_SEQUENCE_NUMBER",
        `producer ${pid} bumped its epoch from ${epoch} to ${batch.producerEpoch} but starts at sequence ` +
          `${batch.baseSequence}, not 0`,
      );
    }
  } else {
    // Same epoch: an entry that lost its batch metadata (after a marker bump) expects sequence 0.
    const lastSeq = updated?.lastSeq ?? NO_SEQUENCE;
    const known = (current?.producerEpoch ?? NO_PRODUCER_EPOCH) !== NO_PRODUCER_EPOCH || updated !== current;
    if (known && !isNextSequence(lastSeq, batch.baseSequence)) {
      return fail(
        "OUT_OF_ORDER_SEQUENCE_NUMBER",
        `producer ${pid} sent sequence ${batch.baseSequence}, expected ${lastSeq === NO_SEQUENCE ? 0 : incrementSequence(lastSeq, 1)}`,
      );
    }
  }
  if (updated?.hasOngoingTxn === true && !batch.isTransactional) {
    return fail(
      "INVALID_TXN_STATE",
      `producer ${pid} sent a non-transactional batch during its transaction at offset ${updated.currentTxnFirstOffset}`,
    );
  }
  return CHECK_OK;
}

/**
 * The whole client-append check of one data batch: first the duplicate lookup, in the committed
 * entry only (as Kafka), then {@link validateDataBatch}.
 */
export function checkDataBatch(
  current: ReadonlyProducerStateEntry | undefined,
  updated: ReadonlyProducerStateEntry | undefined,
  batch: ProducerBatch,
): ProducerCheckResult {
  const duplicate = findDuplicate(current, batch);
  if (duplicate !== undefined) return { kind: "duplicate", batch: duplicate };
  return validateDataBatch(current, updated, batch);
}

/** Applies an appended data batch to `entry` (no validation: the check came before). */
export function applyDataBatch(
  entry: ProducerStateEntry,
  batch: ProducerBatch,
  firstOffset: number,
  lastOffset: number,
): void {
  entry.addBatch(batch.producerEpoch, {
    firstSeq: batch.baseSequence,
    lastSeq: batch.lastSequence,
    firstOffset,
    lastOffset,
    timestamp: batch.maxTimestamp,
  });
  if (batch.isTransactional && !entry.hasOngoingTxn) entry.beginTxn(firstOffset);
}

/**
 * The producer-state side of one append of several batches: each batch is checked against the
 * committed state plus the batches staged before it, and nothing changes the manager until the
 * append is in the log and `ProducerStateManager.commit` is called. Obtain one from
 * `ProducerStateManager.prepareAppend()`; use it for one append only.
 */
export class ProducerStateAppend {
  readonly #lookup: (producerId: number) => ReadonlyProducerStateEntry | undefined;
  readonly #staged = new Map<number, ProducerStateEntry>();
  #lastOffset = -1;

  constructor(lookup: (producerId: number) => ReadonlyProducerStateEntry | undefined) {
    this.#lookup = lookup;
  }

  /** Validates the next batch of this append, before its offsets are assigned. */
  check(batch: ProducerBatch): ProducerCheckResult {
    if (batch.producerId === NO_PRODUCER_ID) return CHECK_OK;
    const current = this.#lookup(batch.producerId);
    return checkDataBatch(current, this.#staged.get(batch.producerId) ?? current, batch);
  }

  /** Stages a checked batch once its offsets are assigned. */
  record(batch: ProducerBatch, firstOffset: number, lastOffset: number): void {
    if (lastOffset > this.#lastOffset) this.#lastOffset = lastOffset;
    if (batch.producerId === NO_PRODUCER_ID) return;
    let entry = this.#staged.get(batch.producerId);
    if (entry === undefined) {
      const committed = this.#lookup(batch.producerId);
      entry =
        committed === undefined
          ? ProducerStateEntry.empty(batch.producerId)
          : ProducerStateEntry.fromData(committed.toData());
      this.#staged.set(batch.producerId, entry);
    }
    applyDataBatch(entry, batch, firstOffset, lastOffset);
  }

  /** Entries changed by this append (for the manager's commit). */
  get stagedEntries(): ReadonlyMap<number, ProducerStateEntry> {
    return this.#staged;
  }

  /** The largest last offset recorded, or -1. */
  get lastOffset(): number {
    return this.#lastOffset;
  }
}
