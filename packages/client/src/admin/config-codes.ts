import { type DescribeConfigsResponseDescribeConfigsResourceResult, ErrorCode } from "@weir/protocol";
import { KafkaError } from "../errors.js";
import type {
  AlterConfigOp,
  ConfigEntry,
  ConfigResource,
  ConfigResourceType,
  ConfigSource,
  ConfigType,
} from "./admin-types.js";

/** Kafka's ConfigResource.Type codes. */
const RESOURCE_TYPES: Readonly<Record<ConfigResourceType, number>> = {
  topic: 2,
  broker: 4,
  "broker-logger": 8,
  "client-metrics": 16,
  group: 32,
};

export function configResourceType(type: ConfigResourceType): number {
  const code = RESOURCE_TYPES[type];
  if (code === undefined) {
    throw new KafkaError(ErrorCode.INVALID_REQUEST, `unknown config resource type ${JSON.stringify(type)}`, {
      retriable: false,
    });
  }
  return code;
}

/** Broker resources must be asked of that broker; the others of any broker. */
export function configTarget(resource: ConfigResource): number | "any" {
  if ((resource.type === "broker" || resource.type === "broker-logger") && /^\d+$/.test(resource.name)) {
    return Number(resource.name);
  }
  return "any";
}

const SOURCES: readonly ConfigSource[] = [
  "UNKNOWN",
  "DYNAMIC_TOPIC_CONFIG",
  "DYNAMIC_BROKER_CONFIG",
  "DYNAMIC_DEFAULT_BROKER_CONFIG",
  "STATIC_BROKER_CONFIG",
  "DEFAULT_CONFIG",
  "DYNAMIC_BROKER_LOGGER_CONFIG",
  "CLIENT_METRICS_CONFIG",
  "GROUP_CONFIG",
];

const TYPES: readonly ConfigType[] = [
  "UNKNOWN",
  "BOOLEAN",
  "STRING",
  "INT",
  "SHORT",
  "LONG",
  "DOUBLE",
  "LIST",
  "CLASS",
  "PASSWORD",
];

/** IncrementalAlterConfigs operation codes. */
export const OPERATION_CODES: Readonly<Record<AlterConfigOp, number>> = {
  set: 0,
  delete: 1,
  append: 2,
  subtract: 3,
};

function source(code: number | undefined): ConfigSource {
  return (code !== undefined && SOURCES[code]) || "UNKNOWN";
}

/** One DescribeConfigs entry in the client's shape (v0 has isDefault where later versions have a source). */
export function configEntry(
  c: DescribeConfigsResponseDescribeConfigsResourceResult,
  version: number,
): ConfigEntry {
  const src = version === 0 ? (c.isDefault ? "DEFAULT_CONFIG" : "UNKNOWN") : source(c.configSource);
  return {
    name: c.name,
    value: c.value,
    source: src,
    isDefault: version === 0 ? (c.isDefault ?? false) : src === "DEFAULT_CONFIG",
    isReadOnly: c.readOnly,
    isSensitive: c.isSensitive,
    type: (c.configType !== undefined && TYPES[c.configType]) || "UNKNOWN",
    synonyms: (c.synonyms ?? []).map((s) => ({ name: s.name, value: s.value, source: source(s.source) })),
    documentation: c.documentation ?? null,
  };
}
