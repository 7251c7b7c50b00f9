#!/usr/bin/env node
// Producer throughput: the Weir client against kafkajs, same broker, same data, one run each in
// turn. The broker runs as its own process (`weir start`); every run produces `--messages` values
// of `--size` bytes to a fresh topic and ends when the last one is acknowledged.
// usage: node packages/client/bench/produce.mjs [--messages 200000] [--size 1024] [--runs 3]
//        [--partitions 1] [--acks all|1] [--batch-size 16384] [--linger-ms 5] [--only name-substring]
//        [--set broker.key=value ...]
// Needs `npm run build` first. Not a test: prints a JSON summary (median of the runs per client).
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { cpus, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import kafkajs from "kafkajs";
import { Kafka } from "../dist/src/index.js";

const { values } = parseArgs({
  options: {
    messages: { type: "string", default: "200000" },
    size: { type: "string", default: "1024" },
    runs: { type: "string", default: "3" },
    partitions: { type: "string", default: "1" },
    acks: { type: "string", default: "all" },
    window: { type: "string", default: "8" },
    "batch-size": { type: "string", default: "16384" },
    "linger-ms": { type: "string", default: "5" },
    only: { type: "string", default: "" },
    set: { type: "string", multiple: true, default: [] },
  },
});
const messages = Number(values.messages);
const size = Number(values.size);
const runs = Number(values.runs);
const partitions = Number(values.partitions);
const acks = values.acks === "all" ? -1 : Number(values.acks);
const window = Number(values.window);
const chunk = 1000;
const weirOptions = {
  acks: acks === -1 ? "all" : acks,
  batchSize: Number(values["batch-size"]),
  lingerMs: Number(values["linger-ms"]),
};
const payload = Buffer.alloc(size, "x");
const root = join(dirname(fileURLToPath(import.meta.url)), "../../..");

const freePort = () =>
  new Promise((resolve) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });

/** Runs `send(i)` for chunks of records with at most `window` in flight. */
async function windowed(send) {
  const inFlight = new Set();
  for (let i = 0; i < messages; i += chunk) {
    const p = send(i, Math.min(chunk, messages - i)).then(() => inFlight.delete(p));
    inFlight.add(p);
    if (inFlight.size >= window) await Promise.race(inFlight);
  }
  await Promise.all(inFlight);
}

const clients = {
  /** The idiomatic Weir way: one send() per record, batching left to linger.ms/batch.size. */
  "weir send() per record": async (bootstrap, topic) => {
    const kafka = new Kafka({ bootstrapServers: [bootstrap], clientId: "bench" });
    const producer = kafka.producer(weirOptions);
    await producer.connect();
    const started = process.hrtime.bigint();
    const all = [];
    for (let i = 0; i < messages; i++) {
      all.push(producer.send({ topic, value: payload }));
      if (producer.waitingRecords > 0) await producer.bufferAvailable();
    }
    await Promise.all(all);
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    await producer.close();
    return seconds;
  },
  /** sendBatch() of 1000 records, `window` calls in flight: the same shape as the kafkajs run. */
  "weir sendBatch(1000)": async (bootstrap, topic) => {
    const kafka = new Kafka({ bootstrapServers: [bootstrap], clientId: "bench" });
    const producer = kafka.producer(weirOptions);
    await producer.connect();
    const records = Array.from({ length: chunk }, () => ({ topic, value: payload }));
    const started = process.hrtime.bigint();
    await windowed((_, n) => producer.sendBatch(n === chunk ? records : records.slice(0, n)));
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    await producer.close();
    return seconds;
  },
  /** kafkajs 2.2.4 with its defaults: send() of 1000 messages, `window` calls in flight. */
  "kafkajs send(1000 messages)": async (bootstrap, topic) => {
    const kafka = new kafkajs.Kafka({
      brokers: [bootstrap],
      clientId: "bench",
      logLevel: kafkajs.logLevel.NOTHING,
    });
    const producer = kafka.producer();
    await producer.connect();
    const batch = Array.from({ length: chunk }, () => ({ value: payload }));
    const started = process.hrtime.bigint();
    await windowed((_, n) =>
      producer.send({ topic, acks, messages: n === chunk ? batch : batch.slice(0, n) }),
    );
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    await producer.disconnect();
    return seconds;
  },
};

const dir = mkdtempSync(join(tmpdir(), "weir-client-bench-"));
const port = await freePort();
const bootstrap = `127.0.0.1:${port}`;
const broker = spawn(
  process.execPath,
  [
    join(root, "packages/cli/bin/weir.js"),
    "start",
    "--log-level",
    "warn",
    "--set",
    `listeners=PLAINTEXT://127.0.0.1:${port}`,
    "--set",
    `log.dirs=${join(dir, "data")}`,
    "--set",
    `num.partitions=${partitions}`,
    ...values.set.flatMap((kv) => ["--set", kv]),
  ],
  { stdio: ["ignore", "inherit", "inherit"] },
);
try {
  const admin = new Kafka({ bootstrapServers: [bootstrap], clientId: "bench-admin" }).admin();
  await admin.connect({ timeoutMs: 30_000 });
  const results = {};
  let topicNo = 0;
  // One warm-up round, then the measured rounds; the clients take turns within a round.
  for (let run = 0; run <= runs; run++) {
    for (const [name, produce] of Object.entries(clients)) {
      if (!name.includes(values.only)) continue;
      const topic = `bench-${topicNo++}`;
      await admin.createTopics([{ name: topic, numPartitions: partitions }]);
      const seconds = await produce(bootstrap, topic);
      const [end] = await admin.listOffsets([{ topic, partition: 0, spec: "latest" }]);
      if (partitions === 1 && end.offset !== messages)
        throw new Error(`${name}: ${end.offset} records in ${topic}`);
      if (run > 0) {
        results[name] ??= [];
        results[name].push(seconds);
      }
      await admin.deleteTopics([topic]);
    }
  }
  await admin.close();
  const summary = {
    benchmark: `produce ${messages} values of ${size} bytes, acks=${values.acks}, ${partitions} partition(s)`,
    runs,
    clients: Object.fromEntries(
      Object.entries(results).map(([name, times]) => {
        times.sort((a, b) => a - b);
        const median = times[Math.floor(times.length / 2)];
        return [
          name,
          {
            medianSeconds: Number(median.toFixed(3)),
            recordsPerSecond: Math.round(messages / median),
            megabytesPerSecond: Number(((messages * size) / median / 1e6).toFixed(1)),
          },
        ];
      }),
    ),
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
