import { readFileSync } from "node:fs";
import { CliError, usageError } from "../cli-error.js";
import { ExitCode } from "../exit-code.js";
import type { OutputFormat } from "../output/output-format.js";
import { parseProperties } from "./properties-file.js";
import { parseChoice, parseInteger, parseKeyValue } from "./values.js";

/** The flag spec node:util parseArgs takes, as every command declares its own. */
export interface OptionConfig {
  readonly type: "string" | "boolean";
  readonly short?: string;
  readonly multiple?: boolean;
}

export const DEFAULT_BOOTSTRAP_SERVER = "localhost:9092";
export const BOOTSTRAP_ENV = "WEIR_BOOTSTRAP_SERVER";
const DEFAULT_TIMEOUT_MS = 30_000;
const DEFAULT_CONNECT_TIMEOUT_MS = 5_000;

/** Options every command that talks to a cluster accepts. */
export const COMMON_OPTIONS = {
  "bootstrap-server": { type: "string", short: "b" },
  "command-config": { type: "string" },
  "command-property": { type: "string", short: "X", multiple: true },
  output: { type: "string" },
  timeout: { type: "string" },
  "connect-timeout": { type: "string" },
  help: { type: "boolean", short: "h" },
} as const satisfies Record<string, OptionConfig>;

/** The help section for COMMON_OPTIONS, shown by every command's --help. */
export const COMMON_HELP = `Connection and output:
  -b, --bootstrap-server <host:port,...>
                             brokers to start from (default: $${BOOTSTRAP_ENV}, else ${DEFAULT_BOOTSTRAP_SERVER})
      --command-config <file>
                             client properties file with Kafka's names (client.id, request.timeout.ms,
                             linger.ms, ...)
  -X, --command-property <key=value>
                             one client property (repeatable; wins over --command-config)
      --output <table|json>  human-readable tables (default) or JSON for scripts
      --timeout <ms>         time budget of each cluster operation, retries included (default ${DEFAULT_TIMEOUT_MS})
      --connect-timeout <ms> give up reaching the cluster after this long, exit code 3 (default ${DEFAULT_CONNECT_TIMEOUT_MS})
  -h, --help                 show this help`;

export interface CommonValues {
  readonly "bootstrap-server"?: string;
  readonly "command-config"?: string;
  readonly "command-property"?: string[];
  readonly output?: string;
  readonly timeout?: string;
  readonly "connect-timeout"?: string;
}

/** How to reach the cluster and how to print, resolved from the common flags and the environment. */
export interface ConnectionSettings {
  /** Comma-separated host:port list. */
  readonly bootstrapServers: string;
  /** Client properties by Kafka name: --command-config, then -X on top. bootstrap.servers removed. */
  readonly properties: Readonly<Record<string, string>>;
  readonly output: OutputFormat;
  /** --timeout, or undefined to keep default.api.timeout.ms from the properties (else 30 s). */
  readonly timeoutMs: number | undefined;
  readonly connectTimeoutMs: number;
}

/**
 * Resolves the common flags. The bootstrap servers come from --bootstrap-server, else
 * bootstrap.servers in the client properties, else $WEIR_BOOTSTRAP_SERVER, else localhost:9092.
 */
export function connectionSettings(
  values: CommonValues,
  env: NodeJS.ProcessEnv = process.env,
): ConnectionSettings {
  const properties: Record<string, string> = {};
  const file = values["command-config"];
  if (file !== undefined) {
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch (err) {
      throw new CliError(
        `cannot read --command-config ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`,
        ExitCode.USAGE,
      );
    }
    Object.assign(properties, parseProperties(text));
  }
  for (const setting of values["command-property"] ?? []) {
    const { key, value } = parseKeyValue("-X/--command-property", setting);
    properties[key] = value.trim();
  }
  const fromProperties = properties["bootstrap.servers"];
  delete properties["bootstrap.servers"];
  const bootstrapServers =
    values["bootstrap-server"] ?? fromProperties ?? nonEmpty(env[BOOTSTRAP_ENV]) ?? DEFAULT_BOOTSTRAP_SERVER;
  if (bootstrapServers.trim() === "") throw usageError("--bootstrap-server must name at least one host:port");

  const protocol = properties["security.protocol"];
  if (protocol !== undefined && protocol.toUpperCase() !== "PLAINTEXT") {
    throw new CliError(
      `security.protocol=${protocol} is not supported yet: the Weir client speaks PLAINTEXT only`,
      ExitCode.USAGE,
    );
  }
  delete properties["security.protocol"];

  return {
    bootstrapServers,
    properties,
    output: parseChoice("--output", values.output ?? "table", ["table", "json"] as const),
    timeoutMs:
      values.timeout !== undefined
        ? parseInteger("--timeout", values.timeout, 1, 2_147_483_647)
        : properties["default.api.timeout.ms"] !== undefined
          ? undefined
          : DEFAULT_TIMEOUT_MS,
    connectTimeoutMs:
      values["connect-timeout"] !== undefined
        ? parseInteger("--connect-timeout", values["connect-timeout"], 1, 2_147_483_647)
        : DEFAULT_CONNECT_TIMEOUT_MS,
  };
}

function nonEmpty(s: string | undefined): string | undefined {
  return s === undefined || s.trim() === "" ? undefined : s;
}
