import { assertNever } from "../errors.js";
import { brokerConfigDefinition } from "./broker-configs.js";
import { type ConfigDefinition, parseConfigValue, splitList } from "./config-definition.js";
import { type ConfigLayers, resolveLogConfig } from "./effective-config.js";
import { topicConfigDefinition } from "./topic-configs.js";

/**
 * Validation of config changes requested through CreateTopics, AlterConfigs and
 * IncrementalAlterConfigs. Results are values carrying Kafka error names, never exceptions:
 * - INVALID_CONFIG for topic configs that are unknown, mistyped, out of range or contradictory
 *   (Kafka's InvalidConfigurationException);
 * - INVALID_REQUEST for malformed requests and for broker configs that cannot change at runtime
 *   (what Kafka answers there).
 */

export type ConfigCheck =
  | { readonly ok: true }
  | { readonly ok: false; readonly error: "INVALID_CONFIG" | "INVALID_REQUEST"; readonly message: string };

const OK: ConfigCheck = Object.freeze({ ok: true });

const fail = (error: "INVALID_CONFIG" | "INVALID_REQUEST", message: string): ConfigCheck => ({
  ok: false,
  error,
  message,
});

/**
 * Validates the complete set of overrides a topic would have (after a create or an alter):
 * known names, typed and in-range values, and Kafka's cross-field rules evaluated against the
 * values the topic would really use (overrides over the broker layers).
 */
export function validateTopicConfigs(
  overrides: ReadonlyMap<string, string | null>,
  brokerLayers: Omit<ConfigLayers, "topicOverrides"> = {},
): ConfigCheck {
  const nulls = [...overrides].filter(([, v]) => v === null).map(([k]) => k);
  if (nulls.length > 0)
    return fail("INVALID_CONFIG", `Null value not supported for topic configs: ${nulls.join(",")}`);
  const values = new Map<string, string>();
  for (const [name, value] of overrides) {
    const def = topicConfigDefinition(name);
    if (def === undefined) return fail("INVALID_CONFIG", `Unknown topic config name: ${name}`);
    const parsed = parseConfigValue(def, value!);
    if (!parsed.ok) return fail("INVALID_CONFIG", parsed.message);
    values.set(name, value!);
  }
  const effective = resolveLogConfig({ ...brokerLayers, topicOverrides: values });
  if (effective["remote.storage.enable"]) {
    return fail(
      "INVALID_CONFIG",
      "Tiered storage is not supported by this broker: remote.storage.enable can only be false.",
    );
  }
  const minLag = effective["min.compaction.lag.ms"];
  const maxLag = effective["max.compaction.lag.ms"];
  if (minLag > maxLag) {
    return fail(
      "INVALID_CONFIG",
      `conflict topic config setting min.compaction.lag.ms (${minLag}) > max.compaction.lag.ms (${maxLag})`,
    );
  }
  return OK;
}

/**
 * Validates a BROKER resource's dynamic configs after a change. Known configs that Kafka does not
 * allow to change at runtime are refused, known dynamic ones must parse, unknown keys are accepted
 * (Kafka keeps custom configs for plugins).
 */
export function validateBrokerConfigs(configs: ReadonlyMap<string, string>): ConfigCheck {
  const readOnly = [...configs.keys()].filter((name) => {
    const def = brokerConfigDefinition(name);
    return def !== undefined && !def.dynamic;
  });
  if (readOnly.length > 0) {
    return fail("INVALID_REQUEST", `Cannot update these configs dynamically: ${readOnly.sort().join(", ")}`);
  }
  for (const [name, value] of configs) {
    const def = brokerConfigDefinition(name);
    if (def === undefined) continue;
    const parsed = parseConfigValue(def, value);
    if (!parsed.ok) return fail("INVALID_REQUEST", parsed.message);
  }
  return OK;
}

export type AlterConfigOpType = "SET" | "DELETE" | "APPEND" | "SUBTRACT";

/** IncrementalAlterConfigs operation ids, as on the wire. */
export const ALTER_CONFIG_OP_IDS: Readonly<Record<AlterConfigOpType, number>> = {
  SET: 0,
  DELETE: 1,
  APPEND: 2,
  SUBTRACT: 3,
};

export interface AlterConfigOp {
  readonly name: string;
  readonly op: AlterConfigOpType;
  /** Required except for DELETE. */
  readonly value: string | null;
}

export type AlterConfigOpsResult =
  | { readonly ok: true; readonly configs: Map<string, string> }
  | { readonly ok: false; readonly error: "INVALID_CONFIG" | "INVALID_REQUEST"; readonly message: string };

/**
 * Applies IncrementalAlterConfigs operations to a resource's current overrides, as Kafka does:
 * SET replaces, DELETE removes (back to the inherited value), APPEND/SUBTRACT edit a LIST config
 * element-wise starting from the current override or, without one, the config's default.
 * Returns the new overrides; the caller validates them as a whole.
 */
export function applyAlterConfigOps(
  current: ReadonlyMap<string, string>,
  ops: readonly AlterConfigOp[],
  definitionOf: (name: string) => ConfigDefinition | undefined,
): AlterConfigOpsResult {
  const names = ops.map((o) => o.name);
  if (new Set(names).size !== names.length) {
    return { ok: false, error: "INVALID_REQUEST", message: "Error due to duplicate config keys" };
  }
  const nullUpdates = ops.filter((o) => o.op !== "DELETE" && o.value === null).map((o) => o.name);
  if (nullUpdates.length > 0) {
    return {
      ok: false,
      error: "INVALID_REQUEST",
      message: `Null value not supported for : ${nullUpdates.join(", ")}`,
    };
  }
  const next = new Map(current);
  for (const { name, op, value } of ops) {
    switch (op) {
      case "SET":
        next.set(name, value!);
        break;
      case "DELETE":
        next.delete(name);
        break;
      case "APPEND":
      case "SUBTRACT": {
        const def = definitionOf(name);
        if (def === undefined || def.type !== "LIST") {
          return {
            ok: false,
            error: "INVALID_CONFIG",
            message: `Can't ${op} to key ${name} because its type is not LIST.`,
          };
        }
        const list = splitList(next.get(name) ?? def.default ?? "");
        const items = splitList(value!);
        const edited =
          op === "APPEND"
            ? [...list, ...items.filter((item, i) => !list.includes(item) && items.indexOf(item) === i)]
            : list.filter((item) => !items.includes(item));
        next.set(name, edited.join(","));
        break;
      }
      default:
        return assertNever(op, "alter config operation");
    }
  }
  return { ok: true, configs: next };
}
