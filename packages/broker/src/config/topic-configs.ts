import {
  type ConfigDefinition,
  type ConfigType,
  type ConfigValuesOf,
  defineConfig,
  LONG_MAX_STRING,
} from "./config-definition.js";

/**
 * Every topic-level config Weir accepts, with Kafka's names, types, defaults (Kafka 4.0) and
 * validation, and for each the broker-level configs it falls back to. This table is the single
 * source for CreateTopics/AlterConfigs validation, DescribeConfigs and the storage engine's
 * per-topic settings.
 *
 * Weir differs from Kafka in one default, on purpose: `flush.messages` (and the broker's
 * `log.flush.interval.messages`) is 1, so an acknowledged write is on disk. Group commit makes
 * that cheap: appends that arrive together share one fsync.
 */

/** How a broker-level value converts to the topic config's unit. */
export type SynonymConverter = "hoursToMs" | "minutesToMs";

/** A broker config a topic config falls back to, in priority order. */
export interface ConfigSynonym {
  readonly name: string;
  readonly converter?: SynonymConverter;
}

export interface TopicConfigDefinition<
  T extends ConfigType = ConfigType,
  D extends string | null = string | null,
> extends ConfigDefinition<T, D> {
  /** Broker configs that supply this topic config's value when the topic has no override. */
  readonly synonyms: readonly ConfigSynonym[];
}

function topicConfig<const T extends ConfigType, const D extends string | null>(
  def: TopicConfigDefinition<T, D>,
): TopicConfigDefinition<T, D> {
  defineConfig(def);
  return def;
}

const log = (suffix: string): ConfigSynonym => ({ name: `log.${suffix}` });
const cleaner = (suffix: string): ConfigSynonym => ({ name: `log.cleaner.${suffix}` });
const same = (name: string): ConfigSynonym => ({ name });

export const CLEANUP_POLICIES = ["compact", "delete"] as const;
export const COMPRESSION_TYPES = ["uncompressed", "zstd", "lz4", "snappy", "gzip", "producer"] as const;
export const TIMESTAMP_TYPES = ["CreateTime", "LogAppendTime"] as const;

const throttledReplicasValidator = {
  kind: "custom",
  describe: "'*' or a list of partition:broker pairs",
  check(value: unknown): string | null {
    const list = value as readonly string[];
    if (list.length === 1 && list[0] === "*") return null;
    const bad = list.filter((item) => !/^\d+:\d+$/.test(item));
    return bad.length === 0 ? null : "Expected '*' or a list of [partitionId]:[brokerId] pairs";
  },
} as const;

export const GZIP_LEVEL_VALIDATOR = {
  kind: "custom",
  describe: "-1 (codec default) or 1..9",
  check(value: unknown): string | null {
    const n = value as number;
    return n === -1 || (n >= 1 && n <= 9) ? null : "Value must be -1 or between 1 and 9";
  },
} as const;

export const TOPIC_CONFIGS = {
  "cleanup.policy": topicConfig({
    name: "cleanup.policy",
    type: "LIST",
    default: "delete",
    doc: "What happens to old segments: 'delete' removes them by retention time or size, 'compact' keeps the latest record per key; both may be given.",
    validator: { kind: "listOf", values: CLEANUP_POLICIES },
    synonyms: [log("cleanup.policy")],
  }),
  "compression.type": topicConfig({
    name: "compression.type",
    type: "STRING",
    default: "producer",
    doc: "Compression of batches stored for this topic; 'producer' keeps whatever codec the producer used.",
    validator: { kind: "oneOf", values: COMPRESSION_TYPES },
    synonyms: [same("compression.type")],
  }),
  "compression.gzip.level": topicConfig({
    name: "compression.gzip.level",
    type: "INT",
    default: "-1",
    doc: "Compression level when compression.type is gzip.",
    validator: GZIP_LEVEL_VALIDATOR,
    synonyms: [same("compression.gzip.level")],
  }),
  "compression.lz4.level": topicConfig({
    name: "compression.lz4.level",
    type: "INT",
    default: "9",
    doc: "Compression level when compression.type is lz4.",
    validator: { kind: "between", min: 1, max: 17 },
    synonyms: [same("compression.lz4.level")],
  }),
  "compression.zstd.level": topicConfig({
    name: "compression.zstd.level",
    type: "INT",
    default: "3",
    doc: "Compression level when compression.type is zstd.",
    validator: { kind: "between", min: -131072, max: 22 },
    synonyms: [same("compression.zstd.level")],
  }),
  "delete.retention.ms": topicConfig({
    name: "delete.retention.ms",
    type: "LONG",
    default: "86400000",
    doc: "How long tombstones (null-value records) stay readable in a compacted topic.",
    validator: { kind: "atLeast", min: 0 },
    synonyms: [cleaner("delete.retention.ms")],
  }),
  "file.delete.delay.ms": topicConfig({
    name: "file.delete.delay.ms",
    type: "LONG",
    default: "60000",
    doc: "How long a deleted segment's files linger before they are removed from disk.",
    validator: { kind: "atLeast", min: 0 },
    synonyms: [log("segment.delete.delay.ms")],
  }),
  "flush.messages": topicConfig({
    name: "flush.messages",
    type: "LONG",
    default: "1",
    doc: "Messages appended before the log is fsync'd. Weir defaults to 1 (Kafka: Long.MAX_VALUE): every acknowledged write is durable, and group commit shares one fsync among concurrent appends.",
    validator: { kind: "atLeast", min: 1 },
    synonyms: [log("flush.interval.messages")],
  }),
  "flush.ms": topicConfig({
    name: "flush.ms",
    type: "LONG",
    default: LONG_MAX_STRING,
    doc: "Longest time appended data may wait before the log is fsync'd.",
    validator: { kind: "atLeast", min: 0 },
    synonyms: [log("flush.interval.ms"), log("flush.scheduler.interval.ms")],
  }),
  "follower.replication.throttled.replicas": topicConfig({
    name: "follower.replication.throttled.replicas",
    type: "LIST",
    default: "",
    doc: "Replicas whose follower-side replication is throttled: '*' or partition:broker pairs.",
    validator: throttledReplicasValidator,
    noEffect: true,
    synonyms: [],
  }),
  "index.interval.bytes": topicConfig({
    name: "index.interval.bytes",
    type: "INT",
    default: "4096",
    doc: "Bytes of log between two entries of the sparse offset index.",
    validator: { kind: "atLeast", min: 0 },
    synonyms: [log("index.interval.bytes")],
  }),
  "leader.replication.throttled.replicas": topicConfig({
    name: "leader.replication.throttled.replicas",
    type: "LIST",
    default: "",
    doc: "Replicas whose leader-side replication is throttled: '*' or partition:broker pairs.",
    validator: throttledReplicasValidator,
    noEffect: true,
    synonyms: [],
  }),
  "local.retention.bytes": topicConfig({
    name: "local.retention.bytes",
    type: "LONG",
    default: "-2",
    doc: "Local size limit of a tiered partition; -2 means use retention.bytes.",
    validator: { kind: "atLeast", min: -2 },
    noEffect: true,
    synonyms: [log("local.retention.bytes")],
  }),
  "local.retention.ms": topicConfig({
    name: "local.retention.ms",
    type: "LONG",
    default: "-2",
    doc: "Local retention time of a tiered partition; -2 means use retention.ms.",
    validator: { kind: "atLeast", min: -2 },
    noEffect: true,
    synonyms: [log("local.retention.ms")],
  }),
  "max.compaction.lag.ms": topicConfig({
    name: "max.compaction.lag.ms",
    type: "LONG",
    default: LONG_MAX_STRING,
    doc: "Longest time a record may stay uncompacted in a compacted topic.",
    validator: { kind: "atLeast", min: 1 },
    synonyms: [cleaner("max.compaction.lag.ms")],
  }),
  "max.message.bytes": topicConfig({
    name: "max.message.bytes",
    type: "INT",
    default: "1048588",
    doc: "Largest record batch (after compression) the topic accepts.",
    validator: { kind: "atLeast", min: 0 },
    synonyms: [same("message.max.bytes")],
  }),
  "message.downconversion.enable": topicConfig({
    name: "message.downconversion.enable",
    type: "BOOLEAN",
    default: "true",
    doc: "Deprecated and without effect since Kafka 4.0. Weir always down-converts for Fetch v0-3 (old consumers).",
    noEffect: true,
    deprecated: true,
    synonyms: [log("message.downconversion.enable")],
  }),
  "message.timestamp.after.max.ms": topicConfig({
    name: "message.timestamp.after.max.ms",
    type: "LONG",
    default: "3600000",
    doc: "With CreateTime, how far a record's timestamp may be ahead of the broker's clock (1 hour since Kafka 4.0).",
    validator: { kind: "atLeast", min: 0 },
    synonyms: [log("message.timestamp.after.max.ms")],
  }),
  "message.timestamp.before.max.ms": topicConfig({
    name: "message.timestamp.before.max.ms",
    type: "LONG",
    default: LONG_MAX_STRING,
    doc: "With CreateTime, how far a record's timestamp may be behind the broker's clock.",
    validator: { kind: "atLeast", min: 0 },
    synonyms: [log("message.timestamp.before.max.ms")],
  }),
  "message.timestamp.type": topicConfig({
    name: "message.timestamp.type",
    type: "STRING",
    default: "CreateTime",
    doc: "Whether record timestamps are the producer's (CreateTime) or the broker's append time (LogAppendTime).",
    validator: { kind: "oneOf", values: TIMESTAMP_TYPES },
    synonyms: [log("message.timestamp.type")],
  }),
  "min.cleanable.dirty.ratio": topicConfig({
    name: "min.cleanable.dirty.ratio",
    type: "DOUBLE",
    default: "0.5",
    doc: "Share of uncompacted log above which the cleaner compacts a compacted topic.",
    validator: { kind: "between", min: 0, max: 1 },
    synonyms: [cleaner("min.cleanable.ratio")],
  }),
  "min.compaction.lag.ms": topicConfig({
    name: "min.compaction.lag.ms",
    type: "LONG",
    default: "0",
    doc: "Shortest time a record stays uncompacted in a compacted topic.",
    validator: { kind: "atLeast", min: 0 },
    synonyms: [cleaner("min.compaction.lag.ms")],
  }),
  "min.insync.replicas": topicConfig({
    name: "min.insync.replicas",
    type: "INT",
    default: "1",
    doc: "In-sync replicas required for an acks=all write to succeed.",
    validator: { kind: "atLeast", min: 1 },
    synonyms: [same("min.insync.replicas")],
  }),
  preallocate: topicConfig({
    name: "preallocate",
    type: "BOOLEAN",
    default: "false",
    doc: "Preallocate a new segment's file to its full size.",
    synonyms: [log("preallocate")],
  }),
  "remote.log.copy.disable": topicConfig({
    name: "remote.log.copy.disable",
    type: "BOOLEAN",
    default: "false",
    doc: "Stop copying segments to tiered storage (tiered storage is not supported by Weir).",
    noEffect: true,
    synonyms: [],
  }),
  "remote.log.delete.on.disable": topicConfig({
    name: "remote.log.delete.on.disable",
    type: "BOOLEAN",
    default: "false",
    doc: "Delete tiered data when tiering is turned off (tiered storage is not supported by Weir).",
    noEffect: true,
    synonyms: [],
  }),
  "remote.storage.enable": topicConfig({
    name: "remote.storage.enable",
    type: "BOOLEAN",
    default: "false",
    doc: "Tier this topic's old segments to remote storage; Weir has no tiered storage, so only false is accepted.",
    synonyms: [],
  }),
  "retention.bytes": topicConfig({
    name: "retention.bytes",
    type: "LONG",
    default: "-1",
    doc: "Size a partition may grow to before old segments are deleted; -1 means no size limit.",
    synonyms: [log("retention.bytes")],
  }),
  "retention.ms": topicConfig({
    name: "retention.ms",
    type: "LONG",
    default: "604800000",
    doc: "How long a segment is kept before deletion; -1 means no time limit.",
    validator: { kind: "atLeast", min: -1 },
    synonyms: [
      log("retention.ms"),
      { name: "log.retention.minutes", converter: "minutesToMs" },
      { name: "log.retention.hours", converter: "hoursToMs" },
    ],
  }),
  "segment.bytes": topicConfig({
    name: "segment.bytes",
    type: "INT",
    default: "1073741824",
    doc: "Size at which the active segment is rolled.",
    validator: { kind: "atLeast", min: 1048576 },
    synonyms: [log("segment.bytes")],
  }),
  "segment.index.bytes": topicConfig({
    name: "segment.index.bytes",
    type: "INT",
    default: "10485760",
    doc: "Size of a segment's offset and time index files.",
    validator: { kind: "atLeast", min: 4 },
    synonyms: [log("index.size.max.bytes")],
  }),
  "segment.jitter.ms": topicConfig({
    name: "segment.jitter.ms",
    type: "LONG",
    default: "0",
    doc: "Random amount subtracted from segment.ms so that segments do not all roll together.",
    validator: { kind: "atLeast", min: 0 },
    synonyms: [log("roll.jitter.ms"), { name: "log.roll.jitter.hours", converter: "hoursToMs" }],
  }),
  "segment.ms": topicConfig({
    name: "segment.ms",
    type: "LONG",
    default: "604800000",
    doc: "Age at which the active segment is rolled even if it is not full.",
    validator: { kind: "atLeast", min: 1 },
    synonyms: [log("roll.ms"), { name: "log.roll.hours", converter: "hoursToMs" }],
  }),
  "unclean.leader.election.enable": topicConfig({
    name: "unclean.leader.election.enable",
    type: "BOOLEAN",
    default: "false",
    doc: "Allow an out-of-sync replica to become leader as a last resort, at the risk of data loss.",
    synonyms: [same("unclean.leader.election.enable")],
  }),
} as const;

export type TopicConfigName = keyof typeof TOPIC_CONFIGS;

/** The typed values of every topic config, as the storage engine reads them. */
export type TopicConfigValues = ConfigValuesOf<typeof TOPIC_CONFIGS>;

const TOPIC_CONFIG_MAP: ReadonlyMap<string, TopicConfigDefinition> = new Map(Object.entries(TOPIC_CONFIGS));

/** The definition of a topic config, or undefined for a name Kafka does not know. */
export function topicConfigDefinition(name: string): TopicConfigDefinition | undefined {
  return TOPIC_CONFIG_MAP.get(name);
}

export function isTopicConfigName(name: string): name is TopicConfigName {
  return TOPIC_CONFIG_MAP.has(name);
}

/** Names of all topic configs, sorted (DescribeConfigs lists them in this order). */
export const TOPIC_CONFIG_NAMES: readonly TopicConfigName[] = Object.freeze(
  (Object.keys(TOPIC_CONFIGS) as TopicConfigName[]).sort(),
);
