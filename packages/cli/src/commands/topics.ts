import type { Admin, ListedOffset, TopicDescription } from "@weir/client";
import { connectionSettings } from "../args/common-options.js";
import { parseCommand } from "../args/parse-command.js";
import { dispatchSubcommand, type Subcommand } from "../args/subcommands.js";
import { parseInteger, parseKeyValue } from "../args/values.js";
import { usageError } from "../cli-error.js";
import { withSession } from "../client/cluster-session.js";
import { ExitCode } from "../exit-code.js";
import { shownValue } from "../output/config-value.js";
import { printJson, printLine, printNote } from "../output/output-format.js";
import { renderFields, renderTable } from "../output/table.js";

const INT32_MAX = 2_147_483_647;

const LIST = {
  name: "topics list",
  usage: "Usage: weir topics list [options]",
  help: `Lists the cluster's topics with their partition count and replication factor.

Options:
      --include-internal     also list internal topics (__consumer_offsets, ...)`,
  options: { "include-internal": { type: "boolean" } },
  positionals: { min: 0, max: 0, name: "" },
} as const;

const CREATE = {
  name: "topics create",
  usage: "Usage: weir topics create <topic>... [options]",
  help: `Creates topics. Partitions and replication factor default to the broker's num.partitions and
default.replication.factor.

Options:
  -p, --partitions <n>           number of partitions
  -r, --replication-factor <n>   copies of each partition
  -c, --config <key=value>       a topic config, e.g. retention.ms=86400000 (repeatable)
      --if-not-exists            succeed when the topic exists already (it is left as it is)
      --validate-only            ask the cluster to check the request without creating anything`,
  options: {
    partitions: { type: "string", short: "p" },
    "replication-factor": { type: "string", short: "r" },
    config: { type: "string", short: "c", multiple: true },
    "if-not-exists": { type: "boolean" },
    "validate-only": { type: "boolean" },
  },
  positionals: { min: 1, max: Number.POSITIVE_INFINITY, name: "topic name" },
} as const;

const DESCRIBE = {
  name: "topics describe",
  usage: "Usage: weir topics describe <topic>... [options]",
  help: `Shows topics: id, partitions with leader, replicas, in-sync replicas and start/end offsets, and the
configs that differ from the defaults.

Options:
      --all-configs          show every config with its source, not only the overrides`,
  options: { "all-configs": { type: "boolean" } },
  positionals: { min: 1, max: Number.POSITIVE_INFINITY, name: "topic name" },
} as const;

const ALTER = {
  name: "topics alter",
  usage:
    "Usage: weir topics alter <topic> [--partitions <n>] [--config <key=value>]... [--delete-config <key>]...",
  help: `Changes a topic: raises its partition count, sets or removes topic configs (other configs are
kept).

Options:
  -p, --partitions <n>        the new, larger number of partitions
  -c, --config <key=value>    set a topic config (repeatable)
  -d, --delete-config <key>   remove a topic config, back to the broker default (repeatable)
      --validate-only         ask the cluster to check the change without applying it`,
  options: {
    partitions: { type: "string", short: "p" },
    config: { type: "string", short: "c", multiple: true },
    "delete-config": { type: "string", short: "d", multiple: true },
    "validate-only": { type: "boolean" },
  },
  positionals: { min: 1, max: 1, name: "topic name" },
} as const;

const DELETE = {
  name: "topics delete",
  usage: "Usage: weir topics delete <topic>... [options]",
  help: `Deletes topics and all their records.

Options:
      --if-exists            succeed when a topic does not exist`,
  options: { "if-exists": { type: "boolean" } },
  positionals: { min: 1, max: Number.POSITIVE_INFINITY, name: "topic name" },
} as const;

const SUBCOMMANDS: Record<string, Subcommand> = {
  list: { summary: "list topics with partition count and replication factor", spec: LIST, run: listTopics },
  create: { summary: "create topics", spec: CREATE, run: createTopics },
  describe: {
    summary: "show partitions, leaders, offsets and configs of topics",
    spec: DESCRIBE,
    run: describeTopics,
  },
  alter: { summary: "add partitions, set or delete topic configs", spec: ALTER, run: alterTopic },
  delete: { summary: "delete topics", spec: DELETE, run: deleteTopics },
};

export function runTopics(args: string[]): Promise<number> {
  return dispatchSubcommand("topics", "Create, inspect, change and delete topics.", args, SUBCOMMANDS);
}

async function listTopics(args: string[]): Promise<number> {
  const parsed = parseCommand(args, LIST);
  if (parsed === undefined) return ExitCode.OK;
  const settings = connectionSettings(parsed.values);
  return withSession(settings, async ({ admin }) => {
    const names = await admin.listTopics({ includeInternal: parsed.values["include-internal"] === true });
    const topics = names.length === 0 ? [] : await admin.describeTopics(names);
    const rows = topics.map((t) => ({
      name: t.name,
      topicId: t.topicId,
      internal: t.isInternal,
      partitions: t.partitions.length,
      replicationFactor: replicationFactor(t),
    }));
    if (settings.output === "json") printJson(rows);
    else {
      printLine(
        renderTable(
          [
            { header: "topic" },
            { header: "partitions", align: "right" },
            { header: "replicas", align: "right" },
          ],
          rows.map((r) => [r.name, r.partitions, r.replicationFactor]),
        ),
      );
    }
    return ExitCode.OK;
  });
}

async function createTopics(args: string[]): Promise<number> {
  const parsed = parseCommand(args, CREATE);
  if (parsed === undefined) return ExitCode.OK;
  const { values, positionals: names } = parsed;
  const numPartitions =
    values.partitions === undefined
      ? undefined
      : parseInteger("--partitions", values.partitions, 1, INT32_MAX);
  const replicationFactor =
    values["replication-factor"] === undefined
      ? undefined
      : parseInteger("--replication-factor", values["replication-factor"], 1, 32_767);
  const configs = keyValues("--config", values.config);
  const validateOnly = values["validate-only"] === true;
  const settings = connectionSettings(values);
  return withSession(settings, async ({ admin }) => {
    let existing = new Set<string>();
    if (values["if-not-exists"] === true) {
      const all = new Set(await admin.listTopics({ includeInternal: true }));
      existing = new Set(names.filter((n) => all.has(n)));
    }
    const toCreate = names.filter((n) => !existing.has(n));
    const created =
      toCreate.length === 0
        ? []
        : await admin.createTopics(
            toCreate.map((name) => ({ name, numPartitions, replicationFactor, configs })),
            { validateOnly },
          );
    if (settings.output === "json") {
      printJson([
        ...created.map((t) => ({
          name: t.name,
          topicId: t.topicId,
          partitions: t.numPartitions,
          replicationFactor: t.replicationFactor,
          created: !validateOnly,
          ...(validateOnly ? { validateOnly: true } : {}),
        })),
        ...[...existing].map((name) => ({ name, created: false, existed: true })),
      ]);
      return ExitCode.OK;
    }
    for (const t of created) {
      const shape = `${t.numPartitions} partition${t.numPartitions === 1 ? "" : "s"}, replication factor ${t.replicationFactor}`;
      printLine(
        validateOnly
          ? `Topic ${t.name} can be created (${shape}); nothing changed (--validate-only).`
          : `Created topic ${t.name} (${shape}).`,
      );
    }
    for (const name of existing) printLine(`Topic ${name} exists already; left as it is (--if-not-exists).`);
    return ExitCode.OK;
  });
}

interface PartitionRow {
  readonly partition: number;
  readonly leader: number;
  readonly leaderEpoch: number;
  readonly replicas: readonly number[];
  readonly isr: readonly number[];
  readonly offlineReplicas: readonly number[];
  readonly startOffset: number | null;
  readonly endOffset: number | null;
}

async function describeTopics(args: string[]): Promise<number> {
  const parsed = parseCommand(args, DESCRIBE);
  if (parsed === undefined) return ExitCode.OK;
  const names = [...new Set(parsed.positionals)];
  const allConfigs = parsed.values["all-configs"] === true;
  const settings = connectionSettings(parsed.values);
  return withSession(settings, async ({ admin }) => {
    const topics = await admin.describeTopics(names);
    const [configs, offsets] = await Promise.all([
      admin.describeConfigs(names.map((name) => ({ type: "topic" as const, name }))),
      partitionOffsets(admin, topics),
    ]);
    const described = topics.map((t, i) => ({
      name: t.name,
      topicId: t.topicId,
      internal: t.isInternal,
      replicationFactor: replicationFactor(t),
      partitions: t.partitions.map(
        (p): PartitionRow => ({
          ...p,
          startOffset: offsets?.get(`${t.name}:${p.partition}`)?.start ?? null,
          endOffset: offsets?.get(`${t.name}:${p.partition}`)?.end ?? null,
        }),
      ),
      configs: configs[i].entries
        .filter((e) => allConfigs || e.source !== "DEFAULT_CONFIG")
        .map((e) => ({
          name: e.name,
          value: shownValue(e),
          source: e.source,
          readOnly: e.isReadOnly,
          sensitive: e.isSensitive,
        })),
    }));
    if (settings.output === "json") {
      printJson(described);
      return ExitCode.OK;
    }
    if (offsets === undefined)
      printNote("weir: warning: partition offsets are unavailable (ListOffsets failed)");
    described.forEach((t, i) => {
      if (i > 0) printLine();
      printLine(
        renderFields([
          ["topic", t.name],
          ["id", t.topicId],
          ["internal", t.internal ? "yes" : "no"],
          ["partitions", t.partitions.length],
          ["replication factor", t.replicationFactor],
          ...(t.configs.length === 0
            ? [["configs", allConfigs ? "none" : "all defaults (--all-configs lists them)"] as const]
            : []),
        ]),
      );
      printLine();
      printLine(
        renderTable(
          [
            { header: "partition", align: "right" },
            { header: "leader", align: "right" },
            { header: "replicas" },
            { header: "isr" },
            { header: "offline" },
            { header: "start-offset", align: "right" },
            { header: "end-offset", align: "right" },
          ],
          t.partitions.map((p) => [
            p.partition,
            p.leader < 0 ? "none" : p.leader,
            p.replicas.join(","),
            p.isr.join(","),
            p.offlineReplicas.join(","),
            p.startOffset,
            p.endOffset,
          ]),
        ),
      );
      if (t.configs.length > 0) {
        printLine();
        printLine(
          renderTable(
            [{ header: "config" }, { header: "value" }, { header: "source" }],
            t.configs.map((c) => [c.name, c.value, c.source]),
          ),
        );
      }
    });
    return ExitCode.OK;
  });
}

/** Start and end offsets of every partition, or undefined when the cluster cannot say in time. */
async function partitionOffsets(
  admin: Admin,
  topics: readonly TopicDescription[],
): Promise<Map<string, { start: number; end: number }> | undefined> {
  const partitions = topics.flatMap((t) =>
    t.partitions.map((p) => ({ topic: t.name, partition: p.partition })),
  );
  if (partitions.length === 0) return new Map();
  const timeoutMs = 5_000;
  let earliest: ListedOffset[];
  let latest: ListedOffset[];
  try {
    [earliest, latest] = await Promise.all([
      admin.listOffsets(
        partitions.map((p) => ({ ...p, spec: "earliest" as const })),
        { timeoutMs },
      ),
      admin.listOffsets(
        partitions.map((p) => ({ ...p, spec: "latest" as const })),
        { timeoutMs },
      ),
    ]);
  } catch {
    return undefined;
  }
  const out = new Map<string, { start: number; end: number }>();
  earliest.forEach((e, i) => {
    out.set(`${e.topic}:${e.partition}`, { start: e.offset, end: latest[i].offset });
  });
  return out;
}

async function alterTopic(args: string[]): Promise<number> {
  const parsed = parseCommand(args, ALTER);
  if (parsed === undefined) return ExitCode.OK;
  const { values } = parsed;
  const [name] = parsed.positionals;
  const partitions =
    values.partitions === undefined
      ? undefined
      : parseInteger("--partitions", values.partitions, 1, INT32_MAX);
  const set = keyValues("--config", values.config);
  const deleted = values["delete-config"] ?? [];
  if (partitions === undefined && Object.keys(set ?? {}).length === 0 && deleted.length === 0) {
    throw usageError("nothing to change: give --partitions, --config or --delete-config");
  }
  const validateOnly = values["validate-only"] === true;
  const settings = connectionSettings(values);
  return withSession(settings, async ({ admin }) => {
    const [topic] = await admin.describeTopics([name]);
    const before = topic.partitions.length;
    if (partitions !== undefined) {
      await admin.createPartitions([{ topic: name, count: partitions }], { validateOnly });
    }
    const operations = [
      ...Object.entries(set ?? {}).map(([key, value]) => ({ name: key, op: "set" as const, value })),
      ...deleted.map((key) => ({ name: key, op: "delete" as const })),
    ];
    if (operations.length > 0) {
      await admin.incrementalAlterConfigs([{ type: "topic", name, operations }], { validateOnly });
    }
    if (settings.output === "json") {
      printJson({
        name,
        ...(partitions !== undefined ? { partitions: { from: before, to: partitions } } : {}),
        set: set ?? {},
        deleted,
        validateOnly,
      });
      return ExitCode.OK;
    }
    const changes = [
      ...(partitions !== undefined ? [`partitions ${before} -> ${partitions}`] : []),
      ...Object.entries(set ?? {}).map(([k, v]) => `set ${k}=${v}`),
      ...deleted.map((k) => `deleted ${k}`),
    ];
    printLine(
      validateOnly
        ? `Topic ${name} can be altered (${changes.join("; ")}); nothing changed (--validate-only).`
        : `Altered topic ${name}: ${changes.join("; ")}.`,
    );
    return ExitCode.OK;
  });
}

async function deleteTopics(args: string[]): Promise<number> {
  const parsed = parseCommand(args, DELETE);
  if (parsed === undefined) return ExitCode.OK;
  const names = [...new Set(parsed.positionals)];
  const settings = connectionSettings(parsed.values);
  return withSession(settings, async ({ admin }) => {
    let missing: string[] = [];
    if (parsed.values["if-exists"] === true) {
      const all = new Set(await admin.listTopics({ includeInternal: true }));
      missing = names.filter((n) => !all.has(n));
    }
    const toDelete = names.filter((n) => !missing.includes(n));
    if (toDelete.length > 0) await admin.deleteTopics(toDelete);
    if (settings.output === "json") printJson({ deleted: toDelete, missing });
    else {
      for (const name of toDelete) printLine(`Deleted topic ${name}.`);
      for (const name of missing) printLine(`Topic ${name} does not exist; nothing to delete (--if-exists).`);
    }
    return ExitCode.OK;
  });
}

/** The replication factor: replicas of the first partition (all partitions have the same count). */
function replicationFactor(topic: TopicDescription): number | null {
  return topic.partitions[0]?.replicas.length ?? null;
}

/** Repeatable key=value flags as an object (a later key wins); undefined when none were given. */
function keyValues(
  flag: string,
  settings: readonly string[] | undefined,
): Record<string, string> | undefined {
  if (settings === undefined || settings.length === 0) return undefined;
  const out: Record<string, string> = {};
  for (const s of settings) {
    const { key, value } = parseKeyValue(flag, s);
    out[key] = value;
  }
  return out;
}
