import { CompressionType } from "@weir/protocol";
import {
  type AssignorName,
  type PartitionAssignor,
  parseAssignmentStrategy,
} from "../consumer/group/assignors.js";
import type { Partitioner } from "../producer/partitioner.js";
import {
  boolOption,
  describe,
  enumOption,
  intOption,
  invalid,
  option,
  type Properties,
  type ResolvedOptions,
  stringOption,
} from "./option.js";

/*
 * The one table of the client's options: Kafka's property names, Kafka's defaults (those of the
 * Java client 4.x), the camelCase name of the typed option. README.md shows the same table, and a
 * test keeps the two in step.
 */

const INT32_MAX = 2_147_483_647;

const bootstrapServers = option<string[]>(
  "bootstrap.servers",
  undefined,
  "host:port pairs to discover the cluster from (an array or a comma-separated string); required",
  (v) => {
    const list = typeof v === "string" ? v.split(",") : v;
    if (!Array.isArray(list)) throw invalid(`must be a list of host:port, got ${describe(v)}`);
    const out = list.map((s) => (typeof s === "string" ? s.trim() : s)).filter((s) => s !== "");
    if (out.length === 0) throw invalid("must name at least one host:port");
    for (const s of out) {
      if (typeof s !== "string" || parseHostPort(s) === undefined)
        throw invalid(`has an invalid entry ${describe(s)}`);
    }
    return out as string[];
  },
);

/** Splits `host:port` (IPv6 in brackets: `[::1]:9092`); undefined when malformed. */
export function parseHostPort(address: string): { host: string; port: number } | undefined {
  const m = /^(?:\[([^\]]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(address.trim());
  if (m === null) return undefined;
  const port = Number(m[3]);
  if (port < 1 || port > 65535) return undefined;
  return { host: m[1] ?? m[2], port };
}

/** Options every client (producer, admin, later the consumer) understands. */
export const CLIENT_OPTIONS = {
  bootstrapServers,
  clientId: stringOption("client.id", "weir-client", "sent with every request, for broker logs and quotas"),
  requestTimeoutMs: intOption(
    "request.timeout.ms",
    30_000,
    1,
    INT32_MAX,
    "how long to wait for a response before the connection is closed and the request retried",
  ),
  connectionTimeoutMs: intOption(
    "socket.connection.setup.timeout.ms",
    10_000,
    1,
    INT32_MAX,
    "how long a TCP connect plus ApiVersions handshake may take",
  ),
  reconnectBackoffMs: intOption(
    "reconnect.backoff.ms",
    50,
    0,
    INT32_MAX,
    "wait before reconnecting to a broker after a failure; doubles per failure",
  ),
  reconnectBackoffMaxMs: intOption(
    "reconnect.backoff.max.ms",
    1_000,
    0,
    INT32_MAX,
    "ceiling of the reconnect backoff",
  ),
  retryBackoffMs: intOption("retry.backoff.ms", 100, 0, INT32_MAX, "wait before retrying a failed request"),
  retryBackoffMaxMs: intOption(
    "retry.backoff.max.ms",
    1_000,
    0,
    INT32_MAX,
    "ceiling of the retry backoff (exponential with ±20% jitter)",
  ),
  metadataMaxAgeMs: intOption(
    "metadata.max.age.ms",
    300_000,
    0,
    INT32_MAX,
    "refresh cluster metadata at least this often, even without errors",
  ),
  maxInFlightRequestsPerConnection: intOption(
    "max.in.flight.requests.per.connection",
    5,
    1,
    INT32_MAX,
    "requests pipelined on one connection before further ones wait",
  ),
} as const;

export type Acks = "all" | -1 | 0 | 1;
export type CompressionName = "none" | "gzip" | "snappy" | "lz4" | "zstd";

const COMPRESSION_TYPES: Readonly<Record<CompressionName, CompressionType>> = {
  none: CompressionType.None,
  gzip: CompressionType.Gzip,
  snappy: CompressionType.Snappy,
  lz4: CompressionType.Lz4,
  zstd: CompressionType.Zstd,
};

/** Producer options (besides the client options, which a producer may override). */
export const PRODUCER_OPTIONS = {
  acks: option<-1 | 0 | 1>(
    "acks",
    -1,
    '"all" (-1): every in-sync replica has the record; 1: the leader has it; 0: no response',
    (v) => {
      if (v === "all" || v === -1 || v === "-1") return -1;
      if (v === 1 || v === "1") return 1;
      if (v === 0 || v === "0") return 0;
      throw invalid(`must be "all", -1, 0 or 1, got ${describe(v)}`);
    },
  ),
  lingerMs: intOption(
    "linger.ms",
    5,
    0,
    INT32_MAX,
    "wait up to this long for more records before sending a batch",
  ),
  // librdkafka's default, not Java's 16384: batches grow as records come (a new one starts at
  // 16 KiB), so the larger cap costs memory only while records pile up, and a request then
  // carries many times more (3.5x the records/s against a broker that fsyncs before it answers).
  batchSize: intOption(
    "batch.size",
    1_000_000,
    1,
    INT32_MAX,
    "largest partition batch in bytes (uncompressed): a batch is sent when it is this full or linger.ms has passed",
  ),
  bufferMemory: intOption(
    "buffer.memory",
    33_554_432,
    1,
    Number.MAX_SAFE_INTEGER,
    "bytes of unsent batches before send() waits (back-pressure)",
  ),
  compression: option<CompressionType>(
    "compression.type",
    CompressionType.None,
    "none, gzip, snappy, lz4 or zstd",
    (v) => {
      if (typeof v === "string" && Object.hasOwn(COMPRESSION_TYPES, v))
        return COMPRESSION_TYPES[v as CompressionName];
      throw invalid(`must be one of ${Object.keys(COMPRESSION_TYPES).join(", ")}, got ${describe(v)}`);
    },
  ),
  compressionGzipLevel: intOption(
    "compression.gzip.level",
    -1,
    -1,
    9,
    "gzip level (1–9; -1 is zlib's default, 6)",
  ),
  compressionZstdLevel: intOption("compression.zstd.level", 3, -131_072, 22, "zstd level"),
  idempotent: boolOption(
    "enable.idempotence",
    true,
    "exactly one copy of each record per partition, in order, across retries (needs acks=all)",
  ),
  maxRequestSize: intOption(
    "max.request.size",
    1_048_576,
    1,
    INT32_MAX,
    "largest produce request, and so the largest record, the producer sends",
  ),
  deliveryTimeoutMs: intOption(
    "delivery.timeout.ms",
    120_000,
    1,
    INT32_MAX,
    "upper bound from send() to success or failure, retries included",
  ),
  retries: intOption(
    "retries",
    INT32_MAX,
    0,
    INT32_MAX,
    "retries of a failed batch (delivery.timeout.ms bounds them too)",
  ),
  maxBlockMs: intOption(
    "max.block.ms",
    60_000,
    0,
    INT32_MAX,
    "how long send() may wait for topic metadata or buffer memory before failing",
  ),
  partitioner: option<Partitioner | null>(
    "partitioner.class",
    null,
    "a function choosing the partition; null: murmur2 of the key, sticky for null keys",
    (v) => {
      if (v === null || typeof v === "function") return v as Partitioner | null;
      throw invalid(`must be a function (typed option only), got ${describe(v)}`);
    },
  ),
  partitionerIgnoreKeys: boolOption(
    "partitioner.ignore.keys",
    false,
    "let the built-in partitioner ignore keys (sticky partitioning for every record)",
  ),
  transactionTimeoutMs: intOption(
    "transaction.timeout.ms",
    60_000,
    1,
    INT32_MAX,
    "sent with InitProducerId (transactions come later)",
  ),
} as const;

/** Admin options (besides the client options). */
export const ADMIN_OPTIONS = {
  defaultApiTimeoutMs: intOption(
    "default.api.timeout.ms",
    60_000,
    1,
    INT32_MAX,
    "time budget of one admin call, retries included, unless the call passes timeoutMs",
  ),
} as const;

/** How a consumer resets a partition that has no committed offset (or an out-of-range one). */
export type AutoOffsetReset = "earliest" | "latest" | "none";
export type IsolationLevel = "read_uncommitted" | "read_committed";
export type GroupProtocol = "classic" | "consumer";

const nullableString = (key: string, doc: string) =>
  option<string | null>(key, null, doc, (v) => {
    if (v === null || v === "") return null;
    if (typeof v !== "string") throw invalid(`must be a string, got ${describe(v)}`);
    return v;
  });

/** Consumer options (besides the client options, which a consumer may override). */
export const CONSUMER_OPTIONS = {
  groupId: nullableString(
    "group.id",
    "the consumer group; needed for subscribe() and for committing offsets (null: no group)",
  ),
  groupInstanceId: nullableString(
    "group.instance.id",
    "a stable name of this member (static membership): a restart within session.timeout.ms causes no rebalance",
  ),
  groupProtocol: enumOption<GroupProtocol>(
    "group.protocol",
    "classic",
    ["classic", "consumer"],
    '"classic" (JoinGroup/SyncGroup, client-side assignors) or "consumer" (KIP-848, broker-side assignment)',
  ),
  groupRemoteAssignor: nullableString(
    "group.remote.assignor",
    'the broker-side assignor with group.protocol=consumer ("uniform", "range"; null: the broker\'s default)',
  ),
  sessionTimeoutMs: intOption(
    "session.timeout.ms",
    45_000,
    1,
    INT32_MAX,
    "a member that sends no heartbeat for this long is removed from the group (classic protocol)",
  ),
  heartbeatIntervalMs: intOption(
    "heartbeat.interval.ms",
    3_000,
    1,
    INT32_MAX,
    "how often the member heartbeats to the group coordinator (classic protocol)",
  ),
  maxPollIntervalMs: intOption(
    "max.poll.interval.ms",
    300_000,
    1,
    INT32_MAX,
    "longest time between polls before the member leaves the group; also the rebalance timeout",
  ),
  maxPollRecords: intOption(
    "max.poll.records",
    500,
    1,
    INT32_MAX,
    "most records one poll() or batch returns",
  ),
  autoOffsetReset: enumOption<AutoOffsetReset>(
    "auto.offset.reset",
    "latest",
    ["earliest", "latest", "none"],
    "where to start without a committed offset: earliest, latest, or none (fail)",
  ),
  enableAutoCommit: boolOption(
    "enable.auto.commit",
    true,
    "commit the offsets of consumed records in the background (needs group.id)",
  ),
  autoCommitIntervalMs: intOption(
    "auto.commit.interval.ms",
    5_000,
    0,
    INT32_MAX,
    "how often consumed offsets are committed with enable.auto.commit",
  ),
  partitionAssignmentStrategy: option<readonly PartitionAssignor[]>(
    "partition.assignment.strategy",
    parseAssignmentStrategy("range,cooperative-sticky"),
    "assignors in order of preference: range, roundrobin, cooperative-sticky (or assignor objects)",
    (v) => {
      try {
        return parseAssignmentStrategy(v);
      } catch (err) {
        throw invalid((err as Error).message);
      }
    },
  ),
  fetchMinBytes: intOption(
    "fetch.min.bytes",
    1,
    0,
    INT32_MAX,
    "the broker answers a fetch once it has this many bytes (or fetch.max.wait.ms passed)",
  ),
  fetchMaxBytes: intOption(
    "fetch.max.bytes",
    52_428_800,
    0,
    INT32_MAX,
    "most bytes one fetch response carries (at least one batch is returned regardless)",
  ),
  fetchMaxWaitMs: intOption(
    "fetch.max.wait.ms",
    500,
    0,
    INT32_MAX,
    "longest time the broker waits for fetch.min.bytes",
  ),
  maxPartitionFetchBytes: intOption(
    "max.partition.fetch.bytes",
    1_048_576,
    0,
    INT32_MAX,
    "most bytes per partition in one fetch response (at least one batch is returned regardless)",
  ),
  isolationLevel: enumOption<IsolationLevel>(
    "isolation.level",
    "read_uncommitted",
    ["read_uncommitted", "read_committed"],
    "read_committed: only records of committed transactions, up to the last stable offset",
  ),
  checkCrcs: boolOption("check.crcs", true, "verify the CRC32C of every fetched record batch"),
  clientRack: stringOption(
    "client.rack",
    "",
    "the rack of this consumer, sent with fetches and subscriptions",
  ),
  excludeInternalTopics: boolOption(
    "exclude.internal.topics",
    true,
    "a regex subscription does not match internal topics (__consumer_offsets …)",
  ),
  allowAutoCreateTopics: boolOption(
    "allow.auto.create.topics",
    true,
    "let subscribing to a topic that does not exist create it (when the broker allows it)",
  ),
  defaultApiTimeoutMs: ADMIN_OPTIONS.defaultApiTimeoutMs,
} as const;

export type ClientConfig = ResolvedOptions<typeof CLIENT_OPTIONS>;
export type ProducerConfig = ClientConfig & ResolvedOptions<typeof PRODUCER_OPTIONS>;
export type AdminConfig = ClientConfig & ResolvedOptions<typeof ADMIN_OPTIONS>;
export type ConsumerConfig = ClientConfig & ResolvedOptions<typeof CONSUMER_OPTIONS>;

/** Where log lines go; any console-like object works. Silent by default. */
export interface Logger {
  debug(message: string, context?: object): void;
  info(message: string, context?: object): void;
  warn(message: string, context?: object): void;
  error(message: string, context?: object): void;
}

/** Client options a producer or admin may override for itself. */
export interface CommonOptions {
  /** client.id (default "weir-client"). */
  clientId?: string;
  /** request.timeout.ms (default 30000). */
  requestTimeoutMs?: number;
  /** socket.connection.setup.timeout.ms (default 10000). */
  connectionTimeoutMs?: number;
  /** reconnect.backoff.ms (default 50). */
  reconnectBackoffMs?: number;
  /** reconnect.backoff.max.ms (default 1000). */
  reconnectBackoffMaxMs?: number;
  /** retry.backoff.ms (default 100). */
  retryBackoffMs?: number;
  /** retry.backoff.max.ms (default 1000). */
  retryBackoffMaxMs?: number;
  /** metadata.max.age.ms (default 300000). */
  metadataMaxAgeMs?: number;
  /** max.in.flight.requests.per.connection (default 5). */
  maxInFlightRequestsPerConnection?: number;
  /** Any option by its Kafka property name; typed options win over these. */
  properties?: Properties;
}

export interface ClientOptions extends CommonOptions {
  /** bootstrap.servers: `["host:port", …]` or `"host:port,host:port"`. */
  bootstrapServers: string | readonly string[];
  logger?: Logger;
}

export interface ProducerOptions extends CommonOptions {
  /** acks (default "all"). */
  acks?: Acks;
  /** linger.ms (default 5). */
  lingerMs?: number;
  /** batch.size in bytes (default 1,000,000, librdkafka's). */
  batchSize?: number;
  /** buffer.memory in bytes (default 32 MiB). */
  bufferMemory?: number;
  /** compression.type (default "none"). */
  compression?: CompressionName;
  /** compression.gzip.level (default -1: zlib's 6). */
  compressionGzipLevel?: number;
  /** compression.zstd.level (default 3). */
  compressionZstdLevel?: number;
  /** enable.idempotence (default true; turned off by acks other than "all" unless set explicitly). */
  idempotent?: boolean;
  /** max.request.size in bytes (default 1 MiB). */
  maxRequestSize?: number;
  /** delivery.timeout.ms (default 120000). */
  deliveryTimeoutMs?: number;
  /** retries (default 2147483647). */
  retries?: number;
  /** max.block.ms (default 60000). */
  maxBlockMs?: number;
  /** A custom partitioner; returning undefined falls back to the built-in one. */
  partitioner?: Partitioner | null;
  /** partitioner.ignore.keys (default false). */
  partitionerIgnoreKeys?: boolean;
  /** transaction.timeout.ms (default 60000). */
  transactionTimeoutMs?: number;
}

export interface AdminOptions extends CommonOptions {
  /** default.api.timeout.ms (default 60000). */
  defaultApiTimeoutMs?: number;
}

export interface ConsumerOptions extends CommonOptions {
  /** group.id (default null: no group; subscribe() and commits need one). */
  groupId?: string | null;
  /** group.instance.id (default null: dynamic membership). */
  groupInstanceId?: string | null;
  /** group.protocol (default "classic"). */
  groupProtocol?: GroupProtocol;
  /** group.remote.assignor (default null: the broker's choice), for groupProtocol "consumer". */
  groupRemoteAssignor?: string | null;
  /** session.timeout.ms (default 45000). */
  sessionTimeoutMs?: number;
  /** heartbeat.interval.ms (default 3000). */
  heartbeatIntervalMs?: number;
  /** max.poll.interval.ms (default 300000). */
  maxPollIntervalMs?: number;
  /** max.poll.records (default 500). */
  maxPollRecords?: number;
  /** auto.offset.reset (default "latest"). */
  autoOffsetReset?: AutoOffsetReset;
  /** enable.auto.commit (default true). */
  enableAutoCommit?: boolean;
  /** auto.commit.interval.ms (default 5000). */
  autoCommitIntervalMs?: number;
  /** partition.assignment.strategy (default ["range", "cooperative-sticky"]). */
  partitionAssignmentStrategy?: string | readonly (AssignorName | PartitionAssignor)[];
  /** fetch.min.bytes (default 1). */
  fetchMinBytes?: number;
  /** fetch.max.bytes (default 50 MiB). */
  fetchMaxBytes?: number;
  /** fetch.max.wait.ms (default 500). */
  fetchMaxWaitMs?: number;
  /** max.partition.fetch.bytes (default 1 MiB). */
  maxPartitionFetchBytes?: number;
  /** isolation.level (default "read_uncommitted"). */
  isolationLevel?: IsolationLevel;
  /** check.crcs (default true). */
  checkCrcs?: boolean;
  /** client.rack (default ""). */
  clientRack?: string;
  /** exclude.internal.topics (default true). */
  excludeInternalTopics?: boolean;
  /** allow.auto.create.topics (default true). */
  allowAutoCreateTopics?: boolean;
  /** default.api.timeout.ms (default 60000): budget of commitSync(), committed(), position() … */
  defaultApiTimeoutMs?: number;
}

/** Every documented option: table name → spec, for README checks and tooling. */
export const ALL_OPTIONS = { ...CLIENT_OPTIONS, ...PRODUCER_OPTIONS, ...ADMIN_OPTIONS, ...CONSUMER_OPTIONS };
