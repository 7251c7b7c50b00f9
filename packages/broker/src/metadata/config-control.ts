import { brokerConfigDefinition } from "../config/broker-configs.js";
import type { ConfigDefinition } from "../config/config-definition.js";
import {
  type AlterConfigOp,
  applyAlterConfigOps,
  validateBrokerConfigs,
  validateTopicConfigs,
} from "../config/config-validation.js";
import { topicConfigDefinition } from "../config/topic-configs.js";
import { assertNever } from "../errors.js";
import { brokerConfigLayers } from "./config-layers.js";
import {
  type ApiError,
  apiError,
  type ControllerErrorName,
  type ControllerResult,
} from "./controller-result.js";
import type { MetadataImage } from "./metadata-image.js";
import type { ConfigResourceType, MetadataRecord } from "./metadata-records.js";
import type { ControlContext } from "./replication-control.js";
import { validateTopicName } from "./topic-name.js";

/**
 * AlterConfigs (legacy: the request replaces the resource's whole override set) and
 * IncrementalAlterConfigs (SET / DELETE / APPEND / SUBTRACT per key) for TOPIC and BROKER
 * resources, as Kafka's ConfigurationControlManager plus the broker-side preprocessing. Each
 * resource succeeds or fails as a whole.
 */

export interface AlterableConfig {
  readonly name: string;
  readonly value: string | null;
}

export interface AlterConfigsResource {
  readonly resourceType: ConfigResourceType;
  /** Topic name, or for BROKER the node id / "" for the cluster-wide default. */
  readonly resourceName: string;
  readonly configs: readonly AlterableConfig[];
}

export interface AlterConfigsRequest {
  readonly resources: readonly AlterConfigsResource[];
  readonly validateOnly?: boolean;
}

export interface IncrementalAlterConfigsResource {
  readonly resourceType: ConfigResourceType;
  readonly resourceName: string;
  readonly configs: readonly AlterConfigOp[];
}

export interface IncrementalAlterConfigsRequest {
  readonly resources: readonly IncrementalAlterConfigsResource[];
  readonly validateOnly?: boolean;
}

export interface AlterConfigsResourceResult {
  readonly resourceType: ConfigResourceType;
  readonly resourceName: string;
  readonly error: ControllerErrorName;
  readonly errorMessage: string | null;
}

type Change = { ok: true; records: MetadataRecord[] } | { ok: false; error: ApiError };

/** Checks the resource exists and may be configured; returns its current overrides. */
function currentConfigs(
  ctx: ControlContext,
  image: MetadataImage,
  type: ConfigResourceType,
  name: string,
): { ok: true; configs: ReadonlyMap<string, string> } | { ok: false; error: ApiError } {
  const fail = (error: ControllerErrorName, message: string) => ({
    ok: false as const,
    error: apiError(error, message),
  });
  switch (type) {
    case "topic": {
      if (name === "") return fail("INVALID_REQUEST", "Default topic resources are not allowed.");
      const invalid = validateTopicName(name);
      if (invalid !== null) return fail("INVALID_TOPIC_EXCEPTION", invalid);
      if (image.topic(name) === undefined)
        return fail("UNKNOWN_TOPIC_OR_PARTITION", `The topic '${name}' does not exist.`);
      return { ok: true, configs: image.topicConfig(name) };
    }
    case "broker": {
      if (name !== "") {
        if (!/^-?\d+$/.test(name))
          return fail("INVALID_REQUEST", "Unable to parse broker name as a base 10 number.");
        const id = Number(name);
        if (id < 0) return fail("INVALID_REQUEST", "Invalid negative broker ID.");
        if (id !== ctx.config.nodeId) {
          return fail(
            "INVALID_REQUEST",
            `Unexpected broker id, expected ${ctx.config.nodeId}, but received ${name}`,
          );
        }
      }
      return { ok: true, configs: image.brokerConfig(name) };
    }
    default:
      return assertNever(type, "config resource type");
  }
}

function definitionOf(type: ConfigResourceType): (name: string) => ConfigDefinition | undefined {
  return type === "topic" ? topicConfigDefinition : brokerConfigDefinition;
}

/**
 * Validates the resource's new override set and produces its ConfigRecords: for topics only the
 * keys whose value changes, for brokers every key the request names (Kafka re-emits unchanged
 * broker keys so that brokers reload them) plus removals.
 */
function recordsFor(
  ctx: ControlContext,
  image: MetadataImage,
  type: ConfigResourceType,
  name: string,
  current: ReadonlyMap<string, string>,
  next: ReadonlyMap<string, string>,
  requestedKeys: readonly string[],
): Change {
  const check =
    type === "topic"
      ? validateTopicConfigs(next, brokerConfigLayers(image, ctx.config))
      : validateBrokerConfigs(next);
  if (!check.ok) return { ok: false, error: apiError(check.error, check.message) };
  const records: MetadataRecord[] = [];
  const keys = new Set([...requestedKeys, ...current.keys(), ...next.keys()]);
  for (const key of [...keys].sort()) {
    const before = current.get(key) ?? null;
    const after = next.get(key) ?? null;
    const changed = before !== after;
    const touched = type === "broker" && requestedKeys.includes(key) && (after !== null || before !== null);
    if (changed || touched) {
      records.push({ type: "Config", resourceType: type, resourceName: name, name: key, value: after });
    }
  }
  return { ok: true, records };
}

function duplicateResources(
  resources: readonly { resourceType: string; resourceName: string }[],
): Set<string> {
  const seen = new Set<string>();
  const dup = new Set<string>();
  for (const r of resources) {
    const key = `${r.resourceType}\u0000${r.resourceName}`;
    if (seen.has(key)) dup.add(key);
    seen.add(key);
  }
  return dup;
}

function run<R extends { resourceType: ConfigResourceType; resourceName: string }>(
  resources: readonly R[],
  validateOnly: boolean | undefined,
  change: (resource: R) => Change,
): ControllerResult<readonly AlterConfigsResourceResult[]> {
  const duplicates = duplicateResources(resources);
  const records: MetadataRecord[] = [];
  const results = resources.map((resource): AlterConfigsResourceResult => {
    const { resourceType, resourceName } = resource;
    const result = (error: ApiError | null): AlterConfigsResourceResult => ({
      resourceType,
      resourceName,
      error: error?.error ?? "NONE",
      errorMessage: error?.message ?? null,
    });
    if (duplicates.has(`${resourceType}\u0000${resourceName}`)) {
      return result(apiError("INVALID_REQUEST", "Each resource must appear at most once."));
    }
    const outcome = change(resource);
    if (!outcome.ok) return result(outcome.error);
    records.push(...outcome.records);
    return result(null);
  });
  return { records: validateOnly ? [] : records, response: results };
}

/** Legacy AlterConfigs: each resource's overrides become exactly the given set. */
export function alterConfigs(
  ctx: ControlContext,
  image: MetadataImage,
  request: AlterConfigsRequest,
): ControllerResult<readonly AlterConfigsResourceResult[]> {
  return run(request.resources, request.validateOnly, (resource): Change => {
    const names = resource.configs.map((c) => c.name);
    if (new Set(names).size !== names.length) {
      return { ok: false, error: apiError("INVALID_REQUEST", "Error due to duplicate config keys") };
    }
    const nulls = resource.configs.filter((c) => c.value === null).map((c) => c.name);
    if (nulls.length > 0) {
      return {
        ok: false,
        error: apiError("INVALID_REQUEST", `Null value not supported for : ${nulls.join(", ")}`),
      };
    }
    const current = currentConfigs(ctx, image, resource.resourceType, resource.resourceName);
    if (!current.ok) return current;
    const next = new Map(resource.configs.map((c) => [c.name, c.value!] as const));
    return recordsFor(ctx, image, resource.resourceType, resource.resourceName, current.configs, next, names);
  });
}

/** IncrementalAlterConfigs: SET, DELETE, APPEND, SUBTRACT on individual keys. */
export function incrementalAlterConfigs(
  ctx: ControlContext,
  image: MetadataImage,
  request: IncrementalAlterConfigsRequest,
): ControllerResult<readonly AlterConfigsResourceResult[]> {
  return run(request.resources, request.validateOnly, (resource): Change => {
    const current = currentConfigs(ctx, image, resource.resourceType, resource.resourceName);
    if (!current.ok) return current;
    const applied = applyAlterConfigOps(
      current.configs,
      resource.configs,
      definitionOf(resource.resourceType),
    );
    if (!applied.ok) return { ok: false, error: apiError(applied.error, applied.message) };
    const names = resource.configs.map((c) => c.name);
    return recordsFor(
      ctx,
      image,
      resource.resourceType,
      resource.resourceName,
      current.configs,
      applied.configs,
      names,
    );
  });
}
