import { Admin } from "./admin/admin.js";
import { Cluster } from "./cluster/cluster.js";
import type {
  AdminOptions,
  ClientConfig,
  ClientOptions,
  ConsumerOptions,
  Logger,
  ProducerOptions,
} from "./config/options-table.js";
import {
  type ClientLayer,
  clientLayer,
  resolveAdminConfig,
  resolveClientConfig,
  resolveConsumerConfig,
  resolveProducerConfig,
} from "./config/resolve-config.js";
import { Consumer } from "./consumer/consumer.js";
import { SILENT_LOGGER } from "./logger.js";
import { Producer } from "./producer/producer.js";

/**
 * The entry point: holds the cluster's address and the options shared by the producers, consumers
 * and admin clients it creates. Each has its own connections (one per broker), so closing one
 * does not disturb the others.
 *
 * ```ts
 * const kafka = new Kafka({ bootstrapServers: ["localhost:9092"], clientId: "orders" });
 * const producer = kafka.producer({ compression: "zstd" });
 * await producer.send({ topic: "orders", key: "o-1", value: JSON.stringify(order) });
 * ```
 */
export class Kafka {
  readonly #layer: ClientLayer;
  readonly #logger: Logger;
  readonly #clients = new Map<{ close(): Promise<void> }, Cluster>();

  /** Checks the options at once: a bad option throws ConfigError here. */
  constructor(options: ClientOptions) {
    this.#layer = clientLayer(options);
    this.#logger = options.logger ?? SILENT_LOGGER;
    resolveClientConfig(options);
  }

  /** The resolved client options (Kafka property names in README.md). */
  get config(): Readonly<ClientConfig> {
    return resolveClientConfig({
      ...(this.#layer.typed as ClientOptions),
      properties: this.#layer.properties,
    });
  }

  /** A new producer; its options are checked at once (ConfigError). */
  producer(options: ProducerOptions = {}): Producer {
    const config = resolveProducerConfig(this.#layer, options, this.#logger);
    const cluster = new Cluster(config, { logger: this.#logger, allowAutoTopicCreation: true });
    const producer = new Producer(config, cluster);
    this.#track(producer, cluster);
    return producer;
  }

  /**
   * A new consumer; its options are checked at once (ConfigError).
   *
   * ```ts
   * const consumer = kafka.consumer({ groupId: "billing", autoOffsetReset: "earliest" });
   * consumer.subscribe(["orders"]);
   * for await (const record of consumer) handle(record);
   * ```
   */
  consumer(options: ConsumerOptions = {}): Consumer {
    const config = resolveConsumerConfig(this.#layer, options);
    const cluster = new Cluster(config, {
      logger: this.#logger,
      allowAutoTopicCreation: config.allowAutoCreateTopics,
    });
    const groupCluster = config.groupId === null ? null : new Cluster(config, { logger: this.#logger });
    const consumer = new Consumer(config, cluster, groupCluster);
    this.#track(consumer, cluster);
    return consumer;
  }

  /** A new admin client; its options are checked at once (ConfigError). */
  admin(options: AdminOptions = {}): Admin {
    const config = resolveAdminConfig(this.#layer, options);
    const cluster = new Cluster(config, { logger: this.#logger });
    const admin = new Admin(config, cluster);
    this.#track(admin, cluster);
    return admin;
  }

  /** Closes every producer (gracefully, flushing), consumer and admin client created from this instance. */
  async close(): Promise<void> {
    const clients = [...this.#clients.keys()];
    this.#clients.clear();
    await Promise.all(clients.map((c) => c.close()));
  }

  #track(client: { close(): Promise<void> }, cluster: Cluster): void {
    for (const [c, cl] of this.#clients) if (cl.closed) this.#clients.delete(c);
    this.#clients.set(client, cluster);
  }
}
