import { ErrorCode, RecordBatch, type Uuid, validateRecordBatches } from "@weir/protocol";
import type { Log, LogAppendInfo } from "../storage/log.js";
import { isCompacted } from "../storage/log-config.js";
import { producerBatchFromHeader } from "../storage/producer-state-append.js";
import type { ProducerStateManager } from "../storage/producer-state-manager.js";
import { rebuildProducerState } from "../storage/producer-state-rebuild.js";
import { StorageError } from "../storage/storage-error.js";

/** Topic-level settings the leader applies to produce requests. */
export interface PartitionProduceConfig {
  readonly maxMessageBytes: number;
  readonly timestampBeforeMaxMs: number;
  readonly timestampAfterMaxMs: number;
}

export interface LeaderAppendResult {
  readonly errorCode: number;
  readonly errorMessage: string | null;
  readonly baseOffset: number;
  readonly lastOffset: number;
  readonly logAppendTime: number;
  readonly logStartOffset: number;
  readonly recordErrors: { batchIndex: number; batchIndexErrorMessage: string | null }[];
  /**
   * Resolves once the data is durable by the flush policy and below the high watermark; it is
   * ALREADY_COMMITTED when that was true on return, so a caller can answer without waiting.
   */
  readonly committed: Promise<void>;
}

/** The `committed` of an append that needed no wait. */
export const ALREADY_COMMITTED: Promise<void> = Promise.resolve();

/** A compressed batch may not inflate past this while being validated (a zip bomb stops here). */
const MAX_DECOMPRESSED_BATCH_BYTES = 64 * 1024 * 1024;

/**
 * One partition this broker leads: its log, its producer state and its high watermark. On a
 * single node the leader is the whole ISR, so the high watermark is the end of what the flush
 * policy counts as durable: with the default policy (flush.messages=1) consumers never see data
 * that a crash could still take away. Replication will replace `#advanceHighWatermark` inputs
 * with the ISR's fetch positions.
 */
export class Partition {
  #highWatermark: number;
  readonly #onHighWatermark: (partition: Partition) => void;
  /** The producer state is being rebuilt after the log was re-opened; appends wait for it. */
  #rebuilding = false;

  constructor(
    readonly topic: string,
    readonly topicId: Uuid,
    readonly partition: number,
    readonly log: Log,
    readonly producerState: ProducerStateManager,
    public leaderEpoch: number,
    public produceConfig: PartitionProduceConfig,
    onHighWatermark: (partition: Partition) => void,
  ) {
    this.#highWatermark = log.logEndOffset;
    this.#onHighWatermark = onHighWatermark;
    log.onRecovered(() => this.#afterLogRecovery());
  }

  /**
   * The log was re-opened after a storage failure and may have been cut back: rebuild the
   * producer state from it (a retry of a cut batch must not look like a duplicate) and bring the
   * high watermark in line. Appends fail with KAFKA_STORAGE_ERROR until this is done; if it
   * fails, the log goes offline again and the next re-open retries.
   */
  async #afterLogRecovery(): Promise<void> {
    this.#rebuilding = true;
    try {
      await rebuildProducerState(this.log, this.producerState, Date.now());
      this.refreshHighWatermark();
      this.#advanceHighWatermark(this.log.durableAcks ? this.log.flushedOffset : this.log.logEndOffset);
    } catch (err) {
      this.log.takeOffline(
        new StorageError("LOG_OFFLINE", `producer state of ${this.key} could not be rebuilt`, { cause: err }),
      );
    } finally {
      this.#rebuilding = false;
    }
  }

  get highWatermark(): number {
    return this.#highWatermark;
  }

  get key(): string {
    return `${this.topic}-${this.partition}`;
  }

  /** Validates, checks idempotence, assigns offsets and appends one produce request's records. */
  appendRecordsToLeader(records: Buffer, now: number): LeaderAppendResult {
    if (this.#rebuilding) {
      return this.#failed(ErrorCode.KAFKA_STORAGE_ERROR, `${this.key} is being recovered`, false);
    }
    const config = this.produceConfig;
    const validation = validateRecordBatches(records, {
      maxBatchBytes: config.maxMessageBytes,
      requireSingleBatch: true,
      allowControlBatches: false,
      // As Kafka's LogValidator: the records must match their header (count, offset deltas,
      // framing), or a consumer would later trip over a batch the broker acknowledged.
      verifyRecords: true,
      maxDecompressedBytes: MAX_DECOMPRESSED_BATCH_BYTES,
      timestamps: { now, beforeMaxMs: config.timestampBeforeMaxMs, afterMaxMs: config.timestampAfterMaxMs },
    });
    if (!validation.ok) {
      return this.#failed(ErrorCode[validation.error], validation.message, true);
    }
    if (isCompacted(this.log.config)) {
      // As Kafka: the cleaner keeps the latest record per key, so a record needs one.
      const { position, size, header } = validation.batches[0];
      const batch = new RecordBatch(records.subarray(position, position + size), header);
      for (const record of batch.records({ maxDecompressedBytes: MAX_DECOMPRESSED_BATCH_BYTES })) {
        if (record.key === null) {
          return this.#failed(
            ErrorCode.INVALID_RECORD,
            `Compacted topic cannot accept message without key in topic partition ${this.key}.`,
            true,
          );
        }
      }
    }
    const header = validation.batches[0].header;
    const batch = producerBatchFromHeader(header);
    const check = this.producerState.check(batch);
    if (check.kind === "error") return this.#failed(ErrorCode[check.error], check.message, false);
    if (check.kind === "duplicate") {
      // A retry of a batch already in the log: answer with where it went, append nothing.
      const original = check.batch;
      return {
        errorCode: ErrorCode.NONE,
        errorMessage: null,
        baseOffset: original.firstOffset,
        lastOffset: original.lastOffset,
        logAppendTime: -1,
        logStartOffset: this.log.logStartOffset,
        recordErrors: [],
        committed: this.#committedThrough(original.lastOffset),
      };
    }
    let info: LogAppendInfo;
    try {
      info = this.log.append(records, {
        assignOffsets: true,
        leaderEpoch: this.leaderEpoch,
        logAppendTime: now,
      });
    } catch (err) {
      if (err instanceof StorageError) return this.#failed(storageErrorCode(err), err.message, false);
      throw err;
    }
    if (batch.producerId >= 0) this.producerState.update(batch, info.firstOffset, info.lastOffset);
    else this.producerState.updateMapEndOffset(info.lastOffset + 1);
    return {
      errorCode: ErrorCode.NONE,
      errorMessage: null,
      baseOffset: info.firstOffset,
      lastOffset: info.lastOffset,
      logAppendTime: info.logAppendTime,
      logStartOffset: info.logStartOffset,
      recordErrors: [],
      committed: this.#committedThrough(info.lastOffset),
    };
  }

  /** Resolves when `lastOffset` is below the high watermark (after group commit, by default). */
  #committedThrough(lastOffset: number): Promise<void> {
    if (!this.log.durableAcks) {
      this.#advanceHighWatermark(this.log.logEndOffset);
      return ALREADY_COMMITTED;
    }
    if (lastOffset < this.#highWatermark) return ALREADY_COMMITTED;
    return this.log
      .waitForDurable(lastOffset + 1)
      .then(() => this.#advanceHighWatermark(this.log.flushedOffset));
  }

  #advanceHighWatermark(offset: number): void {
    const next = Math.min(offset, this.log.logEndOffset);
    if (next <= this.#highWatermark) return;
    this.#highWatermark = next;
    this.#onHighWatermark(this);
  }

  /** After truncation or DeleteRecords the high watermark stays within the log. */
  refreshHighWatermark(): void {
    this.#highWatermark = Math.max(
      this.log.logStartOffset,
      Math.min(this.#highWatermark, this.log.logEndOffset),
    );
  }

  #failed(errorCode: number, message: string, wholeRequest: boolean): LeaderAppendResult {
    return {
      errorCode,
      errorMessage: message,
      baseOffset: -1,
      lastOffset: -1,
      logAppendTime: -1,
      logStartOffset: this.log.logStartOffset,
      recordErrors: wholeRequest ? [{ batchIndex: 0, batchIndexErrorMessage: message }] : [],
      committed: ALREADY_COMMITTED,
    };
  }
}

/** The Kafka error code for an internal storage error. */
export function storageErrorCode(err: StorageError): number {
  switch (err.code) {
    case "OFFSET_OUT_OF_RANGE":
      return ErrorCode.OFFSET_OUT_OF_RANGE;
    case "RECORD_TOO_LARGE":
      return ErrorCode.MESSAGE_TOO_LARGE;
    case "RECORD_BATCH_TOO_LARGE":
      return ErrorCode.RECORD_LIST_TOO_LARGE;
    case "CORRUPT":
      return ErrorCode.CORRUPT_MESSAGE;
    default:
      return ErrorCode.KAFKA_STORAGE_ERROR;
  }
}
