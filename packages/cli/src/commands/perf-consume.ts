import type { TopicPartition } from "@weir/client";
import { connectionSettings } from "../args/common-options.js";
import { parseCommand } from "../args/parse-command.js";
import { parseInteger } from "../args/values.js";
import { CliError, usageError } from "../cli-error.js";
import { withSession } from "../client/cluster-session.js";
import { partitionKey, partitionOffsets } from "../client/partition-offsets.js";
import { requireTopic } from "../client/require-topic.js";
import { ExitCode } from "../exit-code.js";
import { printJson, printLine, printNote } from "../output/output-format.js";
import { renderFields } from "../output/table.js";

const POLL_MS = 100;
const MB = 1024 * 1024;

export const PERF_CONSUME = {
  name: "perf consume",
  usage: "Usage: weir perf consume <topic> [options]",
  help: `Reads records from the beginning of a topic as fast as the cluster delivers them and reports
records/s and MB/s (keys and values), in the spirit of kafka-consumer-perf-test: over the whole run,
and over the fetching alone (from the first record on, without connecting and joining the group).
A line per --interval goes to stderr; the summary to stdout.

Options:
  -n, --num-records <n>        records to read (default: all the topic holds when the test starts)
  -g, --group <id>             read as a member of this group (auto.offset.reset=earliest; nothing is
                               committed); default: no group, every partition from its beginning
      --idle-timeout <ms>      fail when no record arrives for this long (default 10000)
  -i, --interval <ms>          report a window this often (default 5000)

Fetch sizes by their Kafka names, e.g. -X fetch.max.bytes=104857600 -X max.poll.records=2000.`,
  options: {
    "num-records": { type: "string", short: "n" },
    group: { type: "string", short: "g" },
    "idle-timeout": { type: "string" },
    interval: { type: "string", short: "i" },
  },
  positionals: { min: 1, max: 1, name: "topic name" },
} as const;

export async function runPerfConsume(args: string[]): Promise<number> {
  const parsed = parseCommand(args, PERF_CONSUME);
  if (parsed === undefined) return ExitCode.OK;
  const { values } = parsed;
  const [topic] = parsed.positionals;
  const requested =
    values["num-records"] === undefined ? undefined : parseInteger("--num-records", values["num-records"], 1);
  const group = values.group;
  if (group !== undefined && group.trim() === "") throw usageError("--group must not be empty");
  const idleTimeoutMs = parseInteger("--idle-timeout", values["idle-timeout"] ?? "10000", 1);
  const intervalMs = parseInteger("--interval", values.interval ?? "5000", 1);
  const settings = connectionSettings(values);

  return withSession(settings, async (session) => {
    const description = await requireTopic(session.admin, topic);
    const partitions: TopicPartition[] = description.partitions.map((p) => ({
      topic,
      partition: p.partition,
    }));
    const [starts, ends] = await Promise.all([
      partitionOffsets(session.admin, partitions, "earliest"),
      partitionOffsets(session.admin, partitions, "latest"),
    ]);
    const available = partitions.reduce(
      (n, tp) => n + (ends.get(partitionKey(tp)) ?? 0) - (starts.get(partitionKey(tp)) ?? 0),
      0,
    );
    const target = requested ?? available;
    if (target === 0) {
      throw new CliError(
        `topic ${topic} holds no records to read`,
        ExitCode.OPERATION_FAILED,
        `write some first: weir perf produce ${topic}`,
      );
    }

    const start = performance.now();
    const consumer = session.consumer({
      groupId: group ?? null,
      enableAutoCommit: false,
      autoOffsetReset: "earliest",
    });
    if (group === undefined) {
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
    } else {
      consumer.subscribe([topic]);
    }

    let interrupted = false;
    const onInterrupt = () => {
      if (interrupted) process.exit(ExitCode.INTERRUPTED);
      interrupted = true;
    };
    process.on("SIGINT", onInterrupt);
    let records = 0;
    let bytes = 0;
    let firstRecordAt: number | undefined;
    let lastRecordAt = start;
    let windowStart = start;
    let windowRecords = 0;
    let windowBytes = 0;
    let timedOut = false;
    try {
      while (records < target && !interrupted) {
        const batch = await consumer.poll(POLL_MS);
        const now = performance.now();
        if (batch.length > 0) {
          firstRecordAt ??= now;
          lastRecordAt = now;
          for (const r of batch) {
            if (records === target) break;
            const size = (r.key?.length ?? 0) + (r.value?.length ?? 0);
            records++;
            bytes += size;
            windowRecords++;
            windowBytes += size;
          }
        } else if (now - lastRecordAt >= idleTimeoutMs) {
          timedOut = true;
          break;
        }
        if (now - windowStart >= intervalMs) {
          const seconds = (now - windowStart) / 1000;
          printNote(
            `${windowRecords} records read, ${(windowRecords / seconds).toFixed(1)} records/s (${(windowBytes / MB / seconds).toFixed(2)} MB/s)`,
          );
          windowStart = now;
          windowRecords = 0;
          windowBytes = 0;
        }
      }
    } finally {
      process.off("SIGINT", onInterrupt);
    }
    const end = performance.now();
    await consumer.close();

    const elapsedMs = end - start;
    const fetchMs = firstRecordAt === undefined ? 0 : Math.max(1, lastRecordAt - firstRecordAt);
    const summary = {
      topic,
      group: group ?? null,
      records,
      bytes,
      elapsedMs: round(elapsedMs, 1),
      recordsPerSec: round((records * 1000) / Math.max(1, elapsedMs), 1),
      mbPerSec: round((bytes * 1000) / Math.max(1, elapsedMs) / MB, 2),
      firstRecordMs: firstRecordAt === undefined ? null : round(firstRecordAt - start, 1),
      fetchRecordsPerSec: round((records * 1000) / Math.max(1, fetchMs), 1),
      fetchMbPerSec: round((bytes * 1000) / Math.max(1, fetchMs) / MB, 2),
      timedOut,
      interrupted,
    };
    if (settings.output === "json") printJson(summary);
    else {
      printLine(
        renderFields([
          [
            "records",
            `${records} of ${target} read, ${(bytes / MB).toFixed(2)} MB in ${(elapsedMs / 1000).toFixed(2)} s${interrupted ? " (interrupted)" : ""}`,
          ],
          [
            "throughput",
            `${summary.recordsPerSec.toFixed(1)} records/s, ${summary.mbPerSec.toFixed(2)} MB/s`,
          ],
          [
            "first record",
            summary.firstRecordMs === null ? "none" : `after ${summary.firstRecordMs.toFixed(1)} ms`,
          ],
          [
            "fetching",
            `${summary.fetchRecordsPerSec.toFixed(1)} records/s, ${summary.fetchMbPerSec.toFixed(2)} MB/s (from the first record on)`,
          ],
        ]),
      );
    }
    if (timedOut) {
      throw new CliError(
        `no record arrived for ${idleTimeoutMs} ms: read ${records} of ${target} records`,
        ExitCode.OPERATION_FAILED,
        "ask for fewer with --num-records, or wait longer with --idle-timeout",
      );
    }
    return interrupted ? ExitCode.INTERRUPTED : ExitCode.OK;
  });
}

function round(n: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}
