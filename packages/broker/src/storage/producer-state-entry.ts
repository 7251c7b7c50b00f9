/**
 * The state one partition keeps for one idempotent/transactional producer: its current epoch, the
 * metadata of its most recent batches (to answer retried batches as duplicates), the timestamp
 * used for expiry and the first offset of its ongoing transaction.
 */

/** `producerId` of a batch written without idempotence. */
export const NO_PRODUCER_ID = -1;
/** Epoch of a producer the partition has no epoch for (never seen, or state lost). */
export const NO_PRODUCER_EPOCH = -1;
/** Sequence of an entry that holds no batch metadata. */
export const NO_SEQUENCE = -1;
/** Timestamp of an entry that has not seen a batch. */
export const NO_TIMESTAMP = -1;
/** `currentTxnFirstOffset` when the producer has no ongoing transaction. */
export const NO_TXN_OFFSET = -1;
/** Coordinator epoch of a producer that never had a transaction marker. */
export const NO_COORDINATOR_EPOCH = -1;

/** How many recent batches per producer are kept for duplicate detection (Kafka: 5, the in-flight limit). */
export const BATCHES_TO_RETAIN = 5;

const INT32_MAX = 0x7fffffff;

/** `sequence + increment`, wrapping past Int32.MAX to 0 as producers do. */
export function incrementSequence(sequence: number, increment: number): number {
  return sequence > INT32_MAX - increment ? increment - (INT32_MAX - sequence) - 1 : sequence + increment;
}

/** `sequence - decrement`, the inverse of {@link incrementSequence}. */
export function decrementSequence(sequence: number, decrement: number): number {
  return sequence < decrement ? INT32_MAX - (decrement - sequence) + 1 : sequence - decrement;
}

/** Whether `nextSeq` directly follows `lastSeq` (Int32.MAX is followed by 0). */
export function isNextSequence(lastSeq: number, nextSeq: number): boolean {
  return nextSeq === lastSeq + 1 || (nextSeq === 0 && lastSeq === INT32_MAX);
}

/** Where one appended batch of a producer landed: enough to answer its retry as a duplicate. */
export interface BatchMetadata {
  readonly firstSeq: number;
  readonly lastSeq: number;
  readonly firstOffset: number;
  readonly lastOffset: number;
  /** The batch's max timestamp (the log append time on LogAppendTime topics). */
  readonly timestamp: number;
}

/** The plain data of an entry: what a snapshot stores and what a snapshot load restores. */
export interface ProducerStateEntryData {
  readonly producerId: number;
  readonly producerEpoch: number;
  readonly coordinatorEpoch: number;
  readonly lastTimestamp: number;
  /** First offset of the ongoing transaction, or {@link NO_TXN_OFFSET}. */
  readonly currentTxnFirstOffset: number;
  /** Oldest first, at most {@link BATCHES_TO_RETAIN}. */
  readonly batches: readonly BatchMetadata[];
}

/** Read-only view of an entry, as the manager hands it out. */
export interface ReadonlyProducerStateEntry extends ProducerStateEntryData {
  readonly lastSeq: number;
  readonly lastDataOffset: number;
  readonly hasOngoingTxn: boolean;
  findBatch(firstSeq: number, lastSeq: number): BatchMetadata | undefined;
  toData(): ProducerStateEntryData;
}

export class ProducerStateEntry implements ReadonlyProducerStateEntry {
  readonly producerId: number;
  #producerEpoch: number;
  #coordinatorEpoch: number;
  #lastTimestamp: number;
  #currentTxnFirstOffset: number;
  #batches: BatchMetadata[];

  private constructor(data: ProducerStateEntryData) {
    this.producerId = data.producerId;
    this.#producerEpoch = data.producerEpoch;
    this.#coordinatorEpoch = data.coordinatorEpoch;
    this.#lastTimestamp = data.lastTimestamp;
    this.#currentTxnFirstOffset = data.currentTxnFirstOffset;
    this.#batches = data.batches.slice(-BATCHES_TO_RETAIN);
  }

  /** A producer the partition knows nothing about yet. */
  static empty(producerId: number): ProducerStateEntry {
    return new ProducerStateEntry({
      producerId,
      producerEpoch: NO_PRODUCER_EPOCH,
      coordinatorEpoch: NO_COORDINATOR_EPOCH,
      lastTimestamp: NO_TIMESTAMP,
      currentTxnFirstOffset: NO_TXN_OFFSET,
      batches: [],
    });
  }

  static fromData(data: ProducerStateEntryData): ProducerStateEntry {
    return new ProducerStateEntry(data);
  }

  get producerEpoch(): number {
    return this.#producerEpoch;
  }
  get coordinatorEpoch(): number {
    return this.#coordinatorEpoch;
  }
  get lastTimestamp(): number {
    return this.#lastTimestamp;
  }
  get currentTxnFirstOffset(): number {
    return this.#currentTxnFirstOffset;
  }
  get hasOngoingTxn(): boolean {
    return this.#currentTxnFirstOffset !== NO_TXN_OFFSET;
  }
  get batches(): readonly BatchMetadata[] {
    return this.#batches;
  }
  get lastSeq(): number {
    const last = this.#batches.at(-1);
    return last === undefined ? NO_SEQUENCE : last.lastSeq;
  }
  get lastDataOffset(): number {
    const last = this.#batches.at(-1);
    return last === undefined ? -1 : last.lastOffset;
  }

  /** The retained batch with exactly this sequence range, if any. */
  findBatch(firstSeq: number, lastSeq: number): BatchMetadata | undefined {
    for (const b of this.#batches) if (b.firstSeq === firstSeq && b.lastSeq === lastSeq) return b;
    return undefined;
  }

  /** Records an appended data batch; a different epoch first drops the metadata of the old one. */
  addBatch(producerEpoch: number, batch: BatchMetadata): void {
    this.#maybeUpdateEpoch(producerEpoch);
    if (this.#batches.length === BATCHES_TO_RETAIN) this.#batches.shift();
    this.#batches.push(batch);
    this.#lastTimestamp = batch.timestamp;
  }

  /** Marks the start of a transaction at `firstOffset`. */
  beginTxn(firstOffset: number): void {
    this.#currentTxnFirstOffset = firstOffset;
  }

  /** Records a commit/abort marker: the transaction is over, epoch and coordinator epoch move on. */
  endTxn(producerEpoch: number, coordinatorEpoch: number, timestamp: number): void {
    this.#maybeUpdateEpoch(producerEpoch);
    this.#coordinatorEpoch = coordinatorEpoch;
    this.#currentTxnFirstOffset = NO_TXN_OFFSET;
    this.#lastTimestamp = timestamp;
  }

  #maybeUpdateEpoch(producerEpoch: number): void {
    if (this.#producerEpoch !== producerEpoch) {
      this.#batches = [];
      this.#producerEpoch = producerEpoch;
    }
  }

  clone(): ProducerStateEntry {
    return new ProducerStateEntry(this);
  }

  toData(): ProducerStateEntryData {
    return {
      producerId: this.producerId,
      producerEpoch: this.#producerEpoch,
      coordinatorEpoch: this.#coordinatorEpoch,
      lastTimestamp: this.#lastTimestamp,
      currentTxnFirstOffset: this.#currentTxnFirstOffset,
      batches: this.#batches.slice(),
    };
  }
}
