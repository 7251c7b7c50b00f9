import { ErrorCode, type ErrorCodeName } from "@weir/protocol";
import type { Logger } from "pino";
import { CONFIG_SOURCE_IDS, CONFIG_TYPE_IDS } from "../config/config-definition.js";
import type { EffectiveConfigEntry } from "../config/effective-config.js";
import { type ApiError, apiError, type ControllerErrorName } from "../metadata/controller-result.js";
import type { ConfigResourceType } from "../metadata/metadata-records.js";

/**
 * What the config APIs (DescribeConfigs, AlterConfigs, IncrementalAlterConfigs) share: the wire
 * ids of config resource types, the checks on BROKER / BROKER_LOGGER resource names, the
 * BROKER_LOGGER resource (Weir has one logger, "root") and the mapping of controller error
 * names to wire codes.
 */

/** Kafka's ConfigResource.Type ids. */
export const ConfigResourceTypeId = {
  UNKNOWN: 0,
  TOPIC: 2,
  BROKER: 4,
  BROKER_LOGGER: 8,
  CLIENT_METRICS: 16,
  GROUP: 32,
} as const;

/** The name Kafka prints for a resource type id (UNKNOWN for ids it does not know). */
export function resourceTypeName(id: number): string {
  for (const [name, value] of Object.entries(ConfigResourceTypeId)) if (value === id) return name;
  return "UNKNOWN";
}

/** The metadata resource a wire type id stands for; undefined for every other type. */
export function metadataResourceType(id: number): ConfigResourceType | undefined {
  if (id === ConfigResourceTypeId.TOPIC) return "topic";
  if (id === ConfigResourceTypeId.BROKER) return "broker";
  return undefined;
}

/** The wire code of a controller error name. */
export function errorCodeOf(name: ControllerErrorName | ErrorCodeName): number {
  return ErrorCode[name];
}

/** Java's Integer.parseInt: an optional sign and decimal digits, within int32. */
export function parseNodeId(name: string): number | undefined {
  if (!/^[+-]?\d+$/.test(name)) return undefined;
  const id = Number(name);
  return id >= -(2 ** 31) && id <= 2 ** 31 - 1 ? id : undefined;
}

/**
 * Checks that a BROKER_LOGGER resource names this node (Kafka allows no cluster-wide default
 * for loggers). Returns the error to answer, or null.
 */
export function checkBrokerLoggerName(name: string, nodeId: number): ApiError | null {
  if (name === "") return apiError("INVALID_REQUEST", "Broker id must not be empty");
  const id = parseNodeId(name);
  if (id === undefined) return apiError("INVALID_REQUEST", `Node id must be an integer, but it is: ${name}`);
  if (id !== nodeId) {
    return apiError("INVALID_REQUEST", `Unexpected broker id, expected ${nodeId}, but received ${name}`);
  }
  return null;
}

/** The one logger a BROKER_LOGGER resource exposes: the broker's (pino) logger. */
export const ROOT_LOGGER = "root";

/** Kafka's LogLevelConfig.VALID_LOG_LEVELS (log4j names), each with the pino level it becomes. */
const LOG_LEVELS: ReadonlyMap<string, string> = new Map([
  ["FATAL", "fatal"],
  ["ERROR", "error"],
  ["WARN", "warn"],
  ["INFO", "info"],
  ["DEBUG", "debug"],
  ["TRACE", "trace"],
]);

/** The broker logger's level by its log4j name ("OFF" when silent). */
export function loggerLevel(logger: Logger): string {
  return logger.level === "silent" ? "OFF" : logger.level.toUpperCase();
}

/** The BROKER_LOGGER rows of DescribeConfigs: the root logger and its level. */
export function describeBrokerLoggers(
  logger: Logger,
  names: readonly string[] | undefined,
): EffectiveConfigEntry[] {
  if (names !== undefined && !names.includes(ROOT_LOGGER)) return [];
  return [
    {
      name: ROOT_LOGGER,
      value: loggerLevel(logger),
      source: "DYNAMIC_BROKER_LOGGER_CONFIG",
      sourceId: CONFIG_SOURCE_IDS.DYNAMIC_BROKER_LOGGER_CONFIG,
      isSensitive: false,
      readOnly: false,
      type: "STRING",
      typeId: CONFIG_TYPE_IDS.STRING,
      documentation: "The level of the broker's root logger.",
      synonyms: [],
    },
  ];
}

export interface LoggerOp {
  readonly name: string;
  /** IncrementalAlterConfigs operation id: 0 SET, 1 DELETE, 2 APPEND, 3 SUBTRACT. */
  readonly configOperation: number;
  readonly value: string | null;
}

/**
 * Validates IncrementalAlterConfigs operations on a BROKER_LOGGER resource as Kafka does: only
 * loggers that exist (here: root), SET to a valid level, no DELETE of the root logger, no
 * APPEND / SUBTRACT.
 */
export function checkLoggerOps(ops: readonly LoggerOp[]): ApiError | null {
  for (const op of ops) {
    const exists = () =>
      op.name === ROOT_LOGGER ? null : apiError("INVALID_CONFIG", `Logger ${op.name} does not exist!`);
    switch (op.configOperation) {
      case 0: {
        const missing = exists();
        if (missing !== null) return missing;
        if (op.value === null || !LOG_LEVELS.has(op.value)) {
          return apiError(
            "INVALID_CONFIG",
            `Cannot set the log level of ${op.name} to ${op.value} as it is not a supported log level. ` +
              `Valid log levels are ${[...LOG_LEVELS.keys()].join(", ")}`,
          );
        }
        break;
      }
      case 1: {
        const missing = exists();
        if (missing !== null) return missing;
        return apiError(
          "INVALID_REQUEST",
          `Removing the log level of the ${ROOT_LOGGER} logger is not allowed`,
        );
      }
      case 2:
        return apiError("INVALID_REQUEST", "APPEND operation is not allowed for the BROKER_LOGGER resource");
      case 3:
        return apiError(
          "INVALID_REQUEST",
          "SUBTRACT operation is not allowed for the BROKER_LOGGER resource",
        );
      default:
        return apiError(
          "INVALID_REQUEST",
          `Unknown operation type ${op.configOperation} is not allowed for the BROKER_LOGGER resource`,
        );
    }
  }
  return null;
}

/** Applies validated logger operations (only SET of the root logger can pass the checks). */
export function applyLoggerOps(logger: Logger, ops: readonly LoggerOp[]): void {
  for (const op of ops) {
    const level = op.value === null ? undefined : LOG_LEVELS.get(op.value);
    if (op.configOperation === 0 && op.name === ROOT_LOGGER && level !== undefined) logger.level = level;
  }
}

interface ResourceRef {
  readonly resourceType: number;
  readonly resourceName: string;
}

const resourceKey = (r: ResourceRef) => `${r.resourceType}\u0000${r.resourceName}`;

/**
 * Which resources of an alter request appear more than once (same type and name): all of their
 * entries fail with INVALID_REQUEST, as in Kafka.
 */
export function duplicateResources(resources: readonly ResourceRef[]): (r: ResourceRef) => boolean {
  const counts = new Map<string, number>();
  for (const r of resources) counts.set(resourceKey(r), (counts.get(resourceKey(r)) ?? 0) + 1);
  return (r) => (counts.get(resourceKey(r)) ?? 0) > 1;
}

export const DUPLICATE_RESOURCE: ApiError = Object.freeze(
  apiError("INVALID_REQUEST", "Each resource must appear at most once."),
);

/** The error for a resource type the alter APIs do not handle. */
export function unsupportedResourceType(id: number): ApiError {
  const name = resourceTypeName(id);
  return name === "UNKNOWN"
    ? apiError("INVALID_REQUEST", `Unknown resource type ${id}.`)
    : apiError("INVALID_REQUEST", `Unexpected resource type ${name}.`);
}

/** One alter response entry. */
export function alterResult(resource: ResourceRef, error: ApiError | null) {
  return {
    errorCode: error === null ? 0 : errorCodeOf(error.error),
    errorMessage: error?.message ?? null,
    resourceType: resource.resourceType,
    resourceName: resource.resourceName,
  };
}
