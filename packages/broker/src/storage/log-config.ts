/**
 * LogConfig: the typed, camelCase view of the topic configs one partition log acts on. Names,
 * defaults and validation live in one place, the config table (config/topic-configs.ts, resolved
 * through its broker synonyms by config/effective-config.ts); this file only maps the resolved
 * values onto the fields the storage engine reads.
 *
 * One documented difference from Kafka, on purpose: the flush policy. Kafka acknowledges from the
 * page cache and leaves durability to replication (flush.messages and flush.ms default to
 * Long.MAX_VALUE). Weir defaults to flush.messages = 1: every acknowledgement waits for an fsync
 * that covers it, done as group commit (all appends made before an fsync starts share it; appends
 * made while it runs share the next one), so a single broker loses nothing it acknowledged. Set
 * flush.messages / flush.ms higher to get Kafka's behaviour: acknowledge from the page cache and
 * flush in the background after N messages or T ms.
 */
import { resolveLogConfig } from "../config/effective-config.js";
import type { TopicConfigValues } from "../config/topic-configs.js";

export type TimestampType = "CreateTime" | "LogAppendTime";
export type CleanupPolicy = "delete" | "compact";

export interface LogConfig {
  /** segment.bytes: roll the active segment before it would grow past this many bytes. */
  readonly segmentBytes: number;
  /** segment.ms: roll the active segment once its first batch (or its creation) is this old. */
  readonly segmentMs: number;
  /** segment.index.bytes: the largest offset index of a segment (time index: as many entries). */
  readonly segmentIndexBytes: number;
  /** index.interval.bytes: bytes of batches between two index entries. */
  readonly indexIntervalBytes: number;
  /** retention.ms: delete segments whose newest timestamp is older than this; -1 keeps them forever. */
  readonly retentionMs: number;
  /** retention.bytes: delete the oldest segments while the log is larger than this; -1: no limit. */
  readonly retentionBytes: number;
  /** flush.messages: fsync once this many messages are unflushed; 1 makes every acknowledgement durable. */
  readonly flushMessages: number;
  /** flush.ms: fsync data that has been unflushed this long (checked by the log manager's scheduler). */
  readonly flushMs: number;
  /** max.message.bytes: the largest record batch accepted. */
  readonly maxMessageBytes: number;
  /** message.timestamp.type: CreateTime keeps the producer's timestamps, LogAppendTime stamps the broker's clock. */
  readonly messageTimestampType: TimestampType;
  /** file.delete.delay.ms: how long a deleted segment's files stay (renamed `.deleted`) before removal. */
  readonly fileDeleteDelayMs: number;
  /** cleanup.policy: retention applies when it contains "delete", the log cleaner when it contains "compact". */
  readonly cleanupPolicy: readonly CleanupPolicy[];
  /** delete.retention.ms: how long a tombstone (null value) stays readable in a compacted log. */
  readonly deleteRetentionMs: number;
  /** min.compaction.lag.ms: records younger than this are never compacted. */
  readonly minCompactionLagMs: number;
  /** max.compaction.lag.ms: records older than this are compacted whatever the dirty ratio. */
  readonly maxCompactionLagMs: number;
  /** min.cleanable.dirty.ratio: the share of uncompacted bytes above which the cleaner compacts the log. */
  readonly minCleanableDirtyRatio: number;
}

/** Long.MAX_VALUE as a number (how the config table parses it): "never" for flush.ms and the like. */
export const LONG_MAX = 2 ** 63;

/** The storage engine's view of a topic's effective config (validated by the config table). */
export function toLogConfig(values: TopicConfigValues): LogConfig {
  return Object.freeze({
    segmentBytes: values["segment.bytes"],
    segmentMs: values["segment.ms"],
    segmentIndexBytes: values["segment.index.bytes"],
    indexIntervalBytes: values["index.interval.bytes"],
    retentionMs: values["retention.ms"],
    retentionBytes: values["retention.bytes"],
    flushMessages: values["flush.messages"],
    flushMs: values["flush.ms"],
    maxMessageBytes: values["max.message.bytes"],
    messageTimestampType: values["message.timestamp.type"] as TimestampType,
    fileDeleteDelayMs: values["file.delete.delay.ms"],
    cleanupPolicy: values["cleanup.policy"] as readonly CleanupPolicy[],
    deleteRetentionMs: values["delete.retention.ms"],
    minCompactionLagMs: values["min.compaction.lag.ms"],
    maxCompactionLagMs: values["max.compaction.lag.ms"],
    minCleanableDirtyRatio: values["min.cleanable.dirty.ratio"],
  });
}

/** The built-in defaults of the config table (Kafka's, with Weir's durable flush.messages = 1). */
export const DEFAULT_LOG_CONFIG: LogConfig = toLogConfig(resolveLogConfig({}));

/** Whether the log cleaner compacts this log (cleanup.policy contains "compact"). */
export function isCompacted(config: LogConfig): boolean {
  return config.cleanupPolicy.includes("compact");
}

/** Whether acknowledgements wait for an fsync (flush.messages = 1, Weir's default). */
export function isDurableAckPolicy(config: LogConfig): boolean {
  return config.flushMessages <= 1;
}
