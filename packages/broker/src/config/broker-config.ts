import { hostname as osHostname } from "node:os";
import {
  BROKER_CONFIG_NAMES,
  type BrokerConfigName,
  type BrokerConfigValues,
  brokerConfigDefinition,
  type PROCESS_ROLES,
} from "./broker-configs.js";
import { parseConfigValue } from "./config-definition.js";
import { ConfigError } from "./config-error.js";
import {
  type Endpoint,
  parseListeners,
  parseQuorumVoters,
  parseSecurityProtocolMap,
  type QuorumVoter,
} from "./listeners.js";
import { parseOverride, parseProperties } from "./properties-parser.js";

export type ProcessRole = (typeof PROCESS_ROLES)[number];

export interface LoadBrokerConfigOptions {
  /** Text of a server.properties file. */
  readonly properties?: string;
  /** `--set` overrides, applied after the file: `key=value` strings or a map. */
  readonly overrides?: readonly string[] | ReadonlyMap<string, string> | Readonly<Record<string, string>>;
  /** Host advertised for a listener bound to every interface; defaults to the OS host name. */
  readonly hostname?: string;
}

export interface LoadedBrokerConfig {
  readonly config: BrokerConfig;
  /** Things worth a log line: unknown keys (kept, as Kafka does), deprecated keys. */
  readonly warnings: readonly string[];
}

/**
 * Reads server.properties text plus `--set` overrides into a validated BrokerConfig. Unknown keys
 * are kept and reported as warnings (Kafka logs them as unused); invalid values throw one
 * ConfigError listing every problem, each naming the key, the value and the expected type.
 */
export function loadBrokerConfig(options: LoadBrokerConfigOptions = {}): LoadedBrokerConfig {
  const originals =
    options.properties === undefined ? new Map<string, string>() : parseProperties(options.properties);
  const overrides = options.overrides;
  if (overrides !== undefined) {
    const entries: Iterable<readonly [string, string]> = Array.isArray(overrides)
      ? (overrides as readonly string[]).map(parseOverride)
      : overrides instanceof Map
        ? overrides.entries()
        : Object.entries(overrides as Readonly<Record<string, string>>);
    for (const [key, value] of entries) originals.set(key, value);
  }
  return BrokerConfig.fromMap(
    originals,
    options.hostname === undefined ? {} : { hostname: options.hostname },
  );
}

/**
 * The static configuration of this node: what server.properties and `--set` said, typed and
 * validated, with Kafka's defaults for the rest. Immutable; dynamic (AlterConfigs) changes live
 * in the metadata image, not here.
 */
export class BrokerConfig {
  /** Every key explicitly given, known or not, as given: the STATIC_BROKER_CONFIG layer. */
  readonly originals: ReadonlyMap<string, string>;
  /** Keys Weir does not know. */
  readonly unknown: ReadonlyMap<string, string>;
  readonly nodeId: number;
  readonly processRoles: readonly ProcessRole[];
  /** Data directories: log.dirs, or log.dir when log.dirs is unset. */
  readonly logDirs: readonly string[];
  /** Directory holding __cluster_metadata-0: metadata.log.dir or the first log dir. */
  readonly metadataLogDir: string;
  readonly listeners: readonly Endpoint[];
  /** advertised.listeners, or listeners; a listener bound to every interface advertises the host name. */
  readonly advertisedListeners: readonly Endpoint[];
  readonly quorumVoters: readonly QuorumVoter[];
  #values: ReadonlyMap<string, unknown>;
  #hostname: string;

  private constructor(
    originals: ReadonlyMap<string, string>,
    unknown: ReadonlyMap<string, string>,
    values: ReadonlyMap<string, unknown>,
    derived: {
      hostname: string;
      processRoles: readonly ProcessRole[];
      logDirs: readonly string[];
      metadataLogDir: string;
      listeners: readonly Endpoint[];
      advertisedListeners: readonly Endpoint[];
      quorumVoters: readonly QuorumVoter[];
    },
  ) {
    this.originals = originals;
    this.unknown = unknown;
    this.#values = values;
    this.#hostname = derived.hostname;
    this.nodeId = values.get("node.id") as number;
    this.processRoles = Object.freeze([...derived.processRoles]);
    this.logDirs = Object.freeze([...derived.logDirs]);
    this.metadataLogDir = derived.metadataLogDir;
    this.listeners = Object.freeze([...derived.listeners]);
    this.advertisedListeners = Object.freeze([...derived.advertisedListeners]);
    this.quorumVoters = Object.freeze([...derived.quorumVoters]);
    Object.freeze(this);
  }

  /** A config with every default (node 1, localhost:9092, ./weir-data). */
  static defaults(): BrokerConfig {
    return BrokerConfig.fromMap(new Map(), { hostname: "localhost" }).config;
  }

  /** Validates explicitly given key/value strings; throws ConfigError listing every problem. */
  static fromMap(
    originalsIn: ReadonlyMap<string, string>,
    options: { hostname?: string } = {},
  ): LoadedBrokerConfig {
    const originals = new Map(originalsIn);
    const errors: string[] = [];
    const warnings: string[] = [];
    const unknown = new Map<string, string>();
    const values = new Map<string, unknown>();

    for (const [key, raw] of originals) {
      const def = brokerConfigDefinition(key);
      if (def === undefined) {
        unknown.set(key, raw);
        warnings.push(`The configuration '${key}' was supplied but isn't a known config.`);
        continue;
      }
      const parsed = parseConfigValue(def, raw);
      if (!parsed.ok) errors.push(`${parsed.message} (expected ${def.type})`);
      else values.set(key, parsed.value);
      if (def.deprecated) warnings.push(`The configuration '${key}' is deprecated and has no effect.`);
    }
    for (const name of BROKER_CONFIG_NAMES) {
      if (values.has(name) || originals.has(name)) continue;
      const def = brokerConfigDefinition(name)!;
      if (def.default === null) {
        values.set(name, null);
        continue;
      }
      const parsed = parseConfigValue(def, def.default);
      if (!parsed.ok) throw new ConfigError("INVALID_CONFIG", `bad built-in default: ${parsed.message}`);
      values.set(name, parsed.value);
    }
    if (errors.length > 0) throw invalid(errors);

    const get = <K extends BrokerConfigName>(name: K) => values.get(name) as BrokerConfigValues[K];
    const nodeId = get("node.id");
    const brokerId = get("broker.id");
    if (brokerId !== null && brokerId !== nodeId) {
      errors.push(`broker.id (${brokerId}) must be equal to node.id (${nodeId}) when both are set`);
    }

    const processRoles = get("process.roles") as readonly ProcessRole[];
    if (new Set(processRoles).size !== processRoles.length) {
      errors.push(`Invalid value ${processRoles.join(",")} for configuration process.roles: duplicate role`);
    }

    const configuredDirs = get("log.dirs");
    const logDirs = configuredDirs ?? [get("log.dir")];
    if (logDirs.length === 0 || logDirs.some((d) => d === "")) {
      errors.push("log.dirs must name at least one directory, and none may be empty");
    } else if (new Set(logDirs).size !== logDirs.length) {
      errors.push(`Invalid value ${logDirs.join(",")} for configuration log.dirs: duplicate directory`);
    }
    const metadataLogDir = get("metadata.log.dir") ?? logDirs[0] ?? "";

    let listeners: Endpoint[] = [];
    let advertisedListeners: Endpoint[] = [];
    const host = options.hostname ?? osHostname();
    const protocols = parseSecurityProtocolMap(get("listener.security.protocol.map"));
    if (!protocols.ok) {
      errors.push(protocols.message);
    } else {
      const parsedListeners = parseListeners("listeners", get("listeners"), protocols.value);
      if (!parsedListeners.ok) errors.push(parsedListeners.message);
      else listeners = parsedListeners.value;
      const advertisedRaw = get("advertised.listeners");
      if (advertisedRaw === null) {
        advertisedListeners = listeners.map((l) =>
          l.host === "" || l.host === "0.0.0.0" || l.host === "::" ? { ...l, host } : l,
        );
      } else {
        const parsed = parseListeners("advertised.listeners", advertisedRaw, protocols.value);
        if (!parsed.ok) {
          errors.push(parsed.message);
        } else {
          advertisedListeners = parsed.value;
          if (advertisedListeners.some((l) => l.host === "0.0.0.0")) {
            errors.push(
              "advertised.listeners cannot use the nonroutable meta-address 0.0.0.0. Use a routable IP address.",
            );
          }
          const names = new Set(listeners.map((l) => l.name));
          const extra = advertisedListeners.filter((l) => !names.has(l.name)).map((l) => l.name);
          if (extra.length > 0) {
            errors.push(
              `advertised.listeners listener names must be equal to or a subset of the ones defined in listeners (unknown: ${extra.join(", ")})`,
            );
          }
        }
      }
    }

    const voters = parseQuorumVoters(get("controller.quorum.voters"));
    if (!voters.ok) errors.push(voters.message);

    if (get("group.min.session.timeout.ms") > get("group.max.session.timeout.ms")) {
      errors.push("group.min.session.timeout.ms must not be greater than group.max.session.timeout.ms");
    }

    if (errors.length > 0) throw invalid(errors, "CONFLICTING_CONFIG");
    const config = new BrokerConfig(originals, unknown, values, {
      hostname: host,
      processRoles,
      logDirs,
      metadataLogDir,
      listeners,
      advertisedListeners,
      quorumVoters: voters.ok ? voters.value : [],
    });
    return { config, warnings };
  }

  /** The typed value of a known broker config (explicit or default). */
  get<K extends BrokerConfigName>(name: K): BrokerConfigValues[K] {
    return this.#values.get(name) as BrokerConfigValues[K];
  }

  /** The string value of a known config as given, else its default string; null if neither. */
  raw(name: BrokerConfigName): string | null {
    return this.originals.get(name) ?? brokerConfigDefinition(name)?.default ?? null;
  }

  /** Default retention: log.retention.ms, else minutes, else hours; negative means forever (-1). */
  get logRetentionMs(): number {
    const ms = this.get("log.retention.ms");
    const minutes = this.get("log.retention.minutes");
    const value = ms ?? (minutes !== null ? minutes * 60_000 : this.get("log.retention.hours") * 3_600_000);
    return value < 0 ? -1 : value;
  }

  /** Default segment age before a roll: log.roll.ms, else log.roll.hours. */
  get logRollMs(): number {
    return this.get("log.roll.ms") ?? this.get("log.roll.hours") * 3_600_000;
  }

  /** A copy with more overrides applied (for tests and `--set` on top of a loaded file). */
  with(overrides: Readonly<Record<string, string>>): LoadedBrokerConfig {
    const merged = new Map(this.originals);
    for (const [k, v] of Object.entries(overrides)) merged.set(k, v);
    return BrokerConfig.fromMap(merged, { hostname: this.#hostname });
  }
}

function invalid(
  errors: readonly string[],
  code: "INVALID_CONFIG" | "CONFLICTING_CONFIG" = "INVALID_CONFIG",
) {
  const list = errors.map((e) => `  - ${e}`).join("\n");
  return new ConfigError(code, `Invalid broker configuration:\n${list}`);
}
