import type { RecordMetadata } from "@weir/client";
import { connectionSettings } from "../args/common-options.js";
import { parseCommand, withUsage } from "../args/parse-command.js";
import { PRODUCER_FLAGS, PRODUCER_FLAGS_HELP, producerFlagOptions } from "../args/producer-flags.js";
import { parseInteger } from "../args/values.js";
import { CliError } from "../cli-error.js";
import { withSession } from "../client/cluster-session.js";
import { requireTopic } from "../client/require-topic.js";
import { ExitCode } from "../exit-code.js";
import { openLines } from "../input/line-source.js";
import { parseRecordLine, unescapeSeparator } from "../input/record-line.js";
import { printJson, printLine, printNote } from "../output/output-format.js";
import { Progress } from "../output/progress.js";
import { renderTable } from "../output/table.js";

const PRODUCE = {
  name: "produce",
  usage: "Usage: weir produce <topic> [options] < lines.txt",
  help: `Sends every line of stdin (or of --file) as one record. The line is the value; with
--key-separator the text before the first separator is the key. Empty lines are sent as empty
values. Ends once every record is acknowledged; Ctrl-C stops reading, waits for the records
already sent and exits with 130. The topic must exist ('weir topics create').

Options:
  -f, --file <path>            read lines from a file instead of stdin
  -K, --key-separator <sep>    split each line into key and value at the first <sep> ('\\t' for a tab);
                               a line without it is an error
  -H, --header <key=value>     add this header to every record (repeatable; 'key' alone: null value)
  -p, --partition <n>          write every record to this partition (default: by the key's hash,
                               records without key go to one partition per batch)
${PRODUCER_FLAGS_HELP}

Other producer settings by their Kafka names, e.g. -X linger.ms=20 -X batch.size=262144.`,
  options: {
    file: { type: "string", short: "f" },
    "key-separator": { type: "string", short: "K" },
    header: { type: "string", short: "H", multiple: true },
    partition: { type: "string", short: "p" },
    ...PRODUCER_FLAGS,
  },
  positionals: { min: 1, max: 1, name: "topic name" },
} as const;

interface PartitionSummary {
  records: number;
  firstOffset: number;
  lastOffset: number;
}

export function runProduce(args: string[]): Promise<number> {
  return withUsage(PRODUCE, () => produce(args));
}

async function produce(args: string[]): Promise<number> {
  const parsed = parseCommand(args, PRODUCE);
  if (parsed === undefined) return ExitCode.OK;
  const { values } = parsed;
  const [topic] = parsed.positionals;
  const separator = values["key-separator"];
  const keySeparator = separator === undefined ? undefined : unescapeSeparator(separator);
  if (keySeparator === "") throw new CliError("--key-separator must not be empty", ExitCode.USAGE);
  const headers = (values.header ?? []).map((h) => {
    const eq = h.indexOf("=");
    return eq < 0 ? { key: h, value: null } : { key: h.slice(0, eq), value: h.slice(eq + 1) };
  });
  const headerBytes = headers.reduce(
    (n, h) => n + Buffer.byteLength(h.key) + Buffer.byteLength(h.value ?? ""),
    0,
  );
  const partition =
    values.partition === undefined
      ? undefined
      : parseInteger("--partition", values.partition, 0, 2_147_483_647);
  const producerOptions = producerFlagOptions(values);
  const settings = connectionSettings(values);

  return withSession(settings, async (session) => {
    await requireTopic(session.admin, topic, partition);
    const producer = session.producer(producerOptions);
    const lines = await openLines(values.file);
    if (values.file === undefined && process.stdin.isTTY) {
      printNote(`Type records for ${topic}, one per line; Ctrl-D ends.`);
    }
    const progress = new Progress();
    const partitions = new Map<number, PartitionSummary>();
    let sent = 0;
    let acknowledged = 0;
    let bytes = 0;
    let failure: unknown;
    let interrupted = false;
    const onInterrupt = () => {
      if (interrupted) process.exit(ExitCode.INTERRUPTED);
      interrupted = true;
      lines.close();
    };
    process.on("SIGINT", onInterrupt);
    lines.on("SIGINT", onInterrupt); // a terminal's Ctrl-C reaches readline, not the process
    const onDelivered = (m: RecordMetadata) => {
      acknowledged++;
      const p = partitions.get(m.partition);
      if (p === undefined)
        partitions.set(m.partition, { records: 1, firstOffset: m.offset, lastOffset: m.offset });
      else {
        p.records++;
        p.firstOffset = Math.min(p.firstOffset, m.offset);
        p.lastOffset = Math.max(p.lastOffset, m.offset);
      }
    };
    const onFailed = (err: unknown) => {
      failure ??= err;
    };
    const started = performance.now();
    try {
      let lineNumber = 0;
      for await (const line of lines) {
        if (failure !== undefined || interrupted) break;
        lineNumber++;
        let record: ReturnType<typeof parseRecordLine>;
        try {
          record = parseRecordLine(line, lineNumber, keySeparator);
        } catch (err) {
          failure = err;
          break;
        }
        producer
          .send({ topic, key: record.key, value: record.value, headers, partition })
          .then(onDelivered, onFailed);
        sent++;
        bytes +=
          Buffer.byteLength(record.value) +
          (record.key === null ? 0 : Buffer.byteLength(record.key)) +
          headerBytes;
        if (producer.waitingRecords > 0) await producer.bufferAvailable();
        progress.update(() => `produced ${acknowledged} of ${sent} records to ${topic}`);
      }
      lines.close();
      await producer.flush();
    } finally {
      process.off("SIGINT", onInterrupt);
      progress.clear();
    }
    const elapsedMs = performance.now() - started;
    if (failure !== undefined) {
      printNote(`weir: ${acknowledged} of ${sent} records were written to ${topic} before the failure`);
      throw failure;
    }

    const rows = [...partitions.entries()]
      .sort((a, b) => a[0] - b[0])
      .map(([p, s]) => ({
        partition: p,
        records: s.records,
        firstOffset: s.firstOffset,
        lastOffset: s.lastOffset,
      }));
    if (settings.output === "json") {
      printJson({
        topic,
        records: acknowledged,
        bytes,
        elapsedMs: Math.round(elapsedMs),
        interrupted,
        partitions: rows,
      });
    } else {
      printLine(
        `Produced ${acknowledged} record${acknowledged === 1 ? "" : "s"} (${bytes} bytes) to ${topic} in ${(elapsedMs / 1000).toFixed(2)} s${interrupted ? " (interrupted)" : ""}.`,
      );
      if (rows.length > 0) {
        printLine(
          renderTable(
            [
              { header: "partition", align: "right" },
              { header: "records", align: "right" },
              { header: "first-offset", align: "right" },
              { header: "last-offset", align: "right" },
            ],
            rows.map((r) => [
              r.partition,
              r.records,
              r.firstOffset < 0 ? null : r.firstOffset,
              r.lastOffset < 0 ? null : r.lastOffset,
            ]),
          ),
        );
      }
    }
    return interrupted ? ExitCode.INTERRUPTED : ExitCode.OK;
  });
}
