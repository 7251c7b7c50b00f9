import { ConfigError } from "../errors.js";
import { type Properties, resolveOptions } from "./option.js";
import {
  ADMIN_OPTIONS,
  type AdminConfig,
  type AdminOptions,
  CLIENT_OPTIONS,
  type ClientConfig,
  type ClientOptions,
  CONSUMER_OPTIONS,
  type ConsumerConfig,
  type ConsumerOptions,
  type Logger,
  PRODUCER_OPTIONS,
  type ProducerConfig,
  type ProducerOptions,
} from "./options-table.js";

/** The options a Kafka instance was created with, split into typed options and properties. */
export interface ClientLayer {
  typed: object;
  properties?: Properties;
}

function layer(options: object & { properties?: Properties }): ClientLayer {
  const { properties, ...typed } = options as { properties?: Properties; logger?: unknown };
  delete (typed as { logger?: unknown }).logger;
  return { typed, properties };
}

export function clientLayer(options: ClientOptions): ClientLayer {
  return layer(options);
}

export function resolveClientConfig(options: ClientOptions): ClientConfig {
  return resolveOptions(CLIENT_OPTIONS, [layer(options)], "client");
}

/**
 * Producer options on top of the client's. Kafka's rules for idempotence apply: it is on by
 * default, silently off when acks is not "all" and idempotence was not asked for, and asking for it
 * with acks other than "all", more than 5 requests in flight or retries=0 is an error. Likewise
 * delivery.timeout.ms must cover linger.ms + request.timeout.ms: set lower, it is an error; left at
 * its default, it is raised to that sum (with a warning).
 */
export function resolveProducerConfig(
  client: ClientLayer,
  options: ProducerOptions = {},
  logger?: Logger,
): ProducerConfig {
  const own = layer(options);
  const table = { ...CLIENT_OPTIONS, ...PRODUCER_OPTIONS };
  const config = resolveOptions(table, [client, own], "producer");
  const explicit =
    (own.typed as ProducerOptions).idempotent !== undefined ||
    own.properties?.["enable.idempotence"] !== undefined;
  if (config.idempotent) {
    const conflicts: string[] = [];
    if (config.acks !== -1) conflicts.push(`acks must be "all" (got ${config.acks})`);
    if (config.maxInFlightRequestsPerConnection > 5) {
      conflicts.push(
        `max.in.flight.requests.per.connection must be at most 5 (got ${config.maxInFlightRequestsPerConnection})`,
      );
    }
    if (config.retries === 0) conflicts.push("retries must be greater than 0");
    if (conflicts.length > 0) {
      if (explicit) throw new ConfigError(`producer: enable.idempotence is true, so ${conflicts.join("; ")}`);
      config.idempotent = false;
    }
  }
  const lingerAndRequestMs = Math.min(config.lingerMs + config.requestTimeoutMs, 2147483647);
  if (config.deliveryTimeoutMs < lingerAndRequestMs) {
    if ([client, own].some((l) => setIn(l, "deliveryTimeoutMs", "delivery.timeout.ms"))) {
      throw new ConfigError(
        `producer: deliveryTimeoutMs (delivery.timeout.ms) ${config.deliveryTimeoutMs} must be at least linger.ms + request.timeout.ms (${lingerAndRequestMs})`,
      );
    }
    logger?.warn("delivery.timeout.ms raised to linger.ms + request.timeout.ms", {
      from: config.deliveryTimeoutMs,
      to: lingerAndRequestMs,
    });
    config.deliveryTimeoutMs = lingerAndRequestMs;
  }
  if (config.maxRequestSize > config.bufferMemory) {
    // Kafka allows it, but a record that fits the request and not the buffer can never be sent.
    config.maxRequestSize = config.bufferMemory;
  }
  return config;
}

/** Whether a layer sets an option, by its typed name or its Kafka property name. */
function setIn(layer: ClientLayer, name: string, key: string): boolean {
  return (
    (layer.typed as Record<string, unknown>)[name] !== undefined || layer.properties?.[key] !== undefined
  );
}

export function resolveAdminConfig(client: ClientLayer, options: AdminOptions = {}): AdminConfig {
  return resolveOptions({ ...CLIENT_OPTIONS, ...ADMIN_OPTIONS }, [client, layer(options)], "admin");
}

/**
 * Consumer options on top of the client's, with Kafka's rules: without a group.id there is no
 * auto commit (asking for it is an error), and heartbeats must come more often than the session
 * timeout.
 */
export function resolveConsumerConfig(client: ClientLayer, options: ConsumerOptions = {}): ConsumerConfig {
  const own = layer(options);
  const config = resolveOptions({ ...CLIENT_OPTIONS, ...CONSUMER_OPTIONS }, [client, own], "consumer");
  if (config.groupId === null) {
    const explicit =
      (own.typed as ConsumerOptions).enableAutoCommit === true ||
      String(own.properties?.["enable.auto.commit"]) === "true";
    if (explicit) throw new ConfigError("consumer: enable.auto.commit needs a group.id");
    config.enableAutoCommit = false;
    if (config.groupInstanceId !== null)
      throw new ConfigError("consumer: group.instance.id needs a group.id");
  }
  if (config.heartbeatIntervalMs >= config.sessionTimeoutMs) {
    throw new ConfigError(
      `consumer: heartbeat.interval.ms (${config.heartbeatIntervalMs}) must be lower than session.timeout.ms (${config.sessionTimeoutMs})`,
    );
  }
  return config;
}
