import {
  ErrorCode,
  type ProduceResponse,
  type ProduceResponsePartitionProduceResponse,
} from "@weir/protocol";
import { backoffMs } from "../cluster/backoff.js";
import type { Cluster } from "../cluster/cluster.js";
import { staleMetadataErrors } from "../cluster/metadata-errors.js";
import type { ProducerConfig } from "../config/options-table.js";
import {
  brokerError,
  type KafkaError,
  MalformedResponseError,
  RecordTooLargeError,
  TimeoutError,
} from "../errors.js";
import { type ProducerBatch, SEQUENCE_MODULO } from "./producer-batch.js";
import type { ProducerIdentity } from "./producer-identity.js";
import type { PartitionState, RecordAccumulator } from "./record-accumulator.js";

/** Errors after which metadata is refreshed before the retry (a dead connection among them). */
const METADATA_ERRORS = staleMetadataErrors(ErrorCode.NETWORK_EXCEPTION);

/**
 * What becomes of a batch once its Produce request is answered or fails, as Kafka's sender
 * decides it: success; a retry (with backoff, within delivery.timeout.ms and `retries`); a split
 * (MESSAGE_TOO_LARGE); expiry; or failure. With idempotence it keeps each partition's sequence
 * bookkeeping and asks for an epoch bump when a sequence can no longer be trusted.
 */
export class BatchOutcomes {
  readonly #cluster: Cluster;
  readonly #config: ProducerConfig;
  readonly #acc: RecordAccumulator;
  readonly #identity: ProducerIdentity | null;
  readonly #onBatchDone: () => void;
  /** Whether the sender stopped: nothing is retried any more. */
  readonly #stopped: () => boolean;

  constructor(
    cluster: Cluster,
    config: ProducerConfig,
    acc: RecordAccumulator,
    identity: ProducerIdentity | null,
    hooks: { onBatchDone: () => void; stopped: () => boolean },
  ) {
    this.#cluster = cluster;
    this.#config = config;
    this.#acc = acc;
    this.#identity = identity;
    this.#onBatchDone = hooks.onBatchDone;
    this.#stopped = hooks.stopped;
  }

  /** Completes, retries or splits each batch of a Produce request by its partition's answer. */
  onResponse(node: number, batches: ProducerBatch[], response: ProduceResponse | undefined): void {
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
        this.retryOrFail(
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
      } else if (p.errorCode === ErrorCode.MESSAGE_TOO_LARGE) {
        this.#tooLarge(batch, broker, p.errorMessage ?? null);
      } else {
        const recordError = p.recordErrors?.[0]?.batchIndexErrorMessage;
        this.retryOrFail(
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

  /**
   * MESSAGE_TOO_LARGE: the broker wrote nothing of the batch. Several records are split into
   * smaller batches and sent again, as Kafka's sender does; a single record fails for good.
   * Kafka splits to batch.size, which only helps batches its compression estimate overfilled; a
   * batch here never holds more than batch.size uncompressed, so the parts are halves (at most
   * batch.size), and a part refused again is halved again.
   */
  #tooLarge(batch: ProducerBatch, broker: string, message: string | null): void {
    if (batch.completed) return;
    const ps = this.#partition(batch);
    const where = `${batch.topic}-${batch.partition}`;
    if (batch.count === 1 || this.#stopped()) {
      const detail = message === null ? "" : `: ${message}`;
      const error = new RecordTooLargeError(
        `the record is too large for ${where} (${broker} answered MESSAGE_TOO_LARGE for a batch of ${batch.count} record(s), ${batch.sizeInBytes} bytes uncompressed; see the topic's max.message.bytes)${detail}`,
        { broker, topic: batch.topic, partition: batch.partition },
      );
      this.retryOrFail(batch, error);
      return;
    }
    removeFrom(ps.inFlight, batch);
    const parts = this.#acc.splitAndReenqueue(
      batch,
      Math.min(this.#config.batchSize, Math.ceil(batch.sizeInBytes / 2)),
    );
    // Batches sent after it are refused out of sequence; they follow the parts one at a time.
    if (this.#identity !== null) ps.recovering = true;
    this.#cluster.logger.warn("splitting a batch the broker refused as too large", {
      topic: batch.topic,
      partition: batch.partition,
      records: batch.count,
      bytes: batch.sizeInBytes,
      parts: parts.length,
    });
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

  /** A retriable error within the batch's time and retries: back in the queue; else it fails. */
  retryOrFail(batch: ProducerBatch, error: KafkaError): void {
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
        if (!retriable) this.#identity.bumpNeeded = true;
      } else if (code === ErrorCode.UNKNOWN_PRODUCER_ID) {
        retriable = true;
        this.#identity.bumpNeeded = true;
      } else if (code === ErrorCode.INVALID_PRODUCER_EPOCH || code === ErrorCode.PRODUCER_FENCED) {
        retriable = false;
        this.#identity.bumpNeeded = true;
      }
    }
    const now = Date.now();
    // As Kafka's sender: a batch within delivery.timeout.ms is retried; if its retry falls due
    // after that, the queue expires it then (expire), not now.
    const inTime = now - batch.createdAt < this.#config.deliveryTimeoutMs;
    if (retriable && !this.#stopped() && batch.attempts <= this.#config.retries && inTime) {
      batch.retryAt =
        now + backoffMs(batch.attempts, this.#config.retryBackoffMs, this.#config.retryBackoffMaxMs);
      batch.lastError = error;
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
    if (this.#identity !== null && batch.baseSequence >= 0) this.#identity.bumpNeeded = true;
    // An in-flight batch is kept until its response or its request timeout (so the partition's
    // sequence stays known); a retriable failure past delivery.timeout.ms then expires it.
    const final = retriable && !inTime ? expiryError(batch, now, error) : error;
    this.#complete(batch, () => batch.fail(final));
  }

  /**
   * Fails the batches waiting in a partition's queue (never sent, or waiting for a retry) once
   * delivery.timeout.ms has passed since their creation; oldest first, as Kafka's accumulator.
   */
  expire(ps: PartitionState, now: number): void {
    const limit = this.#config.deliveryTimeoutMs;
    while (ps.queue.length > 0 && now - ps.queue[0].createdAt >= limit) {
      const batch = ps.queue.shift()!;
      if (this.#identity !== null && batch.baseSequence >= 0) this.#identity.bumpNeeded = true;
      const error = expiryError(batch, now, batch.lastError);
      this.#complete(batch, () => batch.fail(error));
    }
  }

  /** Fails a batch that will not be sent (the producer is closing, or has no producer id). */
  fail(batch: ProducerBatch, error: KafkaError): void {
    this.#complete(batch, () => batch.fail(error));
  }

  #complete(batch: ProducerBatch, settle: () => void): void {
    this.#acc.release(batch);
    try {
      settle();
    } finally {
      this.#onBatchDone();
    }
  }
}

/** Kafka's TimeoutException for a batch past delivery.timeout.ms, with the error that kept it back. */
function expiryError(batch: ProducerBatch, now: number, last: KafkaError | null): TimeoutError {
  const reason = last === null ? "" : ` (last error: ${last.message})`;
  return new TimeoutError(
    `Expiring ${batch.count} record(s) for ${batch.topic}-${batch.partition}: ${now - batch.createdAt} ms has passed since batch creation${reason}`,
    {
      cause: last ?? undefined,
      topic: batch.topic,
      partition: batch.partition,
      broker: last?.broker,
      retriable: false,
    },
  );
}

function removeFrom(list: ProducerBatch[], batch: ProducerBatch): void {
  const at = list.indexOf(batch);
  if (at >= 0) list.splice(at, 1);
}
