import type { Consumer, ConsumerRecord, TopicPartition, TopicPartitionOffset } from "@weir/client";
import { connectionSettings } from "../args/common-options.js";
import { parseCommand, withUsage } from "../args/parse-command.js";
import { parseStartPosition, START_POSITION_HELP, type StartPosition } from "../args/start-position.js";
import { parseChoice, parseInteger } from "../args/values.js";
import { usageError } from "../cli-error.js";
import { type ClusterSession, withSession } from "../client/cluster-session.js";
import { type OffsetsByPartition, partitionKey, partitionOffsets } from "../client/partition-offsets.js";
import { requireTopic } from "../client/require-topic.js";
import { ExitCode } from "../exit-code.js";
import { BYTES_ENCODINGS, type BytesEncoding, encodeBytes } from "../output/bytes-encoding.js";
import { FormatTemplate, TEMPLATE_PLACEHOLDERS } from "../output/format-template.js";
import { printNote } from "../output/output-format.js";
import { StdoutWriter } from "../output/stdout-writer.js";

const COMMIT_INTERVAL_MS = 5_000;
const POLL_MS = 200;

export const CONSUME = {
  name: "consume",
  usage: "Usage: weir consume <topic>... [options]",
  help: `Prints the records of topics, one line each, until Ctrl-C (exit 130), --max-messages,
--exit-at-end or --idle-timeout. Without --group every partition is read (nothing is committed);
with --group the group's members share the partitions and the printed records are committed.
A count goes to stderr at the end.

Options:
  -g, --group <id>             consume as a member of this consumer group, committing offsets
  -p, --partition <n>          only this partition (without --group)
      --from <position>        where to start: ${START_POSITION_HELP}
                               (default: end; write negative counts as --from=-10). With --group, beginning and end apply only where the
                               group has no committed offset; the others override it.
  -n, --max-messages <n>       exit after printing n records
  -e, --exit-at-end            exit once every partition was read up to where it ended at the start
      --idle-timeout <ms>      exit when no record arrived for this long
  -F, --format <template>      how each record is printed (default '{value}'), e.g.
                               '{partition}:{offset} {key}={value} [{headers}]'; placeholders:
                               ${TEMPLATE_PLACEHOLDERS.join(" ")};
                               \\t and \\n are tab and newline; null keys and values print as null
      --encoding <enc>         utf8 (default), hex or base64 for keys, values and header values

With --output json every record is one JSON object on its own line (topic, partition, offset,
timestamp, timestampType, key, value, headers). Other consumer settings by their Kafka names, e.g.
-X isolation.level=read_committed -X max.partition.fetch.bytes=4194304.`,
  options: {
    group: { type: "string", short: "g" },
    partition: { type: "string", short: "p" },
    from: { type: "string" },
    "max-messages": { type: "string", short: "n" },
    "exit-at-end": { type: "boolean", short: "e" },
    "idle-timeout": { type: "string" },
    format: { type: "string", short: "F" },
    encoding: { type: "string" },
  },
  positionals: { min: 1, max: Number.POSITIVE_INFINITY, name: "topic name" },
} as const;

export function runConsume(args: string[]): Promise<number> {
  return withUsage(CONSUME, () => consume(args));
}

/** A record as one line of --output json. */
export function recordJson(r: ConsumerRecord, encoding: BytesEncoding): object {
  return {
    topic: r.topic,
    partition: r.partition,
    offset: r.offset,
    timestamp: r.timestamp,
    timestampType: r.timestampType,
    key: encodeBytes(r.key, encoding),
    value: encodeBytes(r.value, encoding),
    headers: r.headers.map((h) => ({ key: h.key, value: encodeBytes(h.value, encoding) })),
  };
}

async function consume(args: string[]): Promise<number> {
  const parsed = parseCommand(args, CONSUME);
  if (parsed === undefined) return ExitCode.OK;
  const { values } = parsed;
  const topics = [...new Set(parsed.positionals)];
  const group = values.group;
  if (group !== undefined && group.trim() === "") throw usageError("--group must not be empty");
  const partition =
    values.partition === undefined
      ? undefined
      : parseInteger("--partition", values.partition, 0, 2_147_483_647);
  if (partition !== undefined && group !== undefined) {
    throw usageError("--partition reads one partition without a group; the group assigns partitions itself");
  }
  if (partition !== undefined && topics.length > 1) throw usageError("--partition takes one topic");
  const from = parseStartPosition(values.from ?? "end");
  const maxMessages =
    values["max-messages"] === undefined
      ? undefined
      : parseInteger("--max-messages", values["max-messages"], 1);
  const idleTimeoutMs =
    values["idle-timeout"] === undefined
      ? undefined
      : parseInteger("--idle-timeout", values["idle-timeout"], 1);
  const encoding = parseChoice("--encoding", values.encoding ?? "utf8", BYTES_ENCODINGS);
  const settings = connectionSettings(values);
  const json = settings.output === "json";
  if (json && values.format !== undefined) throw usageError("--format and --output json exclude each other");
  const template = new FormatTemplate(values.format ?? "{value}");
  const render = json
    ? (r: ConsumerRecord) => JSON.stringify(recordJson(r, encoding))
    : (r: ConsumerRecord) => template.render(r, encoding);

  return withSession(settings, async (session) => {
    const described = await Promise.all(topics.map((t) => requireTopic(session.admin, t, partition)));
    const partitions: TopicPartition[] = described.flatMap((t) =>
      t.partitions
        .filter((p) => partition === undefined || p.partition === partition)
        .map((p) => ({ topic: t.name, partition: p.partition })),
    );
    const ends =
      values["exit-at-end"] === true || from.kind === "last"
        ? await partitionOffsets(session.admin, partitions, "latest")
        : undefined;
    const starts =
      from.kind === "last" ? await partitionOffsets(session.admin, partitions, "earliest") : undefined;
    const consumer = openConsumer(session, group, from, topics, partitions, ends, starts);

    const writer = new StdoutWriter();
    const consumed = new Map<string, TopicPartitionOffset>();
    let count = 0;
    let lastRecordAt = Date.now();
    let nextCommit = Date.now() + COMMIT_INTERVAL_MS;
    let interrupted = false;
    const onInterrupt = () => {
      if (interrupted) process.exit(ExitCode.INTERRUPTED);
      interrupted = true;
    };
    process.on("SIGINT", onInterrupt);
    const commit = async () => {
      if (group === undefined) return;
      const owned = new Set(consumer.assignment().map(partitionKey));
      const offsets = [...consumed.entries()].filter(([k]) => owned.has(k)).map(([, o]) => o);
      if (offsets.length > 0) await consumer.commitSync(offsets);
    };
    try {
      for (;;) {
        const records = await consumer.poll(POLL_MS);
        let out = "";
        let full = false;
        for (const r of records) {
          out += `${render(r)}\n`;
          count++;
          consumed.set(partitionKey(r), {
            topic: r.topic,
            partition: r.partition,
            offset: r.offset + 1,
            leaderEpoch: r.leaderEpoch,
          });
          if (maxMessages !== undefined && count >= maxMessages) {
            full = true;
            break;
          }
        }
        await writer.write(out);
        const now = Date.now();
        if (records.length > 0) lastRecordAt = now;
        if (full || interrupted || writer.closed) break;
        if (idleTimeoutMs !== undefined && now - lastRecordAt >= idleTimeoutMs) break;
        if (ends !== undefined && values["exit-at-end"] === true && (await readToEnd(consumer, ends))) break;
        if (now >= nextCommit) {
          await commit();
          nextCommit = now + COMMIT_INTERVAL_MS;
        }
      }
      await commit();
    } finally {
      process.off("SIGINT", onInterrupt);
    }
    await consumer.close();
    printNote(`Consumed ${count} record${count === 1 ? "" : "s"}${interrupted ? " (interrupted)" : ""}.`);
    return interrupted ? ExitCode.INTERRUPTED : ExitCode.OK;
  });
}

/**
 * A consumer positioned as --from says: without a group it is assigned every partition and seeks;
 * in a group it subscribes, auto.offset.reset covers beginning/end where nothing is committed, and
 * an explicit position is applied the first time each partition is assigned.
 */
function openConsumer(
  session: ClusterSession,
  group: string | undefined,
  from: StartPosition,
  topics: readonly string[],
  partitions: readonly TopicPartition[],
  ends: OffsetsByPartition | undefined,
  starts: OffsetsByPartition | undefined,
): Consumer {
  const consumer = session.consumer({
    groupId: group ?? null,
    enableAutoCommit: false,
    autoOffsetReset: from.kind === "beginning" ? "earliest" : "latest",
  });
  const seek = (tps: readonly TopicPartition[]) => {
    if (tps.length === 0) return;
    switch (from.kind) {
      case "beginning":
        consumer.seekToBeginning(tps);
        return;
      case "end":
        consumer.seekToEnd(tps);
        return;
      case "offset":
        for (const tp of tps) consumer.seek({ ...tp, offset: from.offset });
        return;
      case "last":
        for (const tp of tps) {
          const end = ends?.get(partitionKey(tp)) ?? 0;
          const start = starts?.get(partitionKey(tp)) ?? 0;
          consumer.seek({ ...tp, offset: Math.max(start, end - from.count) });
        }
        return;
      case "timestamp":
        consumer.seekToTimestamp(from.timestamp, tps);
        return;
      default:
        assertNever(from);
    }
  };
  if (group === undefined) {
    consumer.assign(partitions);
    seek(partitions);
    return consumer;
  }
  const positioned = new Set<string>();
  consumer.subscribe([...topics], {
    onPartitionsAssigned: (tps) => {
      if (from.kind === "beginning" || from.kind === "end") return; // auto.offset.reset
      const fresh = tps.filter((tp) => !positioned.has(partitionKey(tp)));
      for (const tp of fresh) positioned.add(partitionKey(tp));
      seek(fresh);
    },
  });
  return consumer;
}

/** Whether every assigned partition's position reached the end it had at the start. */
async function readToEnd(consumer: Consumer, ends: OffsetsByPartition): Promise<boolean> {
  const assigned = consumer.assignment();
  if (assigned.length === 0) return false;
  for (const tp of assigned) {
    let position: number;
    try {
      position = await consumer.position(tp, { timeoutMs: 0 });
    } catch {
      return false; // not known yet
    }
    if (position < (ends.get(partitionKey(tp)) ?? 0)) return false;
  }
  return true;
}

function assertNever(x: never): never {
  throw new Error(`unexpected start position ${JSON.stringify(x)}`);
}
