import type { LevelWithSilent, Logger } from "pino";
import { BROKER_HANDLERS } from "../apis/index.js";
import { RequestDispatcher } from "../apis/request-dispatcher.js";
import { loadBrokerConfig } from "../config/broker-config.js";
import { resolveLogConfig } from "../config/effective-config.js";
import type { Endpoint } from "../config/listeners.js";
import { brokerConfigLayers } from "../metadata/config-layers.js";
import { MetadataManager } from "../metadata/metadata-manager.js";
import { BrokerMetrics } from "../metrics/broker-metrics.js";
import type { MetricsHttpServer } from "../metrics/metrics-http-server.js";
import { SocketServer } from "../network/socket-server.js";
import { FetchSessionCache } from "../replication/fetch-session-cache.js";
import { ReplicaManager } from "../replication/replica-manager.js";
import { nodeFileSystem } from "../storage/file-system.js";
import { cleanerConfigFrom } from "../storage/log-cleaner-config.js";
import { toLogConfig } from "../storage/log-config.js";
import { LogManager } from "../storage/log-manager.js";
import { ReadBufferPool } from "../storage/read-buffer-pool.js";
import type { BrokerContext } from "./broker-context.js";
import { startGroupCoordinator } from "./group-coordinator-service.js";
import { createLogger } from "./logger.js";
import { PartitionPublisher } from "./partition-publisher.js";
import { ProducerIdManager } from "./producer-id-manager.js";

export interface StartBrokerOptions {
  /** Where data lives (log.dirs); default ./weir-data. */
  readonly dataDir?: string;
  /** Port of the PLAINTEXT listener; 0 picks a free one. Default 9092. */
  readonly port?: number;
  /** Host to bind and advertise; default localhost. */
  readonly host?: string;
  /** Text of a server.properties file (Kafka property names). */
  readonly properties?: string;
  /** Property overrides, applied last: `{ "num.partitions": "3" }`. */
  readonly config?: Readonly<Record<string, string>>;
  readonly logLevel?: LevelWithSilent;
  readonly logger?: Logger;
}

export interface RunningBroker {
  /** `host:port` for clients' bootstrap servers. */
  readonly bootstrap: string;
  readonly host: string;
  readonly port: number;
  readonly nodeId: number;
  readonly clusterId: string;
  /** The Prometheus scrape URL (`http://host:port/metrics`) when `metrics.listener` is set. */
  readonly metricsUrl: string | undefined;
  /** Flushes every log and closes; safe to call twice. */
  close(): Promise<void>;
}

/**
 * Starts one Weir broker in this process: the same code path as `weir start`. With no options it
 * behaves like `weir start` (node 1, localhost:9092, data under ./weir-data).
 */
export async function startBroker(options: StartBrokerOptions = {}): Promise<RunningBroker> {
  const overrides: Record<string, string> = {};
  if (options.dataDir !== undefined) overrides["log.dirs"] = options.dataDir;
  if (options.port !== undefined || options.host !== undefined) {
    overrides.listeners = `PLAINTEXT://${options.host ?? "localhost"}:${options.port ?? 9092}`;
  }
  Object.assign(overrides, options.config);
  const defaults = { "log.dirs": "./weir-data" };
  const loaded = loadBrokerConfig({
    properties: options.properties,
    overrides: { ...defaults, ...overrides },
  });
  let config = loaded.config;
  const logger = options.logger ?? createLogger(options.logLevel ?? "info");
  for (const warning of loaded.warnings) logger.warn(warning);

  const listener = config.listeners.find((l) => l.securityProtocol === "PLAINTEXT");
  if (listener === undefined)
    throw new Error("listeners must include a PLAINTEXT listener (TLS and SASL come later)");
  let context: BrokerContext | undefined;
  let metricsEndpoint: MetricsHttpServer | undefined;
  let dispatcher: RequestDispatcher | undefined;
  let markReady!: () => void;
  let started = false;
  const ready = new Promise<void>((resolve) => {
    markReady = () => {
      started = true;
      resolve();
    };
  });
  const socketServer = await SocketServer.listen(
    {
      host: listener.host,
      port: listener.port,
      maxFrameBytes: config.get("socket.request.max.bytes"),
      maxInFlightRequests: Math.max(1, config.get("queued.max.requests")),
      idleTimeoutMs: config.get("connections.max.idle.ms"),
      maxConnections: config.get("max.connections"),
    },
    async (frame, connection) => {
      if (!started) await ready;
      return dispatcher!.handleFrame(frame, connection);
    },
    logger,
  );

  // Advertise the port actually bound (it differs when asked for port 0).
  if (listener.port === 0) {
    const advertisedHost = config.advertisedListeners[0]?.host || listener.host || "localhost";
    config = config.with({
      listeners: `PLAINTEXT://${listener.host}:${socketServer.port}`,
      "advertised.listeners": `PLAINTEXT://${advertisedHost}:${socketServer.port}`,
    }).config;
  }
  const advertised: Endpoint = config.advertisedListeners.find((l) => l.name === listener.name) ??
    config.advertisedListeners[0] ?? { ...listener, port: socketServer.port };

  // Closed in reverse order of opening, after the listener stops taking requests.
  const closers: (() => Promise<void>)[] = [];
  const closeAll = async () => {
    for (const close of [() => socketServer.close(), ...closers.splice(0).reverse()]) {
      try {
        await close();
      } catch (err) {
        logger.error({ err }, "error during shutdown");
      }
    }
  };
  try {
    const now = () => Date.now();
    const metadata = await MetadataManager.open({
      config,
      onWarning: (message, cause) => logger.warn({ err: cause }, message),
    });
    closers.push(() => metadata.close());
    const defaultLogConfig = toLogConfig(resolveLogConfig(brokerConfigLayers(metadata.image, config)));
    const logManager = await LogManager.open(
      {
        logDirs: config.logDirs,
        defaultLogConfig,
        retentionCheckIntervalMs: config.get("log.retention.check.interval.ms"),
        // Kafka's default is "never"; a topic's flush.ms must work without a second setting,
        // so the due-check runs at least every second (it is one comparison per log).
        flushSchedulerIntervalMs: Math.min(config.get("log.flush.scheduler.interval.ms"), 1000),
        flushOffsetCheckpointIntervalMs: config.get("log.flush.offset.checkpoint.interval.ms"),
        cleaner: cleanerConfigFrom(config),
      },
      { fs: nodeFileSystem, clock: { now }, logger },
    );
    closers.push(() => logManager.close());
    const replicaManager = new ReplicaManager({
      logManager,
      logger,
      now,
      producerIdExpirationMs: config.get("producer.id.expiration.ms"),
    });
    closers.push(() => replicaManager.close());
    const partitions = new PartitionPublisher(config.nodeId, config, replicaManager, logger);
    metadata.subscribe(partitions);
    await metadata.registerLocalBroker();
    await partitions.settled();
    logManager.startBackgroundTasks();
    const producerExpiry = setInterval(
      () => replicaManager.removeExpiredProducers(),
      config.get("producer.id.expiration.check.interval.ms"),
    );
    producerExpiry.unref();
    closers.push(async () => clearInterval(producerExpiry));

    const metrics = new BrokerMetrics({
      apis: BROKER_HANDLERS,
      listenerName: listener.name,
      connectionCount: () => socketServer.connectionCount,
      sources: () => context,
    });
    metadata.subscribe(metrics, false);

    const partial = {
      nodeId: config.nodeId,
      clusterId: metadata.clusterId,
      config,
      logger,
      now,
      handlers: BROKER_HANDLERS,
      advertised,
      metadata,
      partitions,
      logManager,
      replicaManager,
      fetchSessions: new FetchSessionCache({}),
      readBuffers: new ReadBufferPool(),
      producerIds: new ProducerIdManager(config.nodeId, metadata),
      metrics,
    };
    const groups = await startGroupCoordinator(partial);
    closers.push(() => groups.close());
    context = { ...partial, groups };
    dispatcher = new RequestDispatcher(BROKER_HANDLERS, context, logger);
    const metricsListener = config.get("metrics.listener");
    if (metricsListener !== null && metricsListener.trim() !== "") {
      // Loaded only here: prom-client costs ~4 MB of memory, and most brokers run without it.
      const { startMetricsEndpoint } = await import("../metrics/metrics-http-server.js");
      const endpoint = await startMetricsEndpoint(metricsListener, metrics, logger);
      metricsEndpoint = endpoint;
      closers.push(() => endpoint.close());
    }
    markReady();
  } catch (err) {
    await closeAll();
    throw err;
  }

  const bootstrap = `${advertised.host}:${advertised.port}`;
  logger.info(
    { nodeId: context.nodeId, clusterId: context.clusterId, bootstrap, logDirs: config.logDirs },
    "Weir broker started",
  );
  let closing: Promise<void> | undefined;
  return {
    bootstrap,
    host: advertised.host,
    port: advertised.port,
    nodeId: context.nodeId,
    clusterId: context.clusterId,
    metricsUrl: metricsEndpoint?.url,
    close() {
      closing ??= closeAll().then(() => logger.info("Weir broker stopped"));
      return closing;
    },
  };
}
