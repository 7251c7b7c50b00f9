import type { BrokerConfig } from "../config/broker-config.js";
import type { BrokerRegistrationResponse } from "./cluster-control.js";
import type { ControllerResult } from "./controller-result.js";
import { ensureMetaProperties, type LogDirsIdentity } from "./meta-properties.js";
import { diffImages, type MetadataChanges, MetadataDelta } from "./metadata-delta.js";
import { MetadataError } from "./metadata-error.js";
import { MetadataImage } from "./metadata-image.js";
import { MetadataLog, type MetadataLogRecovery } from "./metadata-log.js";
import type { MetadataPublisher } from "./metadata-publisher.js";
import type { MetadataRecord } from "./metadata-records.js";
import { type Clock, type Random, systemClock, systemRandom } from "./ports.js";
import { QuorumController } from "./quorum-controller.js";
import { randomUuid } from "./random-uuid.js";

export interface MetadataManagerOptions {
  readonly config: BrokerConfig;
  readonly random?: Random;
  readonly clock?: Clock;
  /** Receives messages worth a warning log line (torn tail truncated, a publisher failed). */
  readonly onWarning?: (message: string, cause?: unknown) => void;
}

/**
 * The I/O shell around the sans-I/O controller on a single node: verifies the log directories'
 * meta.properties, recovers and replays the metadata log, then runs controller operations one at
 * a time — compute `{ records, response }` against the current image, check the records replay,
 * append them durably, install the new image, notify publishers, answer.
 */
export class MetadataManager {
  readonly config: BrokerConfig;
  readonly controller: QuorumController;
  readonly clusterId: string;
  readonly identity: LogDirsIdentity;
  /** What recovery found when the log was opened. */
  readonly recovery: MetadataLogRecovery;
  readonly #log: MetadataLog;
  readonly #random: Random;
  readonly #warn: (message: string, cause?: unknown) => void;
  #image: MetadataImage;
  #publishers: MetadataPublisher[] = [];
  #queue: Promise<unknown> = Promise.resolve();
  #closed = false;

  private constructor(
    options: MetadataManagerOptions,
    identity: LogDirsIdentity,
    log: MetadataLog,
    image: MetadataImage,
    recovery: MetadataLogRecovery,
  ) {
    this.config = options.config;
    this.#random = options.random ?? systemRandom;
    this.controller = new QuorumController({
      config: options.config,
      random: this.#random,
      clock: options.clock ?? systemClock,
    });
    this.identity = identity;
    this.clusterId = identity.clusterId;
    this.#log = log;
    this.#image = image;
    this.recovery = recovery;
    this.#warn = options.onWarning ?? (() => undefined);
  }

  /**
   * Opens the metadata of this node: meta.properties in every log directory (created on first
   * start), then the metadata log under the metadata log directory, replayed into an image. A
   * new log is bootstrapped with the initial feature levels.
   */
  static async open(options: MetadataManagerOptions): Promise<MetadataManager> {
    const { config } = options;
    const random = options.random ?? systemRandom;
    const identity = await ensureMetaProperties({
      logDirs: [...config.logDirs, config.metadataLogDir],
      nodeId: config.nodeId,
      random,
    });
    const { log, batches, recovery } = await MetadataLog.open(config.metadataLogDir);
    try {
      if (recovery.truncatedBytes > 0) {
        options.onWarning?.(
          `Truncated ${recovery.truncatedBytes} bytes of torn tail from the metadata log ${log.path}`,
        );
      }
      const delta = new MetadataDelta(MetadataImage.EMPTY);
      for (const batch of batches) for (const record of batch.records) delta.replay(record);
      let image = delta.apply();
      const manager = new MetadataManager({ ...options, random }, identity, log, image, recovery);
      if (log.nextOffset === 0) {
        const bootstrap = manager.controller.bootstrapRecords();
        image = image.replayAll(bootstrap);
        await log.append(bootstrap);
        manager.#image = image;
      }
      return manager;
    } catch (e) {
      await log.close();
      throw e;
    }
  }

  /** The current image: everything durable in the metadata log. */
  get image(): MetadataImage {
    return this.#image;
  }

  /**
   * Adds a publisher. Unless `replay` is false it is called at once with the current image and
   * the changes from an empty image (every topic "created"), so it can load existing state.
   * Returns a function that removes it.
   */
  subscribe(publisher: MetadataPublisher, replay = true): () => void {
    this.#publishers.push(publisher);
    if (replay) this.#publishTo(publisher, this.#image, diffImages(MetadataImage.EMPTY, this.#image));
    return () => {
      this.#publishers = this.#publishers.filter((p) => p !== publisher);
    };
  }

  /**
   * Runs one controller operation: `operation` computes `{ records, response }` from the current
   * image; the records are checked by replaying them, appended durably as one batch, installed
   * as the new image and published; then the promise resolves with the response. Operations run
   * strictly one after another. If the append fails, the promise rejects and the manager stops
   * accepting operations (the node must restart and recover).
   */
  submit<R>(
    operation: (image: MetadataImage, controller: QuorumController) => ControllerResult<R>,
  ): Promise<R> {
    if (this.#closed) return Promise.reject(new MetadataError("CLOSED", "metadata manager is closed"));
    const run = this.#queue.then(() => this.#run(operation));
    this.#queue = run.catch(() => undefined);
    return run;
  }

  async #run<R>(
    operation: (image: MetadataImage, controller: QuorumController) => ControllerResult<R>,
  ): Promise<R> {
    const before = this.#image;
    const { records, response } = operation(before, this.controller);
    if (records.length === 0) return response;
    const after = before.replayAll(records); // throws before anything is written if a record is invalid
    await this.#log.append(records);
    this.#image = after;
    const changes = diffImages(before, after);
    for (const publisher of [...this.#publishers]) this.#publishTo(publisher, after, changes);
    return response;
  }

  #publishTo(publisher: MetadataPublisher, image: MetadataImage, changes: MetadataChanges): void {
    try {
      publisher.onImage(image, changes);
    } catch (e) {
      this.#warn(`metadata publisher ${publisher.name} failed: ${(e as Error).message}`, e);
    }
  }

  /** Appends records the caller built itself (tests, tools); same path as `submit`. */
  appendRecords(records: readonly MetadataRecord[]): Promise<void> {
    return this.submit(() => ({ records, response: undefined }));
  }

  /**
   * Registers this node as a broker with its advertised listeners and a fresh incarnation id
   * (done at every start; the broker epoch is the offset of the registration).
   */
  registerLocalBroker(): Promise<BrokerRegistrationResponse> {
    const incarnationId = randomUuid(this.#random);
    return this.submit((image, controller) =>
      controller.registerBroker(image, {
        nodeId: this.config.nodeId,
        incarnationId,
        endpoints: this.config.advertisedListeners,
        rack: this.config.get("broker.rack"),
      }),
    );
  }

  /** Refuses new operations, finishes the queued ones, then closes the log. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#queue;
    await this.#log.close();
  }
}
