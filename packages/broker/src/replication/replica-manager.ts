import type { Uuid } from "@weir/protocol";
import type { Logger } from "pino";
import type { LogConfig } from "../storage/log-config.js";
import type { LogManager } from "../storage/log-manager.js";
import { ProducerStateManager } from "../storage/producer-state-manager.js";
import { rebuildProducerState } from "../storage/producer-state-rebuild.js";
import { DelayedFetchPurgatory } from "./delayed-fetch.js";
import { Partition, type PartitionProduceConfig } from "./partition.js";

export interface ReplicaManagerDeps {
  readonly logManager: LogManager;
  readonly logger: Logger;
  readonly now: () => number;
  readonly producerIdExpirationMs: number;
}

/** A partition this broker is to lead, as the metadata image describes it. */
export interface LeaderSpec {
  readonly topic: string;
  readonly topicId: Uuid;
  readonly partition: number;
  readonly leaderEpoch: number;
  readonly logConfig: LogConfig;
  readonly produceConfig: PartitionProduceConfig;
}

/**
 * The partitions this broker hosts, keyed by topic and partition: created and removed as the
 * metadata image says, each with its log and producer state, and the purgatory of fetches
 * waiting on their high watermarks.
 */
export class ReplicaManager {
  readonly #partitions = new Map<string, Partition>();
  readonly #starting = new Map<string, Promise<Partition>>();
  readonly purgatory = new DelayedFetchPurgatory();
  #closed = false;

  constructor(readonly deps: ReplicaManagerDeps) {}

  getPartition(topic: string, partition: number): Partition | undefined {
    return this.#partitions.get(`${topic}-${partition}`);
  }

  get partitions(): IterableIterator<Partition> {
    return this.#partitions.values();
  }

  /**
   * Makes this broker the leader of a partition: opens (or creates) its log and rebuilds its
   * producer state. Idempotent; a later call updates the epoch and configs.
   */
  async becomeLeader(spec: LeaderSpec): Promise<Partition> {
    const { topic, topicId, partition, leaderEpoch, logConfig, produceConfig } = spec;
    const key = `${topic}-${partition}`;
    const existing = this.#partitions.get(key);
    if (existing !== undefined && existing.topicId === topicId) {
      existing.leaderEpoch = leaderEpoch;
      existing.produceConfig = produceConfig;
      existing.log.updateConfig(logConfig);
      return existing;
    }
    const starting = this.#starting.get(key);
    if (starting !== undefined) return starting;
    const promise = this.#open(spec).finally(() => this.#starting.delete(key));
    this.#starting.set(key, promise);
    return promise;
  }

  async #open(spec: LeaderSpec): Promise<Partition> {
    const { topic, topicId, partition, leaderEpoch, logConfig, produceConfig } = spec;
    const log = await this.deps.logManager.getOrCreateLog(topic, partition, logConfig);
    log.updateConfig(logConfig);
    const producerState = await ProducerStateManager.open({
      dir: log.dir,
      producerIdExpirationMs: this.deps.producerIdExpirationMs,
    });
    await rebuildProducerState(log, producerState, this.deps.now());
    const p = new Partition(
      topic,
      topicId,
      partition,
      log,
      producerState,
      leaderEpoch,
      produceConfig,
      (changed) => this.purgatory.checkAndComplete(changed),
    );
    this.#partitions.set(p.key, p);
    return p;
  }

  /** Stops serving a partition and deletes its log (the topic was deleted). */
  async deletePartition(topic: string, partition: number): Promise<void> {
    const key = `${topic}-${partition}`;
    await this.#starting.get(key)?.catch(() => undefined);
    const p = this.#partitions.get(key);
    this.#partitions.delete(key);
    if (p !== undefined) this.purgatory.checkAndComplete(p, true);
    await this.deps.logManager.deleteLog(topic, partition);
  }

  /** Drops producers idle longer than producer.id.expiration.ms. */
  removeExpiredProducers(): void {
    const now = this.deps.now();
    for (const p of this.#partitions.values()) p.producerState.removeExpiredProducers(now);
  }

  /** Completes parked fetches and snapshots producer state; the log manager closes the logs. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.purgatory.completeAll();
    await Promise.allSettled([...this.#starting.values()]);
    await Promise.allSettled(
      [...this.#partitions.values()].map(async (p) => {
        await p.log.flush();
        await p.producerState.takeSnapshot(p.log.logEndOffset);
      }),
    );
  }
}
