import { Counter, Gauge, Registry } from "prom-client";
import type { Partition } from "../replication/partition.js";
import type { BrokerMetrics, BrokerMetricsOptions, BrokerMetricsSources } from "./broker-metrics.js";
import type { BrokerTopicMetrics, TopicStats } from "./broker-topic-metrics.js";
import { HistogramFamily } from "./latency-histogram.js";
import type { RequestMetrics } from "./request-metrics.js";

const CLASSIC_GROUP_STATES = [
  "PreparingRebalance",
  "CompletingRebalance",
  "Stable",
  "Dead",
  "Empty",
] as const;

/**
 * A prom-client Registry of the broker's own (never the global one, so brokers in one process do
 * not mix) that renders its metrics with Kafka's metric names, in the form the Prometheus JMX
 * exporter gives Kafka's MBeans: `kafka.server:type=BrokerTopicMetrics,name=MessagesInPerSec,topic=t`
 * becomes `kafka_server_brokertopicmetrics_messagesin_total{topic="t"}`. Everything is computed
 * when scraped. Built only when the metrics endpoint starts, so a broker without one never loads
 * prom-client (about 4 MB of memory).
 */
export function brokerMetricsRegistry(metrics: BrokerMetrics): Registry {
  const registry = new Registry();
  registerTopicMetrics(registry, metrics.topics);
  registerRequestMetrics(registry, metrics.requests, metrics.options);
  registerReplicaMetrics(registry, metrics.options.sources);
  return registry;
}

/** kafka.server:type=BrokerTopicMetrics — per topic, and without a topic label for all topics. */
function registerTopicMetrics(registry: Registry, topics: BrokerTopicMetrics): void {
  const meter = (name: string, help: string, read: (stats: TopicStats) => number) =>
    new Counter({
      name: `kafka_server_brokertopicmetrics_${name}_total`,
      help,
      labelNames: ["topic"],
      registers: [registry],
      collect() {
        this.reset();
        this.inc(read(topics.allTopics));
        for (const [topic, stats] of topics.topics()) this.inc({ topic }, read(stats));
      },
    });
  meter("messagesin", "Records appended by produce (MessagesInPerSec).", (s) => s.messagesIn);
  meter("bytesin", "Record batch bytes appended by produce (BytesInPerSec).", (s) => s.bytesIn);
  meter("bytesout", "Record batch bytes returned by fetch (BytesOutPerSec).", (s) => s.bytesOut);
  meter(
    "totalproducerequests",
    "Partitions named in produce requests (TotalProduceRequestsPerSec).",
    (s) => s.totalProduceRequests,
  );
  meter(
    "failedproducerequests",
    "Partitions of produce requests answered with an error (FailedProduceRequestsPerSec).",
    (s) => s.failedProduceRequests,
  );
  meter(
    "totalfetchrequests",
    "Partitions read by fetch requests (TotalFetchRequestsPerSec).",
    (s) => s.totalFetchRequests,
  );
  meter(
    "failedfetchrequests",
    "Partitions of fetch requests answered with an error (FailedFetchRequestsPerSec).",
    (s) => s.failedFetchRequests,
  );
}

/** kafka.network:type=RequestMetrics and kafka.server:type=socket-server-metrics. */
function registerRequestMetrics(
  registry: Registry,
  requests: RequestMetrics,
  options: BrokerMetricsOptions,
): void {
  new Counter({
    name: "kafka_network_requestmetrics_requests_total",
    help: "Requests handled, by request name and version (RequestsPerSec).",
    labelNames: ["request", "version"],
    registers: [registry],
    collect() {
      this.reset();
      for (const api of requests.apis()) {
        api.requests.forEach((count, version) => {
          if (count > 0) this.inc({ request: api.name, version: String(version) }, count);
        });
      }
    },
  });
  new HistogramFamily(
    "kafka_network_requestmetrics_totaltimems",
    "Milliseconds from a request reaching the broker's dispatcher until its response was encoded, by request (TotalTimeMs).",
    "request",
    function* () {
      for (const api of requests.apis()) yield [api.name, api.totalTimeMs] as const;
    },
  ).registerIn(registry);

  const listener = { listener: options.listenerName };
  new Gauge({
    name: "kafka_server_socketservermetrics_connection_count",
    help: "Open client connections (connection-count).",
    labelNames: ["listener"],
    registers: [registry],
    collect() {
      this.set(listener, options.connectionCount());
    },
  });
  const bytes = (name: string, help: string, read: () => number) =>
    new Counter({
      name: `kafka_server_socketservermetrics_${name}_total`,
      help,
      labelNames: ["listener"],
      registers: [registry],
      collect() {
        this.reset();
        this.inc(listener, read());
      },
    });
  bytes("incoming_byte", "Request bytes received, size prefixes included (incoming-byte-total).", () => {
    return requests.incomingBytes;
  });
  bytes("outgoing_byte", "Response bytes sent, size prefixes included (outgoing-byte-total).", () => {
    return requests.outgoingBytes;
  });
}

/** ReplicaManager, Log, purgatory, fetch session cache and group coordinator gauges. */
function registerReplicaMetrics(registry: Registry, sources: () => BrokerMetricsSources | undefined): void {
  const registers = [registry];
  const gauge = (name: string, help: string, read: (s: BrokerMetricsSources) => number) =>
    new Gauge({
      name,
      help,
      registers,
      collect() {
        const s = sources();
        if (s !== undefined) this.set(read(s));
      },
    });
  const partitionCount = (s: BrokerMetricsSources) => {
    let n = 0;
    for (const _ of s.replicaManager.partitions) n++;
    return n;
  };
  gauge("kafka_server_replicamanager_partitioncount", "Partitions on this broker.", partitionCount);
  // Every partition hosted here is led here until replication adds followers.
  gauge("kafka_server_replicamanager_leadercount", "Partitions this broker leads.", partitionCount);
  // With one replica per partition the ISR is always complete.
  gauge(
    "kafka_server_replicamanager_underreplicatedpartitions",
    "Led partitions whose ISR is smaller than their replica set.",
    () => 0,
  );

  const perPartition = (name: string, help: string, read: (p: Partition) => number) =>
    new Gauge({
      name: `kafka_log_log_${name}`,
      help,
      labelNames: ["topic", "partition"],
      registers,
      collect() {
        this.reset();
        const s = sources();
        if (s === undefined) return;
        for (const p of s.replicaManager.partitions) {
          this.set({ topic: p.topic, partition: String(p.partition) }, read(p));
        }
      },
    });
  perPartition("size", "Bytes in the partition's log segments.", (p) => p.log.size);
  perPartition("logendoffset", "Offset after the last record of the log.", (p) => p.log.logEndOffset);
  perPartition("logstartoffset", "First offset of the log.", (p) => p.log.logStartOffset);
  perPartition("numlogsegments", "Segments in the log.", (p) => p.log.segments);

  new Gauge({
    name: "kafka_server_delayedoperationpurgatory_purgatorysize",
    help: "Requests waiting in a purgatory (delayed fetches waiting for data).",
    labelNames: ["delayedOperation"],
    registers,
    collect() {
      const s = sources();
      if (s !== undefined) this.set({ delayedOperation: "Fetch" }, s.replicaManager.purgatory.size);
    },
  });

  gauge(
    "kafka_server_fetchsessioncache_numincrementalfetchsessions",
    "Incremental fetch sessions in the cache.",
    (s) => s.fetchSessions.size,
  );
  gauge(
    "kafka_server_fetchsessioncache_numincrementalfetchpartitionscached",
    "Partitions held by all incremental fetch sessions.",
    (s) => s.fetchSessions.totalPartitions,
  );
  new Counter({
    name: "kafka_server_fetchsessioncache_incrementalfetchsessionevictions_total",
    help: "Incremental fetch sessions evicted to make room for new ones.",
    registers,
    collect() {
      const s = sources();
      this.reset();
      if (s !== undefined) this.inc(s.fetchSessions.evictions);
    },
  });

  const groupsIn = (s: BrokerMetricsSources, state?: string) => {
    const listed = s.groups.listGroups(
      { clientId: "weir-metrics", clientHost: "", apiVersion: 5 },
      { statesFilter: state === undefined ? [] : [state] },
    );
    return listed.groups.length;
  };
  const groupMetric = "kafka_coordinator_group_groupmetadatamanager_numgroups";
  gauge(groupMetric, "Consumer groups coordinated by this broker.", (s) => groupsIn(s));
  for (const state of CLASSIC_GROUP_STATES) {
    gauge(`${groupMetric}${state.toLowerCase()}`, `Consumer groups in state ${state}.`, (s) =>
      groupsIn(s, state),
    );
  }
}
