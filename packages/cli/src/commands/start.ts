import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { startBroker } from "@weir/broker";
import { CliError } from "../cli-error.js";

const HELP = `Usage: weir start [--config server.properties] [--set key=value ...]

Starts one Weir broker in the foreground. Settings use Apache Kafka's property names
(listeners, advertised.listeners, log.dirs, node.id, num.partitions, log.retention.hours,
log.segment.bytes, auto.create.topics.enable, message.max.bytes, ...).

Options:
  -c, --config <file>    read a server.properties file
  -s, --set <key=value>  set one property (repeatable; applied after --config)
      --log-level <lvl>  trace, debug, info (default), warn, error, silent
  -h, --help             show this help

Defaults: node.id=1, listeners=PLAINTEXT://localhost:9092, log.dirs=./weir-data.
Prometheus metrics: --set metrics.listener=http://localhost:9404 serves /metrics.
SIGTERM or Ctrl-C flushes every log and stops the broker.`;

const LOG_LEVELS = new Set(["trace", "debug", "info", "warn", "error", "fatal", "silent"]);

export async function runStart(args: string[]): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(args);
  } catch (err) {
    throw new CliError(`${(err as Error).message}\n\n${HELP}`, 2);
  }
  const { values } = parsed;
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const logLevel = values["log-level"] ?? "info";
  if (!LOG_LEVELS.has(logLevel)) throw new CliError(`unknown log level '${logLevel}'`, 2);

  let properties: string | undefined;
  if (values.config !== undefined) {
    try {
      properties = readFileSync(values.config, "utf8");
    } catch (err) {
      throw new CliError(
        `cannot read config file ${values.config}: ${(err as NodeJS.ErrnoException).code ?? err}`,
      );
    }
  }
  const overrides: Record<string, string> = {};
  for (const setting of values.set ?? []) {
    const eq = setting.indexOf("=");
    if (eq <= 0) throw new CliError(`--set expects key=value, got '${setting}'`, 2);
    overrides[setting.slice(0, eq).trim()] = setting.slice(eq + 1).trim();
  }

  let broker: Awaited<ReturnType<typeof startBroker>>;
  try {
    broker = await startBroker({ properties, config: overrides, logLevel: logLevel as "info" });
  } catch (err) {
    throw new CliError(`cannot start the broker: ${(err as Error).message}`);
  }

  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) {
        console.error(`weir: ${signal} again, exiting without a clean shutdown`);
        process.exit(130);
      }
      stopping = true;
      broker.close().then(
        () => resolve(0),
        (err: unknown) => {
          console.error("weir: error during shutdown:", err);
          resolve(1);
        },
      );
    };
    process.on("SIGTERM", () => stop("SIGTERM"));
    process.on("SIGINT", () => stop("SIGINT"));
  });
}

function parse(args: string[]) {
  return parseArgs({
    args,
    options: {
      config: { type: "string", short: "c" },
      set: { type: "string", short: "s", multiple: true },
      "log-level": { type: "string" },
      help: { type: "boolean", short: "h" },
    },
    strict: true,
    allowPositionals: false,
  });
}
