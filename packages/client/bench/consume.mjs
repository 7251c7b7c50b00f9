#!/usr/bin/env node
// Consumer throughput: the Weir consumer against kafkajs, same broker, same data. The broker runs
// as its own process (`weir start`); `--messages` values of `--size` bytes are produced once, then
// every run reads all of them from the beginning with a fresh consumer group and ends at the last
// one. Reported: the median of the runs per client, timed from subscribe() to the last record
// ("total", group join included) and from the first record to the last ("streaming").
// usage: node packages/client/bench/consume.mjs [--messages 200000] [--size 1024] [--runs 3]
//        [--partitions 1] [--compression none] [--only name-substring] [--set broker.key=value ...]
// Needs `npm run build` first. Not a test: prints a JSON summary.
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
    compression: { type: "string", default: "none" },
    only: { type: "string", default: "" },
    set: { type: "string", multiple: true, default: [] },
  },
});
const messages = Number(values.messages);
const size = Number(values.size);
const runs = Number(values.runs);
const partitions = Number(values.partitions);
const root = join(dirname(fileURLToPath(import.meta.url)), "../../..");
const topic = "bench-consume";
let groupNo = 0;

const freePort = () =>
  new Promise((resolve) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });

/** Times a consumer: `start` runs it and calls `onRecords(n)` as records arrive; resolves at the last. */
async function timed(start) {
  const began = process.hrtime.bigint();
  const cpu = process.cpuUsage();
  let first = 0n;
  let count = 0;
  let bytes = 0;
  await new Promise((resolve, reject) => {
    start((n, size) => {
      if (first === 0n) first = process.hrtime.bigint();
      count += n;
      bytes += size;
      if (count >= messages) resolve();
    }).catch(reject);
  });
  const end = process.hrtime.bigint();
  const used = process.cpuUsage(cpu);
  if (bytes !== messages * size) throw new Error(`read ${bytes} value bytes, expected ${messages * size}`);
  return {
    total: Number(end - began) / 1e9,
    streaming: Number(end - first) / 1e9,
    cpu: (used.user + used.system) / 1e6,
  };
}

const clients = {
  /** for await over the consumer: one promise per record. */
  "weir for-await (group)": async (bootstrap) => {
    const kafka = new Kafka({ bootstrapServers: [bootstrap], clientId: "bench" });
    const consumer = kafka.consumer({ groupId: `weir-${groupNo++}`, autoOffsetReset: "earliest" });
    const result = await timed(async (onRecords) => {
      consumer.subscribe([topic]);
      for await (const record of consumer) {
        onRecords(1, record.value.length);
      }
    });
    await consumer.close();
    return result;
  },
  /** run({ eachBatch }): one promise per batch of up to max.poll.records. */
  "weir eachBatch (group)": async (bootstrap) => {
    const kafka = new Kafka({ bootstrapServers: [bootstrap], clientId: "bench" });
    const consumer = kafka.consumer({ groupId: `weir-${groupNo++}`, autoOffsetReset: "earliest" });
    let running;
    const result = await timed(async (onRecords) => {
      consumer.subscribe([topic]);
      running = consumer.run({
        eachBatch: async ({ records }) => {
          let bytes = 0;
          for (const r of records) bytes += r.value.length;
          onRecords(records.length, bytes);
        },
      });
      await running;
    });
    consumer.stop();
    await running;
    await consumer.close();
    return result;
  },
  /** kafkajs 2.2.4 with its defaults, eachMessage. */
  "kafkajs eachMessage": async (bootstrap) => {
    const kafka = new kafkajs.Kafka({
      brokers: [bootstrap],
      clientId: "bench",
      logLevel: kafkajs.logLevel.NOTHING,
    });
    const consumer = kafka.consumer({ groupId: `kafkajs-${groupNo++}` });
    await consumer.connect();
    const result = await timed(async (onRecords) => {
      await consumer.subscribe({ topic, fromBeginning: true });
      await consumer.run({ eachMessage: async ({ message }) => onRecords(1, message.value.length) });
    });
    await consumer.disconnect();
    return result;
  },
  /** kafkajs 2.2.4 with its defaults, eachBatch. */
  "kafkajs eachBatch": async (bootstrap) => {
    const kafka = new kafkajs.Kafka({
      brokers: [bootstrap],
      clientId: "bench",
      logLevel: kafkajs.logLevel.NOTHING,
    });
    const consumer = kafka.consumer({ groupId: `kafkajs-${groupNo++}` });
    await consumer.connect();
    const result = await timed(async (onRecords) => {
      await consumer.subscribe({ topic, fromBeginning: true });
      await consumer.run({
        eachBatch: async ({ batch }) => {
          let bytes = 0;
          for (const m of batch.messages) bytes += m.value.length;
          onRecords(batch.messages.length, bytes);
        },
      });
    });
    await consumer.disconnect();
    return result;
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
    "group.initial.rebalance.delay.ms=0",
    ...values.set.flatMap((kv) => ["--set", kv]),
  ],
  { stdio: ["ignore", "inherit", "inherit"] },
);
try {
  const kafka = new Kafka({ bootstrapServers: [bootstrap], clientId: "bench-setup" });
  const admin = kafka.admin();
  await admin.connect({ timeoutMs: 30_000 });
  await admin.createTopics([{ name: topic, numPartitions: partitions }]);
  const producer = kafka.producer({ batchSize: 256 * 1024, lingerMs: 5, compression: values.compression });
  const payload = Buffer.alloc(size, "x");
  for (let i = 0; i < messages; i += 1000) {
    await producer.sendBatch(
      Array.from({ length: Math.min(1000, messages - i) }, () => ({ topic, value: payload })),
    );
  }
  await producer.close();
  await admin.close();
  const results = {};
  // One warm-up round, then the measured rounds; the clients take turns within a round.
  for (let run = 0; run <= runs; run++) {
    for (const [name, consume] of Object.entries(clients)) {
      if (!name.includes(values.only)) continue;
      const seconds = await consume(bootstrap);
      if (run > 0) {
        results[name] ??= [];
        results[name].push(seconds);
      }
    }
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const summary = {
    benchmark: `consume ${messages} values of ${size} bytes, ${partitions} partition(s), ${values.compression}`,
    runs,
    clients: Object.fromEntries(
      Object.entries(results).map(([name, times]) => {
        const total = median(times.map((t) => t.total));
        const streaming = median(times.map((t) => t.streaming));
        const cpu = median(times.map((t) => t.cpu));
        return [
          name,
          {
            totalSeconds: Number(total.toFixed(3)),
            streamingSeconds: Number(streaming.toFixed(3)),
            clientCpuSeconds: Number(cpu.toFixed(3)),
            microsecondsCpuPerRecord: Number(((cpu / messages) * 1e6).toFixed(2)),
            recordsPerSecond: Math.round(messages / streaming),
            megabytesPerSecond: Number(((messages * size) / streaming / 1e6).toFixed(1)),
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
