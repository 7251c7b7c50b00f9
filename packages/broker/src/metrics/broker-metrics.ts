import type { MetadataChanges } from "../metadata/metadata-delta.js";
import type { MetadataImage } from "../metadata/metadata-image.js";
import type { MetadataPublisher } from "../metadata/metadata-publisher.js";
import type { FetchSessionCache } from "../replication/fetch-session-cache.js";
import type { Partition } from "../replication/partition.js";
import type { GroupCoordinatorService } from "../server/group-coordinator-service.js";
import { BrokerTopicMetrics } from "./broker-topic-metrics.js";
import { RequestMetrics } from "./request-metrics.js";

/** The broker parts whose state the gauges read when scraped. */
export interface BrokerMetricsSources {
  readonly replicaManager: {
    readonly partitions: Iterable<Partition>;
    readonly purgatory: { readonly size: number };
  };
  readonly fetchSessions: Pick<FetchSessionCache, "size" | "totalPartitions" | "evictions">;
  readonly groups: Pick<GroupCoordinatorService, "listGroups">;
}

export interface BrokerMetricsOptions {
  /** The APIs the broker serves (their request counters and latency histograms are made up front). */
  readonly apis: Iterable<{ readonly apiKey: number; readonly maxVersion: number }>;
  /** Name of the client listener, for the socket server metrics' `listener` label. */
  readonly listenerName: string;
  readonly connectionCount: () => number;
  /** The broker's parts, once started (undefined before: their gauges are then left out). */
  readonly sources: () => BrokerMetricsSources | undefined;
}

/**
 * One broker's metrics: the counters request handling updates (plain numbers, see
 * {@link RequestMetrics} and {@link BrokerTopicMetrics}), and what the gauges read when scraped.
 * Nothing here runs per request, and nothing here needs prom-client: the Prometheus registry that
 * renders these with Kafka's names is built only when `metrics.listener` is set
 * (see brokerMetricsRegistry).
 *
 * It is a metadata publisher too: a deleted topic's series are dropped, as Kafka does.
 */
export class BrokerMetrics implements MetadataPublisher {
  readonly name = "metrics";
  readonly requests: RequestMetrics;
  readonly topics = new BrokerTopicMetrics();

  constructor(readonly options: BrokerMetricsOptions) {
    this.requests = new RequestMetrics(options.apis);
  }

  onImage(_image: MetadataImage, changes: MetadataChanges): void {
    for (const topic of changes.deletedTopics) this.topics.forget(topic.name);
  }
}
