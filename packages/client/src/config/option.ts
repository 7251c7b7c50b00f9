import { ConfigError } from "../errors.js";

/**
 * One option of the client: its Kafka property name, its default and how a value is checked.
 * Options can be given typed (camelCase, `lingerMs: 5`) or as Kafka properties
 * (`properties: { "linger.ms": "5" }`, strings allowed, as in a .properties file); both go
 * through the same `parse`.
 */
export interface OptionSpec<V> {
  /** Kafka's property name. */
  readonly key: string;
  /** The default; undefined means the option is required. */
  readonly default: V | undefined;
  /** One line for the documented table. */
  readonly doc: string;
  /** Checks and converts a value; throws InvalidValue (use `invalid`) when it is not acceptable. */
  readonly parse: (value: unknown) => V;
}

export type OptionTable = Readonly<Record<string, OptionSpec<unknown>>>;

export type ResolvedOptions<T extends OptionTable> = {
  -readonly [K in keyof T]: T[K] extends OptionSpec<infer V> ? V : never;
};

/** Kafka-named properties, as strings (from a file or command line) or typed values. */
export type Properties = Readonly<Record<string, string | number | boolean>>;

/** Thrown by `parse`; resolveOptions turns it into a ConfigError naming the option. */
export class InvalidValue extends Error {}

export function invalid(message: string): InvalidValue {
  return new InvalidValue(message);
}

export function option<V>(key: string, defaultValue: V | undefined, doc: string, parse: (v: unknown) => V) {
  return { key, default: defaultValue, doc, parse } satisfies OptionSpec<V>;
}

export function intOption(
  key: string,
  defaultValue: number | undefined,
  min: number,
  max: number,
  doc: string,
) {
  return option<number>(key, defaultValue, doc, (v) => {
    const n = typeof v === "string" && /^-?\d+$/.test(v.trim()) ? Number(v.trim()) : v;
    if (typeof n !== "number" || !Number.isSafeInteger(n))
      throw invalid(`must be an integer, got ${describe(v)}`);
    if (n < min || n > max) throw invalid(`must be between ${min} and ${max}, got ${n}`);
    return n;
  });
}

export function boolOption(key: string, defaultValue: boolean, doc: string) {
  return option<boolean>(key, defaultValue, doc, (v) => {
    if (v === true || v === "true") return true;
    if (v === false || v === "false") return false;
    throw invalid(`must be true or false, got ${describe(v)}`);
  });
}

export function stringOption(key: string, defaultValue: string | undefined, doc: string) {
  return option<string>(key, defaultValue, doc, (v) => {
    if (typeof v !== "string") throw invalid(`must be a string, got ${describe(v)}`);
    return v;
  });
}

export function enumOption<const E extends string>(
  key: string,
  defaultValue: E,
  values: readonly E[],
  doc: string,
) {
  return option<E>(key, defaultValue, doc, (v) => {
    if (typeof v === "string" && (values as readonly string[]).includes(v)) return v as E;
    throw invalid(`must be one of ${values.join(", ")}, got ${describe(v)}`);
  });
}

export function describe(v: unknown): string {
  if (typeof v === "string") return JSON.stringify(v);
  if (typeof v === "function") return "a function";
  if (Array.isArray(v)) return "an array";
  return String(v);
}

/**
 * Merges option layers (each either typed camelCase options or Kafka properties), lowest
 * precedence first, checks every value against `table` and fills in defaults. Unknown names,
 * bad values and missing required options throw ConfigError naming both spellings.
 */
export function resolveOptions<T extends OptionTable>(
  table: T,
  layers: readonly { typed?: object; properties?: Properties }[],
  what: string,
): ResolvedOptions<T> {
  const byKey = new Map<string, string>();
  for (const [name, spec] of Object.entries(table)) byKey.set(spec.key, name);
  const raw = new Map<string, unknown>();
  for (const layer of layers) {
    for (const [key, value] of Object.entries(layer.properties ?? {})) {
      const name = byKey.get(key);
      if (name === undefined) {
        throw new ConfigError(
          `${what}: unknown property ${JSON.stringify(key)}; known: ${[...byKey.keys()].join(", ")}`,
        );
      }
      if (value !== undefined) raw.set(name, value);
    }
    for (const [name, value] of Object.entries(layer.typed ?? {})) {
      if (value === undefined) continue;
      if (!Object.hasOwn(table, name)) {
        throw new ConfigError(
          `${what}: unknown option ${JSON.stringify(name)}; known: ${Object.keys(table).join(", ")}`,
        );
      }
      raw.set(name, value);
    }
  }
  const out: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(table)) {
    if (!raw.has(name)) {
      if (spec.default === undefined) throw new ConfigError(`${what}: ${name} (${spec.key}) is required`);
      out[name] = spec.default;
      continue;
    }
    try {
      out[name] = spec.parse(raw.get(name));
    } catch (err) {
      if (!(err instanceof InvalidValue)) throw err;
      throw new ConfigError(`${what}: ${name} (${spec.key}) ${err.message}`);
    }
  }
  return out as ResolvedOptions<T>;
}
