import { assertNever } from "../errors.js";

/**
 * The shape of one configuration definition — Kafka's `ConfigDef.ConfigKey` in our terms — and
 * the parsing and validation every definition shares. Values travel as strings everywhere (in
 * server.properties, in ConfigRecords, in DescribeConfigs); they are parsed into typed values only
 * where code needs to act on them.
 */

/** Kafka's config types, by the names DescribeConfigs v3+ reports. */
export type ConfigType =
  | "BOOLEAN"
  | "STRING"
  | "INT"
  | "SHORT"
  | "LONG"
  | "DOUBLE"
  | "LIST"
  | "CLASS"
  | "PASSWORD";

/** DescribeConfigs `ConfigType` ids (v3+). */
export const CONFIG_TYPE_IDS: Readonly<Record<ConfigType, number>> = {
  BOOLEAN: 1,
  STRING: 2,
  INT: 3,
  SHORT: 4,
  LONG: 5,
  DOUBLE: 6,
  LIST: 7,
  CLASS: 8,
  PASSWORD: 9,
};

/** Where an effective config value came from, as DescribeConfigs reports it. */
export type ConfigSource =
  | "UNKNOWN"
  | "DYNAMIC_TOPIC_CONFIG"
  | "DYNAMIC_BROKER_CONFIG"
  | "DYNAMIC_DEFAULT_BROKER_CONFIG"
  | "STATIC_BROKER_CONFIG"
  | "DEFAULT_CONFIG"
  | "DYNAMIC_BROKER_LOGGER_CONFIG";

/** DescribeConfigs `ConfigSource` ids (v1+). */
export const CONFIG_SOURCE_IDS: Readonly<Record<ConfigSource, number>> = {
  UNKNOWN: 0,
  DYNAMIC_TOPIC_CONFIG: 1,
  DYNAMIC_BROKER_CONFIG: 2,
  DYNAMIC_DEFAULT_BROKER_CONFIG: 3,
  STATIC_BROKER_CONFIG: 4,
  DEFAULT_CONFIG: 5,
  DYNAMIC_BROKER_LOGGER_CONFIG: 6,
};

/**
 * The TypeScript type of a parsed value. LONG becomes a `number`: every LONG config is a count of
 * bytes, messages or milliseconds, and Long.MAX_VALUE ("never") becomes 9.223372036854776e18,
 * which still compares greater than any real quantity. Exact strings are kept for display.
 */
export interface ConfigValueTypes {
  BOOLEAN: boolean;
  STRING: string;
  INT: number;
  SHORT: number;
  LONG: number;
  DOUBLE: number;
  LIST: readonly string[];
  CLASS: string;
  PASSWORD: string;
}

/** Checks on a parsed value beyond its type, with Kafka's validator semantics. */
export type ConfigValidator =
  | { readonly kind: "atLeast"; readonly min: number }
  | { readonly kind: "between"; readonly min: number; readonly max: number }
  /** STRING: one of the listed values (case-sensitive, like Kafka's ValidString). */
  | { readonly kind: "oneOf"; readonly values: readonly string[] }
  /** LIST: every element one of the listed values (like Kafka's ValidList.in). */
  | { readonly kind: "listOf"; readonly values: readonly string[]; readonly nonEmpty?: boolean }
  /** Anything else; returns an error message or null. */
  | { readonly kind: "custom"; readonly describe: string; check(value: unknown): string | null };

export interface ConfigDefinition<
  T extends ConfigType = ConfigType,
  D extends string | null = string | null,
> {
  /** Kafka's property name. */
  readonly name: string;
  readonly type: T;
  /** The default in Kafka's string form; null when there is none (the value is then optional). */
  readonly default: D;
  /** One line of documentation, returned by DescribeConfigs (v3+) and `weir configs --help`. */
  readonly doc: string;
  readonly validator?: ConfigValidator;
  /** Internal configs are accepted but never listed by DescribeConfigs. */
  readonly internal?: boolean;
  /** Accepted for compatibility; Weir does not act on it (yet). */
  readonly noEffect?: boolean;
  /** Deprecated by Kafka; setting it logs a warning. */
  readonly deprecated?: boolean;
}

export type ParseResult<V> =
  | { readonly ok: true; readonly value: V }
  | { readonly ok: false; readonly message: string };

const INT_MIN = -(2 ** 31);
const INT_MAX = 2 ** 31 - 1;
const SHORT_MIN = -(2 ** 15);
const SHORT_MAX = 2 ** 15 - 1;
const LONG_MIN = -(2n ** 63n);
const LONG_MAX = 2n ** 63n - 1n;
const INTEGER_PATTERN = /^[+-]?\d+$/;
const DOUBLE_PATTERN = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?[dDfF]?$/;

/** Java's Long.MAX_VALUE as a string: Kafka's "never" for many LONG configs. */
export const LONG_MAX_STRING = LONG_MAX.toString();
/** Java's Integer.MAX_VALUE as a string. */
export const INT_MAX_STRING = INT_MAX.toString();

function invalid(def: ConfigDefinition, raw: string, reason: string): { ok: false; message: string } {
  return { ok: false, message: `Invalid value ${raw} for configuration ${def.name}: ${reason}` };
}

/** Splits a LIST value the way Kafka does: trimmed, comma separated, empty string = empty list. */
export function splitList(raw: string): string[] {
  const trimmed = raw.trim();
  if (trimmed === "") return [];
  return trimmed.split(/\s*,\s*/);
}

function parseType<T extends ConfigType>(
  def: ConfigDefinition<T>,
  raw: string,
): ParseResult<ConfigValueTypes[T]> {
  const type: ConfigType = def.type;
  const trimmed = raw.trim();
  const ok = (value: ConfigValueTypes[ConfigType]) =>
    ({ ok: true, value }) as ParseResult<ConfigValueTypes[T]>;
  switch (type) {
    case "BOOLEAN": {
      const lower = trimmed.toLowerCase();
      if (lower === "true") return ok(true);
      if (lower === "false") return ok(false);
      return invalid(def, raw, "Expected value to be either true or false (type BOOLEAN)");
    }
    case "STRING":
    case "CLASS":
      return ok(trimmed);
    case "PASSWORD":
      return ok(raw);
    case "INT":
    case "SHORT": {
      const [min, max] = type === "INT" ? [INT_MIN, INT_MAX] : [SHORT_MIN, SHORT_MAX];
      if (!INTEGER_PATTERN.test(trimmed)) return invalid(def, raw, `Not a number of type ${type}`);
      const n = Number(trimmed);
      if (n < min || n > max) return invalid(def, raw, `Not a number of type ${type} (out of range)`);
      return ok(n);
    }
    case "LONG": {
      if (!INTEGER_PATTERN.test(trimmed)) return invalid(def, raw, "Not a number of type LONG");
      const n = BigInt(trimmed);
      if (n < LONG_MIN || n > LONG_MAX) return invalid(def, raw, "Not a number of type LONG (out of range)");
      return ok(Number(n));
    }
    case "DOUBLE": {
      if (!DOUBLE_PATTERN.test(trimmed)) return invalid(def, raw, "Not a number of type DOUBLE");
      const n = Number.parseFloat(trimmed);
      if (!Number.isFinite(n)) return invalid(def, raw, "Not a number of type DOUBLE");
      return ok(n);
    }
    case "LIST":
      return ok(splitList(raw));
    default:
      return assertNever(type, "config type");
  }
}

function validate(def: ConfigDefinition, value: unknown): string | null {
  const v = def.validator;
  if (v === undefined) return null;
  switch (v.kind) {
    case "atLeast":
      if (typeof value === "number" && value < v.min) return `Value must be at least ${v.min}`;
      return null;
    case "between":
      if (typeof value === "number" && value < v.min) return `Value must be at least ${v.min}`;
      if (typeof value === "number" && value > v.max) return `Value must be no more than ${v.max}`;
      return null;
    case "oneOf":
      if (typeof value === "string" && !v.values.includes(value)) {
        return `String must be one of: ${v.values.join(", ")}`;
      }
      return null;
    case "listOf": {
      const list = value as readonly string[];
      if (v.nonEmpty && list.length === 0) return "Empty list not allowed";
      const bad = list.filter((item) => !v.values.includes(item));
      if (bad.length > 0)
        return `Each element must be one of: ${v.values.join(", ")} (got ${bad.join(", ")})`;
      return null;
    }
    case "custom":
      return v.check(value);
    default:
      return assertNever(v, "config validator");
  }
}

/**
 * Parses and validates one value against its definition. The error message names the key, the
 * value and what was expected, in the form Kafka's ConfigException uses:
 * `Invalid value X for configuration name: reason`.
 */
export function parseConfigValue<T extends ConfigType>(
  def: ConfigDefinition<T>,
  raw: string,
): ParseResult<ConfigValueTypes[T]> {
  const parsed = parseType(def, raw);
  if (!parsed.ok) return parsed;
  const problem = validate(def, parsed.value);
  if (problem !== null) return invalid(def, raw, problem);
  return parsed;
}

/** Describes the expected values of a definition, for help output and error messages. */
export function describeExpected(def: ConfigDefinition): string {
  const v = def.validator;
  if (v === undefined) return def.type;
  switch (v.kind) {
    case "atLeast":
      return `${def.type} >= ${v.min}`;
    case "between":
      return `${def.type} in [${v.min}, ${v.max}]`;
    case "oneOf":
      return `one of ${v.values.join(", ")}`;
    case "listOf":
      return `comma-separated list of ${v.values.join(", ")}`;
    case "custom":
      return `${def.type}: ${v.describe}`;
    default:
      return assertNever(v, "config validator");
  }
}

/** True for types whose values DescribeConfigs must hide. */
export function isSensitiveType(type: ConfigType): boolean {
  return type === "PASSWORD";
}

/**
 * Defines a config while keeping the literal `type` and `default` types, so tables built from it
 * give each name its precise value type (see `ConfigValuesOf`).
 */
export function defineConfig<const T extends ConfigType, const D extends string | null>(
  def: ConfigDefinition<T, D>,
): ConfigDefinition<T, D> {
  return Object.freeze(def);
}

/** The parsed value type of one definition; nullable when it has no default. */
export type ConfigValueOf<Def> =
  Def extends ConfigDefinition<infer T, infer D>
    ? null extends D
      ? ConfigValueTypes[T] | null
      : ConfigValueTypes[T]
    : never;

/** The parsed value types of a whole table of definitions, by name. */
export type ConfigValuesOf<Table> = { readonly [K in keyof Table]: ConfigValueOf<Table[K]> };
