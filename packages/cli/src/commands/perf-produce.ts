import { randomInt } from "node:crypto";
import { setTimeout as sleep, setImmediate as yieldToEventLoop } from "node:timers/promises";
import { connectionSettings } from "../args/common-options.js";
import { parseCommand } from "../args/parse-command.js";
import { PRODUCER_FLAGS, PRODUCER_FLAGS_HELP, producerFlagOptions } from "../args/producer-flags.js";
import { parseInteger } from "../args/values.js";
import { withSession } from "../client/cluster-session.js";
import { requireTopic } from "../client/require-topic.js";
import { ExitCode } from "../exit-code.js";
import { printJson, printLine, printNote } from "../output/output-format.js";
import { renderFields } from "../output/table.js";
import type { PerfSummary } from "../perf/perf-window.js";
import { PerfWindow } from "../perf/perf-window.js";
import { ThroughputThrottler } from "../perf/throughput-throttler.js";

export const PERF_PRODUCE = {
  name: "perf produce",
  usage: "Usage: weir perf produce <topic> [options]",
  help: `Sends records as fast as the cluster takes them (or at --throughput) and reports records/s, MB/s
and latency percentiles, in the spirit of kafka-producer-perf-test. Latency runs from send() to the
acknowledgement. Every record has the same value of random capital letters and no key. A line
per --interval goes to stderr; the summary to stdout. The topic must exist.

Options:
  -n, --num-records <n>        records to send (default 100000)
  -s, --record-size <bytes>    value size (default 1024)
  -t, --throughput <n>         at most n records per second (default -1: no limit)
  -i, --interval <ms>          report a window this often (default 5000)
${PRODUCER_FLAGS_HELP}

Batching decides throughput: the client's defaults (batch.size 1000000, linger.ms 5) apply;
-X batch.size=16384 gives the Java client's small batches.`,
  options: {
    "num-records": { type: "string", short: "n" },
    "record-size": { type: "string", short: "s" },
    throughput: { type: "string", short: "t" },
    interval: { type: "string", short: "i" },
    ...PRODUCER_FLAGS,
  },
  positionals: { min: 1, max: 1, name: "topic name" },
} as const;

/** A value of random capital letters, made once (as kafka-producer-perf-test does). */
function payloadOf(size: number): Buffer {
  const payload = Buffer.allocUnsafe(size);
  for (let i = 0; i < size; i++) payload[i] = 65 + randomInt(26);
  return payload;
}

export async function runPerfProduce(args: string[]): Promise<number> {
  const parsed = parseCommand(args, PERF_PRODUCE);
  if (parsed === undefined) return ExitCode.OK;
  const { values } = parsed;
  const [topic] = parsed.positionals;
  const numRecords = parseInteger("--num-records", values["num-records"] ?? "100000", 1);
  const recordSize = parseInteger("--record-size", values["record-size"] ?? "1024", 0, 100 * 1024 * 1024);
  const throughput = parseInteger("--throughput", values.throughput ?? "-1", -1);
  const intervalMs = parseInteger("--interval", values.interval ?? "5000", 1);
  const producerOptions = producerFlagOptions(values);
  const settings = connectionSettings(values);

  return withSession(settings, async (session) => {
    await requireTopic(session.admin, topic);
    const producer = session.producer(producerOptions);
    const payload = payloadOf(recordSize);
    let errors = 0;
    let firstError: unknown;
    let interrupted = false;
    const onInterrupt = () => {
      if (interrupted) process.exit(ExitCode.INTERRUPTED);
      interrupted = true;
    };
    process.on("SIGINT", onInterrupt);

    const start = performance.now();
    const total = new PerfWindow(start);
    let window = new PerfWindow(start);
    let nextReport = start + intervalMs;
    const throttler = new ThroughputThrottler(throughput, start);
    let sent = 0;
    try {
      for (; sent < numRecords && !interrupted && firstError === undefined; ) {
        const sentAt = performance.now();
        producer.send({ topic, value: payload }).then(
          () => {
            const latency = performance.now() - sentAt;
            total.record(latency, recordSize);
            window.record(latency, recordSize);
          },
          (err: unknown) => {
            errors++;
            firstError ??= err;
          },
        );
        sent++;
        if (producer.waitingRecords > 0) await producer.bufferAvailable();
        else if ((sent & 1023) === 0) await yieldToEventLoop(); // let acknowledgements in
        const delay = throttler.delayMs(sent, performance.now());
        if (delay > 0) await sleep(delay);
        const now = performance.now();
        if (now >= nextReport) {
          printNote(windowLine(window.summary(now)));
          window = new PerfWindow(now);
          nextReport = now + intervalMs;
        }
      }
      await producer.flush();
    } finally {
      process.off("SIGINT", onInterrupt);
    }
    const summary = total.summary(performance.now());
    if (settings.output === "json") {
      printJson({
        topic,
        recordSize,
        compression: producerOptions.compression ?? session.settings.properties["compression.type"] ?? "none",
        acks: producer.config.acks === -1 ? "all" : producer.config.acks,
        ...summary,
        sent,
        errors,
        interrupted,
      });
    } else {
      printLine(
        renderFields([
          [
            "records",
            `${summary.records} of ${sent} sent, ${formatMb(summary.bytes)} MB in ${(summary.elapsedMs / 1000).toFixed(2)} s${interrupted ? " (interrupted)" : ""}`,
          ],
          [
            "throughput",
            `${summary.recordsPerSec.toFixed(1)} records/s, ${summary.mbPerSec.toFixed(2)} MB/s`,
          ],
          ["latency", latencyText(summary)],
          ["errors", errors],
        ]),
      );
    }
    if (firstError !== undefined) {
      printNote(`weir: ${errors} record${errors === 1 ? "" : "s"} failed`);
      throw firstError;
    }
    return interrupted ? ExitCode.INTERRUPTED : ExitCode.OK;
  });
}

function latencyText(s: PerfSummary): string {
  const l = s.latencyMs;
  const ms = (n: number) => n.toFixed(2);
  return `avg ${ms(l.avg)} ms, p50 ${ms(l.p50)} ms, p95 ${ms(l.p95)} ms, p99 ${ms(l.p99)} ms, p99.9 ${ms(l.p999)} ms, max ${ms(l.max)} ms`;
}

function windowLine(s: PerfSummary): string {
  return `${s.records} records acknowledged, ${s.recordsPerSec.toFixed(1)} records/s (${s.mbPerSec.toFixed(2)} MB/s), latency avg ${s.latencyMs.avg.toFixed(2)} ms, p99 ${s.latencyMs.p99.toFixed(2)} ms, max ${s.latencyMs.max.toFixed(2)} ms`;
}

function formatMb(bytes: number): string {
  return (bytes / (1024 * 1024)).toFixed(2);
}
