import { ApiKey, type ProduceRequestTopicProduceData, type ProduceResponse } from "@weir/protocol";
import type { Cluster } from "../cluster/cluster.js";
import { DeadlineTimer } from "../cluster/deadline-timer.js";
import { NodeBackoff } from "../cluster/node-backoff.js";
import type { ProducerConfig } from "../config/options-table.js";
import { asKafkaError, ClientClosedError, type KafkaError } from "../errors.js";
import type { Connection } from "../network/connection.js";
import { BatchOutcomes } from "./batch-outcomes.js";
import { type ProducerBatch, SEQUENCE_MODULO } from "./producer-batch.js";
import type { ProducerIdentity } from "./producer-identity.js";
import type { PartitionState, RecordAccumulator } from "./record-accumulator.js";

/**
 * Moves batches from the accumulator to the brokers. A drain pass picks, per partition, the
 * oldest batch once it is ready (full, lingered long enough, or a flush/close/memory shortage
 * asks for it), groups them by leader and sends one Produce request per leader while its
 * connection has a free in-flight slot. What the answers do to the batches is BatchOutcomes'.
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
  readonly #outcomes: BatchOutcomes;
  #drainScheduled = false;
  /** Wakes the next drain pass at the next linger, retry or delivery deadline. */
  readonly #timer = new DeadlineTimer(() => this.#drain());
  #connecting = new Set<number>();
  /** Leaders that could not be reached, left alone for a backoff. */
  readonly #nodeBackoff: NodeBackoff;
  #identityPending = false;
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
    this.#outcomes = new BatchOutcomes(cluster, config, acc, identity, {
      onBatchDone,
      stopped: () => this.#stopped,
    });
    this.#nodeBackoff = new NodeBackoff(config);
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
    this.#timer.clear();
  }

  /** Fails every queued and in-flight batch with `error` (forced close). */
  abort(error: KafkaError): void {
    this.#stopped = true;
    this.#timer.clear();
    for (const batch of [...this.#acc.incomplete]) this.#outcomes.fail(batch, error);
    for (const ps of this.#acc.nonEmpty) ps.queue.length = 0;
    this.#acc.nonEmpty.clear();
  }

  #arm(at: number): void {
    if (!this.#stopped) this.#timer.arm(at);
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
        for (const batch of ps.queue.splice(0)) this.#outcomes.fail(batch, error);
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
    if (identity !== null && (!identity.known || identity.bumpNeeded)) {
      blocked = true;
      if (!this.#identityPending && this.#inFlightRequests === 0) this.#initIdentity();
    }
    const urgent = this.urgent > 0;
    const metadata = this.#cluster.metadata;
    const byNode = new Map<number, PartitionState[]>();
    let wakeAt = Number.POSITIVE_INFINITY;
    for (const ps of acc.nonEmpty) {
      this.#outcomes.expire(ps, now);
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
        const retryAt = this.#nodeBackoff.retryAt(node);
        if (retryAt > now) wakeAt = Math.min(wakeAt, retryAt);
        else this.#connect(node);
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

  /**
   * Seals a batch on its first send: sequence numbers assigned (unless it has them already, as
   * the parts of a split batch do), compressed, header written.
   */
  #seal(ps: PartitionState, batch: ProducerBatch): Buffer {
    if (batch.sealed !== null) return batch.sealed;
    const identity = this.#identity;
    if (identity !== null && batch.baseSequence < 0) {
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
      for (const batch of batches) this.#outcomes.retryOrFail(batch, asKafkaError(err, "Produce"));
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
        (response) => this.#outcomes.onResponse(node, batches, response as ProduceResponse | undefined),
        (err: unknown) => {
          const error = asKafkaError(err, "Produce");
          for (const batch of batches) this.#outcomes.retryOrFail(batch, error);
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

  #connect(node: number): void {
    if (this.#connecting.has(node)) return;
    this.#connecting.add(node);
    this.#cluster
      .connection(node)
      .then(
        () => this.#nodeBackoff.succeeded(node),
        (err: unknown) => {
          this.#cluster.logger.warn("cannot reach partition leader", { node, error: (err as Error).message });
          this.#nodeBackoff.failed(node);
          this.#cluster.requestUpdate();
        },
      )
      .finally(() => {
        this.#connecting.delete(node);
        this.scheduleDrain();
      });
  }

  /** InitProducerId, or an epoch bump; on failure every queued batch fails with its error. */
  #initIdentity(): void {
    const identity = this.#identity!;
    const bump = identity.known && identity.bumpNeeded;
    this.#identityPending = true;
    identity
      .init(bump, Date.now() + this.#config.deliveryTimeoutMs)
      .then(
        () => {
          identity.bumpNeeded = false;
          if (bump) this.#restartSequences();
        },
        (err: unknown) => {
          const error =
            err instanceof ClientClosedError
              ? err
              : asKafkaError(err, "InitProducerId for the idempotent producer");
          for (const ps of this.#acc.nonEmpty) {
            for (const batch of ps.queue.splice(0)) this.#outcomes.fail(batch, error);
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
