/**
 * LogManager: every partition log of this broker, over one or more log dirs (`log.dirs`). It
 * loads (and recovers) all logs at startup, places new logs in the dir holding the fewest,
 * deletes logs (rename to `<topic>-<partition>.<uuid>-delete`, then remove in the background),
 * and runs the periodic work: retention every log.retention.check.interval.ms, flush.ms checks
 * every log.flush.scheduler.interval.ms, recovery point checkpoints every
 * log.flush.offset.checkpoint.interval.ms, and the log cleaner (compaction of the logs whose
 * cleanup.policy contains "compact", see LogCleaner) when log.cleaner.enable is set.
 *
 * Log dir health. Each log dir is online or offline (DescribeLogDirs reports an offline one with
 * KAFKA_STORAGE_ERROR); the other dirs keep serving whatever happens to one.
 *   - A storage failure of a log at run time (a failed fsync, a write that could not be undone;
 *     see Log) takes its whole dir offline, as Kafka does: every log in it refuses work (clients
 *     get KAFKA_STORAGE_ERROR). When one of them is used again — at most once per
 *     `offlineRetryBackoffMs` — the manager re-opens the dir's offline logs in place
 *     (Log.recoverFromFailure: cut back to the last durable offset, full recovery); when all of
 *     them are back, so is the dir. A disk that is full or broken stays offline: the re-open
 *     fails the same way.
 *   - A dir that cannot be read at startup, or in which a log cannot be loaded, is offline as a
 *     whole until a restart (as in Kafka): none of its logs is served. Such a log is never
 *     created afresh in another dir (that would silently start the partition over): its
 *     partition stays offline. While a dir could not be read at all, no log is created anywhere,
 *     because the partition's log may be in it — fix the dir, or remove it from log.dirs, and
 *     restart.
 */
import { randomUUID } from "node:crypto";
import { join } from "node:path";
import { forEachLimited, LOG_IO_CONCURRENCY } from "./bounded-concurrency.js";
import type { PacerTiming } from "./cleaner-pacer.js";
import { Log, type LogDeps, type LogEvents } from "./log.js";
import { LogCleaner } from "./log-cleaner.js";
import { type CleanerConfig, DEFAULT_CLEANER_CONFIG } from "./log-cleaner-config.js";
import type { LogConfig } from "./log-config.js";
import {
  deleteDirName,
  isDeleteDirName,
  isLegalTopicName,
  logDirName,
  parseLogDirName,
  type TopicPartition,
  topicPartitionKey,
} from "./log-dir-name.js";
import { ioError, StorageError } from "./storage-error.js";
import { type StorageLogger, silentStorageLogger } from "./storage-logger.js";

/** Kafka's name for the metadata log's directory (`__cluster_metadata-0`). */
const METADATA_TOPIC = "__cluster_metadata";

export interface LogManagerConfig {
  /** log.dirs (or log.dir): the directories holding partition logs. */
  readonly logDirs: readonly string[];
  /** The broker-wide default topic config (log.segment.bytes, log.retention.hours, …). */
  readonly defaultLogConfig: LogConfig;
  /** log.retention.check.interval.ms (300000). */
  readonly retentionCheckIntervalMs: number;
  /**
   * log.flush.scheduler.interval.ms: how often logs are checked against flush.ms. Kafka's default
   * is Long.MAX_VALUE (never); Weir checks every second so a topic's flush.ms works without a
   * second setting (the check is a comparison per log).
   */
  readonly flushSchedulerIntervalMs: number;
  /** log.flush.offset.checkpoint.interval.ms (60000): how often recovery points are written. */
  readonly flushOffsetCheckpointIntervalMs: number;
  /** The log.cleaner.* settings; default: the config table's defaults. */
  readonly cleaner?: CleanerConfig;
  /** Least time between two attempts to re-open the offline logs of a dir (default 5000). */
  readonly offlineRetryBackoffMs?: number;
}

const DEFAULT_OFFLINE_RETRY_BACKOFF_MS = 5000;

/** Repeating timers for the background tasks; the default uses unref'd Node intervals. */
export interface IntervalScheduler {
  setInterval(run: () => void, intervalMs: number): unknown;
  clearInterval(handle: unknown): void;
}

export const nodeIntervalScheduler: IntervalScheduler = {
  setInterval(run, intervalMs) {
    const t = setInterval(run, intervalMs);
    t.unref();
    return t;
  },
  clearInterval(handle) {
    clearInterval(handle as NodeJS.Timeout);
  },
};

export interface LogManagerDeps extends LogDeps {
  /** The config of a topic's logs (topic overrides over the defaults); default: the manager's default config. */
  readonly topicConfig?: (topic: string) => LogConfig;
  readonly intervals?: IntervalScheduler;
  /** UUIDs for the names of deleted log directories. */
  readonly uuid?: () => string;
  /** The log cleaner's slicing and throttling clocks (default: the real ones). */
  readonly cleanerPacerTiming?: PacerTiming;
}

export interface LogDirPartition extends TopicPartition {
  readonly size: number;
  /** Why the log is offline, when it is. */
  readonly error?: StorageError;
  /** Quarantined (`.corrupt`) files of the log: data that failed validation, kept for the operator. */
  readonly quarantinedFiles: readonly string[];
  /** How far a future replica lags (always 0: there are no future replicas yet). */
  readonly offsetLag: number;
  readonly isFuture: boolean;
}

export interface LogDirDescription {
  readonly path: string;
  /** Why the dir is offline, when it is. */
  readonly error?: StorageError;
  readonly partitions: readonly LogDirPartition[];
  /** -1 when unknown. */
  readonly totalBytes: number;
  readonly usableBytes: number;
}

interface ManagedLog {
  readonly tp: TopicPartition;
  readonly logDir: string;
  readonly log: Log;
}

export class LogManager {
  readonly #config: LogManagerConfig;
  readonly #deps: LogManagerDeps;
  readonly #logger: StorageLogger;
  readonly #logs = new Map<string, ManagedLog>();
  /** Logs per log dir, counting those being created (where the next log goes, in O(dirs)). */
  readonly #placed = new Map<string, number>();
  readonly #creating = new Map<string, Promise<Log>>();
  readonly #offlineDirs = new Map<string, StorageError>();
  /** Dirs that could not be read at startup (offline until a restart). */
  readonly #unreadableDirs = new Set<string>();
  /** Logs that could not be loaded at startup, by topic-partition key (offline until a restart). */
  readonly #failedLoads = new Map<string, { readonly logDir: string; readonly error: StorageError }>();
  /** Re-opens of a dir's offline logs under way, and when the next may start. */
  readonly #dirRecoveries = new Map<string, Promise<void>>();
  readonly #nextDirRecovery = new Map<string, number>();
  readonly #logDeps: LogDeps;
  readonly #removals = new Set<Promise<void>>();
  #timers: unknown[] = [];
  readonly #running = new Set<string>();
  readonly #cleaner: LogCleaner;
  #closed = false;

  private constructor(config: LogManagerConfig, deps: LogManagerDeps) {
    this.#config = config;
    this.#deps = deps;
    this.#logger = deps.logger ?? silentStorageLogger;
    const events: LogEvents = {
      offline: (log, err) => this.#onLogOffline(log, err),
      offlineAccessed: (log) => this.#onOfflineLogUsed(log),
    };
    this.#logDeps = { ...deps, events };
    this.#cleaner = new LogCleaner(
      config.cleaner ?? DEFAULT_CLEANER_CONFIG,
      {
        fs: deps.fs,
        clock: deps.clock,
        logger: this.#logger,
        intervals: deps.intervals ?? nodeIntervalScheduler,
        ...(deps.cleanerPacerTiming !== undefined ? { pacerTiming: deps.cleanerPacerTiming } : {}),
      },
      () => this.allLogs(),
    );
  }

  /** Creates the log dirs if needed and loads every log in them, recovering each. */
  static async open(config: LogManagerConfig, deps: LogManagerDeps): Promise<LogManager> {
    if (config.logDirs.length === 0) throw new StorageError("INVALID_CONFIG", "no log dirs configured");
    const manager = new LogManager(config, deps);
    await Promise.all(config.logDirs.map((dir) => manager.#loadDir(dir)));
    return manager;
  }

  get config(): LogManagerConfig {
    return this.#config;
  }

  /** The log cleaner (started by `startBackgroundTasks`). */
  get cleaner(): LogCleaner {
    return this.#cleaner;
  }

  async #loadDir(logDir: string): Promise<void> {
    const { fs } = this.#deps;
    let names: string[];
    try {
      fs.mkdir(logDir);
      names = fs.readdir(logDir);
    } catch (err) {
      this.#unreadableDirs.add(logDir);
      this.#markOffline(logDir, ioError(`open log dir ${logDir}`, err));
      return;
    }
    const loads: { name: string; path: string; tp: TopicPartition }[] = [];
    let failure: StorageError | undefined;
    for (const name of names) {
      const path = join(logDir, name);
      if (isDeleteDirName(name)) {
        this.#removeInBackground(path);
        continue;
      }
      const tp = parseLogDirName(name);
      // The metadata log lives beside the partitions but belongs to the metadata manager.
      if (tp === undefined || tp.topic === METADATA_TOPIC || !fs.stat(path)?.isDirectory) continue;
      loads.push({ name, path, tp });
    }
    await forEachLimited(loads, LOG_IO_CONCURRENCY, async ({ name, path, tp }) => {
      let log: Log;
      try {
        log = await Log.open(path, this.#configFor(tp.topic), this.#logDeps);
      } catch (err) {
        this.#logger.error({ logDir, log: name, err }, "could not load log");
        const error = new StorageError("LOG_OFFLINE", `log ${name} in ${logDir} could not be loaded`, {
          cause: ioError(`load ${path}`, err),
        });
        this.#failedLoads.set(topicPartitionKey(tp), { logDir, error });
        failure ??= error;
        return;
      }
      const key = topicPartitionKey(tp);
      const existing = this.#logs.get(key);
      if (existing !== undefined) {
        await log.closeForDeletion();
        this.#logger.error(
          { log: name, logDirs: [existing.logDir, logDir] },
          `${logDirName(tp)} exists in two log dirs; keeping the first`,
        );
        return;
      }
      this.#logs.set(key, { tp, logDir, log });
      this.#place(logDir, 1);
    });
    if (failure !== undefined) {
      // As Kafka: a log dir where a log cannot be loaded is offline as a whole until a restart;
      // its other logs are closed again and refused too.
      this.#markOffline(logDir, failure);
      for (const [key, m] of [...this.#logs]) {
        if (m.logDir !== logDir) continue;
        this.#logs.delete(key);
        this.#place(logDir, -1);
        this.#failedLoads.set(key, {
          logDir,
          error: new StorageError("LOG_OFFLINE", `log dir ${logDir} is offline: ${failure.message}`, {
            cause: failure,
          }),
        });
        await m.log
          .close()
          .catch((err: unknown) => this.#logger.warn({ log: m.log.name, err }, "close failed"));
      }
    }
    this.#logger.info({ logDir, logs: loads.length }, "loaded log dir");
  }

  #place(logDir: string, delta: number): void {
    this.#placed.set(logDir, (this.#placed.get(logDir) ?? 0) + delta);
  }

  #markOffline(logDir: string, err: StorageError): void {
    if (!this.#offlineDirs.has(logDir)) {
      this.#offlineDirs.set(logDir, err);
      this.#logger.error({ logDir, err }, "log dir is offline");
    }
  }

  /** A log failed on its own: its dir goes offline, and with it every other log there. */
  #onLogOffline(log: Log, err: StorageError): void {
    const managed = [...this.#logs.values()].find((m) => m.log === log);
    if (managed === undefined) return;
    const { logDir } = managed;
    this.#markOffline(logDir, err);
    const reason = new StorageError("LOG_OFFLINE", `log dir ${logDir} is offline: ${err.message}`, {
      cause: err,
    });
    for (const m of this.#logs.values()) if (m.logDir === logDir && m.log !== log) m.log.takeOffline(reason);
  }

  /** An offline log was used: re-open its dir's offline logs, unless that was tried too recently. */
  #onOfflineLogUsed(log: Log): void {
    if (this.#closed) return;
    const managed = [...this.#logs.values()].find((m) => m.log === log);
    if (managed === undefined) return;
    const { logDir } = managed;
    const now = this.#deps.clock.now();
    if (this.#dirRecoveries.has(logDir) || now < (this.#nextDirRecovery.get(logDir) ?? 0)) return;
    this.#nextDirRecovery.set(
      logDir,
      now + (this.#config.offlineRetryBackoffMs ?? DEFAULT_OFFLINE_RETRY_BACKOFF_MS),
    );
    const recovery = this.recoverOfflineLogs(logDir)
      .then(
        () => undefined,
        (err: unknown) => this.#logger.error({ logDir, err }, "re-opening offline logs failed"),
      )
      .finally(() => this.#dirRecoveries.delete(logDir));
    this.#dirRecoveries.set(logDir, recovery);
  }

  /**
   * Re-opens every offline log of `logDir` in place (see Log.recoverFromFailure); the dir is
   * online again when all of them are and it had no startup failure. Resolves to whether the dir
   * is online.
   */
  async recoverOfflineLogs(logDir: string): Promise<boolean> {
    const offline = [...this.#logs.values()].filter(
      (m) => m.logDir === logDir && m.log.failure !== undefined,
    );
    let failures = 0;
    for (const m of offline) {
      if (this.#closed) return false;
      await this.#cleaner.abort(m.tp);
      try {
        await m.log.recoverFromFailure();
      } catch (err) {
        failures++;
        this.#logger.error({ logDir, log: m.log.name, err }, "offline log could not be re-opened");
      }
    }
    const startupFailure =
      this.#unreadableDirs.has(logDir) || [...this.#failedLoads.values()].some((f) => f.logDir === logDir);
    const stillOffline = [...this.#logs.values()].some(
      (m) => m.logDir === logDir && m.log.failure !== undefined,
    );
    if (failures > 0 || startupFailure || stillOffline) return false;
    if (this.#offlineDirs.delete(logDir)) this.#logger.info({ logDir }, "log dir is back online");
    return true;
  }

  /**
   * Why the log of a topic-partition is offline (it could not be loaded at startup, it failed
   * since, or it is not loaded while a log dir could not be read), or undefined when it is online
   * or unknown.
   */
  offlineError(topic: string, partition: number): StorageError | undefined {
    const key = topicPartitionKey({ topic, partition });
    const managed = this.#logs.get(key);
    if (managed !== undefined) return managed.log.failure;
    const failed = this.#failedLoads.get(key);
    if (failed !== undefined) return failed.error;
    // Not loaded while a dir could not be read: it may well be there.
    const unreadable = [...this.#unreadableDirs][0];
    return unreadable === undefined ? undefined : this.#offlineDirs.get(unreadable);
  }

  #configFor(topic: string): LogConfig {
    return this.#deps.topicConfig?.(topic) ?? this.#config.defaultLogConfig;
  }

  /**
   * Starts the periodic retention, flush.ms and recovery point tasks and the log cleaner (stopped
   * by `close()`).
   */
  startBackgroundTasks(): void {
    if (this.#closed || this.#timers.length > 0) return;
    const intervals = this.#deps.intervals ?? nodeIntervalScheduler;
    const every = (name: string, ms: number, task: () => Promise<unknown>) =>
      intervals.setInterval(() => {
        if (this.#running.has(name) || this.#closed) return;
        this.#running.add(name);
        task()
          .catch((err: unknown) => this.#logger.error({ task: name, err }, "log manager task failed"))
          .finally(() => this.#running.delete(name));
      }, ms);
    this.#timers = [
      every("retention", this.#config.retentionCheckIntervalMs, () => this.runRetention()),
      every("flush", this.#config.flushSchedulerIntervalMs, () => this.flushDueLogs()),
      every("checkpoint", this.#config.flushOffsetCheckpointIntervalMs, () =>
        this.checkpointRecoveryPoints(),
      ),
    ];
    this.#cleaner.start();
  }

  #stopBackgroundTasks(): void {
    const intervals = this.#deps.intervals ?? nodeIntervalScheduler;
    for (const t of this.#timers) intervals.clearInterval(t);
    this.#timers = [];
  }

  getLog(topic: string, partition: number): Log | undefined {
    return this.#logs.get(topicPartitionKey({ topic, partition }))?.log;
  }

  /** Every loaded log with its topic-partition and log dir. */
  allLogs(): { topic: string; partition: number; logDir: string; log: Log }[] {
    return [...this.#logs.values()].map((m) => ({ ...m.tp, logDir: m.logDir, log: m.log }));
  }

  /**
   * The log of a topic-partition, created (in the online log dir holding the fewest logs) when
   * it does not exist. `config` defaults to the topic's config.
   */
  getOrCreateLog(topic: string, partition: number, config?: LogConfig): Promise<Log> {
    if (this.#closed) return Promise.reject(new StorageError("CLOSED", "the log manager is closed"));
    if (!isLegalTopicName(topic)) {
      return Promise.reject(
        new StorageError("INVALID_ARGUMENT", `illegal topic name ${JSON.stringify(topic)}`),
      );
    }
    if (!Number.isInteger(partition) || partition < 0 || partition > 0x7fffffff) {
      return Promise.reject(new StorageError("INVALID_ARGUMENT", `illegal partition ${partition}`));
    }
    const tp = { topic, partition };
    const key = topicPartitionKey(tp);
    const existing = this.#logs.get(key);
    if (existing !== undefined) return Promise.resolve(existing.log);
    const failed = this.#failedLoads.get(key);
    if (failed !== undefined) return Promise.reject(failed.error);
    if (this.#unreadableDirs.size > 0) {
      return Promise.reject(
        new StorageError(
          "LOG_OFFLINE",
          `cannot create the log of ${topic}-${partition}: log dir(s) ${[...this.#unreadableDirs].join(", ")} ` +
            "could not be read at startup and may hold it",
        ),
      );
    }
    const pending = this.#creating.get(key);
    if (pending !== undefined) return pending;
    let logDir: string;
    try {
      logDir = this.#nextLogDir();
    } catch (err) {
      return Promise.reject(err);
    }
    this.#place(logDir, 1);
    const creation = (async () => {
      let created = false;
      try {
        const log = await Log.open(
          join(logDir, logDirName(tp)),
          config ?? this.#configFor(topic),
          this.#logDeps,
        );
        await this.#deps.fs.syncDir(logDir);
        this.#logs.set(key, { tp, logDir, log });
        created = true;
        this.#logger.info({ topic, partition, logDir }, "created log");
        return log;
      } finally {
        this.#creating.delete(key);
        if (!created) this.#place(logDir, -1);
      }
    })();
    this.#creating.set(key, creation);
    return creation;
  }

  #nextLogDir(): string {
    let best: string | undefined;
    for (const dir of this.#config.logDirs) {
      if (this.#offlineDirs.has(dir)) continue;
      if (best === undefined || (this.#placed.get(dir) ?? 0) < (this.#placed.get(best) ?? 0)) best = dir;
    }
    if (best === undefined) throw new StorageError("IO", "every log dir is offline");
    return best;
  }

  /**
   * Deletes the log of a topic-partition: closes it, renames its directory to
   * `<topic>-<partition>.<uuid>-delete` (durably) and removes that in the background.
   */
  async deleteLog(topic: string, partition: number): Promise<boolean> {
    const tp = { topic, partition };
    const key = topicPartitionKey(tp);
    await this.#creating.get(key)?.catch(() => undefined);
    const managed = this.#logs.get(key);
    if (managed === undefined) return false;
    this.#logs.delete(key);
    this.#place(managed.logDir, -1);
    await this.#cleaner.abort(tp);
    await managed.log.closeForDeletion();
    const { fs } = this.#deps;
    const target = join(managed.logDir, deleteDirName(tp, (this.#deps.uuid ?? randomUUID)()));
    try {
      fs.rename(managed.log.dir, target);
      await fs.syncDir(managed.logDir);
    } catch (err) {
      throw ioError(`rename ${managed.log.dir} for deletion`, err);
    }
    this.#removeInBackground(target);
    await this.#cleaner.forget(tp, managed.logDir);
    this.#logger.info({ topic, partition }, "deleted log");
    return true;
  }

  #removeInBackground(path: string): void {
    const removal = this.#deps.fs
      .rm(path)
      .catch((err: unknown) => this.#logger.warn({ path, err }, "could not remove deleted log directory"))
      .finally(() => this.#removals.delete(removal));
    this.#removals.add(removal);
  }

  /** One retention pass over every log (retention.ms, retention.bytes, log start offset); returns segments deleted. */
  async runRetention(now = this.#deps.clock.now()): Promise<number> {
    let deleted = 0;
    for (const { log } of [...this.#logs.values()]) {
      try {
        deleted += await log.deleteOldSegments(now);
      } catch (err) {
        if (err instanceof StorageError && err.code === "CLOSED") continue;
        this.#logger.error({ log: log.name, err }, "retention failed");
      }
    }
    return deleted;
  }

  /** Flushes the logs whose unflushed data is older than their flush.ms. */
  async flushDueLogs(now = this.#deps.clock.now()): Promise<void> {
    const flushes: Promise<void>[] = [];
    for (const { log } of this.#logs.values()) {
      const flush = log.flushIfDue(now);
      if (flush !== undefined) {
        flushes.push(
          flush.catch((err: unknown) => this.#logger.error({ log: log.name, err }, "flush failed")),
        );
      }
    }
    await Promise.all(flushes);
  }

  /** Writes every log's recovery point. */
  async checkpointRecoveryPoints(): Promise<void> {
    await forEachLimited([...this.#logs.values()], LOG_IO_CONCURRENCY, ({ log }) =>
      log.checkpointRecoveryPoint().catch((err: unknown) => {
        this.#logger.error({ log: log.name, err }, "recovery point checkpoint failed");
      }),
    );
  }

  /** DescribeLogDirs: each log dir with its partitions and their sizes. */
  describeLogDirs(): LogDirDescription[] {
    return this.#config.logDirs.map((path) => {
      const partitions = [...this.#logs.values()]
        .filter((m) => m.logDir === path)
        .map((m) => ({
          ...m.tp,
          size: m.log.size,
          offsetLag: 0,
          isFuture: false,
          ...(m.log.failure !== undefined ? { error: m.log.failure } : {}),
          quarantinedFiles: m.log.quarantinedFiles,
        }));
      const space = this.#deps.fs.statfs(path);
      const error = this.#offlineDirs.get(path);
      return {
        path,
        ...(error !== undefined ? { error } : {}),
        partitions,
        totalBytes: space?.totalBytes ?? -1,
        usableBytes: space?.usableBytes ?? -1,
      };
    });
  }

  /** Stops the background tasks, flushes and closes every log, and waits for directory removals. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#stopBackgroundTasks();
    await this.#cleaner.close();
    await Promise.all([...this.#dirRecoveries.values()]);
    await Promise.all([...this.#creating.values()].map((p) => p.catch(() => undefined)));
    const failures: unknown[] = [];
    await forEachLimited([...this.#logs.values()], LOG_IO_CONCURRENCY, ({ log }) =>
      log.close().catch((err: unknown) => {
        failures.push(err);
        this.#logger.error({ log: log.name, err }, "could not close log cleanly");
      }),
    );
    await Promise.all([...this.#removals]);
    if (failures.length > 0) {
      throw new StorageError("IO", `${failures.length} log(s) did not close cleanly`, { cause: failures[0] });
    }
  }
}
