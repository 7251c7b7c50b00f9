import {
  ApiKey,
  ErrorCode,
  type ProduceRequestTopicProduceData,
  type ProduceResponse,
  type ProduceResponsePartitionProduceResponse,
} from "@weir/protocol";
import { backoffMs } from "../cluster/backoff.js";
import type { Cluster } from "../cluster/cluster.js";
import type { ProducerConfig } from "../config/options-table.js";
import {
  asKafkaError,
  brokerError,
  ClientClosedError,
  type KafkaError,
  MalformedResponseError,
  TimeoutError,
} from "../errors.js";
import type { Connection } from "../network/connection.js";
import type { ProducerBatch } from "./producer-batch.js";
import type { ProducerIdentity } from "./producer-identity.js";
import type { PartitionState, RecordAccumulator } from "./record-accumulator.js";

const SEQUENCE_MODULO = 2147483648;

/** Error codes that mean our metadata is stale: refresh before retrying. */
const METADATA_ERRORS: ReadonlySet<number> = new Set([
  ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
  ErrorCode.LEADER_NOT_AVAILABLE,
  ErrorCode.NOT_LEADER_OR_FOLLOWER,
  ErrorCode.NETWORK_EXCEPTION,
  ErrorCode.FENCED_LEADER_EPOCH,
  ErrorCode.UNKNOWN_LEADER_EPOCH,
  ErrorCode.UNKNOWN_TOPIC_ID,
  ErrorCode.KAFKA_STORAGE_ERROR,
]);

/**
 * Moves batches from the accumulator to the brokers. A drain pass picks, per partition, the
 * oldest batch once it is ready (full, lingered long enough, or a flush/close/memory shortage
 * asks for it), groups them by leader and sends one Produce request per leader while its
 * connection has a free in-flight slot. Responses complete the batches, or put them back for a
 * retry (with backoff, within delivery.timeout.ms and `retries`).
 *
 * With idempotence, batches carry the producer id, epoch and per-partition sequence numbers; a
 * retry resends the same bytes, so the broker drops what it already has and answers with the
 * original offsets. After a failure a partition sends one batch at a time until its retried
 * batches are through, so the broker sees them in order.
 */
export class Sender {
  #cluster: Cluster;
  #config: ProducerConfig;
  #acc: RecordAccumulator;
  #identity: ProducerIdentity | null;
  #onBatchDone: () => void;
  #drainScheduled = false;
  #timer: NodeJS.Timeout | undefined;
  #timerAt = Number.POSITIVE_INFINITY;
  #connecting = new Set<number>();
  #identityPending = false;
  #bumpRequested = false;
  #inFlightRequests = 0;
  #stopped = false;
  /** Set by the producer: send everything now (flush, close, buffer memory exhausted). */
  urgent = 0;

  constructor(
    cluster: Cluster,
    config: ProducerConfig,
    acc: RecordAccumulator,
    identity: ProducerIdentity | null,
    onBatchDone: () => void,
  ) {
    this.#cluster = cluster;
    this.#config = config;
    this.#acc = acc;
    this.#identity = identity;
    this.#onBatchDone = onBatchDone;
  }

  get inFlightRequests(): number {
    return this.#inFlightRequests;
  }

  /** Called after appends: drain now if a batch filled up, else make sure linger wakes us. */
  afterAppend(): void {
    const acc = this.#acc;
    if (acc.fullBatches || this.urgent > 0) {
      this.scheduleDrain();
      return;
    }
    const at = acc.nextLingerAt;
    if (at === Number.POSITIVE_INFINITY) return;
    acc.nextLingerAt = Number.POSITIVE_INFINITY;
    if (this.#config.lingerMs === 0) this.scheduleDrain();
    else this.#arm(at);
  }

  scheduleDrain(): void {
    if (this.#drainScheduled || this.#stopped) return;
    this.#drainScheduled = true;
    setImmediate(() => this.#drain());
  }

  /** Stops draining and clears timers (after a close has delivered everything). */
  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#timerAt = Number.POSITIVE_INFINITY;
  }

  /** Fails every queued and in-flight batch with `error` (forced close). */
  abort(error: KafkaError): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
    for (const batch of [...this.#acc.incomplete]) this.#complete(batch, () => batch.fail(error));
    for (const ps of this.#acc.nonEmpty) ps.queue.length = 0;
    this.#acc.nonEmpty.clear();
  }

  #arm(at: number): void {
    if (this.#stopped || at >= this.#timerAt) return;
    clearTimeout(this.#timer);
    this.#timerAt = at;
    this.#timer = setTimeout(
      () => {
        this.#timer = undefined;
        this.#timerAt = Number.POSITIVE_INFINITY;
        this.#drain();
      },
      Math.max(0, at - Date.now()),
    );
  }

  #drain(): void {
    this.#drainScheduled = false;
    if (this.#stopped) return;
    try {
      this.#drainPass();
    } catch (err) {
      // A bug here must not leave batches hanging: fail what is queued and say why.
      this.#cluster.logger.error("producer drain failed", { error: (err as Error).message });
      const error = asKafkaError(err, "producer internal error");
      for (const ps of this.#acc.nonEmpty) {
        for (const batch of ps.queue.splice(0)) this.#complete(batch, () => batch.fail(error));
      }
    }
  }

  #drainPass(): void {
    const now = Date.now();
    const acc = this.#acc;
    const config = this.#config;
    acc.fullBatches = false;
    acc.nextLingerAt = Number.POSITIVE_INFINITY;
    const identity = this.#identity;
    let blocked = false;
    if (identity !== null && (!identity.known || this.#bumpRequested)) {
      blocked = true;
      if (!this.#identityPending && this.#inFlightRequests === 0) this.#initIdentity();
    }
    const urgent = this.urgent > 0;
    const metadata = this.#cluster.metadata;
    const byNode = new Map<number, PartitionState[]>();
    let wakeAt = Number.POSITIVE_INFINITY;
    for (const ps of acc.nonEmpty) {
      this.#expire(ps, now);
      if (ps.queue.length === 0) {
        if (ps.inFlight.length === 0) acc.nonEmpty.delete(ps);
        continue;
      }
      const head = ps.queue[0];
      wakeAt = Math.min(wakeAt, head.createdAt + config.deliveryTimeoutMs);
      const readyAt = this.#readyAt(ps, urgent);
      if (readyAt > now) {
        wakeAt = Math.min(wakeAt, readyAt);
        continue;
      }
      if (blocked || !this.#mayPipeline(ps)) continue;
      const leader = metadata.leaderOf(ps.topic, ps.partition);
      if (leader < 0) {
        this.#cluster.requestUpdate();
        continue;
      }
      let list = byNode.get(leader);
      if (list === undefined) {
        list = [];
        byNode.set(leader, list);
      }
      list.push(ps);
    }
    for (const [node, partitions] of byNode) {
      const connection = this.#cluster.readyConnection(node);
      if (connection === undefined) {
        this.#connect(node);
        continue;
      }
      let pending = partitions;
      while (pending.length > 0 && connection.hasCapacity) {
        pending = this.#sendRequest(node, connection, pending, now, urgent);
      }
    }
    if (wakeAt < Number.POSITIVE_INFINITY) this.#arm(wakeAt);
  }

  /** When the head batch of a partition may be sent (epoch ms; ≤ now means now). */
  #readyAt(ps: PartitionState, urgent: boolean): number {
    const head = ps.queue[0];
    const lingered = head.full || ps.queue.length > 1 || urgent ? 0 : head.createdAt + this.#config.lingerMs;
    return Math.max(lingered, head.retryAt);
  }

  /** Whether the partition may send its head batch while others of it are in flight. */
  #mayPipeline(ps: PartitionState): boolean {
    if (ps.inFlight.length === 0) return true;
    if (this.#identity === null) return true;
    return !ps.recovering && ps.queue[0].baseSequence < 0 && ps.inFlight.length < 5;
  }

  /**
   * Builds and sends one Produce request from the head batches of `partitions` (within
   * max.request.size); returns the partitions that have another batch ready for the next request.
   */
  #sendRequest(
    node: number,
    connection: Connection,
    partitions: PartitionState[],
    now: number,
    urgent: boolean,
  ): PartitionState[] {
    const batches: ProducerBatch[] = [];
    const next: PartitionState[] = [];
    let size = 0;
    for (const ps of partitions) {
      const head = ps.queue[0];
      const bytes = this.#seal(ps, head).length;
      if (batches.length > 0 && size + bytes > this.#config.maxRequestSize) {
        next.push(ps);
        continue;
      }
      size += bytes;
      ps.queue.shift();
      ps.inFlight.push(head);
      batches.push(head);
      if (ps.queue.length > 0 && this.#readyAt(ps, urgent) <= now && this.#mayPipeline(ps)) next.push(ps);
    }
    this.#produce(node, connection, batches);
    return next;
  }

  /** Seals a batch on its first send: sequence numbers assigned, compressed, header written. */
  #seal(ps: PartitionState, batch: ProducerBatch): Buffer {
    if (batch.sealed !== null) return batch.sealed;
    const identity = this.#identity;
    if (identity !== null) {
      batch.producerId = identity.producerId;
      batch.producerEpoch = identity.producerEpoch;
      batch.baseSequence = ps.nextSequence;
      ps.nextSequence = (ps.nextSequence + batch.count) % SEQUENCE_MODULO;
    }
    const config = this.#config;
    const level =
      config.compression === 1
        ? config.compressionGzipLevel < 0
          ? undefined
          : config.compressionGzipLevel
        : config.compression === 4
          ? config.compressionZstdLevel
          : undefined;
    return batch.seal(config.compression, level);
  }

  #produce(node: number, connection: Connection, batches: ProducerBatch[]): void {
    const acks = this.#config.acks;
    let version: number;
    try {
      version = connection.version(ApiKey.Produce, 3);
    } catch (err) {
      for (const batch of batches) this.#retryOrFail(batch, asKafkaError(err, "Produce"));
      return;
    }
    const topics = new Map<string, ProduceRequestTopicProduceData>();
    for (const batch of batches) {
      batch.attempts++;
      let t = topics.get(batch.topic);
      if (t === undefined) {
        t = { name: batch.topic, partitionData: [] };
        topics.set(batch.topic, t);
      }
      t.partitionData.push({ index: batch.partition, records: batch.sealed });
    }
    this.#inFlightRequests++;
    connection
      .send(
        ApiKey.Produce,
        version,
        {
          transactionalId: null,
          acks,
          timeoutMs: this.#config.requestTimeoutMs,
          topicData: [...topics.values()],
        },
        { noResponse: acks === 0 },
      )
      .then(
        (response) => this.#onResponse(node, batches, response as ProduceResponse | undefined),
        (err: unknown) => {
          const error = asKafkaError(err, "Produce");
          for (const batch of batches) this.#retryOrFail(batch, error);
        },
      )
      .catch((err: unknown) =>
        this.#cluster.logger.error("produce response handling failed", { error: String(err) }),
      )
      .finally(() => {
        this.#inFlightRequests--;
        this.scheduleDrain();
      });
  }

  #onResponse(node: number, batches: ProducerBatch[], response: ProduceResponse | undefined): void {
    if (response === undefined) {
      for (const batch of batches) this.#succeed(batch, -1, -1);
      return;
    }
    const byTopic = new Map<string, Map<number, ProduceResponsePartitionProduceResponse>>();
    for (const t of response.responses) {
      const partitions = new Map<number, ProduceResponsePartitionProduceResponse>();
      for (const p of t.partitionResponses) partitions.set(p.index, p);
      byTopic.set(t.name, partitions);
    }
    const broker = this.#brokerLabel(node);
    for (const batch of batches) {
      const p = byTopic.get(batch.topic)?.get(batch.partition);
      if (p === undefined) {
        this.#retryOrFail(
          batch,
          new MalformedResponseError(
            `the Produce response of ${broker} does not mention ${batch.topic}-${batch.partition}`,
            {
              broker,
            },
          ),
        );
        continue;
      }
      const leader = p.currentLeader;
      if (leader !== undefined && leader.leaderId >= 0) {
        this.#cluster.updateLeader(batch.topic, batch.partition, leader.leaderId, leader.leaderEpoch);
      }
      if (p.errorCode === ErrorCode.NONE) {
        this.#succeed(batch, Number(p.baseOffset), Number(p.logAppendTimeMs ?? -1n));
      } else if (p.errorCode === ErrorCode.DUPLICATE_SEQUENCE_NUMBER) {
        // The broker has this batch but no longer knows its offsets.
        this.#succeed(batch, -1, -1);
      } else {
        const recordError = p.recordErrors?.[0]?.batchIndexErrorMessage;
        this.#retryOrFail(
          batch,
          brokerError(p.errorCode, `Produce to ${batch.topic}-${batch.partition} (${broker})`, {
            message: p.errorMessage ?? recordError ?? null,
            broker,
            topic: batch.topic,
            partition: batch.partition,
          }),
        );
      }
    }
  }

  #brokerLabel(node: number): string {
    const b = this.#cluster.metadata.brokers.get(node);
    return b === undefined ? `broker ${node}` : `broker ${node} (${b.host}:${b.port})`;
  }

  #partition(batch: ProducerBatch): PartitionState {
    return this.#acc.topic(batch.topic).partitions[batch.partition];
  }

  #succeed(batch: ProducerBatch, baseOffset: number, logAppendTime: number): void {
    if (batch.completed) return;
    const ps = this.#partition(batch);
    removeFrom(ps.inFlight, batch);
    if (this.#identity !== null && batch.baseSequence >= 0) ps.lastAckedSequence = batch.lastSequence;
    if (ps.recovering && ps.inFlight.length === 0 && !(ps.queue.length > 0 && ps.queue[0].attempts > 0)) {
      ps.recovering = false;
    }
    this.#complete(batch, () => batch.succeed(baseOffset, logAppendTime));
  }

  #retryOrFail(batch: ProducerBatch, error: KafkaError): void {
    if (batch.completed) return;
    const ps = this.#partition(batch);
    removeFrom(ps.inFlight, batch);
    const code = error.code ?? -1;
    if (code >= 0 && METADATA_ERRORS.has(code)) this.#cluster.requestUpdate();
    let retriable = error.retriable;
    if (this.#identity !== null) {
      const expected = (ps.lastAckedSequence + 1) % SEQUENCE_MODULO;
      if (code === ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER) {
        // Behind a batch that is being retried: retry too. The next expected one: the broker lost
        // our sequence; this batch fails and a new epoch restarts every partition at 0.
        retriable = batch.baseSequence !== expected;
        if (!retriable) this.#bumpRequested = true;
      } else if (code === ErrorCode.UNKNOWN_PRODUCER_ID) {
        retriable = true;
        this.#bumpRequested = true;
      } else if (code === ErrorCode.INVALID_PRODUCER_EPOCH || code === ErrorCode.PRODUCER_FENCED) {
        retriable = false;
        this.#bumpRequested = true;
      }
    }
    const now = Date.now();
    const delay = backoffMs(batch.attempts, this.#config.retryBackoffMs, this.#config.retryBackoffMaxMs);
    const inTime = now + delay < batch.createdAt + this.#config.deliveryTimeoutMs;
    if (retriable && !this.#stopped && batch.attempts <= this.#config.retries && inTime) {
      batch.retryAt = now + delay;
      ps.requeue(batch);
      this.#acc.nonEmpty.add(ps);
      if (this.#identity !== null) ps.recovering = true;
      this.#cluster.logger.debug("retrying batch", {
        topic: batch.topic,
        partition: batch.partition,
        attempt: batch.attempts,
        error: error.message,
      });
      return;
    }
    // A batch that leaves a hole in the sequence: the partitions must start over in a new epoch.
    if (this.#identity !== null && batch.baseSequence >= 0) this.#bumpRequested = true;
    let final = error;
    if (retriable && !inTime) {
      final = new TimeoutError(
        `expiring ${batch.count} record(s) for ${batch.topic}-${batch.partition}: delivery.timeout.ms (${this.#config.deliveryTimeoutMs} ms) passed; last error: ${error.message}`,
        {
          cause: error,
          topic: batch.topic,
          partition: batch.partition,
          broker: error.broker,
          retriable: false,
        },
      );
    }
    this.#complete(batch, () => batch.fail(final));
  }

  /** Fails queued (not in-flight) batches of a partition whose delivery timeout has passed. */
  #expire(ps: PartitionState, now: number): void {
    const limit = this.#config.deliveryTimeoutMs;
    while (ps.queue.length > 0 && now - ps.queue[0].createdAt >= limit) {
      const batch = ps.queue.shift()!;
      if (this.#identity !== null && batch.baseSequence >= 0) this.#bumpRequested = true;
      const error = new TimeoutError(
        `expiring ${batch.count} record(s) for ${batch.topic}-${batch.partition}: ${now - batch.createdAt} ms have passed since the batch was created (delivery.timeout.ms ${limit}); the partition had no reachable leader`,
        { topic: batch.topic, partition: batch.partition, retriable: false },
      );
      this.#complete(batch, () => batch.fail(error));
    }
  }

  #complete(batch: ProducerBatch, settle: () => void): void {
    this.#acc.release(batch);
    try {
      settle();
    } finally {
      this.#onBatchDone();
    }
  }

  #connect(node: number): void {
    if (this.#connecting.has(node)) return;
    this.#connecting.add(node);
    this.#cluster
      .connection(node)
      .catch((err: unknown) => {
        this.#cluster.logger.warn("cannot reach partition leader", { node, error: (err as Error).message });
        this.#cluster.requestUpdate();
        return new Promise<void>((resolve) => setTimeout(resolve, this.#config.retryBackoffMs).unref());
      })
      .finally(() => {
        this.#connecting.delete(node);
        this.scheduleDrain();
      });
  }

  /** InitProducerId, or an epoch bump; on failure every queued batch fails with its error. */
  #initIdentity(): void {
    const identity = this.#identity!;
    const bump = identity.known && this.#bumpRequested;
    this.#identityPending = true;
    identity
      .init(bump, Date.now() + this.#config.deliveryTimeoutMs)
      .then(
        () => {
          this.#bumpRequested = false;
          if (bump) this.#restartSequences();
        },
        (err: unknown) => {
          const error =
            err instanceof ClientClosedError
              ? err
              : asKafkaError(err, "InitProducerId for the idempotent producer");
          for (const ps of this.#acc.nonEmpty) {
            for (const batch of ps.queue.splice(0)) this.#complete(batch, () => batch.fail(error));
          }
        },
      )
      .catch((err: unknown) =>
        this.#cluster.logger.error("producer id handling failed", { error: String(err) }),
      )
      .finally(() => {
        this.#identityPending = false;
        this.scheduleDrain();
      });
  }

  /** After an epoch bump: every partition starts at sequence 0, queued batches restamped in order. */
  #restartSequences(): void {
    const identity = this.#identity!;
    for (const topic of this.#acc.topics.values()) {
      for (const ps of topic.partitions) {
        ps.nextSequence = 0;
        ps.lastAckedSequence = -1;
        ps.recovering = false;
        for (const batch of ps.queue) {
          if (batch.baseSequence < 0) continue;
          batch.stamp(identity.producerId, identity.producerEpoch, ps.nextSequence);
          ps.nextSequence = (ps.nextSequence + batch.count) % SEQUENCE_MODULO;
        }
      }
    }
  }
}

function removeFrom(list: ProducerBatch[], batch: ProducerBatch): void {
  const at = list.indexOf(batch);
  if (at >= 0) list.splice(at, 1);
}
