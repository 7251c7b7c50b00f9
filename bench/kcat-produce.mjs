#!/usr/bin/env node
// First throughput figure: kcat (librdkafka) producing 1 KiB messages with acks=1 to a
// 1-partition topic on a Weir broker running as its own process with its default flush policy.
// usage: node bench/kcat-produce.mjs [--messages 200000] [--runs 3] [--set key=value ...]
// (--set passes broker properties, e.g. --set log.flush.interval.messages=9223372036854775807
// for Kafka's default of acknowledging from the page cache)
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";

const { values } = parseArgs({
  options: {
    messages: { type: "string", default: "200000" },
    runs: { type: "string", default: "3" },
    set: { type: "string", multiple: true, default: [] },
  },
});
const messages = Number(values.messages);
const runs = Number(values.runs);
const size = 1024;

const freePort = () =>
  new Promise((resolve) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });

const dir = mkdtempSync(join(tmpdir(), "weir-bench-"));
const input = join(dir, "input.txt");
const line = `${"x".repeat(size - 1)}\n`;
writeFileSync(input, line.repeat(messages));
const port = await freePort();
const bootstrap = `127.0.0.1:${port}`;
const broker = spawn(
  process.execPath,
  [
    "packages/cli/bin/weir.js",
    "start",
    "--log-level",
    "warn",
    "--set",
    `listeners=PLAINTEXT://127.0.0.1:${port}`,
    "--set",
    `log.dirs=${join(dir, "data")}`,
    ...values.set.flatMap((kv) => ["--set", kv]),
  ],
  { stdio: ["ignore", "inherit", "inherit"] },
);
try {
  for (let i = 0; i < 50; i++) {
    if (spawnSync("kcat", ["-L", "-b", bootstrap, "-m", "1"], { stdio: "ignore" }).status === 0) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const results = [];
  // One warm-up run (first-touch memory is slow on this machine), then the measured runs.
  for (let run = 0; run <= runs; run++) {
    const topic = `bench-${run}`;
    const started = process.hrtime.bigint();
    const res = spawnSync(
      "kcat",
      [
        "-P",
        "-b",
        bootstrap,
        "-t",
        topic,
        "-p",
        "0",
        "-X",
        "acks=1",
        "-X",
        "linger.ms=5",
        "-X",
        "batch.size=1000000",
        "-l",
        input,
      ],
      { stdio: ["ignore", "ignore", "pipe"] },
    );
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    if (res.status !== 0) throw new Error(`kcat failed: ${res.stderr}`);
    if (run > 0) results.push(seconds);
  }
  results.sort((a, b) => a - b);
  const median = results[Math.floor(results.length / 2)];
  const summary = {
    benchmark: "kcat produce, 1 KiB values, acks=1, 1 partition",
    brokerSettings: values.set.length > 0 ? values.set : "defaults (flush before acknowledging)",
    messages,
    runs,
    medianSeconds: Number(median.toFixed(3)),
    recordsPerSecond: Math.round(messages / median),
    megabytesPerSecond: Number(((messages * size) / median / 1e6).toFixed(1)),
    node: process.version,
    cpu: cpus()[0]?.model,
    cores: cpus().length,
  };
  console.log(JSON.stringify(summary, null, 2));
} finally {
  broker.kill("SIGTERM");
  await new Promise((r) => broker.once("exit", r));
  rmSync(dir, { recursive: true, force: true });
}
