import { readFileSync } from "node:fs";
import { BOOTSTRAP_ENV, DEFAULT_BOOTSTRAP_SERVER } from "./args/common-options.js";
import { CliError, usageError } from "./cli-error.js";
import { ExitCode } from "./exit-code.js";

/** The top-level commands; each module is loaded only when its command runs (fast startup). */
const COMMANDS: Record<string, (args: string[]) => Promise<number>> = {
  start: async (args) => (await import("./commands/start.js")).runStart(args),
  topics: async (args) => (await import("./commands/topics.js")).runTopics(args),
  produce: async (args) => (await import("./commands/produce.js")).runProduce(args),
  consume: async (args) => (await import("./commands/consume.js")).runConsume(args),
  configs: async (args) => (await import("./commands/configs.js")).runConfigs(args),
  cluster: async (args) => (await import("./commands/cluster.js")).runCluster(args),
  groups: async (args) => (await import("./commands/groups.js")).runGroups(args),
  perf: async (args) => (await import("./commands/perf.js")).runPerf(args),
};

const USAGE = `Usage: weir <command> [options]

Weir's command line: run a broker, and work with any Kafka-compatible cluster.

Commands:
  start                                     start a broker (node 1 on localhost:9092, data under ./weir-data)
  topics list|create|describe|alter|delete  list, create, inspect, change and delete topics
  produce <topic>                           send lines from stdin or a file as records
  consume <topic>...                        print records, with or without a consumer group
  configs describe|alter <type> [<name>]    show and change configs of topics and brokers
  cluster                                   show the cluster id, controller and brokers
  groups list|describe|reset-offsets|delete
                                            list, inspect (offsets, lag), reset and delete consumer groups
  perf produce|consume <topic>              measure producer or consumer throughput (and producer latency)

Connecting (every command but start; before or after the command):
  -b, --bootstrap-server <host:port,...>   default: $${BOOTSTRAP_ENV}, else ${DEFAULT_BOOTSTRAP_SERVER}
  --command-config <file>, -X <key=value>  client properties with Kafka's names
  --output table|json                      tables for people (default), JSON for scripts

Exit codes:
  0    success
  1    the operation failed (the Kafka error name, e.g. UNKNOWN_TOPIC_OR_PARTITION, and a hint are
       printed), or the input data is wrong
  2    usage error: unknown command or option, a missing or malformed value
  3    the cluster cannot be reached (no broker answered within --connect-timeout) or the connection was lost
  70   internal error (a bug in weir; please report it)
  130  interrupted (Ctrl-C)

Run 'weir <command> --help' for a command's options; 'weir --version' for the version.`;

function version(): string {
  const manifest = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as {
    version: string;
  };
  return manifest.version;
}

/**
 * `weir -b host:9092 topics list`: options given before the command move after it, where every
 * command parses its options (in any order among its arguments).
 */
function commandFirst(argv: string[]): string[] {
  if (!argv[0]?.startsWith("-")) return argv;
  const at = argv.findIndex((word) => Object.hasOwn(COMMANDS, word));
  return at < 0 ? argv : [...argv.slice(at), ...argv.slice(0, at)];
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = commandFirst(argv);
  if (command === "help" || command === "--help" || command === "-h") {
    console.log(USAGE);
    return ExitCode.OK;
  }
  if (command === "--version" || command === "-V") {
    console.log(`weir ${version()}`);
    return ExitCode.OK;
  }
  if (command === undefined) throw usageError("no command given", USAGE);
  if (!Object.hasOwn(COMMANDS, command)) {
    throw usageError(`unknown command '${command}'`, USAGE);
  }
  return COMMANDS[command](rest);
}

function report(err: CliError): void {
  const lines = [`weir: ${err.message}`];
  if (err.hint !== undefined) lines.push(`hint: ${err.hint}`);
  if (err.usage !== undefined) lines.push("", err.usage);
  process.stderr.write(`${lines.join("\n")}\n`);
}

// The client's retry backoff timers are unref'd: while a command waits only on them (a broker that
// refuses connections), nothing else keeps the process alive. Hold it open until the command ends.
const keepAlive = setInterval(() => {}, 60_000);

main(process.argv.slice(2))
  .then(
    (code) => code,
    async (err: unknown) => {
      // Kafka errors are mapped by a module that loads the client: only when there is one to map.
      const error =
        err instanceof CliError ? err : (await import("./errors/to-cli-error.js")).toCliError(err);
      if (error !== undefined) {
        report(error);
        return error.exitCode;
      }
      console.error("weir: unexpected error (a bug in weir; please report it):", err);
      return ExitCode.INTERNAL;
    },
  )
  .then((code) => {
    clearInterval(keepAlive);
    process.exitCode = code;
    // Everything is closed by now; should a stray handle keep the event loop alive, do not hang.
    setTimeout(() => process.exit(code), 1_000).unref();
  });
