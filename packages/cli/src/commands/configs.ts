import type { Admin, ConfigResource, ConfigResourceType } from "@weir/client";
import { connectionSettings } from "../args/common-options.js";
import { parseCommand } from "../args/parse-command.js";
import { dispatchSubcommand, type Subcommand } from "../args/subcommands.js";
import { parseKeyValue } from "../args/values.js";
import { CliError, usageError } from "../cli-error.js";
import { withSession } from "../client/cluster-session.js";
import { ExitCode } from "../exit-code.js";
import { shownValue } from "../output/config-value.js";
import { printJson, printLine } from "../output/output-format.js";
import { renderTable } from "../output/table.js";

const RESOURCES = `Resources:
  topic <name>            a topic's configs
  broker <id>             one broker's configs (ids: 'weir cluster')
  broker-defaults         the cluster-wide dynamic broker defaults
  broker-logger <id>      a broker's log levels
  group <id>              a consumer group's configs
  client-metrics <name>   a client metrics subscription`;

const DESCRIBE = {
  name: "configs describe",
  usage: "Usage: weir configs describe <type> [<name>] [options]",
  help: `Shows the configs of a resource with their values and sources (DYNAMIC_TOPIC_CONFIG,
STATIC_BROKER_CONFIG, DEFAULT_CONFIG, ...). Without --all, only those that differ from the defaults.

${RESOURCES}

Options:
  -a, --all               show every config, defaults included
  -k, --key <name>        only this config, default or not (repeatable)
      --synonyms          also show where else each value could come from (e.g. log.retention.hours)`,
  options: {
    all: { type: "boolean", short: "a" },
    key: { type: "string", short: "k", multiple: true },
    synonyms: { type: "boolean" },
  },
  positionals: { min: 1, max: 2, name: "resource type (topic, broker, ...)" },
} as const;

const ALTER = {
  name: "configs alter",
  usage: "Usage: weir configs alter <type> [<name>] [--set <key=value>]... [--delete <key>]... [options]",
  help: `Changes single configs of a resource; the others are kept (IncrementalAlterConfigs).

${RESOURCES}

Options:
  -s, --set <key=value>        set a config (repeatable)
  -d, --delete <key>           remove a config, back to its default (repeatable)
      --append <key=value>     add a value to a list config, e.g. cleanup.policy=delete (repeatable)
      --subtract <key=value>   remove a value from a list config (repeatable)
      --validate-only          ask the cluster to check the change without applying it`,
  options: {
    set: { type: "string", short: "s", multiple: true },
    delete: { type: "string", short: "d", multiple: true },
    append: { type: "string", multiple: true },
    subtract: { type: "string", multiple: true },
    "validate-only": { type: "boolean" },
  },
  positionals: { min: 1, max: 2, name: "resource type (topic, broker, ...)" },
} as const;

const SUBCOMMANDS: Record<string, Subcommand> = {
  describe: {
    summary: "show the configs of a topic, broker, group, ...",
    spec: DESCRIBE,
    run: describeConfigs,
  },
  alter: { summary: "set, delete, append to or subtract from configs", spec: ALTER, run: alterConfigs },
};

export function runConfigs(args: string[]): Promise<number> {
  return dispatchSubcommand(
    "configs",
    "Show and change configs of topics, brokers and other resources.",
    args,
    SUBCOMMANDS,
  );
}

/** Resource types by the names the CLI accepts (Kafka's plural entity types too). */
const TYPES: Readonly<Record<string, ConfigResourceType>> = {
  topic: "topic",
  topics: "topic",
  broker: "broker",
  brokers: "broker",
  "broker-logger": "broker-logger",
  "broker-loggers": "broker-logger",
  group: "group",
  groups: "group",
  "client-metrics": "client-metrics",
};

/** The resource named by `<type> [<name>]`, or a usage error. */
function resource(positionals: readonly string[]): ConfigResource {
  const [typeName, name] = positionals;
  if (typeName === "broker-defaults") {
    if (name !== undefined) throw usageError("broker-defaults takes no name");
    return { type: "broker", name: "" };
  }
  const type = TYPES[typeName];
  if (type === undefined) {
    throw usageError(
      `unknown resource type '${typeName}': use topic, broker, broker-defaults, broker-logger, group or client-metrics`,
    );
  }
  if (name === undefined) throw usageError(`missing the ${type} name`);
  if ((type === "broker" || type === "broker-logger") && !/^\d+$/.test(name)) {
    throw usageError(`a ${type} is named by its numeric node id ('weir cluster' lists them), got '${name}'`);
  }
  return { type, name };
}

/**
 * A broker resource must name a broker of the cluster: the request goes to that broker, and an
 * unknown id would only time out.
 */
async function checkBroker(admin: Admin, target: ConfigResource): Promise<void> {
  if ((target.type !== "broker" && target.type !== "broker-logger") || target.name === "") return;
  const { brokers } = await admin.describeCluster();
  if (brokers.some((b) => String(b.nodeId) === target.name)) return;
  throw new CliError(
    `broker ${target.name} is not in the cluster (brokers: ${brokers.map((b) => b.nodeId).join(", ")})`,
    ExitCode.OPERATION_FAILED,
    "'weir cluster' lists the brokers",
  );
}

function label(r: ConfigResource): string {
  return r.type === "broker" && r.name === "" ? "broker defaults" : `${r.type} ${r.name}`;
}

async function describeConfigs(args: string[]): Promise<number> {
  const parsed = parseCommand(args, DESCRIBE);
  if (parsed === undefined) return ExitCode.OK;
  const { values } = parsed;
  const target = resource(parsed.positionals);
  const keys = values.key;
  const all = values.all === true || keys !== undefined;
  const settings = connectionSettings(values);
  return withSession(settings, async ({ admin }) => {
    await checkBroker(admin, target);
    const [description] = await admin.describeConfigs([target], {
      ...(keys !== undefined ? { keys } : {}),
      includeSynonyms: values.synonyms === true,
    });
    const entries = description.entries
      .filter((e) => all || e.source !== "DEFAULT_CONFIG")
      .sort((a, b) => a.name.localeCompare(b.name));
    if (settings.output === "json") {
      printJson({
        type: target.type,
        name: target.name,
        configs: entries.map((e) => ({
          name: e.name,
          value: shownValue(e),
          source: e.source,
          readOnly: e.isReadOnly,
          sensitive: e.isSensitive,
          ...(values.synonyms === true ? { synonyms: e.synonyms } : {}),
        })),
      });
      return ExitCode.OK;
    }
    if (entries.length === 0) {
      printLine(`Every config of ${label(target)} has its default value (--all lists them).`);
      return ExitCode.OK;
    }
    const columns = [
      { header: "config" },
      { header: "value" },
      { header: "source" },
      { header: "read-only" },
      ...(values.synonyms === true ? [{ header: "synonyms" }] : []),
    ];
    printLine(
      renderTable(
        columns,
        entries.map((e) => [
          e.name,
          shownValue(e),
          e.source,
          e.isReadOnly ? "yes" : "no",
          ...(values.synonyms === true
            ? [e.synonyms.map((s) => `${s.name}=${s.value ?? ""} (${s.source})`).join(", ")]
            : []),
        ]),
      ),
    );
    return ExitCode.OK;
  });
}

async function alterConfigs(args: string[]): Promise<number> {
  const parsed = parseCommand(args, ALTER);
  if (parsed === undefined) return ExitCode.OK;
  const { values } = parsed;
  const target = resource(parsed.positionals);
  const pairs = (flag: string, list: readonly string[] | undefined) =>
    (list ?? []).map((s) => parseKeyValue(flag, s));
  const operations = [
    ...pairs("--set", values.set).map(({ key, value }) => ({ name: key, op: "set" as const, value })),
    ...(values.delete ?? []).map((key) => ({ name: key, op: "delete" as const, value: null })),
    ...pairs("--append", values.append).map(({ key, value }) => ({
      name: key,
      op: "append" as const,
      value,
    })),
    ...pairs("--subtract", values.subtract).map(({ key, value }) => ({
      name: key,
      op: "subtract" as const,
      value,
    })),
  ];
  if (operations.length === 0) {
    throw usageError("nothing to change: give --set, --delete, --append or --subtract");
  }
  const validateOnly = values["validate-only"] === true;
  const settings = connectionSettings(values);
  return withSession(settings, async ({ admin }) => {
    await checkBroker(admin, target);
    await admin.incrementalAlterConfigs([{ ...target, operations }], { validateOnly });
    if (settings.output === "json") {
      printJson({ type: target.type, name: target.name, operations, validateOnly });
      return ExitCode.OK;
    }
    const changes = operations.map((o) =>
      o.op === "delete" ? `deleted ${o.name}` : `${o.op === "set" ? "set" : o.op} ${o.name}=${o.value}`,
    );
    printLine(
      validateOnly
        ? `The configs of ${label(target)} can be altered (${changes.join("; ")}); nothing changed (--validate-only).`
        : `Altered ${label(target)}: ${changes.join("; ")}.`,
    );
    return ExitCode.OK;
  });
}
