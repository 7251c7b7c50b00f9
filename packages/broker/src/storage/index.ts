// The storage layer's public surface: partition logs, their manager and cleaner, config and errors.
export { type FileStats, type FileSystem, nodeFileSystem, type OpenFlags } from "./file-system.js";
export {
  type EpochEndOffset,
  type EpochEntry,
  UNDEFINED_EPOCH,
  UNDEFINED_EPOCH_OFFSET,
} from "./leader-epoch-cache.js";
export {
  type AppendOptions,
  type Clock,
  EARLIEST_LOCAL_TIMESTAMP,
  EARLIEST_TIMESTAMP,
  LATEST_TIMESTAMP,
  Log,
  type LogAppendInfo,
  type LogDeps,
  type LogEvents,
  type LogReadInfo,
  MAX_TIMESTAMP,
  type TimestampAndOffset,
} from "./log.js";
export { type CleanerLog, type Cleaning, LogCleaner } from "./log-cleaner.js";
export { type CleanerConfig, cleanerConfigFrom, DEFAULT_CLEANER_CONFIG } from "./log-cleaner-config.js";
export {
  type CleanupPolicy,
  DEFAULT_LOG_CONFIG,
  isCompacted,
  isDurableAckPolicy,
  type LogConfig,
  type TimestampType,
  toLogConfig,
} from "./log-config.js";
export { isLegalTopicName, logDirName, parseLogDirName, type TopicPartition } from "./log-dir-name.js";
export {
  type IntervalScheduler,
  type LogDirDescription,
  type LogDirPartition,
  LogManager,
  type LogManagerConfig,
  type LogManagerDeps,
} from "./log-manager.js";
export { type DelayScheduler, nodeDelayScheduler } from "./segment-deleter.js";
export { OffsetOutOfRangeError, StorageError, type StorageErrorCode } from "./storage-error.js";
export { type StorageLogger, silentStorageLogger } from "./storage-logger.js";
