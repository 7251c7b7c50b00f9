import {
  Attributes,
  BatchOffsets,
  type CompressionType,
  compressionCodec,
  crc32c,
  LOG_OVERHEAD,
  RECORD_BATCH_OVERHEAD,
} from "@weir/protocol";
import type { KafkaError } from "../errors.js";
import type { EncodedHeader, RecordMetadata } from "./producer-record.js";
import {
  measureRecord,
  type RecordSizes,
  recordBounds,
  recordSize,
  reframedSize,
  writeRecord,
  writeReframed,
} from "./record-encoder.js";

/** Grants a growing batch more of buffer.memory. */
export interface BatchMemory {
  /** Takes `bytes` more for the batch; false when buffer.memory has no room. */
  reserve(bytes: number): boolean;
}

/** Sequence numbers wrap to 0 after Int32.MAX, as Kafka's do. */
export const SEQUENCE_MODULO = 2147483648;

/** Receives the outcome of the records it sent (one send() or one sendBatch()). */
export interface DeliverySink {
  delivered(index: number, metadata: RecordMetadata): void;
  failed(index: number, error: KafkaError): void;
}

const sizes: RecordSizes = { keyLength: 0, valueLength: 0, headerLengths: [] };

/** Writes an int64 given as a safe integer (two's complement for negatives). */
function writeInt64(buf: Buffer, pos: number, n: number): void {
  buf.writeInt32BE(Math.floor(n / 4294967296), pos);
  buf.writeUInt32BE(n >>> 0, pos + 4);
}

/**
 * The records of one partition on their way to the broker, written as they are appended into one
 * buffer behind room for the 61-byte batch header. The buffer starts small and doubles as records
 * arrive, up to `maxCapacity` (batch.size) and while buffer.memory allows, so a large batch.size
 * costs memory only when records pile up (while earlier requests wait for their answers, say), not
 * for every open batch. When the batch is drained it is sealed
 * (compressed if asked, header written) and stamped with the producer id, epoch and base
 * sequence; a retry resends the same bytes, so the broker can recognize a duplicate.
 */
export class ProducerBatch {
  readonly topic: string;
  readonly partition: number;
  /** Epoch ms of the first append: linger and delivery timeouts count from here. */
  readonly createdAt: number;
  #buf: Buffer;
  readonly #maxCapacity: number;
  readonly #memory: BatchMemory | null;
  #reserved: number;
  #pos = RECORD_BATCH_OVERHEAD;
  count = 0;
  baseTimestamp = -1;
  maxTimestamp = -1;
  readonly sinks: DeliverySink[] = [];
  readonly sinkIndexes: number[] = [];
  readonly timestamps: number[] = [];
  /** No more appends: the batch is full, or sealed. */
  full = false;
  sealed: Buffer | null = null;
  attempts = 0;
  /** Epoch ms before which a retry must not be sent. */
  retryAt = 0;
  /** Why the last attempt failed (named when the batch expires). */
  lastError: KafkaError | null = null;
  producerId = -1;
  producerEpoch = -1;
  baseSequence = -1;
  completed = false;
  #done: { promise: Promise<void>; resolve: () => void } | null = null;

  /**
   * `capacity` bytes to start with; with `memory`, the buffer may grow up to `maxCapacity` bytes,
   * each growth granted by it.
   */
  constructor(
    topic: string,
    partition: number,
    capacity: number,
    now: number,
    maxCapacity = capacity,
    memory: BatchMemory | null = null,
  ) {
    this.topic = topic;
    this.partition = partition;
    this.createdAt = now;
    this.#reserved = capacity;
    this.#buf = Buffer.allocUnsafe(capacity);
    this.#maxCapacity = maxCapacity;
    this.#memory = memory;
  }

  /** Bytes of buffer.memory this batch holds until it completes. */
  get reserved(): number {
    return this.#reserved;
  }

  /** Sequence of the last record (wrapping after Int32.MAX like Kafka's). */
  get lastSequence(): number {
    return (this.baseSequence + this.count - 1) % SEQUENCE_MODULO;
  }

  /** Bytes of the batch uncompressed, header included. */
  get sizeInBytes(): number {
    return this.#pos;
  }

  /**
   * Appends a record if it fits; returns the bytes it took, or 0 when the batch is full (the
   * caller starts a new batch). A batch always takes its first record (it was sized for it).
   */
  tryAppend(
    key: Uint8Array | string | null | undefined,
    value: Uint8Array | string | null | undefined,
    headers: EncodedHeader[] | null,
    timestamp: number,
    sink: DeliverySink,
    sinkIndex: number,
  ): number {
    if (this.full) return 0;
    const timestampDelta = this.count === 0 ? 0 : timestamp - this.baseTimestamp;
    const measured = measureRecord(key, value, headers, sizes);
    const size = recordSize(measured, timestampDelta, this.count);
    if (!this.#makeRoom(size)) return 0;
    this.#pos = writeRecord(
      this.#buf,
      this.#pos,
      key,
      value,
      headers,
      sizes,
      measured,
      timestampDelta,
      this.count,
    );
    this.#appended(timestamp, sink, sinkIndex);
    return size;
  }

  /**
   * Whether `size` more bytes fit, growing the buffer if it may; marks the batch full when not.
   * The first record always fits.
   */
  #makeRoom(size: number): boolean {
    const needed = this.#pos + size;
    const capacity = this.#buf.length;
    if (needed <= capacity) return true;
    if (this.count === 0) {
      // Only when the caller sized the batch wrongly; grow rather than fail.
      this.#resize(needed);
      return true;
    }
    const grown = Math.min(this.#maxCapacity, Math.max(needed, capacity * 2));
    if (needed > grown || this.#memory === null || !this.#memory.reserve(grown - capacity)) {
      this.full = true;
      return false;
    }
    this.#reserved += grown - capacity;
    this.#resize(grown);
    return true;
  }

  #resize(capacity: number): void {
    const bigger = Buffer.allocUnsafe(capacity);
    this.#buf.copy(bigger, 0, 0, this.#pos);
    this.#buf = bigger;
  }

  #appended(timestamp: number, sink: DeliverySink, sinkIndex: number): void {
    if (this.count === 0) this.baseTimestamp = timestamp;
    if (timestamp > this.maxTimestamp) this.maxTimestamp = timestamp;
    this.sinks.push(sink);
    this.sinkIndexes.push(sinkIndex);
    this.timestamps.push(timestamp);
    this.count++;
  }

  /**
   * Kafka's split of a batch the broker refused as too large (MESSAGE_TOO_LARGE): its records
   * again, in order, in batches of at most `maxBytes` (at least one record each), with the same
   * creation time and promises. A batch that carried a sequence hands its range on: the parts
   * take consecutive sequences from its base, so the partition's numbering has no hole (the broker
   * wrote none of them). This batch is left without records; see `handOver`.
   */
  split(maxBytes: number): ProducerBatch[] {
    const parts: ProducerBatch[] = [];
    let part: ProducerBatch | undefined;
    let pos = RECORD_BATCH_OVERHEAD;
    for (let i = 0; i < this.count; i++) {
      const { tail, end } = recordBounds(this.#buf, pos);
      const bytes = this.#buf.subarray(tail, end);
      pos = end;
      if (
        part === undefined ||
        !part.#appendReframed(bytes, this.timestamps[i], this.sinks[i], this.sinkIndexes[i])
      ) {
        part = new ProducerBatch(
          this.topic,
          this.partition,
          Math.max(maxBytes, RECORD_BATCH_OVERHEAD + reframedSize(bytes.length, 0, 0)),
          this.createdAt,
        );
        part.#appendReframed(bytes, this.timestamps[i], this.sinks[i], this.sinkIndexes[i]);
        parts.push(part);
      }
    }
    if (this.baseSequence >= 0) {
      let sequence = this.baseSequence;
      for (const p of parts) {
        p.stamp(this.producerId, this.producerEpoch, sequence);
        sequence = (sequence + p.count) % SEQUENCE_MODULO;
      }
    }
    return parts;
  }

  #appendReframed(tail: Buffer, timestamp: number, sink: DeliverySink, sinkIndex: number): boolean {
    const timestampDelta = this.count === 0 ? 0 : timestamp - this.baseTimestamp;
    if (!this.#makeRoom(reframedSize(tail.length, timestampDelta, this.count))) return false;
    this.#pos = writeReframed(this.#buf, this.#pos, tail, timestampDelta, this.count);
    this.#appended(timestamp, sink, sinkIndex);
    return true;
  }

  /**
   * After `split`: this batch is done as far as the sender goes, and `done()` resolves once every
   * part has completed (so flush() still waits for its records).
   */
  handOver(parts: readonly ProducerBatch[]): void {
    if (this.completed) return;
    this.completed = true;
    void Promise.all(parts.map((p) => p.done())).then(() => this.#finish());
  }

  /**
   * Closes the batch to appends and builds its wire bytes: the records compressed when asked,
   * behind a header with everything but the producer fields and the CRC (see `stamp`).
   */
  seal(compression: CompressionType, level: number | undefined): Buffer {
    if (this.sealed !== null) return this.sealed;
    this.full = true;
    let out: Buffer;
    if (compression === 0) {
      out = this.#buf.subarray(0, this.#pos);
    } else {
      const compressed = compressionCodec(compression).compress(
        this.#buf.subarray(RECORD_BATCH_OVERHEAD, this.#pos),
        level,
      );
      out = Buffer.allocUnsafe(RECORD_BATCH_OVERHEAD + compressed.length);
      compressed.copy(out, RECORD_BATCH_OVERHEAD);
    }
    writeInt64(out, BatchOffsets.baseOffset, 0);
    out.writeInt32BE(out.length - LOG_OVERHEAD, BatchOffsets.batchLength);
    out.writeInt32BE(-1, BatchOffsets.partitionLeaderEpoch);
    out.writeInt8(2, BatchOffsets.magic);
    out.writeInt16BE(compression & Attributes.compressionMask, BatchOffsets.attributes);
    out.writeInt32BE(this.count - 1, BatchOffsets.lastOffsetDelta);
    writeInt64(out, BatchOffsets.baseTimestamp, this.baseTimestamp);
    writeInt64(out, BatchOffsets.maxTimestamp, this.maxTimestamp);
    out.writeInt32BE(this.count, BatchOffsets.recordsCount);
    this.sealed = out;
    this.stamp(this.producerId, this.producerEpoch, this.baseSequence);
    return out;
  }

  /** Writes the producer id, epoch and base sequence into the sealed header and recomputes the CRC. */
  stamp(producerId: number, producerEpoch: number, baseSequence: number): void {
    this.producerId = producerId;
    this.producerEpoch = producerEpoch;
    this.baseSequence = baseSequence;
    const out = this.sealed;
    if (out === null) return;
    writeInt64(out, BatchOffsets.producerId, producerId);
    out.writeInt16BE(producerEpoch, BatchOffsets.producerEpoch);
    out.writeInt32BE(baseSequence, BatchOffsets.baseSequence);
    out.writeUInt32BE(crc32c(out.subarray(BatchOffsets.attributes)), BatchOffsets.crc);
  }

  /** Resolves every record's promise with its offset. */
  succeed(baseOffset: number, logAppendTime: number): void {
    if (this.completed) return;
    this.completed = true;
    const { topic, partition, sinks, sinkIndexes, timestamps } = this;
    for (let i = 0; i < this.count; i++) {
      sinks[i].delivered(sinkIndexes[i], {
        topic,
        partition,
        offset: baseOffset < 0 ? -1 : baseOffset + i,
        timestamp: logAppendTime >= 0 ? logAppendTime : timestamps[i],
      });
    }
    this.#finish();
  }

  /** Rejects every record's promise. */
  fail(error: KafkaError): void {
    if (this.completed) return;
    this.completed = true;
    for (let i = 0; i < this.count; i++) this.sinks[i].failed(this.sinkIndexes[i], error);
    this.#finish();
  }

  /** Resolves when the batch has succeeded or failed (for flush). */
  done(): Promise<void> {
    if (this.completed) return Promise.resolve();
    if (this.#done === null) {
      let resolve!: () => void;
      const promise = new Promise<void>((r) => {
        resolve = r;
      });
      this.#done = { promise, resolve };
    }
    return this.#done.promise;
  }

  #finish(): void {
    this.#done?.resolve();
  }
}
