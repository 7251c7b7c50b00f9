import {
  ControlRecordType,
  ErrorCode,
  isRecordBatchCrcValid,
  LOG_OVERHEAD,
  ProtocolError,
  type Record,
  type RecordBatch,
  RecordBatchReader,
  readControlRecordType,
  TimestampType,
} from "@weir/protocol";
import { KafkaError } from "../errors.js";
import { ConsumerRecord, type TimestampTypeName } from "./consumer-types.js";
import type { PartitionState } from "./subscription-state.js";

/** A transaction the broker says was aborted (read_committed fetches). */
export interface AbortedTransaction {
  readonly producerId: number;
  readonly firstOffset: number;
}

const CREATE_TIME: TimestampTypeName = "CreateTime";
const LOG_APPEND_TIME: TimestampTypeName = "LogAppendTime";

/**
 * One partition's part of a fetch response, waiting to be handed out. The batches' framing is
 * read when the response arrives (so the next fetch offset is exact and the next fetch can go out
 * at once); each batch's CRC32C is checked (check.crcs) and its records decoded (and
 * decompressed) only as the application reaches it, as the Java client does. Records before the
 * partition's position (a compressed batch may start earlier), control batches and, with
 * read_committed, batches of aborted transactions are skipped.
 */
export class CompletedFetch {
  readonly state: PartitionState;
  readonly generation: number;
  readonly batches: RecordBatch[];
  /** The offset after the last complete batch: where the next fetch starts. */
  readonly nextFetchOffset: number;
  readonly bytes: number;
  readonly highWatermark: number;
  readonly lastStableOffset: number;
  /** Raised once the batches before it were handed out (framing that cannot be read; CRCs are checked later, per batch). */
  readonly error: KafkaError | null;
  #batchIndex = 0;
  #records: Generator<Record, void, undefined> | null = null;
  #batch: RecordBatch | null = null;
  #timestampType: TimestampTypeName = CREATE_TIME;
  readonly #aborted: readonly AbortedTransaction[] | null;
  #abortedIndex = 0;
  readonly #abortedProducers = new Set<number>();
  readonly #checkCrcs: boolean;

  constructor(
    state: PartitionState,
    fetchOffset: number,
    records: Buffer,
    highWatermark: number,
    lastStableOffset: number,
    aborted: readonly AbortedTransaction[] | null,
    checkCrcs: boolean,
  ) {
    this.state = state;
    this.generation = state.generation;
    this.highWatermark = highWatermark;
    this.lastStableOffset = lastStableOffset;
    this.#aborted = aborted === null ? null : [...aborted].sort((a, b) => a.firstOffset - b.firstOffset);
    this.#checkCrcs = checkCrcs;
    const batches: RecordBatch[] = [];
    let error: KafkaError | null = null;
    let next = fetchOffset;
    const reader = new RecordBatchReader(records, { verifyCrc: false });
    try {
      for (let batch = reader.nextBatch(); batch !== null; batch = reader.nextBatch()) {
        if (batch.nextOffset <= fetchOffset) continue;
        batches.push(batch);
        next = batch.nextOffset;
      }
    } catch (err) {
      error = corrupt(state, next, err);
    }
    this.batches = batches;
    this.nextFetchOffset = next;
    this.bytes = records.length;
    this.error = error;
  }

  /** Whether anything can come out of it: records, or an error to raise. */
  get isEmpty(): boolean {
    return this.batches.length === 0 && this.error === null;
  }

  /**
   * The next record at or after `state.position`, or null when the response is used up. Throws a
   * KafkaError (CORRUPT_MESSAGE) for a batch that fails its CRC32C or a record that does not
   * decode; the position then stays at the batch that failed.
   */
  next(): ConsumerRecord | null {
    const state = this.state;
    for (;;) {
      const records = this.#records;
      if (records !== null) {
        let step: IteratorResult<Record, void>;
        try {
          step = records.next();
        } catch (err) {
          this.#records = null;
          throw corrupt(state, this.#batch?.baseOffset ?? state.position, err);
        }
        if (step.done !== true) {
          const r = step.value;
          if (r.offset < state.position) continue;
          const batch = this.#batch!;
          return new ConsumerRecord(
            state.topic,
            state.partition,
            r.offset,
            r.timestamp,
            this.#timestampType,
            r.key,
            r.value,
            r.headers,
            batch.header.partitionLeaderEpoch,
          );
        }
        this.#records = null;
        this.#finishBatch(this.#batch!);
      }
      if (this.#batchIndex >= this.batches.length) {
        if (this.error !== null) throw this.error;
        return null;
      }
      const batch = this.batches[this.#batchIndex++];
      this.#batch = batch;
      if (this.#checkCrcs && !isRecordBatchCrcValid(batch.buffer, 0, batch.buffer.length - LOG_OVERHEAD)) {
        this.#batchIndex--; // it stays the next one: asking again fails again
        throw corrupt(
          state,
          batch.baseOffset,
          new ProtocolError("the record batch fails its CRC32C", "CORRUPT_RECORD"),
        );
      }
      if (this.#skip(batch)) {
        this.#finishBatch(batch);
        continue;
      }
      this.#timestampType =
        batch.timestampType === TimestampType.LogAppendTime ? LOG_APPEND_TIME : CREATE_TIME;
      try {
        this.#records = batch.records();
      } catch (err) {
        throw corrupt(state, batch.baseOffset, err);
      }
    }
  }

  /** After a batch: the position moves past it, even when its last records were skipped. */
  #finishBatch(batch: RecordBatch): void {
    if (this.state.position < batch.nextOffset) this.state.position = batch.nextOffset;
  }

  /** Control batches, and batches of aborted transactions under read_committed, are not delivered. */
  #skip(batch: RecordBatch): boolean {
    const aborted = this.#aborted;
    if (aborted !== null && batch.hasProducerId) {
      // Transactions that started at or before this batch and were aborted.
      while (
        this.#abortedIndex < aborted.length &&
        aborted[this.#abortedIndex].firstOffset <= batch.lastOffset
      ) {
        this.#abortedProducers.add(aborted[this.#abortedIndex++].producerId);
      }
      const producerId = batch.header.producerId;
      if (batch.isControl) {
        if (this.#isAbortMarker(batch)) this.#abortedProducers.delete(producerId);
        return true;
      }
      if (batch.isTransactional && this.#abortedProducers.has(producerId)) return true;
    }
    if (batch.nextOffset <= this.state.position) return true;
    return batch.isControl;
  }

  #isAbortMarker(batch: RecordBatch): boolean {
    try {
      for (const record of batch.records()) return readControlRecordType(record) === ControlRecordType.Abort;
    } catch {
      return false;
    }
    return false;
  }
}

function corrupt(state: PartitionState, offset: number, cause: unknown): KafkaError {
  const detail = cause instanceof Error ? cause.message : String(cause);
  const code =
    cause instanceof ProtocolError && cause.code === "UNSUPPORTED_VERSION"
      ? ErrorCode.UNSUPPORTED_FOR_MESSAGE_FORMAT
      : ErrorCode.CORRUPT_MESSAGE;
  return new KafkaError(
    code,
    `records of ${state.topic}-${state.partition} at offset ${offset} cannot be read: ${detail}; seek past them to go on`,
    { cause, topic: state.topic, partition: state.partition, retriable: false },
  );
}
