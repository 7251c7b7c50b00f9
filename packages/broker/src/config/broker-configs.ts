import { parseMetricsListener } from "../metrics/metrics-listener.js";
import { atLeast, type BrokerConfigDefinition, brokerConfig } from "./broker-config-definition.js";
import { BROKER_LOG_CONFIGS } from "./broker-log-configs.js";
import { type ConfigValuesOf, INT_MAX_STRING } from "./config-definition.js";
import { COMPRESSION_TYPES, GZIP_LEVEL_VALIDATOR } from "./topic-configs.js";

export type { BrokerConfigDefinition } from "./broker-config-definition.js";

/**
 * The broker properties Weir supports, with Kafka's names (KRaft mode): one table, assembled
 * here from this file's sections and the storage section in broker-log-configs.ts. Defaults are
 * Kafka 4.0's except where a single embedded node needs something else; those are marked
 * "Weir default". `dynamic` marks what AlterConfigs may change at runtime on a BROKER resource
 * (cluster-wide with resource name "" or for this node with its id), as in Kafka.
 */

export const PROCESS_ROLES = ["broker", "controller"] as const;

export const BROKER_CONFIGS = {
  // ---- node identity and roles ----
  "node.id": brokerConfig({
    name: "node.id",
    type: "INT",
    default: "1",
    doc: "This node's id in the cluster (Weir default 1; Kafka requires it to be set).",
    validator: atLeast(0),
    dynamic: false,
  }),
  "broker.id": brokerConfig({
    name: "broker.id",
    type: "INT",
    default: null,
    doc: "Legacy name of node.id; if set it must equal node.id.",
    validator: atLeast(0),
    dynamic: false,
  }),
  "process.roles": brokerConfig({
    name: "process.roles",
    type: "LIST",
    default: "broker,controller",
    doc: "Roles this node plays: broker, controller or both (Weir default: both, one self-contained node).",
    validator: { kind: "listOf", values: PROCESS_ROLES, nonEmpty: true },
    dynamic: false,
  }),
  "broker.rack": brokerConfig({
    name: "broker.rack",
    type: "STRING",
    default: null,
    doc: "Rack of this broker, used for rack-aware replica placement and follower fetching.",
    dynamic: false,
  }),
  "controller.quorum.voters": brokerConfig({
    name: "controller.quorum.voters",
    type: "LIST",
    default: "",
    doc: "Static controller quorum as id@host:port entries; empty on a single node.",
    dynamic: false,
  }),
  "controller.quorum.bootstrap.servers": brokerConfig({
    name: "controller.quorum.bootstrap.servers",
    type: "LIST",
    default: "",
    doc: "host:port of controllers used to discover a dynamic quorum; empty on a single node.",
    dynamic: false,
  }),
  "controller.listener.names": brokerConfig({
    name: "controller.listener.names",
    type: "STRING",
    default: null,
    doc: "Listener names used by the controller quorum (unused by a single embedded node).",
    dynamic: false,
  }),
  // ---- listeners and sockets ----
  listeners: brokerConfig({
    name: "listeners",
    type: "LIST",
    default: "PLAINTEXT://localhost:9092",
    doc: "Addresses to listen on as NAME://host:port; an empty host binds every interface (Weir default PLAINTEXT://localhost:9092).",
    dynamic: false,
  }),
  "advertised.listeners": brokerConfig({
    name: "advertised.listeners",
    type: "LIST",
    default: null,
    doc: "Addresses given to clients in metadata, if different from listeners.",
    dynamic: false,
  }),
  "listener.security.protocol.map": brokerConfig({
    name: "listener.security.protocol.map",
    type: "LIST",
    default: "SASL_SSL:SASL_SSL,PLAINTEXT:PLAINTEXT,SSL:SSL,SASL_PLAINTEXT:SASL_PLAINTEXT",
    doc: "Security protocol of each listener name, as NAME:PROTOCOL pairs.",
    dynamic: false,
  }),
  "inter.broker.listener.name": brokerConfig({
    name: "inter.broker.listener.name",
    type: "STRING",
    default: null,
    doc: "Listener brokers use to talk to each other; defaults to the first listener.",
    dynamic: false,
  }),
  "metrics.listener": brokerConfig({
    name: "metrics.listener",
    type: "STRING",
    default: null,
    doc: "Weir-specific: the Prometheus endpoint as http://host:port, serving GET /metrics (port 0 picks a free port); unset (the default), no endpoint.",
    validator: {
      kind: "custom",
      describe: "http://host:port",
      check: (value) => {
        if (typeof value !== "string" || value.trim() === "") return null;
        const parsed = parseMetricsListener(value);
        return typeof parsed === "string" ? parsed : null;
      },
    },
    dynamic: false,
  }),
  "socket.request.max.bytes": brokerConfig({
    name: "socket.request.max.bytes",
    type: "INT",
    default: "104857600",
    doc: "Largest request frame accepted; larger frames close the connection.",
    validator: atLeast(1),
    dynamic: false,
  }),
  "socket.send.buffer.bytes": brokerConfig({
    name: "socket.send.buffer.bytes",
    type: "INT",
    default: "102400",
    doc: "SO_SNDBUF of accepted sockets; -1 uses the OS default.",
    dynamic: false,
  }),
  "socket.receive.buffer.bytes": brokerConfig({
    name: "socket.receive.buffer.bytes",
    type: "INT",
    default: "102400",
    doc: "SO_RCVBUF of accepted sockets; -1 uses the OS default.",
    dynamic: false,
  }),
  "max.connections": brokerConfig({
    name: "max.connections",
    type: "INT",
    default: INT_MAX_STRING,
    doc: "Most client connections the broker accepts at once.",
    validator: atLeast(0),
    dynamic: true,
  }),
  "max.connections.per.ip": brokerConfig({
    name: "max.connections.per.ip",
    type: "INT",
    default: INT_MAX_STRING,
    doc: "Most connections accepted from one IP address.",
    validator: atLeast(0),
    dynamic: true,
  }),
  "connections.max.idle.ms": brokerConfig({
    name: "connections.max.idle.ms",
    type: "LONG",
    default: "600000",
    doc: "Idle time after which a connection is closed.",
    dynamic: false,
  }),
  "queued.max.requests": brokerConfig({
    name: "queued.max.requests",
    type: "INT",
    default: "500",
    doc: "Requests in flight (across connections) before the broker stops reading new ones.",
    validator: atLeast(1),
    dynamic: false,
  }),
  "num.io.threads": brokerConfig({
    name: "num.io.threads",
    type: "INT",
    default: "8",
    doc: "Accepted for compatibility; Weir runs request handlers on the event loop.",
    validator: atLeast(1),
    noEffect: true,
    dynamic: true,
  }),
  "num.network.threads": brokerConfig({
    name: "num.network.threads",
    type: "INT",
    default: "3",
    doc: "Accepted for compatibility; Weir serves sockets from the event loop.",
    validator: atLeast(1),
    noEffect: true,
    dynamic: true,
  }),
  "num.recovery.threads.per.data.dir": brokerConfig({
    name: "num.recovery.threads.per.data.dir",
    type: "INT",
    default: "2",
    doc: "Parallelism of log recovery at startup and flushing at shutdown, per log directory.",
    validator: atLeast(1),
    dynamic: true,
  }),
  "num.replica.fetchers": brokerConfig({
    name: "num.replica.fetchers",
    type: "INT",
    default: "1",
    doc: "Fetcher connections per source broker used to replicate partitions.",
    dynamic: true,
  }),
  "replica.lag.time.max.ms": brokerConfig({
    name: "replica.lag.time.max.ms",
    type: "LONG",
    default: "30000",
    doc: "A follower that has not caught up for this long is removed from the ISR.",
    dynamic: false,
  }),
  "fetch.max.bytes": brokerConfig({
    name: "fetch.max.bytes",
    type: "INT",
    default: "57671680",
    doc: "Most bytes returned by one fetch request.",
    validator: atLeast(1024),
    dynamic: false,
  }),
  // ---- topics ----
  "num.partitions": brokerConfig({
    name: "num.partitions",
    type: "INT",
    default: "1",
    doc: "Partitions of a new topic when the request does not say.",
    validator: atLeast(1),
    dynamic: false,
  }),
  "default.replication.factor": brokerConfig({
    name: "default.replication.factor",
    type: "INT",
    default: "1",
    doc: "Replication factor of a new topic when the request does not say.",
    validator: atLeast(1),
    dynamic: false,
  }),
  "auto.create.topics.enable": brokerConfig({
    name: "auto.create.topics.enable",
    type: "BOOLEAN",
    default: "true",
    doc: "Create a topic when a client asks for metadata of, or produces to, a topic that does not exist.",
    dynamic: false,
  }),
  "delete.topic.enable": brokerConfig({
    name: "delete.topic.enable",
    type: "BOOLEAN",
    default: "true",
    doc: "Allow DeleteTopics; when false, deletion answers TOPIC_DELETION_DISABLED.",
    dynamic: false,
  }),
  "message.max.bytes": brokerConfig({
    name: "message.max.bytes",
    type: "INT",
    default: "1048588",
    doc: "Largest record batch (after compression) accepted; default of max.message.bytes.",
    validator: atLeast(0),
    dynamic: true,
  }),
  "min.insync.replicas": brokerConfig({
    name: "min.insync.replicas",
    type: "INT",
    default: "1",
    doc: "Default in-sync replicas required for an acks=all write.",
    validator: atLeast(1),
    dynamic: true,
  }),
  "unclean.leader.election.enable": brokerConfig({
    name: "unclean.leader.election.enable",
    type: "BOOLEAN",
    default: "false",
    doc: "Default of unclean.leader.election.enable for topics.",
    dynamic: true,
  }),
  "compression.type": brokerConfig({
    name: "compression.type",
    type: "STRING",
    default: "producer",
    doc: "Default compression of stored batches; 'producer' keeps the producer's codec.",
    validator: { kind: "oneOf", values: COMPRESSION_TYPES },
    dynamic: true,
  }),
  "compression.gzip.level": brokerConfig({
    name: "compression.gzip.level",
    type: "INT",
    default: "-1",
    doc: "Default gzip level for topics.",
    validator: GZIP_LEVEL_VALIDATOR,
    dynamic: true,
  }),
  "compression.lz4.level": brokerConfig({
    name: "compression.lz4.level",
    type: "INT",
    default: "9",
    doc: "Default lz4 level for topics.",
    validator: { kind: "between", min: 1, max: 17 },
    dynamic: true,
  }),
  "compression.zstd.level": brokerConfig({
    name: "compression.zstd.level",
    type: "INT",
    default: "3",
    doc: "Default zstd level for topics.",
    validator: { kind: "between", min: -131072, max: 22 },
    dynamic: true,
  }),
  ...BROKER_LOG_CONFIGS,
  // ---- group coordinator ----
  "offsets.topic.num.partitions": brokerConfig({
    name: "offsets.topic.num.partitions",
    type: "INT",
    default: "50",
    doc: "Partitions of __consumer_offsets (fixed once the topic exists).",
    validator: atLeast(1),
    dynamic: false,
  }),
  "offsets.topic.replication.factor": brokerConfig({
    name: "offsets.topic.replication.factor",
    type: "SHORT",
    default: "1",
    doc: "Replication factor of __consumer_offsets (Weir default 1; Kafka 3).",
    validator: atLeast(1),
    dynamic: false,
  }),
  "offsets.topic.segment.bytes": brokerConfig({
    name: "offsets.topic.segment.bytes",
    type: "INT",
    default: "104857600",
    doc: "segment.bytes of __consumer_offsets.",
    validator: atLeast(1),
    dynamic: false,
  }),
  "offsets.retention.minutes": brokerConfig({
    name: "offsets.retention.minutes",
    type: "INT",
    default: "10080",
    doc: "How long committed offsets of an empty group are kept.",
    validator: atLeast(1),
    dynamic: false,
  }),
  "offsets.retention.check.interval.ms": brokerConfig({
    name: "offsets.retention.check.interval.ms",
    type: "LONG",
    default: "600000",
    doc: "How often expired offsets are removed.",
    validator: atLeast(1),
    dynamic: false,
  }),
  "offset.metadata.max.bytes": brokerConfig({
    name: "offset.metadata.max.bytes",
    type: "INT",
    default: "4096",
    doc: "The largest metadata string a client may attach to an offset commit.",
    validator: atLeast(0),
    dynamic: false,
  }),
  "offsets.commit.timeout.ms": brokerConfig({
    name: "offsets.commit.timeout.ms",
    type: "INT",
    default: "5000",
    doc: "How long an offset commit waits for the offsets topic write.",
    validator: atLeast(1),
    dynamic: false,
  }),
  "group.initial.rebalance.delay.ms": brokerConfig({
    name: "group.initial.rebalance.delay.ms",
    type: "INT",
    default: "3000",
    doc: "How long a new classic group waits for more members before its first rebalance.",
    dynamic: false,
  }),
  "group.min.session.timeout.ms": brokerConfig({
    name: "group.min.session.timeout.ms",
    type: "INT",
    default: "6000",
    doc: "Smallest session timeout a group member may ask for.",
    dynamic: false,
  }),
  "group.max.session.timeout.ms": brokerConfig({
    name: "group.max.session.timeout.ms",
    type: "INT",
    default: "1800000",
    doc: "Largest session timeout a group member may ask for.",
    dynamic: false,
  }),
  "group.max.size": brokerConfig({
    name: "group.max.size",
    type: "INT",
    default: INT_MAX_STRING,
    doc: "Most members one consumer group may have.",
    validator: atLeast(1),
    dynamic: false,
  }),
  "group.consumer.session.timeout.ms": brokerConfig({
    name: "group.consumer.session.timeout.ms",
    type: "INT",
    default: "45000",
    doc: "Session timeout of members of consumer groups (KIP-848 protocol).",
    validator: atLeast(1),
    dynamic: false,
  }),
  "group.consumer.heartbeat.interval.ms": brokerConfig({
    name: "group.consumer.heartbeat.interval.ms",
    type: "INT",
    default: "5000",
    doc: "Heartbeat interval given to members of consumer groups (KIP-848 protocol).",
    validator: atLeast(1),
    dynamic: false,
  }),
  "group.consumer.max.size": brokerConfig({
    name: "group.consumer.max.size",
    type: "INT",
    default: INT_MAX_STRING,
    doc: "Most members one consumer group (KIP-848 protocol) may have.",
    validator: atLeast(1),
    dynamic: false,
  }),
  "group.consumer.assignors": brokerConfig({
    name: "group.consumer.assignors",
    type: "LIST",
    default: "uniform,range",
    doc: "Server-side assignors of consumer groups, the first being the default.",
    dynamic: false,
  }),
  // ---- transactions and producer ids ----
  "transactional.id.expiration.ms": brokerConfig({
    name: "transactional.id.expiration.ms",
    type: "INT",
    default: "604800000",
    doc: "Idle time after which a transactional id is forgotten.",
    validator: atLeast(1),
    dynamic: true,
  }),
  "transaction.max.timeout.ms": brokerConfig({
    name: "transaction.max.timeout.ms",
    type: "INT",
    default: "900000",
    doc: "Largest transaction timeout a producer may ask for.",
    validator: atLeast(1),
    dynamic: false,
  }),
  "transaction.state.log.num.partitions": brokerConfig({
    name: "transaction.state.log.num.partitions",
    type: "INT",
    default: "50",
    doc: "Partitions of __transaction_state (fixed once the topic exists).",
    validator: atLeast(1),
    dynamic: false,
  }),
  "transaction.state.log.replication.factor": brokerConfig({
    name: "transaction.state.log.replication.factor",
    type: "SHORT",
    default: "1",
    doc: "Replication factor of __transaction_state (Weir default 1; Kafka 3).",
    validator: atLeast(1),
    dynamic: false,
  }),
  "transaction.state.log.min.isr": brokerConfig({
    name: "transaction.state.log.min.isr",
    type: "INT",
    default: "1",
    doc: "min.insync.replicas of __transaction_state (Weir default 1; Kafka 2).",
    validator: atLeast(1),
    dynamic: false,
  }),
  "transaction.state.log.segment.bytes": brokerConfig({
    name: "transaction.state.log.segment.bytes",
    type: "INT",
    default: "104857600",
    doc: "segment.bytes of __transaction_state.",
    validator: atLeast(1),
    dynamic: false,
  }),
  "transaction.abort.timed.out.transaction.cleanup.interval.ms": brokerConfig({
    name: "transaction.abort.timed.out.transaction.cleanup.interval.ms",
    type: "INT",
    default: "10000",
    doc: "How often transactions past their timeout are aborted.",
    validator: atLeast(1),
    dynamic: false,
  }),
  "transaction.remove.expired.transaction.cleanup.interval.ms": brokerConfig({
    name: "transaction.remove.expired.transaction.cleanup.interval.ms",
    type: "INT",
    default: "3600000",
    doc: "How often expired transactional ids are removed.",
    validator: atLeast(1),
    dynamic: false,
  }),
  "producer.id.expiration.ms": brokerConfig({
    name: "producer.id.expiration.ms",
    type: "INT",
    default: "86400000",
    doc: "Idle time after which an idempotent producer's state is forgotten by a partition.",
    validator: atLeast(1),
    dynamic: true,
  }),
  "producer.id.expiration.check.interval.ms": brokerConfig({
    name: "producer.id.expiration.check.interval.ms",
    type: "INT",
    default: "600000",
    doc: "How often expired producer ids are removed.",
    validator: atLeast(1),
    dynamic: false,
  }),
} as const;

export type BrokerConfigName = keyof typeof BROKER_CONFIGS;

/** The typed values of every broker config; nullable where Kafka has no default. */
export type BrokerConfigValues = ConfigValuesOf<typeof BROKER_CONFIGS>;

const BROKER_CONFIG_MAP: ReadonlyMap<string, BrokerConfigDefinition> = new Map(
  Object.entries(BROKER_CONFIGS),
);

export function brokerConfigDefinition(name: string): BrokerConfigDefinition | undefined {
  return BROKER_CONFIG_MAP.get(name);
}

export function isBrokerConfigName(name: string): name is BrokerConfigName {
  return BROKER_CONFIG_MAP.has(name);
}

/** Names of all broker configs, sorted. */
export const BROKER_CONFIG_NAMES: readonly BrokerConfigName[] = Object.freeze(
  (Object.keys(BROKER_CONFIGS) as BrokerConfigName[]).sort(),
);
