/**
 * Log: the storage of one topic-partition, a directory `<logDir>/<topic>-<partition>/` of
 * segments in offset order. The last segment is active and takes the appends; the others are
 * read-only until retention deletes them.
 *
 * Files in the directory:
 *   <baseOffset>.log / .index / .timeindex   the segments (see LogSegment)
 *   log-start-offset                         the log start offset (DeleteRecords, retention)
 *   recovery-point                           everything below this offset was durable and
 *                                            indexed when it was written: a restart checks only
 *                                            the segments that may hold data at or after it
 *   leader-epoch-checkpoint                  the leader epoch cache
 *   *.deleted                                segments waiting for file.delete.delay.ms
 *   *.cleaned, *.swap                        a cleaned segment being written, and one about to
 *                                            replace the segments it was cleaned from (see
 *                                            `replaceSegments` and LogLoader)
 *   <baseOffset>.log.<position>.corrupt      bytes quarantined from a segment because they
 *                                            failed validation (never deleted by the broker)
 *
 * Durability: appends are written into the page cache synchronously; `flush()` and
 * `waitForDurable()` fsync by group commit — at most one fsync runs at a time, every append made
 * before it starts is covered by it, and everyone who asks while it runs shares the next one.
 *
 * Storage failures:
 *   - a write that fails (ENOSPC, EIO, a short write that makes no progress) is undone (the file
 *     is cut back to its size before the append) and the append throws IO; the log stays online
 *     and takes the next append normally — so a full disk answers producers with an error, keeps
 *     serving reads, and accepts writes again as soon as there is space.
 *   - a failed fsync (of a segment or the directory), a failed write that cannot be undone, or a
 *     truncation or segment swap that cannot be made durable takes the log offline: every
 *     operation throws LOG_OFFLINE and the waiters of pending flushes are rejected. After a
 *     failed fsync the page cache may hold bytes that never reached the disk (Linux marks such
 *     pages clean and reports the error once), so nothing written since the last good fsync can
 *     be trusted. `recoverFromFailure()` re-opens the log in place: it cuts the log back to the
 *     last offset known durable and runs recovery (see LogLoader); the LogManager calls it when
 *     an offline log is used again.
 *   - reads CRC-check every batch a segment holds beyond its verified prefix (data this process
 *     appended or recovery checked is verified; older segments loaded without a scan are not):
 *     a batch that fails is never returned, and its segment's bytes from it on are quarantined
 *     (`<base>.log.<position>.corrupt`).
 */
import { basename, join } from "node:path";
import { CheckpointFile } from "./checkpoint-file.js";
import type { FileSystem } from "./file-system.js";
import { GroupCommit, type SyncRun } from "./group-commit.js";
import { type EpochEndOffset, type EpochEntry, LeaderEpochCache } from "./leader-epoch-cache.js";
import { isCompacted, LONG_MAX, type LogConfig } from "./log-config.js";
import { type LoadedLog, type LogLoadParams, loadLog } from "./log-loader.js";
import { readSegments } from "./log-read.js";
import { segmentsToDelete } from "./log-retention.js";
import { LogSegment } from "./log-segment.js";
import {
  maxTimestampOffset,
  offsetAtOrAfterTimestamp,
  type TimestampAndOffset,
} from "./log-timestamp-lookup.js";
import { type AppendOptions, type LogAppendInfo, validateAndAssignOffsets } from "./log-validator.js";
import { type DelayScheduler, nodeDelayScheduler, SegmentDeleter } from "./segment-deleter.js";
import {
  CLEANED_FILE_SUFFIX,
  INDEX_FILE_SUFFIX,
  LOG_FILE_SUFFIX,
  SWAP_FILE_SUFFIX,
  segmentFileName,
  TIME_INDEX_FILE_SUFFIX,
} from "./segment-file-names.js";
import { ioError, OffsetOutOfRangeError, StorageError } from "./storage-error.js";
import { type StorageLogger, silentStorageLogger } from "./storage-logger.js";

export const LOG_START_OFFSET_FILE = "log-start-offset";
export const RECOVERY_POINT_FILE = "recovery-point";

/** ListOffsets special timestamps. */
export const LATEST_TIMESTAMP = -1;
export const EARLIEST_TIMESTAMP = -2;
export const MAX_TIMESTAMP = -3;
export const EARLIEST_LOCAL_TIMESTAMP = -4;

export interface Clock {
  now(): number;
}

/** What a log tells its owner (the LogManager) about its health. */
export interface LogEvents {
  /** The log went offline after a storage failure of its own (not `takeOffline`). */
  offline?(log: Log, err: StorageError): void;
  /** Something used the log while it is offline (a chance to re-open it). */
  offlineAccessed?(log: Log): void;
}

export interface LogDeps {
  readonly fs: FileSystem;
  readonly clock: Clock;
  readonly logger?: StorageLogger;
  readonly scheduler?: DelayScheduler;
  readonly events?: LogEvents;
}

export interface LogReadInfo {
  /** Whole batches; empty when there is nothing to return. The first may start before the requested offset. */
  readonly records: Buffer;
  readonly logStartOffset: number;
  readonly logEndOffset: number;
}

/** What `Log.open` hands the constructor. */
interface LogState extends LoadedLog {
  readonly segmentConfig: { indexIntervalBytes: number; segmentIndexBytes: number };
  readonly epochCache: LeaderEpochCache;
  readonly logStartOffsetFile: CheckpointFile;
  readonly recoveryPointFile: CheckpointFile;
}

export type { AppendOptions, DelayScheduler, LogAppendInfo, TimestampAndOffset };

const EMPTY = Buffer.alloc(0);

export class Log {
  readonly dir: string;
  readonly name: string;
  #config: LogConfig;
  readonly #segmentConfig: { indexIntervalBytes: number; segmentIndexBytes: number };
  readonly #fs: FileSystem;
  readonly #clock: Clock;
  readonly #logger: StorageLogger;
  #segments: LogSegment[] = [];
  #logEndOffset = 0;
  #logStartOffset = 0;
  #flushedOffset = 0;
  #lastFlushTime: number;
  readonly #epochCache: LeaderEpochCache;
  readonly #logStartOffsetFile: CheckpointFile;
  readonly #recoveryPointFile: CheckpointFile;
  /** Segments with data written since their last fsync. */
  readonly #dirty = new Set<LogSegment>();
  /** Files were created, renamed or removed in the directory since its last fsync. */
  #dirDirty = false;
  #groupCommit: GroupCommit;
  readonly #deps: LogDeps;
  readonly #loadParams: Omit<LogLoadParams, "now" | "truncateTo" | "epochsLoaded">;
  /** Bumped by every truncation, so a flush that raced one does not move flushedOffset. */
  #truncations = 0;
  readonly #deleter: SegmentDeleter;
  /** Bumped whenever segments are removed or cut (see `structureVersion`). */
  #structureVersion = 0;
  /** A cleaned segment being swapped in; structural changes wait for it. */
  #swapping: Promise<void> | undefined;
  #failure: StorageError | undefined;
  /** Whether the failure was this log's own I/O (not a sibling's in the same log dir). */
  #ownFailure = false;
  #recovering: Promise<boolean> | undefined;
  readonly #recoveryListeners: (() => unknown)[] = [];
  /** Paths of the `.corrupt` files of this log. */
  #quarantined: string[];
  /** Segments whose corrupt tail is being quarantined, and the quarantines under way. */
  readonly #quarantining = new Set<LogSegment>();
  readonly #quarantines = new Set<Promise<void>>();
  #closed = false;

  private constructor(dir: string, config: LogConfig, deps: LogDeps, state: LogState) {
    this.dir = dir;
    this.name = basename(dir);
    this.#config = config;
    this.#segmentConfig = state.segmentConfig;
    this.#fs = deps.fs;
    this.#clock = deps.clock;
    this.#logger = deps.logger ?? silentStorageLogger;
    this.#epochCache = state.epochCache;
    this.#logStartOffsetFile = state.logStartOffsetFile;
    this.#recoveryPointFile = state.recoveryPointFile;
    this.#segments = state.segments;
    this.#logStartOffset = state.logStartOffset;
    this.#logEndOffset = state.logEndOffset;
    this.#flushedOffset = state.logEndOffset;
    this.#quarantined = state.quarantined;
    this.#lastFlushTime = deps.clock.now();
    this.#deps = deps;
    this.#loadParams = {
      dir,
      name: this.name,
      fs: deps.fs,
      logger: this.#logger,
      segmentConfig: state.segmentConfig,
      epochCache: state.epochCache,
      logStartOffsetFile: state.logStartOffsetFile,
      recoveryPointFile: state.recoveryPointFile,
    };
    this.#groupCommit = this.#newGroupCommit();
    this.#deleter = new SegmentDeleter(
      deps.fs,
      deps.scheduler ?? nodeDelayScheduler,
      this.#logger,
      this.name,
    );
  }

  /**
   * Opens (creating if needed) the log in `dir`: loads its segments, recovers what may be
   * unflushed (every segment that can hold data at or after the recovery point is validated
   * batch by batch with CRC32C, a torn or corrupt tail is truncated, its indexes rebuilt),
   * rebuilds missing or insane indexes, and restores the log start offset and leader epochs.
   */
  static async open(dir: string, config: LogConfig, deps: LogDeps): Promise<Log> {
    const { fs } = deps;
    try {
      fs.mkdir(dir);
    } catch (err) {
      throw ioError(`create log directory ${dir}`, err);
    }
    const { cache: epochCache, loaded: epochsLoaded } = LeaderEpochCache.load(fs, dir);
    const segmentConfig = {
      indexIntervalBytes: config.indexIntervalBytes,
      segmentIndexBytes: config.segmentIndexBytes,
    };
    const logStartOffsetFile = new CheckpointFile(fs, dir, LOG_START_OFFSET_FILE);
    const recoveryPointFile = new CheckpointFile(fs, dir, RECOVERY_POINT_FILE);
    const loaded = await loadLog({
      dir,
      name: basename(dir),
      fs,
      now: deps.clock.now(),
      logger: deps.logger ?? silentStorageLogger,
      segmentConfig,
      epochCache,
      epochsLoaded,
      logStartOffsetFile,
      recoveryPointFile,
    });
    return new Log(dir, config, deps, {
      ...loaded,
      segmentConfig,
      epochCache,
      logStartOffsetFile,
      recoveryPointFile,
    });
  }

  get config(): LogConfig {
    return this.#config;
  }

  /** Applies a changed topic config; segment settings apply to segments created from now on. */
  updateConfig(config: LogConfig): void {
    this.#config = config;
    this.#segmentConfig.indexIntervalBytes = config.indexIntervalBytes;
    this.#segmentConfig.segmentIndexBytes = config.segmentIndexBytes;
  }

  /** The offset the next appended record gets. */
  get logEndOffset(): number {
    return this.#logEndOffset;
  }

  /** The first offset a reader may ask for. */
  get logStartOffset(): number {
    return this.#logStartOffset;
  }

  /** The recovery point: every offset below it is on stable storage. */
  get flushedOffset(): number {
    return this.#flushedOffset;
  }

  /** Bytes in all segments. */
  get size(): number {
    let total = 0;
    for (const s of this.#segments) total += s.size;
    return total;
  }

  /** Number of segments. */
  get segments(): number {
    return this.#segments.length;
  }

  /** Base offsets of the segments, oldest first. */
  segmentBaseOffsets(): number[] {
    return this.#segments.map((s) => s.baseOffset);
  }

  /** Whether acknowledgements must wait for `waitForDurable` (flush.messages = 1). */
  get durableAcks(): boolean {
    return this.#config.flushMessages <= 1;
  }

  /** The error that took the log offline (a failed fsync or an undoable write), if any. */
  get failure(): StorageError | undefined {
    return this.#failure;
  }

  /** Paths of the quarantined (`.corrupt`) files in the log's directory. */
  get quarantinedFiles(): readonly string[] {
    return this.#quarantined;
  }

  get latestEpoch(): number {
    return this.#epochCache.latestEpoch;
  }

  leaderEpochEntries(): readonly EpochEntry[] {
    return this.#epochCache.entries();
  }

  /** OffsetForLeaderEpoch: where `epoch` ended in this log (see LeaderEpochCache.endOffsetFor). */
  endOffsetForEpoch(epoch: number): EpochEndOffset {
    return this.#epochCache.endOffsetFor(epoch, this.#logEndOffset);
  }

  // ---------------------------------------------------------------------------------------------
  // Append

  /**
   * Appends `records`: one or more whole v2 batches, already validated by the caller. With
   * `assignOffsets` the batches' base offsets and leader epochs are rewritten in place (neither
   * is covered by the CRC); under LogAppendTime their max timestamp and timestamp-type bit are
   * set and their CRC recomputed. Rolls the active segment first when it is full or old, writes
   * all batches with one write, and updates the indexes. The data is in the page cache when this
   * returns; `waitForDurable(info.lastOffset)` waits for it to be on disk.
   */
  append(records: Buffer, opts: AppendOptions): LogAppendInfo {
    this.#checkUsable();
    if (records.length > this.#config.segmentBytes) {
      throw new StorageError(
        "RECORD_BATCH_TOO_LARGE",
        `append of ${records.length} bytes to ${this.name} exceeds segment.bytes ${this.#config.segmentBytes}`,
      );
    }
    const logAppendTime =
      opts.assignOffsets && this.#config.messageTimestampType === "LogAppendTime"
        ? (opts.logAppendTime ?? this.#clock.now())
        : -1;
    const { firstOffset, lastOffset, maxTimestamp, offsetOfMaxTimestamp, recordCount, newEpochs } =
      validateAndAssignOffsets(records, opts, {
        name: this.name,
        nextOffset: this.#logEndOffset,
        maxMessageBytes: this.#config.maxMessageBytes,
        logAppendTime,
        latestEpoch: this.#epochCache.latestEpoch,
      });

    const segment = this.#maybeRoll(records.length, firstOffset, lastOffset, maxTimestamp);
    try {
      segment.append(records);
    } catch (err) {
      if (err instanceof StorageError && err.code === "LOG_OFFLINE") this.#goOffline(err);
      throw err;
    } finally {
      this.#dirty.add(segment);
    }
    this.#logEndOffset = lastOffset + 1;
    for (const [epoch, start] of newEpochs) this.#epochCache.assign(epoch, start);

    const covered = Math.max(this.#flushedOffset, this.#groupCommit.inFlightTarget ?? 0);
    if (this.#logEndOffset - covered >= this.#config.flushMessages) this.#backgroundFlush(this.#logEndOffset);

    return {
      firstOffset,
      lastOffset,
      maxTimestamp,
      offsetOfMaxTimestamp,
      logAppendTime,
      logStartOffset: this.#logStartOffset,
      validBytes: records.length,
      recordCount,
    };
  }

  #maybeRoll(
    messagesSize: number,
    firstOffset: number,
    lastOffset: number,
    maxTimestamp: number,
  ): LogSegment {
    const active = this.#active();
    const config = this.#config;
    const roll = active.shouldRoll({
      segmentBytes: config.segmentBytes,
      // As Kafka: a compacted log rolls by max.compaction.lag.ms too, so no record waits in the
      // (never cleaned) active segment longer than that.
      segmentMs: isCompacted(config)
        ? Math.min(config.segmentMs, config.maxCompactionLagMs)
        : config.segmentMs,
      now: this.#clock.now(),
      maxTimestampInMessages: maxTimestamp,
      maxOffsetInMessages: lastOffset,
      messagesSize,
    });
    return roll ? this.#roll(firstOffset) : active;
  }

  /** Starts a new active segment at `baseOffset` (at least the log end offset). */
  #roll(baseOffset: number): LogSegment {
    const newBase = Math.max(baseOffset, this.#logEndOffset);
    const active = this.#active();
    if (active.size === 0 && active.baseOffset === newBase) return active;
    // Both steps can fail (ENOSPC); either way the old segment stays the active one.
    if (active.size > 0) active.onBecomeInactive();
    const segment = LogSegment.create(this.#fs, this.dir, newBase, this.#segmentConfig, this.#clock.now());
    if (active.size === 0) {
      // An empty active segment at another offset (a replicated append that jumps ahead): replace it.
      this.#segments.pop();
      this.#scheduleDeletion(active, 0);
    }
    this.#segments.push(segment);
    this.#dirty.add(segment);
    this.#dirDirty = true;
    this.#logger.info({ log: this.name, baseOffset: newBase }, "rolled new log segment");
    if (active.size > 0) {
      active.flushIndexes().catch((err: unknown) => {
        this.#logger.warn({ log: this.name, err }, "index flush after roll failed");
      });
      // As Kafka: flush the finished segment in the background, so the recovery point keeps up.
      this.#backgroundFlush(newBase);
    }
    return segment;
  }

  /** Rolls the active segment if it holds data (a fresh segment from the log end offset). */
  roll(): void {
    this.#checkUsable();
    if (this.#active().size > 0) this.#roll(this.#logEndOffset);
  }

  // ---------------------------------------------------------------------------------------------
  // Flush (group commit)

  /** Makes everything appended so far durable; concurrent callers share fsyncs. */
  flush(): Promise<void> {
    return this.#groupCommit.request(this.#logEndOffset);
  }

  /** Resolves once every offset up to and including `offset` is durable. */
  waitForDurable(offset: number): Promise<void> {
    return this.#groupCommit.request(Math.min(offset + 1, this.#logEndOffset));
  }

  /** flush.ms: flushes when data has been unflushed for that long; resolves when done. */
  flushIfDue(now: number): Promise<void> | undefined {
    if (this.#closed || this.#failure !== undefined) return undefined;
    if (this.#config.flushMs >= LONG_MAX || this.#logEndOffset <= this.#flushedOffset) return undefined;
    if (now - this.#lastFlushTime < this.#config.flushMs) return undefined;
    return this.flush();
  }

  #backgroundFlush(target: number): void {
    this.#groupCommit.request(target).catch(() => {
      // recorded as the log's failure; the waiters of that flush got the error
    });
  }

  /** One group-commit sync: fsync every segment written since its last sync, and the directory. */
  #startSync(): SyncRun {
    const target = this.#logEndOffset;
    const truncations = this.#truncations;
    const segments = [...this.#dirty];
    this.#dirty.clear();
    const syncDir = this.#dirDirty;
    this.#dirDirty = false;
    const run = async (): Promise<void> => {
      await Promise.all(segments.map((s) => (s.closed ? undefined : s.flush())));
      if (syncDir) await this.#fs.syncDir(this.dir);
    };
    const done = run().then(
      () => {
        if (truncations === this.#truncations) {
          this.#flushedOffset = Math.max(this.#flushedOffset, Math.min(target, this.#logEndOffset));
        }
        this.#lastFlushTime = this.#clock.now();
      },
      (err: unknown) => {
        // After a failed fsync the state of the page cache is unknown (the kernel may have
        // dropped the dirty pages): nothing acknowledged from now on could be trusted, so the log
        // goes offline, as Kafka takes the log directory offline.
        this.#goOffline(
          new StorageError("LOG_OFFLINE", `fsync of ${this.name} failed`, { cause: ioError("fsync", err) }),
        );
        throw this.#failure;
      },
    );
    return { target, done };
  }

  #goOffline(err: StorageError): void {
    if (this.#failure !== undefined) return;
    this.#failure = err;
    this.#ownFailure = true;
    this.#logger.error({ log: this.name, err }, "log is offline after a storage failure");
    this.#groupCommit.fail(err);
    this.#deps.events?.offline?.(this, err);
  }

  #newGroupCommit(): GroupCommit {
    return new GroupCommit(
      () => this.#startSync(),
      () => this.#flushedOffset,
    );
  }

  /**
   * Takes the log offline for a failure elsewhere (its log dir failed): it refuses every
   * operation until `recoverFromFailure()`.
   */
  takeOffline(err: StorageError): void {
    if (this.#failure !== undefined || this.#closed) return;
    this.#failure = err;
    this.#ownFailure = false;
    this.#logger.error({ log: this.name, err }, "log is offline: its log dir failed");
    this.#groupCommit.fail(err);
  }

  /**
   * Calls `listener` each time the log comes back online after `recoverFromFailure()` (the
   * partition rebuilds its producer state and high watermark from the recovered log).
   */
  onRecovered(listener: () => unknown): void {
    this.#recoveryListeners.push(listener);
  }

  /**
   * Re-opens an offline log in place: waits for the fsyncs and swaps under way, closes the
   * segments, cuts the log back to the last offset known durable (a log taken offline for a
   * sibling's failure first tries to flush, and keeps everything when that works), and loads it
   * again with full recovery (LogLoader). Resolves true when the log is online again, false when
   * it was not offline; rejects (the log stays offline) when recovery fails. Concurrent calls
   * share one attempt. The log cleaner must not be cleaning this log (LogManager aborts it).
   */
  recoverFromFailure(): Promise<boolean> {
    if (this.#closed) return Promise.reject(new StorageError("CLOSED", `log ${this.name} is closed`));
    if (this.#failure === undefined) return Promise.resolve(false);
    this.#recovering ??= this.#recover().finally(() => {
      this.#recovering = undefined;
    });
    return this.#recovering;
  }

  async #recover(): Promise<boolean> {
    await this.#swapIdle();
    await this.#groupCommit.idle();
    await Promise.all(this.#segments.map((s) => s.idle()));
    let durable = this.#flushedOffset;
    if (!this.#ownFailure) {
      try {
        await Promise.all(this.#segments.map((s) => s.flush()));
        if (this.#dirDirty) await this.#fs.syncDir(this.dir);
        durable = this.#logEndOffset;
      } catch (err) {
        this.#logger.warn(
          { log: this.name, err },
          "flush before re-opening failed; cutting back to the last fsync",
        );
      }
    }
    await this.#deleter.finishAll();
    // Checkpoint writes still under way would race the loader (it removes their temp files).
    await Promise.all([this.#logStartOffsetFile.settled(), this.#recoveryPointFile.settled()]);
    await this.#epochCache.flush().catch(() => {});
    for (const segment of this.#segments) segment.closeWithoutWriting();
    this.#dirty.clear();
    this.#logger.warn(
      {
        log: this.name,
        durableOffset: durable,
        logEndOffset: this.#logEndOffset,
        failure: this.#failure?.message,
      },
      "re-opening an offline log",
    );
    let loaded: LoadedLog;
    try {
      loaded = await loadLog({
        ...this.#loadParams,
        now: this.#clock.now(),
        epochsLoaded: true,
        truncateTo: durable,
      });
    } catch (err) {
      this.#ownFailure = true;
      this.#failure = new StorageError("LOG_OFFLINE", `re-opening ${this.name} failed`, {
        cause: ioError("recovery", err),
      });
      this.#logger.error({ log: this.name, err }, "re-opening the offline log failed; it stays offline");
      throw this.#failure;
    }
    this.#segments = loaded.segments;
    this.#logStartOffset = loaded.logStartOffset;
    this.#logEndOffset = loaded.logEndOffset;
    this.#flushedOffset = loaded.logEndOffset;
    this.#quarantined = loaded.quarantined;
    this.#dirDirty = false;
    this.#truncations++;
    this.#structureVersion++;
    this.#lastFlushTime = this.#clock.now();
    this.#groupCommit = this.#newGroupCommit();
    this.#failure = undefined;
    this.#ownFailure = false;
    this.#logger.info(
      { log: this.name, logStartOffset: this.#logStartOffset, logEndOffset: this.#logEndOffset },
      "offline log re-opened and back online",
    );
    for (const listener of this.#recoveryListeners) {
      try {
        Promise.resolve(listener()).catch((err: unknown) =>
          this.#logger.error({ log: this.name, err }, "recovery listener failed"),
        );
      } catch (err) {
        this.#logger.error({ log: this.name, err }, "recovery listener failed");
      }
    }
    return true;
  }

  // ---------------------------------------------------------------------------------------------
  // Read

  /**
   * Reads whole batches from the one holding `startOffset` up to `maxOffset` (exclusive: the high
   * watermark) within `maxBytes`, at least one batch with `minOneBatch` (see readSegments; a
   * corrupt batch is quarantined, never served). Throws OffsetOutOfRangeError when `startOffset`
   * is below the log start or above the log end offset.
   */
  read(
    startOffset: number,
    maxBytes: number,
    maxOffset = this.#logEndOffset,
    minOneBatch = true,
    allocate: (size: number) => Buffer = Buffer.allocUnsafe,
  ): LogReadInfo {
    this.#checkUsable();
    if (startOffset < this.#logStartOffset || startOffset > this.#logEndOffset) {
      throw new OffsetOutOfRangeError(startOffset, this.#logStartOffset, this.#logEndOffset, this.name);
    }
    const empty: LogReadInfo = {
      records: EMPTY,
      logStartOffset: this.#logStartOffset,
      logEndOffset: this.#logEndOffset,
    };
    const end = Math.min(maxOffset, this.#logEndOffset);
    if (startOffset >= end || (maxBytes <= 0 && !minOneBatch)) return empty;

    const records = readSegments({
      segments: this.#segments,
      startOffset,
      end,
      maxBytes,
      minOneBatch,
      allocate,
      onCorrupt: (segment, position, problem, offset) =>
        this.#onCorruptBatch(segment, position, problem, offset),
    });
    return { records, logStartOffset: this.#logStartOffset, logEndOffset: this.#logEndOffset };
  }

  /**
   * A read found a corrupt batch: log it and quarantine the segment's bytes from it on (not in
   * the active segment, whose bytes recovery and appends verified: it was changed under us, so
   * it is only refused).
   */
  #onCorruptBatch(segment: LogSegment, position: number, problem: string, offset: bigint): void {
    if (this.#quarantining.has(segment)) return;
    const where = { log: this.name, file: segment.path, position, offset: String(offset), problem };
    if (segment === this.#active()) {
      this.#logger.error(where, "corrupt batch in the active segment: it is not served");
      return;
    }
    this.#quarantining.add(segment);
    this.#logger.error(where, "corrupt batch found by a read: it is not served; quarantining it");
    const quarantine: Promise<void> = this.#quarantine(segment, position)
      .catch((err: unknown) => this.#logger.error({ ...where, err }, "quarantining a corrupt batch failed"))
      .finally(() => {
        this.#quarantining.delete(segment);
        this.#quarantines.delete(quarantine);
      });
    this.#quarantines.add(quarantine);
  }

  /** Resolves once the quarantines that reads started have finished; false when none was running. */
  async quarantinesSettled(): Promise<boolean> {
    if (this.#quarantines.size === 0) return false;
    while (this.#quarantines.size > 0) await Promise.all([...this.#quarantines]);
    return true;
  }

  async #quarantine(segment: LogSegment, position: number): Promise<void> {
    await this.#swapIdle();
    if (this.#closed || this.#failure !== undefined || !this.#segments.includes(segment)) return;
    if (segment === this.#active() || position >= segment.size) return;
    let release!: () => void;
    this.#swapping = new Promise((resolve) => {
      release = resolve;
    });
    try {
      this.#structureVersion++;
      const file = await segment.moveAsideFrom(position);
      this.#quarantined.push(file);
      this.#dirty.add(segment);
      this.#logger.error(
        { log: this.name, file: segment.path, position, quarantinedTo: file },
        "quarantined corrupt log data: the offsets it held are missing from the log",
      );
    } finally {
      this.#swapping = undefined;
      release();
    }
  }

  // ---------------------------------------------------------------------------------------------
  // ListOffsets

  /**
   * ListOffsets: for a timestamp >= 0, the earliest record whose timestamp is at or after it
   * (undefined when there is none); for LATEST_TIMESTAMP (-1) the log end offset; for
   * EARLIEST_TIMESTAMP (-2) and EARLIEST_LOCAL_TIMESTAMP (-4) the log start offset; for
   * MAX_TIMESTAMP (-3) the record with the largest timestamp (undefined for an empty log).
   */
  offsetForTimestamp(timestamp: number): TimestampAndOffset | undefined {
    this.#checkUsable();
    switch (timestamp) {
      case LATEST_TIMESTAMP:
        return { offset: this.#logEndOffset, timestamp: -1, leaderEpoch: this.#epochCache.latestEpoch };
      case EARLIEST_TIMESTAMP:
      case EARLIEST_LOCAL_TIMESTAMP:
        return {
          offset: this.#logStartOffset,
          timestamp: -1,
          leaderEpoch: this.#epochCache.epochForOffset(this.#logStartOffset),
        };
      case MAX_TIMESTAMP:
        return maxTimestampOffset(this.#segments, this.#logStartOffset);
    }
    if (timestamp < 0)
      throw new StorageError("INVALID_ARGUMENT", `unsupported ListOffsets timestamp ${timestamp}`);
    return offsetAtOrAfterTimestamp(this.#segments, timestamp, this.#logStartOffset);
  }

  // ---------------------------------------------------------------------------------------------
  // Deletion and retention

  /**
   * DeleteRecords: moves the log start offset up to `offset` (persisted before this resolves)
   * and deletes the segments wholly below it. Returns the new log start offset. An offset above
   * the log end offset is OFFSET_OUT_OF_RANGE (the caller checks the high watermark).
   */
  async deleteRecordsBefore(offset: number): Promise<number> {
    this.#checkUsable();
    if (offset > this.#logEndOffset || offset < 0) {
      throw new OffsetOutOfRangeError(offset, this.#logStartOffset, this.#logEndOffset, this.name);
    }
    if (this.#swapping !== undefined) {
      await this.#swapIdle();
      this.#checkUsable();
    }
    if (offset > this.#logStartOffset) {
      this.#logStartOffset = offset;
      this.#epochCache.truncateFromStart(offset);
      this.#deleteLeadingSegments(this.#clock.now(), this.#logEndOffset, false);
      await this.#persistLogStartOffset();
    }
    return this.#logStartOffset;
  }

  /**
   * Retention: deletes, oldest first, the segments whose newest timestamp is older than
   * retention.ms, then those beyond retention.bytes, then those wholly below the log start
   * offset — never data at or above `highWatermark`. If every segment is to go, a new empty
   * active segment is rolled first. Advances (and persists) the log start offset; returns the
   * number of segments deleted.
   */
  async deleteOldSegments(now = this.#clock.now(), highWatermark = this.#logEndOffset): Promise<number> {
    this.#checkUsable();
    if (this.#swapping !== undefined) {
      await this.#swapIdle();
      this.#checkUsable();
    }
    const deleted = this.#deleteLeadingSegments(now, highWatermark, true);
    if (deleted > 0) {
      const first = this.#segments[0]!.baseOffset;
      if (first > this.#logStartOffset) {
        this.#logStartOffset = first;
        this.#epochCache.truncateFromStart(first);
      }
      await this.#persistLogStartOffset();
    }
    return deleted;
  }

  /** Deletes the leading segments retention picks (see segmentsToDelete); returns how many. */
  #deleteLeadingSegments(now: number, highWatermark: number, timeAndSize: boolean): number {
    const { count, reasons } = segmentsToDelete(this.#segments, {
      config: this.#config,
      now,
      highWatermark,
      logEndOffset: this.#logEndOffset,
      logStartOffset: this.#logStartOffset,
      timeAndSize,
    });
    if (count === 0) return 0;
    this.#structureVersion++;
    // The log always keeps a segment: when every one goes, roll a new empty one first.
    if (count === this.#segments.length) this.#roll(this.#logEndOffset);
    const doomed = this.#segments.splice(0, count);
    for (const segment of doomed) this.#scheduleDeletion(segment);
    this.#logger.info(
      { log: this.name, reasons, segments: doomed.map((s) => s.baseOffset) },
      "deleting segments for retention",
    );
    return count;
  }

  /** Removes a segment (already out of the list) asynchronously; see SegmentDeleter. */
  #scheduleDeletion(segment: LogSegment, delayMs = this.#config.fileDeleteDelayMs): void {
    this.#dirty.delete(segment);
    this.#deleter.schedule(segment, delayMs);
    this.#dirDirty = true;
  }

  // ---------------------------------------------------------------------------------------------
  // Truncation (replication)

  /**
   * Removes every batch from the one holding `offset` on (a follower truncating a diverged
   * log); the log end offset becomes `offset` when it falls on a batch boundary. Below the log
   * start offset the whole log is replaced by an empty one starting at `offset`. Returns whether
   * anything was removed. The truncation is durable when this resolves.
   */
  async truncateTo(offset: number): Promise<boolean> {
    this.#checkUsable();
    if (offset < 0) throw new StorageError("INVALID_ARGUMENT", `cannot truncate ${this.name} to ${offset}`);
    await this.#swapIdle();
    await this.#groupCommit.idle();
    this.#checkUsable();
    if (offset >= this.#logEndOffset) return false;
    if (offset < this.#logStartOffset) {
      await this.truncateFullyAndStartAt(offset);
      return true;
    }
    while (this.#segments.length > 1 && this.#segments.at(-1)!.baseOffset > offset) {
      this.#scheduleDeletion(this.#segments.pop()!);
    }
    const active = this.#active();
    active.truncateTo(offset);
    this.#dirty.add(active);
    this.#logEndOffset = active.nextOffset;
    this.#truncations++;
    this.#structureVersion++;
    this.#flushedOffset = Math.min(this.#flushedOffset, this.#logEndOffset);
    this.#epochCache.truncateFromEnd(this.#logEndOffset);
    this.#logger.info({ log: this.name, offset, logEndOffset: this.#logEndOffset }, "truncated log");
    // Everything kept is synced here, appends a pending group commit had not reached yet
    // included, so the whole truncated log is durable when this resolves.
    const dirty = [...this.#dirty];
    this.#dirty.clear();
    try {
      await Promise.all(dirty.map((s) => (s.closed ? undefined : s.flush())));
      await active.flushIndexes();
      this.#dirDirty = false;
      await this.#fs.syncDir(this.dir);
      this.#flushedOffset = this.#logEndOffset;
      await this.#recoveryPointFile.write([String(this.#flushedOffset)]);
    } catch (err) {
      this.#goOffline(
        new StorageError("LOG_OFFLINE", `truncation of ${this.name} is not durable`, { cause: err }),
      );
      throw this.#failure;
    }
    return true;
  }

  /** Deletes every segment and starts an empty log at `offset` (log start = log end = offset). */
  async truncateFullyAndStartAt(offset: number): Promise<void> {
    this.#checkUsable();
    await this.#swapIdle();
    await this.#groupCommit.idle();
    for (const segment of this.#segments.splice(0)) this.#scheduleDeletion(segment);
    const segment = LogSegment.create(this.#fs, this.dir, offset, this.#segmentConfig, this.#clock.now());
    this.#segments.push(segment);
    this.#logEndOffset = offset;
    this.#logStartOffset = offset;
    this.#flushedOffset = offset;
    this.#truncations++;
    this.#structureVersion++;
    this.#epochCache.clear();
    this.#logger.info({ log: this.name, offset }, "truncated log fully");
    try {
      await segment.flush();
      this.#dirDirty = false;
      await this.#fs.syncDir(this.dir);
      await this.#persistLogStartOffset();
      await this.#recoveryPointFile.write([String(offset)]);
    } catch (err) {
      this.#goOffline(
        new StorageError("LOG_OFFLINE", `truncation of ${this.name} is not durable`, { cause: err }),
      );
      throw this.#failure;
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Cleaning (the log cleaner reads the segments, writes a cleaned one aside and swaps it in)

  /** The segments, oldest first; the last is the active one. */
  segmentsForCleaning(): readonly LogSegment[] {
    return [...this.#segments];
  }

  /**
   * Changes whenever segments are removed or cut (truncation, retention, DeleteRecords): a
   * cleaning that started before must not be swapped in.
   */
  get structureVersion(): number {
    return this.#structureVersion;
  }

  /** A new empty `<baseOffset>.log.cleaned` segment (indexes too) for the cleaner to fill. */
  createCleanedSegment(baseOffset: number): LogSegment {
    this.#checkUsable();
    for (const suffix of [LOG_FILE_SUFFIX, INDEX_FILE_SUFFIX, TIME_INDEX_FILE_SUFFIX]) {
      this.#fs.unlink(join(this.dir, segmentFileName(baseOffset, suffix) + CLEANED_FILE_SUFFIX));
    }
    return LogSegment.create(
      this.#fs,
      this.dir,
      baseOffset,
      this.#segmentConfig,
      this.#clock.now(),
      CLEANED_FILE_SUFFIX,
    );
  }

  /**
   * Swaps `cleaned` (a complete, fsynced `.cleaned` segment) in for `old`, consecutive inactive
   * segments of this log, as Kafka does:
   *   1. rename the cleaned files to `.swap` and fsync the directory — the commit point: from
   *      here a restart completes the swap (LogLoader), before it a restart deletes `.cleaned`;
   *   2. in one synchronous step, put the new segment in the list in place of the old ones,
   *      rename the old ones' files to `.deleted` (removed after file.delete.delay.ms) and the
   *      `.swap` files to their live names; fsync the directory.
   * A reader sees the old segments or the new one, never a mix; a crash at any point leaves
   * either the old segments or the new one. Throws CLEANING_ABORTED (nothing changed) when the
   * segments are no longer in the log as they were at `structureVersion` `version`; returns the
   * structure version after the swap.
   */
  async replaceSegments(old: readonly LogSegment[], cleaned: LogSegment, version: number): Promise<number> {
    this.#checkUsable();
    await this.#swapIdle();
    this.#checkUsable();
    const at = old.length === 0 ? -1 : this.#segments.indexOf(old[0]!);
    const intact =
      at >= 0 &&
      at + old.length < this.#segments.length &&
      old.every((s, i) => this.#segments[at + i] === s) &&
      version === this.#structureVersion;
    if (!intact) {
      throw new StorageError("CLEANING_ABORTED", `the segments of ${this.name} changed during cleaning`);
    }
    let release!: () => void;
    this.#swapping = new Promise((resolve) => {
      release = resolve;
    });
    let committed = false;
    try {
      cleaned.renameWithSuffix(SWAP_FILE_SUFFIX);
      committed = true;
      await this.#fs.syncDir(this.dir);
      this.#segments.splice(at, old.length, cleaned);
      const newVersion = ++this.#structureVersion;
      for (const segment of old) this.#scheduleDeletion(segment);
      cleaned.renameWithSuffix("");
      this.#dirDirty = false;
      await this.#fs.syncDir(this.dir);
      this.#logger.info(
        { log: this.name, replaced: old.map((s) => s.baseOffset), size: cleaned.size },
        "swapped in a cleaned segment",
      );
      return newVersion;
    } catch (err) {
      // Before the commit point nothing changed (the caller deletes the `.cleaned` files); after
      // it the directory may be half-renamed, which only a restart (LogLoader) sorts out.
      if (!committed) throw err;
      this.#goOffline(new StorageError("LOG_OFFLINE", `segment swap in ${this.name} failed`, { cause: err }));
      throw this.#failure;
    } finally {
      this.#swapping = undefined;
      release();
    }
  }

  async #swapIdle(): Promise<void> {
    while (this.#swapping !== undefined) await this.#swapping;
  }

  // ---------------------------------------------------------------------------------------------
  // Checkpoints, close, delete

  /**
   * Writes the recovery point (the flushed offset) once the indexes and leader epochs it vouches
   * for are durable; the log manager calls it periodically and `close()` at the end.
   */
  async checkpointRecoveryPoint(): Promise<void> {
    if (this.#closed || this.#failure !== undefined) return;
    const recoveryPoint = this.#flushedOffset;
    await Promise.all(this.#segments.map((s) => s.flushIndexes()));
    await this.#epochCache.flush();
    await this.#recoveryPointFile.write([String(recoveryPoint)]);
  }

  /** Flushes everything, writes the checkpoints and closes the files. */
  async close(): Promise<void> {
    if (this.#closed) return;
    await this.#recovering?.catch(() => {});
    await this.#swapIdle();
    this.#closed = true;
    let failure: unknown;
    if (this.#failure === undefined) {
      try {
        await this.flush();
        // The active segment's indexes are rebuilt from its data at every load, so they are
        // only written (by segment.close), not synced: two fsyncs less per partition.
        const active = this.#active();
        await Promise.all(this.#segments.filter((s) => s !== active).map((s) => s.flushIndexes()));
        if (this.#dirDirty) {
          this.#dirDirty = false;
          await this.#fs.syncDir(this.dir);
        }
        await this.#epochCache.flush();
        await this.#recoveryPointFile.write([String(this.#logEndOffset)]);
      } catch (err) {
        failure = err;
      }
    }
    await this.#groupCommit.idle();
    await this.#deleter.finishAll();
    await Promise.all(this.#segments.map((s) => s.idle()));
    for (const segment of this.#segments) {
      try {
        segment.close();
      } catch (err) {
        failure ??= err;
      }
    }
    if (failure !== undefined) throw ioError(`close of ${this.name}`, failure);
  }

  /** Closes the files without flushing (the log is about to be deleted). */
  async closeForDeletion(): Promise<void> {
    if (this.#closed) return;
    await this.#recovering?.catch(() => {});
    await this.#swapIdle();
    this.#closed = true;
    await this.#groupCommit.idle();
    await Promise.all([
      this.#epochCache.flush().catch(() => {}),
      this.#logStartOffsetFile.settled(),
      this.#recoveryPointFile.settled(),
    ]);
    await this.#deleter.finishAll();
    await Promise.all(this.#segments.map((s) => s.idle()));
    for (const segment of this.#segments) segment.closeWithoutWriting();
  }

  /** Closes the log and removes its directory. */
  async delete(): Promise<void> {
    await this.closeForDeletion();
    try {
      await this.#fs.rm(this.dir);
    } catch (err) {
      throw ioError(`delete ${this.dir}`, err);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Internals

  #checkUsable(): void {
    if (this.#closed) throw new StorageError("CLOSED", `log ${this.name} is closed`);
    if (this.#failure !== undefined) {
      this.#deps.events?.offlineAccessed?.(this);
      throw new StorageError("LOG_OFFLINE", `log ${this.name} is offline: ${this.#failure.message}`, {
        cause: this.#failure,
      });
    }
  }

  #active(): LogSegment {
    return this.#segments.at(-1)!;
  }

  #persistLogStartOffset(): Promise<void> {
    return this.#logStartOffsetFile.write([String(this.#logStartOffset)]);
  }
}
