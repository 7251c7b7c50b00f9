/**
 * LogCleaner: the background compaction of every log whose cleanup.policy contains "compact"
 * (Kafka's LogCleaner and LogCleanerManager). log.cleaner.threads loops each repeatedly pick the
 * dirtiest cleanable log no other loop is cleaning (see `cleanableRange`: the highest dirty ratio
 * above min.cleanable.dirty.ratio, or any log past max.compaction.lag.ms), compact it with a
 * Cleaner, and record where they stopped in the log dir's cleaner-offset-checkpoint; when no log
 * needs cleaning a loop sleeps until the next log.cleaner.backoff.ms tick. As in Kafka the loops
 * run whenever log.cleaner.enable is set; without a compacted log they only wake, look and sleep.
 *
 * Threading: the loops are not worker threads but asynchronous tasks on the broker's event loop,
 * working in bounded slices (log.cleaner.io.buffer.size / threads bytes or 10 ms, whichever comes
 * first) with setImmediate between them, and throttled to log.cleaner.io.max.bytes.per.second.
 * Produce and fetch therefore wait at most one slice for the cleaner, never a whole cleaning. A
 * worker thread would take the CPU work off the loop, but it could not share the storage's
 * FileSystem port (tests and the simulator inject faulty and fake disks through it), it would
 * need its own descriptors and a cross-thread protocol for the swap, and the cleaner's work per
 * byte (decode, hash, re-encode: native CRC and codecs) is small next to the I/O it paces.
 *
 * Memory: each loop's offset map is bounded by log.cleaner.dedupe.buffer.size / threads (24 bytes
 * a key; see CleanerOffsetMap), its buffers by log.cleaner.io.buffer.size / threads.
 *
 * Stopping: `abort(tp)` (a log being deleted) and `close()` stop a cleaning between two batches
 * and wait for it; what it had not swapped in is deleted.
 */
import { join } from "node:path";
import { cleanableRange } from "./cleanable-range.js";
import { Cleaner, type CleanResult } from "./cleaner.js";
import { CleanerPacer, type PacerTiming, realPacerTiming } from "./cleaner-pacer.js";
import type { FileSystem } from "./file-system.js";
import type { Clock, Log } from "./log.js";
import { LogCleanerCheckpoint } from "./log-cleaner-checkpoint.js";
import type { CleanerConfig } from "./log-cleaner-config.js";
import { isCompacted } from "./log-config.js";
import { type TopicPartition, topicPartitionKey } from "./log-dir-name.js";
import type { IntervalScheduler } from "./log-manager.js";
import { StorageError } from "./storage-error.js";
import { type StorageLogger, silentStorageLogger } from "./storage-logger.js";

/** A log the cleaner may compact, as the LogManager lists them. */
export interface CleanerLog extends TopicPartition {
  readonly logDir: string;
  readonly log: Log;
}

export interface LogCleanerDeps {
  readonly fs: FileSystem;
  readonly clock: Clock;
  readonly logger?: StorageLogger;
  /** The timer that wakes idle loops every log.cleaner.backoff.ms. */
  readonly intervals: IntervalScheduler;
  /** Slicing and throttling clocks (default: the real ones). */
  readonly pacerTiming?: PacerTiming;
}

/** A finished cleaning, for logs and tests. */
export interface Cleaning extends CleanResult {
  readonly topic: string;
  readonly partition: number;
  readonly firstDirtyOffset: number;
  readonly elapsedMs: number;
}

interface InProgress {
  aborted: boolean;
  readonly done: Promise<unknown>;
}

/** Longest slice of cleaner work between two yields to the event loop. */
const SLICE_MS = 10;
const MIN_IO_BUFFER_BYTES = 64 * 1024;

export class LogCleaner {
  readonly #config: CleanerConfig;
  readonly #deps: LogCleanerDeps;
  readonly #logger: StorageLogger;
  readonly #logs: () => readonly CleanerLog[];
  readonly #checkpoints = new Map<string, LogCleanerCheckpoint>();
  readonly #inProgress = new Map<string, InProgress>();
  /** Logs whose cleaning failed (corrupt data, I/O): skipped until they are reopened. */
  readonly #uncleanable = new WeakSet<Log>();
  readonly #loops: Promise<void>[] = [];
  readonly #sleepers = new Set<() => void>();
  #timer: unknown;
  #running = false;
  #closed = false;

  constructor(config: CleanerConfig, deps: LogCleanerDeps, logs: () => readonly CleanerLog[]) {
    this.#config = config;
    this.#deps = deps;
    this.#logger = deps.logger ?? silentStorageLogger;
    this.#logs = logs;
  }

  get config(): CleanerConfig {
    return this.#config;
  }

  /** Starts log.cleaner.threads cleaning loops (none when log.cleaner.enable is false). */
  start(): void {
    if (this.#running || this.#closed || !this.#config.enable) return;
    this.#running = true;
    this.#timer = this.#deps.intervals.setInterval(() => this.wakeUp(), Math.max(1, this.#config.backoffMs));
    for (let i = 0; i < this.#config.threads; i++) this.#loops.push(this.#loop(i));
    this.#logger.info({ threads: this.#config.threads }, "log cleaner started");
  }

  /** Makes sleeping loops look for work now (a log became compacted, a test wants progress). */
  wakeUp(): void {
    for (const wake of [...this.#sleepers]) wake();
  }

  /** The cleaner checkpoint of a log (its first dirty offset), if it was cleaned. */
  checkpointOf(entry: CleanerLog): number | undefined {
    return this.#checkpoint(entry.logDir).get(entry);
  }

  /**
   * Picks the dirtiest cleanable log that is not being cleaned and cleans it; resolves with what
   * was done, or undefined when no log needs cleaning. The loops call it; tests may too.
   */
  async cleanFilthiestLog(): Promise<Cleaning | undefined> {
    if (this.#closed) return undefined;
    const now = this.#deps.clock.now();
    let best: { entry: CleanerLog; range: ReturnType<typeof cleanableRange> } | undefined;
    for (const entry of this.#logs()) {
      const { log } = entry;
      if (!isCompacted(log.config) || log.failure !== undefined || this.#uncleanable.has(log)) continue;
      if (this.#inProgress.has(topicPartitionKey(entry))) continue;
      let range: ReturnType<typeof cleanableRange>;
      try {
        range = cleanableRange({
          segments: log.segmentsForCleaning(),
          config: log.config,
          logStartOffset: log.logStartOffset,
          logEndOffset: log.logEndOffset,
          highWatermark: log.flushedOffset,
          checkpoint: this.checkpointOf(entry),
          now,
        });
      } catch (err) {
        if (err instanceof StorageError && err.code === "CLOSED") continue;
        throw err;
      }
      if (range.checkpointReset) this.#updateCheckpoint(entry, range.firstDirtyOffset);
      if (!range.cleanable) continue;
      if (best === undefined || range.dirtyRatio > best.range.dirtyRatio) best = { entry, range };
    }
    if (best === undefined) return undefined;
    return this.#clean(best.entry, best.range, now);
  }

  async #clean(
    entry: CleanerLog,
    range: { firstDirtyOffset: number; firstUncleanableOffset: number },
    now: number,
  ): Promise<Cleaning | undefined> {
    const key = topicPartitionKey(entry);
    const threads = Math.max(1, this.#config.threads);
    const ioBufferBytes = Math.max(MIN_IO_BUFFER_BYTES, Math.floor(this.#config.ioBufferSize / threads / 2));
    const cleaner = new Cleaner(
      {
        maxMapBytes: Math.floor(this.#config.dedupeBufferSize / threads),
        mapLoadFactor: this.#config.dedupeBufferLoadFactor,
        ioBufferBytes,
        producerIdExpirationMs: this.#config.producerIdExpirationMs,
      },
      this.#logger,
    );
    const pacer = new CleanerPacer(
      { sliceBytes: ioBufferBytes, sliceMs: SLICE_MS, maxBytesPerSecond: this.#config.maxIoBytesPerSecond },
      this.#deps.pacerTiming ?? realPacerTiming,
    );
    const started = (this.#deps.pacerTiming ?? realPacerTiming).now();
    const state: { aborted: boolean; done: Promise<unknown> } = { aborted: false, done: Promise.resolve() };
    const run = cleaner.clean(entry.log, range, now, pacer, () => state.aborted || this.#closed);
    state.done = run.catch(() => undefined);
    this.#inProgress.set(key, state);
    try {
      const result = await run;
      if (result.endOffset <= range.firstDirtyOffset) return undefined;
      await this.#updateCheckpoint(entry, result.endOffset);
      return {
        ...result,
        topic: entry.topic,
        partition: entry.partition,
        firstDirtyOffset: range.firstDirtyOffset,
        elapsedMs: (this.#deps.pacerTiming ?? realPacerTiming).now() - started,
      };
    } catch (err) {
      if (
        err instanceof StorageError &&
        (err.code === "CLEANING_ABORTED" || err.code === "CLOSED" || err.code === "LOG_OFFLINE")
      ) {
        this.#logger.info({ log: entry.log.name, reason: err.message }, "log cleaning abandoned");
        return undefined;
      }
      this.#uncleanable.add(entry.log);
      this.#logger.error({ log: entry.log.name, err }, "log cleaning failed; the log is skipped from now on");
      return undefined;
    } finally {
      this.#inProgress.delete(key);
    }
  }

  /** Stops the cleaning of a log (it is being deleted or truncated) and waits for it to end. */
  async abort(tp: TopicPartition): Promise<void> {
    const state = this.#inProgress.get(topicPartitionKey(tp));
    if (state === undefined) return;
    state.aborted = true;
    await state.done;
  }

  /** Forgets a deleted log's checkpoint. */
  async forget(tp: TopicPartition, logDir: string): Promise<void> {
    await this.abort(tp);
    await this.#checkpoint(logDir).remove(tp);
  }

  /** Stops the loops, aborting cleanings under way, and waits for them. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#running) this.#deps.intervals.clearInterval(this.#timer);
    this.wakeUp();
    await Promise.all([...this.#inProgress.values()].map((s) => s.done));
    await Promise.all(this.#loops);
    await Promise.all([...this.#checkpoints.values()].map((c) => c.settled()));
  }

  async #loop(thread: number): Promise<void> {
    while (!this.#closed) {
      let cleaned: Cleaning | undefined;
      try {
        cleaned = await this.cleanFilthiestLog();
      } catch (err) {
        this.#logger.error({ thread, err }, "log cleaner pass failed");
      }
      if (cleaned === undefined && !this.#closed) await this.#sleep();
    }
  }

  /** Resolves at the next backoff tick (or `wakeUp()`). */
  #sleep(): Promise<void> {
    return new Promise((resolve) => {
      const wake = (): void => {
        this.#sleepers.delete(wake);
        resolve();
      };
      this.#sleepers.add(wake);
    });
  }

  #checkpoint(logDir: string): LogCleanerCheckpoint {
    let checkpoint = this.#checkpoints.get(logDir);
    if (checkpoint === undefined) {
      checkpoint = LogCleanerCheckpoint.load(this.#deps.fs, logDir, this.#logger);
      this.#checkpoints.set(logDir, checkpoint);
    }
    return checkpoint;
  }

  #updateCheckpoint(entry: CleanerLog, offset: number): Promise<void> {
    return this.#checkpoint(entry.logDir)
      .update(entry, offset)
      .catch((err: unknown) => {
        this.#logger.warn(
          { logDir: entry.logDir, file: join(entry.logDir, "cleaner-offset-checkpoint"), err },
          "could not write the cleaner checkpoint",
        );
      });
  }
}
