// Ingest through the Weir client (@weir/client), in its own process: sends `messages` 1 KiB
// values with the client's defaults (linger.ms 5, batch.size 1000000) plus the given acks and
// compression, keeping a bounded number of sendBatch calls outstanding, then flushes. When the
// client does not exist (or has no producer yet) it prints { skipped: reason } instead.
//
// params: { port, topic, partitions, acks, compression, messages }
import { makeValues } from "../lib/values.mjs";

const p = JSON.parse(process.argv[2]);

let client;
try {
  client = await import("@weir/client");
} catch (err) {
  console.log(JSON.stringify({ skipped: `@weir/client cannot be loaded (${err.code ?? err.message})` }));
  process.exit(0);
}
if (typeof client.Kafka !== "function") {
  console.log(JSON.stringify({ skipped: "@weir/client has no Kafka/producer API yet" }));
  process.exit(0);
}

const kafka = new client.Kafka({ bootstrapServers: [`127.0.0.1:${p.port}`], clientId: "weir-bench" });
const producer = kafka.producer({ acks: p.acks, compression: p.compression });
const values = makeValues(1000);
const CHUNK = 1000;
const OUTSTANDING = 16;

await producer.connect?.();
const started = process.hrtime.bigint();
const cpuAtStart = process.cpuUsage();
const outstanding = [];
for (let sent = 0; sent < p.messages; sent += CHUNK) {
  const n = Math.min(CHUNK, p.messages - sent);
  const records = [];
  for (let i = 0; i < n; i++) {
    const record = { topic: p.topic, value: values[(sent + i) % values.length] };
    records.push(p.partitions === 1 ? { ...record, partition: 0 } : record);
  }
  outstanding.push(producer.sendBatch(records));
  if (outstanding.length >= OUTSTANDING) await outstanding.shift();
}
await Promise.all(outstanding);
await producer.flush();
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
const cpu = process.cpuUsage(cpuAtStart);
await kafka.close();
console.log(
  JSON.stringify({
    records: p.messages,
    seconds,
    recordsPerSecond: p.messages / seconds,
    clientCpu: (cpu.user + cpu.system) / 1e6 / seconds,
  }),
);
