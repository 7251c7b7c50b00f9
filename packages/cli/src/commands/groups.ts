import type { GroupDescription, GroupOffsetReset, GroupPartitionLag } from "@weir/client";
import { connectionSettings } from "../args/common-options.js";
import { parseCommand } from "../args/parse-command.js";
import { dispatchSubcommand, type Subcommand } from "../args/subcommands.js";
import { parseInteger } from "../args/values.js";
import { CliError, usageError } from "../cli-error.js";
import { withSession } from "../client/cluster-session.js";
import { hintFor } from "../errors/error-hints.js";
import { ExitCode } from "../exit-code.js";
import { printJson, printLine, printNote } from "../output/output-format.js";
import { renderFields, renderTable } from "../output/table.js";

const INT32_MAX = 2_147_483_647;

const LIST = {
  name: "groups list",
  usage: "Usage: weir groups list [--state <state>]... [options]",
  help: `Lists the cluster's consumer groups with their type and state.

Options:
      --state <state>        only groups in this state, e.g. Stable or Empty (repeatable)`,
  options: { state: { type: "string", multiple: true } },
  positionals: { min: 0, max: 0, name: "" },
} as const;

const DESCRIBE = {
  name: "groups describe",
  usage: "Usage: weir groups describe <group>... [options]",
  help: `Shows groups: state, type, protocol and members, and per partition the committed offset, the
partition's end offset, the lag between them and the member that owns the partition.`,
  options: {},
  positionals: { min: 1, max: Number.POSITIVE_INFINITY, name: "group id" },
} as const;

const RESET_OFFSETS = {
  name: "groups reset-offsets",
  usage: `Usage: weir groups reset-offsets <group> (--topic <topic>[:<partition>,...]... | --all-topics)
         (--to-earliest | --to-latest | --to-offset <n> | --to-datetime <iso> | --shift-by <n>) [--execute]`,
  help: `Moves a group's committed offsets. The group must be empty (its consumers stopped). Without
--execute this is a dry run: the new offsets are printed and nothing changes.

Options:
  -t, --topic <topic>[:<p>,...]  the topic's partitions (all, or those listed) (repeatable)
      --all-topics               every topic the group has committed offsets for
      --to-earliest              to each partition's first offset
      --to-latest                to each partition's end
      --to-offset <n>            to offset n (kept within each partition's range)
      --to-datetime <iso>        to the first record at or after this time, e.g. 2024-05-01T12:00:00Z
      --shift-by <n>             by n from the committed offset (negative moves back; write --shift-by=-n)
      --dry-run                  only print the new offsets (the default)
      --execute                  commit the new offsets`,
  options: {
    topic: { type: "string", short: "t", multiple: true },
    "all-topics": { type: "boolean" },
    "to-earliest": { type: "boolean" },
    "to-latest": { type: "boolean" },
    "to-offset": { type: "string" },
    "to-datetime": { type: "string" },
    "shift-by": { type: "string" },
    "dry-run": { type: "boolean" },
    execute: { type: "boolean" },
  },
  positionals: { min: 1, max: 1, name: "group id" },
} as const;

const DELETE = {
  name: "groups delete",
  usage: "Usage: weir groups delete <group>... [options]",
  help: "Deletes groups and their committed offsets. A group must be empty (its consumers stopped).",
  options: {},
  positionals: { min: 1, max: Number.POSITIVE_INFINITY, name: "group id" },
} as const;

const SUBCOMMANDS: Record<string, Subcommand> = {
  list: { summary: "list consumer groups with their type and state", spec: LIST, run: listGroups },
  describe: {
    summary: "show members, committed offsets and lag of groups",
    spec: DESCRIBE,
    run: describeGroups,
  },
  "reset-offsets": {
    summary: "move a group's committed offsets (dry run unless --execute)",
    spec: RESET_OFFSETS,
    run: resetOffsets,
  },
  delete: { summary: "delete groups", spec: DELETE, run: deleteGroups },
};

export function runGroups(args: string[]): Promise<number> {
  return dispatchSubcommand("groups", "List, inspect, reset and delete consumer groups.", args, SUBCOMMANDS);
}

async function listGroups(args: string[]): Promise<number> {
  const parsed = parseCommand(args, LIST);
  if (parsed === undefined) return ExitCode.OK;
  const states = parsed.values.state;
  const settings = connectionSettings(parsed.values);
  return withSession(settings, async ({ admin }) => {
    const groups = await admin.listGroups(states !== undefined && states.length > 0 ? { states } : {});
    if (settings.output === "json") printJson(groups);
    else {
      printLine(
        renderTable(
          [{ header: "group" }, { header: "type" }, { header: "protocol" }, { header: "state" }],
          groups.map((g) => [g.groupId, g.type, g.protocolType, g.state]),
        ),
      );
    }
    return ExitCode.OK;
  });
}

async function describeGroups(args: string[]): Promise<number> {
  const parsed = parseCommand(args, DESCRIBE);
  if (parsed === undefined) return ExitCode.OK;
  const ids = [...new Set(parsed.positionals)];
  const settings = connectionSettings(parsed.values);
  return withSession(settings, async ({ admin }) => {
    const groups = await admin.describeGroups(ids, { includeLag: true });
    const missing = groups.filter((g) => g.state === "Dead").map((g) => g.groupId);
    if (missing.length > 0) throw groupsNotFound(missing);
    if (settings.output === "json") {
      printJson(groups);
      return ExitCode.OK;
    }
    groups.forEach((g, i) => {
      if (i > 0) printLine();
      printGroup(g);
    });
    return ExitCode.OK;
  });
}

function printGroup(g: GroupDescription): void {
  const lag = g.lag ?? [];
  const total = lag.reduce<number | null>((sum, p) => (p.lag === null ? sum : (sum ?? 0) + p.lag), null);
  printLine(
    renderFields([
      ["group", g.groupId],
      ["state", g.state],
      ["type", g.type],
      ["protocol", g.protocolType],
      ["assignor", g.assignor],
      ["coordinator", g.coordinator],
      ["members", g.members.length],
      ["total lag", total],
    ]),
  );
  printLine();
  if (lag.length === 0) {
    printLine("No committed offsets and no assigned partitions.");
    return;
  }
  printLine(
    renderTable(
      [
        { header: "topic" },
        { header: "partition", align: "right" },
        { header: "current-offset", align: "right" },
        { header: "log-end-offset", align: "right" },
        { header: "lag", align: "right" },
        { header: "consumer-id" },
        { header: "host" },
        { header: "client-id" },
      ],
      lag.map((p: GroupPartitionLag) => [
        p.topic,
        p.partition,
        p.committedOffset < 0 ? null : p.committedOffset,
        p.logEndOffset,
        p.lag,
        p.memberId,
        p.clientHost,
        p.clientId,
      ]),
    ),
  );
}

async function resetOffsets(args: string[]): Promise<number> {
  const parsed = parseCommand(args, RESET_OFFSETS);
  if (parsed === undefined) return ExitCode.OK;
  const { values } = parsed;
  const [groupId] = parsed.positionals;
  const to = resetTarget(values);
  const topics = (values.topic ?? []).map(parseTopicPartitions);
  const allTopics = values["all-topics"] === true;
  if (topics.length === 0 && !allTopics)
    throw usageError("give the partitions to reset: --topic or --all-topics");
  if (topics.length > 0 && allTopics) throw usageError("give either --topic or --all-topics, not both");
  if (values.execute === true && values["dry-run"] === true) {
    throw usageError("give either --execute or --dry-run, not both");
  }
  const execute = values.execute === true;
  const settings = connectionSettings(values);
  return withSession(settings, async ({ admin }) => {
    const before = await admin.listGroupOffsets(groupId);
    const partitions = allTopics ? [...new Set(before.map((o) => o.topic))] : topics.flat();
    if (partitions.length === 0) {
      throw new CliError(
        `group ${groupId} has no committed offsets: --all-topics names no topic`,
        ExitCode.OPERATION_FAILED,
        "name the topics with --topic",
      );
    }
    const planned = await admin.resetGroupOffsets(groupId, { partitions, to, dryRun: !execute });
    const previous = new Map(before.map((o) => [`${o.topic}:${o.partition}`, o.offset]));
    const rows = planned.map((o) => ({
      topic: o.topic,
      partition: o.partition,
      previousOffset: previous.get(`${o.topic}:${o.partition}`) ?? null,
      newOffset: o.offset,
    }));
    if (settings.output === "json") {
      printJson({ group: groupId, executed: execute, offsets: rows });
      return ExitCode.OK;
    }
    printLine(
      renderTable(
        [
          { header: "group" },
          { header: "topic" },
          { header: "partition", align: "right" },
          { header: "current-offset", align: "right" },
          { header: "new-offset", align: "right" },
        ],
        rows.map((r) => [groupId, r.topic, r.partition, r.previousOffset, r.newOffset]),
      ),
    );
    printNote(
      execute
        ? `Reset the offsets of group ${groupId}.`
        : "Dry run: nothing changed. Add --execute to commit these offsets.",
    );
    return ExitCode.OK;
  });
}

interface ResetValues {
  readonly "to-earliest"?: boolean;
  readonly "to-latest"?: boolean;
  readonly "to-offset"?: string;
  readonly "to-datetime"?: string;
  readonly "shift-by"?: string;
}

/** The one --to-... or --shift-by flag given, as the client's reset target. */
function resetTarget(values: ResetValues): GroupOffsetReset {
  const given: GroupOffsetReset[] = [];
  if (values["to-earliest"] === true) given.push("earliest");
  if (values["to-latest"] === true) given.push("latest");
  if (values["to-offset"] !== undefined) {
    given.push({ offset: parseInteger("--to-offset", values["to-offset"], 0) });
  }
  if (values["to-datetime"] !== undefined) {
    const text = values["to-datetime"];
    const timestamp = Date.parse(text);
    if (Number.isNaN(timestamp)) {
      throw usageError(`--to-datetime must be a date and time such as 2024-05-01T12:00:00Z, got '${text}'`);
    }
    given.push({ timestamp });
  }
  if (values["shift-by"] !== undefined) {
    given.push({ shiftBy: parseInteger("--shift-by", values["shift-by"], Number.MIN_SAFE_INTEGER) });
  }
  if (given.length !== 1) {
    throw usageError(
      `give exactly one of --to-earliest, --to-latest, --to-offset, --to-datetime, --shift-by${given.length > 1 ? ` (got ${given.length})` : ""}`,
    );
  }
  return given[0];
}

/** `topic` (all its partitions) or `topic:0,2` (those partitions). */
function parseTopicPartitions(text: string): string | { topic: string; partition: number }[] {
  const colon = text.lastIndexOf(":");
  if (colon < 0) {
    if (text.trim() === "") throw usageError("--topic must not be empty");
    return text;
  }
  const topic = text.slice(0, colon);
  if (topic === "") throw usageError(`--topic expects <topic>[:<partition>,...], got '${text}'`);
  return text
    .slice(colon + 1)
    .split(",")
    .map((p) => ({ topic, partition: parseInteger("--topic partition", p, 0, INT32_MAX) }));
}

async function deleteGroups(args: string[]): Promise<number> {
  const parsed = parseCommand(args, DELETE);
  if (parsed === undefined) return ExitCode.OK;
  const ids = [...new Set(parsed.positionals)];
  const settings = connectionSettings(parsed.values);
  return withSession(settings, async ({ admin }) => {
    await admin.deleteGroups(ids);
    if (settings.output === "json") printJson({ deleted: ids });
    else for (const id of ids) printLine(`Deleted group ${id}.`);
    return ExitCode.OK;
  });
}

/** What describing groups that do not exist fails with: the broker's name for it, and a hint. */
function groupsNotFound(ids: readonly string[]): CliError {
  const named = ids.map((id) => `'${id}'`).join(", ");
  return new CliError(
    `GROUP_ID_NOT_FOUND: group${ids.length > 1 ? "s" : ""} ${named} ${ids.length > 1 ? "do" : "does"} not exist`,
    ExitCode.OPERATION_FAILED,
    hintFor("GROUP_ID_NOT_FOUND"),
  );
}
