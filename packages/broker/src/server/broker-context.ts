import type { Logger } from "pino";
import type { ApiHandler } from "../apis/api-handler.js";
import type { BrokerConfig } from "../config/broker-config.js";
import type { Endpoint } from "../config/listeners.js";
import type { MetadataManager } from "../metadata/metadata-manager.js";
import type { BrokerMetrics } from "../metrics/broker-metrics.js";
import type { FetchSessionCache } from "../replication/fetch-session-cache.js";
import type { ReplicaManager } from "../replication/replica-manager.js";
import type { LogManager } from "../storage/log-manager.js";
import type { ReadBufferPool } from "../storage/read-buffer-pool.js";
import type { GroupCoordinatorService } from "./group-coordinator-service.js";
import type { PartitionPublisher } from "./partition-publisher.js";
import type { ProducerIdManager } from "./producer-id-manager.js";

/** Everything a request handler may use: the broker's parts, wired once at startup. */
export interface BrokerContext {
  readonly nodeId: number;
  readonly clusterId: string;
  readonly config: BrokerConfig;
  readonly logger: Logger;
  readonly now: () => number;
  readonly handlers: readonly ApiHandler[];
  /** The endpoint clients are told to use (the bound port when started on port 0). */
  readonly advertised: Endpoint;
  readonly metadata: MetadataManager;
  readonly partitions: PartitionPublisher;
  readonly logManager: LogManager;
  readonly replicaManager: ReplicaManager;
  readonly fetchSessions: FetchSessionCache;
  readonly groups: GroupCoordinatorService;
  readonly producerIds: ProducerIdManager;
  /** Counters the request path updates (rendered for Prometheus by the metrics endpoint, when set). */
  readonly metrics: BrokerMetrics;
  /** Buffers for fetch reads, returned once each response is written. */
  readonly readBuffers: ReadBufferPool;
}
