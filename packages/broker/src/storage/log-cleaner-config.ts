/**
 * The broker-wide settings of the log cleaner (Kafka's CleanerConfig), read from the `log.cleaner.*`
 * broker configs of the config table (config/broker-log-configs.ts), which hold their names,
 * defaults and validation. The per-topic settings (cleanup.policy, delete.retention.ms,
 * min/max.compaction.lag.ms, min.cleanable.dirty.ratio) are in LogConfig.
 */
import type { BrokerConfigName, BrokerConfigValues } from "../config/broker-configs.js";
import { brokerConfigDefinition } from "../config/broker-configs.js";
import { parseConfigValue } from "../config/config-definition.js";

export interface CleanerConfig {
  /** log.cleaner.enable: run the cleaner at all. */
  readonly enable: boolean;
  /** log.cleaner.threads: logs cleaned at the same time (0: none). */
  readonly threads: number;
  /** log.cleaner.dedupe.buffer.size: memory for the key → offset maps, across the threads. */
  readonly dedupeBufferSize: number;
  /** log.cleaner.io.buffer.load.factor: how full a dedupe map may get. */
  readonly dedupeBufferLoadFactor: number;
  /** log.cleaner.io.buffer.size: read and write buffers across the threads (also the slice size). */
  readonly ioBufferSize: number;
  /** log.cleaner.io.max.bytes.per.second: throttle of reads plus writes, per thread. */
  readonly maxIoBytesPerSecond: number;
  /** log.cleaner.backoff.ms: sleep when no log needs cleaning. */
  readonly backoffMs: number;
  /** producer.id.expiration.ms: the last batch of a producer idle longer than this is not kept. */
  readonly producerIdExpirationMs: number;
}

type CleanerConfigName =
  | "log.cleaner.enable"
  | "log.cleaner.threads"
  | "log.cleaner.dedupe.buffer.size"
  | "log.cleaner.io.buffer.load.factor"
  | "log.cleaner.io.buffer.size"
  | "log.cleaner.io.max.bytes.per.second"
  | "log.cleaner.backoff.ms"
  | "producer.id.expiration.ms";

/** Where the values come from: a BrokerConfig, or the table's defaults. */
export interface CleanerConfigSource {
  get<K extends CleanerConfigName>(name: K): BrokerConfigValues[K];
}

/** The cleaner's settings from the broker config (`BrokerConfig` fits). */
export function cleanerConfigFrom(source: CleanerConfigSource): CleanerConfig {
  return Object.freeze({
    enable: source.get("log.cleaner.enable"),
    threads: source.get("log.cleaner.threads"),
    dedupeBufferSize: source.get("log.cleaner.dedupe.buffer.size"),
    dedupeBufferLoadFactor: source.get("log.cleaner.io.buffer.load.factor"),
    ioBufferSize: source.get("log.cleaner.io.buffer.size"),
    maxIoBytesPerSecond: source.get("log.cleaner.io.max.bytes.per.second"),
    backoffMs: source.get("log.cleaner.backoff.ms"),
    producerIdExpirationMs: source.get("producer.id.expiration.ms"),
  });
}

/** The config table's defaults. */
export const DEFAULT_CLEANER_CONFIG: CleanerConfig = cleanerConfigFrom({
  get<K extends BrokerConfigName>(name: K): BrokerConfigValues[K] {
    const def = brokerConfigDefinition(name)!;
    const parsed = parseConfigValue(def, def.default ?? "");
    if (!parsed.ok) throw new Error(`the default of ${name} does not parse: ${parsed.message}`);
    return parsed.value as BrokerConfigValues[K];
  },
});
