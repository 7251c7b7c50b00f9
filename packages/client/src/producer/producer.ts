import { ErrorCode, errorName, isRetriable } from "@weir/protocol";
import type { Cluster } from "../cluster/cluster.js";
import { DeadlineTimer } from "../cluster/deadline-timer.js";
import type { ProducerConfig } from "../config/options-table.js";
import { asKafkaError, ClientClosedError, KafkaError, NetworkError, TimeoutError } from "../errors.js";
import type { DeliverySink } from "./producer-batch.js";
import { ProducerIdentity } from "./producer-identity.js";
import {
  checkRecord,
  type EncodedHeader,
  encodeHeaders,
  type ProducerRecord,
  type RecordMetadata,
} from "./producer-record.js";
import { RecordAccumulator, type TopicState } from "./record-accumulator.js";
import { Sender } from "./sender.js";

/** A record waiting for its topic's metadata or for buffer memory, in send order. */
interface Waiting {
  readonly record: ProducerRecord;
  readonly topic: TopicState;
  readonly timestamp: number;
  readonly headers: EncodedHeader[] | null;
  readonly sink: DeliverySink;
  readonly index: number;
  readonly deadline: number;
}

class SingleSink implements DeliverySink {
  constructor(
    readonly resolve: (m: RecordMetadata) => void,
    readonly reject: (e: KafkaError) => void,
  ) {}
  delivered(_index: number, metadata: RecordMetadata): void {
    this.resolve(metadata);
  }
  failed(_index: number, error: KafkaError): void {
    this.reject(error);
  }
}

class BatchSink implements DeliverySink {
  readonly results: RecordMetadata[];
  #remaining: number;
  #failed = false;
  constructor(
    count: number,
    readonly resolve: (m: RecordMetadata[]) => void,
    readonly reject: (e: KafkaError) => void,
  ) {
    this.results = new Array(count);
    this.#remaining = count;
  }
  delivered(index: number, metadata: RecordMetadata): void {
    this.results[index] = metadata;
    if (--this.#remaining === 0 && !this.#failed) this.resolve(this.results);
  }
  failed(_index: number, error: KafkaError): void {
    this.#remaining--;
    if (this.#failed) return;
    this.#failed = true;
    this.reject(error);
  }
}

/** Errors for which waiting longer for a topic's metadata cannot help. */
const FATAL_TOPIC_ERRORS: ReadonlySet<number> = new Set([
  ErrorCode.INVALID_TOPIC_EXCEPTION,
  ErrorCode.TOPIC_AUTHORIZATION_FAILED,
  ErrorCode.CLUSTER_AUTHORIZATION_FAILED,
]);

/** Upper bound of record fields beyond key, value and headers: length, attributes, deltas. */
const RECORD_SLACK = 64;

/**
 * Sends records to Kafka. Create one with `kafka.producer(options)`.
 *
 * `send()` returns a promise per record, `sendBatch()` one per list of records; both resolve once
 * the broker has acknowledged (per `acks`) and reject with a KafkaError when the record cannot be
 * delivered within delivery.timeout.ms. Records are batched per partition (linger.ms,
 * batch.size); with idempotence (the default) retries never duplicate or reorder a partition's
 * records. `flush()` sends everything now and waits for it; `close()` flushes and disconnects.
 */
export class Producer {
  readonly #config: ProducerConfig;
  readonly #cluster: Cluster;
  readonly #acc: RecordAccumulator;
  readonly #sender: Sender;
  #waiting: Waiting[] = [];
  #waitingHead = 0;
  #waitingAdded = 0;
  #waitingRemoved = 0;
  #waitingListeners: { target: number; resolve: () => void }[] = [];
  #bufferListeners: (() => void)[] = [];
  /** Fires at the max.block.ms deadline of the record at the head of the waiting line. */
  readonly #waitTimer = new DeadlineTimer(() => this.#processWaiting());
  #memoryShort = false;
  /** Whether accepted records are pending: they hold the process open (KeepAlive). */
  #holding = false;
  #batchDoneScheduled = false;
  #closing = false;
  #closePromise: Promise<void> | undefined;

  /** @internal Use `kafka.producer()`. */
  constructor(config: ProducerConfig, cluster: Cluster) {
    this.#config = config;
    this.#cluster = cluster;
    this.#acc = new RecordAccumulator(config);
    const identity = config.idempotent ? new ProducerIdentity(cluster, config) : null;
    this.#sender = new Sender(cluster, config, this.#acc, identity, () => this.#onBatchDone());
    cluster.onMetadata((metadata) => {
      for (const topic of this.#acc.topics.values()) topic.update(metadata);
      this.#processWaiting();
      this.#sender.scheduleDrain();
    });
  }

  /** The resolved configuration (Kafka property names in README.md). */
  get config(): Readonly<ProducerConfig> {
    return this.#config;
  }

  /** Bytes of buffer.memory held by unsent and unacknowledged batches. */
  get bufferedBytes(): number {
    return this.#acc.memoryUsed;
  }

  /** Records accepted by send() but not yet in a batch (waiting for metadata or memory). */
  get waitingRecords(): number {
    return this.#waiting.length - this.#waitingHead;
  }

  /**
   * Connects to the cluster and loads its metadata, so an unreachable cluster fails here (after
   * max.block.ms of retries) rather than at the first send. Optional: send() connects by itself.
   */
  connect(): Promise<void> {
    return this.#cluster.keepAlive.during(async () => {
      this.#checkOpen();
      await this.#cluster.loadMetadata(this.#config.maxBlockMs);
    });
  }

  /** Sends one record; resolves with its partition and offset once acknowledged. */
  send(record: ProducerRecord): Promise<RecordMetadata> {
    return new Promise<RecordMetadata>((resolve, reject) => {
      this.#submit(record, new SingleSink(resolve, reject), 0);
    });
  }

  /**
   * Sends records (to any topics) and resolves with their metadata, in the order given, once all
   * are acknowledged; rejects with the first error if any fails.
   */
  sendBatch(records: readonly ProducerRecord[]): Promise<RecordMetadata[]> {
    return new Promise<RecordMetadata[]>((resolve, reject) => {
      if (!Array.isArray(records)) {
        reject(
          new KafkaError(ErrorCode.INVALID_RECORD, "sendBatch takes an array of records", {
            retriable: false,
          }),
        );
        return;
      }
      if (records.length === 0) {
        resolve([]);
        return;
      }
      const sink = new BatchSink(records.length, resolve, reject);
      for (let i = 0; i < records.length; i++) this.#submit(records[i], sink, i);
    });
  }

  /**
   * Resolves when records may again be appended without waiting: nothing is held back for buffer
   * memory. Producers of unbounded streams can `await producer.bufferAvailable()` between sends
   * to keep their own memory bounded.
   */
  bufferAvailable(): Promise<void> {
    if (!this.#memoryShort && this.waitingRecords === 0) return Promise.resolve();
    return new Promise((resolve) => this.#bufferListeners.push(resolve));
  }

  /** Sends every buffered record now and resolves when all sent before this call have completed. */
  flush(): Promise<void> {
    return this.#cluster.keepAlive.during(() => this.#flush());
  }

  async #flush(): Promise<void> {
    const sender = this.#sender;
    sender.urgent++;
    try {
      sender.scheduleDrain();
      const target = this.#waitingAdded;
      if (this.#waitingRemoved < target) {
        await new Promise<void>((resolve) => this.#waitingListeners.push({ target, resolve }));
      }
      sender.scheduleDrain();
      const batches = [...this.#acc.incomplete];
      for (const batch of batches) await batch.done();
    } finally {
      sender.urgent--;
    }
  }

  /**
   * Stops accepting records, delivers those already accepted (each bounded by
   * delivery.timeout.ms) and disconnects. With `timeoutMs`, records still unacknowledged when it
   * passes fail with CLIENT_CLOSED. Safe to call more than once.
   */
  close(options: { timeoutMs?: number } = {}): Promise<void> {
    this.#closePromise ??= this.#cluster.keepAlive.during(() =>
      this.#close(options.timeoutMs ?? Number.POSITIVE_INFINITY),
    );
    return this.#closePromise;
  }

  async #close(timeoutMs: number): Promise<void> {
    this.#closing = true;
    const flushed = this.#flush();
    let timer: NodeJS.Timeout | undefined;
    const inTime = await Promise.race([
      flushed.then(() => true),
      new Promise<boolean>((resolve) => {
        if (Number.isFinite(timeoutMs)) {
          timer = setTimeout(() => resolve(false), Math.max(0, timeoutMs));
          timer.unref();
        }
      }),
    ]);
    clearTimeout(timer);
    if (!inTime) {
      const error = new ClientClosedError(`the producer was closed before these records were acknowledged`);
      this.#failWaiting(() => error);
      this.#sender.abort(error);
    }
    this.#waitTimer.clear();
    this.#sender.stop();
    this.#cluster.close();
    this.#releaseIfIdle();
  }

  #checkOpen(): void {
    if (this.#closing) throw new ClientClosedError("the producer is closed");
  }

  #submit(record: ProducerRecord, sink: DeliverySink, index: number): void {
    if (this.#closing) {
      sink.failed(index, new ClientClosedError("the producer is closed"));
      return;
    }
    let timestamp: number;
    let headers: EncodedHeader[] | null;
    try {
      timestamp = checkRecord(record);
      headers = encodeHeaders(record.headers);
      this.#checkSize(record, headers);
    } catch (err) {
      sink.failed(index, asKafkaError(err, "invalid record"));
      return;
    }
    if (!this.#holding) {
      this.#holding = true;
      this.#cluster.keepAlive.hold();
    }
    const topic = this.#acc.topic(record.topic);
    if (this.#waitingHead === this.#waiting.length && topic.partitionCount > 0) {
      if (this.#tryAppend(topic, record, timestamp, headers, sink, index)) {
        this.#sender.afterAppend();
        return;
      }
    }
    this.#waiting.push({
      record,
      topic,
      timestamp,
      headers,
      sink,
      index,
      deadline: Date.now() + this.#config.maxBlockMs,
    });
    this.#waitingAdded++;
    if (topic.partitionCount === 0) this.#needMetadata(topic);
    else this.#setMemoryShort(true);
    this.#armWaitTimer();
  }

  /** Cheap bound first; the exact size only for records that could be too large. */
  #checkSize(record: ProducerRecord, headers: EncodedHeader[] | null): void {
    const { key, value } = record;
    let bound = RECORD_SLACK + 61;
    if (key != null) bound += typeof key === "string" ? key.length * 3 : key.length;
    if (value != null) bound += typeof value === "string" ? value.length * 3 : value.length;
    if (headers !== null) bound += this.#config.maxRequestSize; // measure exactly
    if (bound > this.#config.maxRequestSize) this.#acc.checkSize(record, headers);
  }

  /** Appends, or returns false when buffer memory is short. Partition errors fail the record. */
  #tryAppend(
    topic: TopicState,
    record: ProducerRecord,
    timestamp: number,
    headers: EncodedHeader[] | null,
    sink: DeliverySink,
    index: number,
  ): boolean {
    let partition: number;
    try {
      partition = this.#acc.partitionFor(topic, record);
    } catch (err) {
      sink.failed(index, asKafkaError(err, "partitioner"));
      this.#releaseIfIdle();
      return true;
    }
    return this.#acc.append(topic, partition, record, timestamp, headers, sink, index, Date.now());
  }

  #needMetadata(topic: TopicState): void {
    if (!this.#cluster.addInterest(topic.name)) {
      this.#cluster.requestUpdate();
      return;
    }
    this.#cluster.refreshMetadata().then(
      (metadata) => {
        if (metadata.topic(topic.name) === undefined) this.#cluster.requestUpdate();
      },
      () => this.#cluster.requestUpdate(),
    );
  }

  /** Moves waiting records into batches, in order, as far as metadata and memory allow. */
  #processWaiting(): void {
    try {
      this.#moveWaiting();
    } catch (err) {
      // Only a bug gets here; the record at the head fails rather than the process.
      if (this.#waitingHead < this.#waiting.length) {
        const w = this.#waiting[this.#waitingHead];
        this.#removeWaiting();
        w.sink.failed(w.index, asKafkaError(err, "producer internal error"));
      }
    }
    this.#releaseIfIdle();
  }

  /** Lets the process exit once no accepted record is pending (see KeepAlive). */
  #releaseIfIdle(): void {
    if (this.#holding && this.#acc.incomplete.size === 0 && this.waitingRecords === 0) {
      this.#holding = false;
      this.#cluster.keepAlive.release();
    }
  }

  #moveWaiting(): void {
    let appended = false;
    let memoryShort = false;
    const now = Date.now();
    while (this.#waitingHead < this.#waiting.length) {
      const w = this.#waiting[this.#waitingHead];
      if (w.topic.partitionCount === 0) {
        const code = this.#cluster.topicError(w.topic.name);
        if (code !== undefined && FATAL_TOPIC_ERRORS.has(code)) {
          this.#removeWaiting();
          w.sink.failed(
            w.index,
            new KafkaError(code, `cannot send to topic ${w.topic.name}: ${errorName(code)}`, {
              topic: w.topic.name,
            }),
          );
          continue;
        }
        if (w.deadline <= now) {
          this.#removeWaiting();
          w.sink.failed(w.index, this.#metadataTimeout(w));
          continue;
        }
        this.#needMetadata(w.topic);
        break;
      }
      if (!this.#tryAppend(w.topic, w.record, w.timestamp, w.headers, w.sink, w.index)) {
        if (w.deadline <= now) {
          this.#removeWaiting();
          w.sink.failed(
            w.index,
            new TimeoutError(
              `could not get buffer memory for a record to ${w.topic.name} within max.block.ms (${this.#config.maxBlockMs} ms); buffer.memory is ${this.#config.bufferMemory} bytes`,
              { topic: w.topic.name, retriable: false },
            ),
          );
          continue;
        }
        memoryShort = true;
        break;
      }
      appended = true;
      this.#removeWaiting();
    }
    this.#setMemoryShort(memoryShort);
    if (appended) this.#sender.afterAppend();
    this.#armWaitTimer();
  }

  #metadataTimeout(w: Waiting): KafkaError {
    const name = w.topic.name;
    const waited = `within max.block.ms (${this.#config.maxBlockMs} ms)`;
    const refreshError = this.#cluster.lastRefreshError;
    if (refreshError !== undefined) {
      return new NetworkError(`could not get metadata for topic ${name} ${waited}: ${refreshError.message}`, {
        cause: refreshError,
        topic: name,
      });
    }
    const code = this.#cluster.topicError(name) ?? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
    return new KafkaError(
      code,
      `topic ${name} is not in the cluster metadata ${waited}: ${errorName(code)}`,
      {
        topic: name,
        retriable: isRetriable(code),
      },
    );
  }

  #removeWaiting(): void {
    this.#waitingHead++;
    this.#waitingRemoved++;
    if (this.#waitingHead === this.#waiting.length) {
      this.#waiting = [];
      this.#waitingHead = 0;
    } else if (this.#waitingHead > 1024 && this.#waitingHead * 2 > this.#waiting.length) {
      this.#waiting = this.#waiting.slice(this.#waitingHead);
      this.#waitingHead = 0;
    }
    if (this.#waitingListeners.length > 0) {
      const done = this.#waitingListeners.filter((l) => l.target <= this.#waitingRemoved);
      this.#waitingListeners = this.#waitingListeners.filter((l) => l.target > this.#waitingRemoved);
      for (const l of done) l.resolve();
    }
  }

  #failWaiting(error: (w: Waiting) => KafkaError): void {
    while (this.#waitingHead < this.#waiting.length) {
      const w = this.#waiting[this.#waitingHead];
      this.#removeWaiting();
      w.sink.failed(w.index, error(w));
    }
    this.#releaseIfIdle();
  }

  #setMemoryShort(short: boolean): void {
    if (short !== this.#memoryShort) {
      this.#memoryShort = short;
      // Out of memory: send everything now, as Kafka's accumulator does when its pool is exhausted.
      this.#sender.urgent += short ? 1 : -1;
      if (short) this.#sender.scheduleDrain();
    }
    if (!short && this.waitingRecords === 0 && this.#bufferListeners.length > 0) {
      const listeners = this.#bufferListeners;
      this.#bufferListeners = [];
      for (const l of listeners) l();
    }
  }

  #armWaitTimer(): void {
    const timer = this.#waitTimer;
    if (this.#waitingHead === this.#waiting.length) {
      timer.clear();
      return;
    }
    const at = this.#waiting[this.#waitingHead].deadline;
    if (at === timer.at) return;
    timer.clear();
    timer.arm(at);
  }

  #onBatchDone(): void {
    // Deferred: the sender calls this in the middle of its own bookkeeping.
    if (this.#batchDoneScheduled) return;
    this.#batchDoneScheduled = true;
    queueMicrotask(() => {
      this.#batchDoneScheduled = false;
      if (this.#waitingHead < this.#waiting.length) this.#processWaiting();
      else if (this.#memoryShort) this.#setMemoryShort(false);
      this.#releaseIfIdle();
    });
  }
}
