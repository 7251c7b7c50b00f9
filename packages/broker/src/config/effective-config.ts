import { assertNever } from "../errors.js";
import {
  BROKER_CONFIG_NAMES,
  type BrokerConfigDefinition,
  brokerConfigDefinition,
} from "./broker-configs.js";
import {
  CONFIG_SOURCE_IDS,
  CONFIG_TYPE_IDS,
  type ConfigDefinition,
  type ConfigSource,
  type ConfigType,
  isSensitiveType,
  parseConfigValue,
} from "./config-definition.js";
import {
  type ConfigSynonym,
  type SynonymConverter,
  TOPIC_CONFIG_NAMES,
  type TopicConfigDefinition,
  type TopicConfigName,
  type TopicConfigValues,
  topicConfigDefinition,
} from "./topic-configs.js";

/**
 * Where config values come from, highest priority first, as Kafka resolves them: a topic's own
 * override, then (through the topic config's broker synonyms) this broker's dynamic config, the
 * cluster-wide dynamic default, server.properties, and finally the built-in default.
 */
export interface ConfigLayers {
  /** The topic's overrides (ConfigRecords on the topic resource). */
  readonly topicOverrides?: ReadonlyMap<string, string>;
  /** Dynamic config of this broker (ConfigRecords on BROKER resource "<node.id>"). */
  readonly dynamicBrokerConfigs?: ReadonlyMap<string, string>;
  /** Cluster-wide dynamic default (ConfigRecords on BROKER resource ""). */
  readonly dynamicDefaultBrokerConfigs?: ReadonlyMap<string, string>;
  /** server.properties and --set: `BrokerConfig.originals`. */
  readonly staticBrokerConfigs?: ReadonlyMap<string, string>;
}

export interface ConfigSynonymEntry {
  readonly name: string;
  readonly value: string | null;
  readonly source: ConfigSource;
  readonly sourceId: number;
}

/** One row of DescribeConfigs (and of CreateTopics' per-topic config list). */
export interface EffectiveConfigEntry {
  readonly name: string;
  /** The value; null when unset or when the config is sensitive (never sent to clients). */
  readonly value: string | null;
  readonly source: ConfigSource;
  readonly sourceId: number;
  readonly isSensitive: boolean;
  readonly readOnly: boolean;
  readonly type: ConfigType;
  readonly typeId: number;
  readonly documentation: string;
  /** Every layer that has a value, highest priority first (DescribeConfigs include_synonyms). */
  readonly synonyms: readonly ConfigSynonymEntry[];
}

const EMPTY: ReadonlyMap<string, string> = new Map();

function convert(value: string, converter: SynonymConverter | undefined): string | null {
  if (converter === undefined) return value;
  const trimmed = value.trim();
  if (!/^[+-]?\d+$/.test(trimmed)) return null;
  switch (converter) {
    case "hoursToMs":
      return (BigInt(trimmed) * 3_600_000n).toString();
    case "minutesToMs":
      return (BigInt(trimmed) * 60_000n).toString();
    default:
      return assertNever(converter, "synonym converter");
  }
}

/** A layer's value if it parses against its own definition; invalid stored values are skipped. */
function validValue(def: ConfigDefinition | undefined, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (def !== undefined && !parseConfigValue(def, value).ok) return undefined;
  return value;
}

const BROKER_LAYERS = [
  ["dynamicBrokerConfigs", "DYNAMIC_BROKER_CONFIG"],
  ["dynamicDefaultBrokerConfigs", "DYNAMIC_DEFAULT_BROKER_CONFIG"],
  ["staticBrokerConfigs", "STATIC_BROKER_CONFIG"],
] as const satisfies readonly (readonly [keyof ConfigLayers, ConfigSource])[];

function synonym(name: string, value: string | null, source: ConfigSource): ConfigSynonymEntry {
  return { name, value, source, sourceId: CONFIG_SOURCE_IDS[source] };
}

interface Resolved {
  readonly value: string | null;
  readonly source: ConfigSource;
  readonly synonyms: ConfigSynonymEntry[];
}

function resolveTopic(def: TopicConfigDefinition, layers: ConfigLayers): Resolved {
  const synonyms: ConfigSynonymEntry[] = [];
  let chosen: { value: string; source: ConfigSource } | undefined;
  const override = validValue(def, (layers.topicOverrides ?? EMPTY).get(def.name));
  if (override !== undefined) {
    chosen = { value: override, source: "DYNAMIC_TOPIC_CONFIG" };
    synonyms.push(synonym(def.name, override, "DYNAMIC_TOPIC_CONFIG"));
  }
  // Kafka's order: every synonym in the dynamic broker layer, then every synonym in the dynamic
  // default layer, then in the static layer.
  for (const [layer, source] of BROKER_LAYERS) {
    const map = layers[layer] ?? EMPTY;
    for (const syn of def.synonyms) {
      const raw = validValue(brokerConfigDefinition(syn.name), map.get(syn.name));
      if (raw === undefined) continue;
      synonyms.push(synonym(syn.name, raw, source));
      if (chosen === undefined) {
        const converted = convert(raw, syn.converter);
        if (converted !== null) chosen = { value: converted, source };
      }
    }
  }
  for (const syn of def.synonyms) {
    const brokerDefault = brokerConfigDefinition(syn.name)?.default ?? null;
    if (brokerDefault !== null) synonyms.push(synonym(syn.name, brokerDefault, "DEFAULT_CONFIG"));
  }
  if (chosen === undefined) return { value: def.default, source: "DEFAULT_CONFIG", synonyms };
  return { value: chosen.value, source: chosen.source, synonyms };
}

function entry(def: ConfigDefinition, resolved: Resolved, readOnly: boolean): EffectiveConfigEntry {
  const sensitive = isSensitiveType(def.type);
  return Object.freeze({
    name: def.name,
    value: sensitive ? null : resolved.value,
    source: resolved.source,
    sourceId: CONFIG_SOURCE_IDS[resolved.source],
    isSensitive: sensitive,
    readOnly,
    type: def.type,
    typeId: CONFIG_TYPE_IDS[def.type],
    documentation: def.doc,
    synonyms: Object.freeze(
      sensitive ? resolved.synonyms.map((s) => ({ ...s, value: null })) : resolved.synonyms,
    ),
  });
}

/** The effective value and source of one topic config; undefined for an unknown name. */
export function resolveTopicConfig(name: string, layers: ConfigLayers): EffectiveConfigEntry | undefined {
  const def = topicConfigDefinition(name);
  if (def === undefined) return undefined;
  return entry(def, resolveTopic(def, layers), false);
}

/**
 * The effective topic configs (all of them, or the named ones that exist), sorted by name, as
 * DescribeConfigs and CreateTopics (v5+) return them.
 */
export function resolveTopicConfigs(layers: ConfigLayers, names?: readonly string[]): EffectiveConfigEntry[] {
  const wanted = names === undefined ? TOPIC_CONFIG_NAMES : [...new Set(names)].sort();
  const out: EffectiveConfigEntry[] = [];
  for (const name of wanted) {
    const def = topicConfigDefinition(name);
    if (def === undefined || def.internal) continue;
    out.push(entry(def, resolveTopic(def, layers), false));
  }
  return out;
}

/** The typed settings of one topic's log, as the storage engine uses them. */
export function resolveLogConfig(layers: ConfigLayers): TopicConfigValues {
  const values: Record<string, unknown> = {};
  for (const name of TOPIC_CONFIG_NAMES) values[name] = typedTopicValue(name, layers);
  return Object.freeze(values) as TopicConfigValues;
}

function typedTopicValue(name: TopicConfigName, layers: ConfigLayers): unknown {
  const def = topicConfigDefinition(name)!;
  const resolved = resolveTopic(def, layers);
  const parsed = resolved.value === null ? undefined : parseConfigValue(def, resolved.value);
  if (parsed?.ok) return parsed.value;
  // A synonym that converts to an out-of-range value: fall back to the built-in default.
  const fallback = parseConfigValue(def, def.default ?? "");
  return fallback.ok ? fallback.value : null;
}

function resolveBroker(def: BrokerConfigDefinition, layers: ConfigLayers): Resolved {
  const synonyms: ConfigSynonymEntry[] = [];
  let chosen: { value: string | null; source: ConfigSource } | undefined;
  for (const [layer, source] of BROKER_LAYERS) {
    const raw = validValue(def, (layers[layer] ?? EMPTY).get(def.name));
    if (raw === undefined) continue;
    synonyms.push(synonym(def.name, raw, source));
    chosen ??= { value: raw, source };
  }
  if (def.default !== null) synonyms.push(synonym(def.name, def.default, "DEFAULT_CONFIG"));
  chosen ??= { value: def.default, source: "DEFAULT_CONFIG" };
  return { ...chosen, synonyms };
}

/**
 * The effective broker configs (all, or the named ones that exist), sorted by name. Layers are
 * the broker's dynamic config, the cluster default and server.properties; `topicOverrides` is
 * ignored. Configs that cannot change at runtime are reported read-only, as Kafka does.
 */
export function resolveBrokerConfigs(
  layers: ConfigLayers,
  names?: readonly string[],
): EffectiveConfigEntry[] {
  const wanted = names === undefined ? BROKER_CONFIG_NAMES : [...new Set(names)].sort();
  const out: EffectiveConfigEntry[] = [];
  for (const name of wanted) {
    const def = brokerConfigDefinition(name);
    if (def === undefined || def.internal) continue;
    out.push(entry(def, resolveBroker(def, layers), !def.dynamic));
  }
  return out;
}

/** The broker configs a topic config falls back to, in priority order. */
export function topicConfigSynonyms(name: string): readonly ConfigSynonym[] {
  return topicConfigDefinition(name)?.synonyms ?? [];
}
