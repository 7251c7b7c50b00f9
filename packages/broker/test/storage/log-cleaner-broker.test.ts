import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { ApiKey, buildRecordBatch, ErrorCode } from "@weir/protocol";
import kafkajs from "kafkajs";
import { LATEST, listOffset, produce, readPartition } from "../network/kafka-probes.js";
import { RawKafkaClient } from "../support/raw-kafka-client.js";
import { startTestBroker, type TestBroker } from "../support/test-broker.js";

/*
 * Compaction end to end: a topic created with cleanup.policy=compact through CreateTopics, a few
 * MiB of updates to a few hundred keys (segment.bytes cannot go below 1 MiB), segment.ms rolling the
 * active segment, the broker's cleaner compacting in the background; then a reader from the
 * beginning — our raw client and kafkajs — gets exactly one value per key, the latest.
 */

const TOPIC = "compacted-e2e";
const KEYS = 200;
const UPDATES = 4000;
const PER_BATCH = 50;
const VALUE_BYTES = 1024;
const SEGMENT_MS = 300;

let broker: TestBroker;
let client: RawKafkaClient;

before(async () => {
  broker = await startTestBroker({
    config: { "log.cleaner.backoff.ms": "50", "group.initial.rebalance.delay.ms": "0" },
  });
  client = await RawKafkaClient.connect(broker.bootstrap);
  const created = await client.send(ApiKey.CreateTopics, 7, {
    topics: [
      {
        name: TOPIC,
        numPartitions: 1,
        replicationFactor: 1,
        assignments: [],
        configs: [
          { name: "cleanup.policy", value: "compact" },
          { name: "segment.bytes", value: "1048576" },
          { name: "segment.ms", value: String(SEGMENT_MS) },
          { name: "min.cleanable.dirty.ratio", value: "0.01" },
        ],
      },
    ],
    timeoutMs: 30_000,
    validateOnly: false,
  });
  assert.equal(created.topics[0]?.errorCode, ErrorCode.NONE, created.topics[0]?.errorMessage ?? "");
});

after(async () => {
  client?.close();
  await broker?.destroy();
});

function updateValue(key: number, update: number): Buffer {
  const value = Buffer.alloc(VALUE_BYTES, 0x61 + (update % 26));
  value.write(`key-${key}@${update}:`);
  return value;
}

async function eventually(what: string, check: () => Promise<boolean> | boolean, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) assert.fail(`${what}: not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function cleanerCheckpoint(): number | undefined {
  const path = join(broker.dataDir, "cleaner-offset-checkpoint");
  if (!existsSync(path)) return undefined;
  const line = readFileSync(path, "utf8")
    .split("\n")
    .find((l) => l.startsWith(`${TOPIC} 0 `));
  return line === undefined ? undefined : Number(line.split(" ")[2]);
}

describe("log compaction through the broker", () => {
  it("a consumer reading from the beginning gets the latest value of each key, once", async (t) => {
    const latest = new Map<string, string>();
    for (let start = 0; start < UPDATES; start += PER_BATCH) {
      const records = Array.from({ length: PER_BATCH }, (_, j) => {
        const update = start + j;
        const key = (update * 7) % KEYS;
        const value = updateValue(key, update);
        latest.set(`key-${key}`, value.toString());
        return { key: Buffer.from(`key-${key}`), value, timestamp: Date.now() };
      });
      const answer = await produce(client, TOPIC, 0, buildRecordBatch(records));
      assert.equal(answer.errorCode, ErrorCode.NONE);
    }
    // segment.ms later, the next append rolls the active segment: everything above is cleanable.
    await new Promise((r) => setTimeout(r, SEGMENT_MS + 50));
    const marker = await produce(
      client,
      TOPIC,
      0,
      buildRecordBatch([{ key: Buffer.from("marker"), value: Buffer.from("end"), timestamp: Date.now() }]),
    );
    assert.equal(marker.errorCode, ErrorCode.NONE);
    latest.set("marker", "end");
    const end = await listOffset(client, TOPIC, 0, LATEST);

    await eventually("the cleaner compacted the topic", () => (cleanerCheckpoint() ?? 0) >= UPDATES);
    const segments = readdirSync(join(broker.dataDir, `${TOPIC}-0`)).filter((n) => n.endsWith(".log"));
    t.diagnostic(`${segments.length} segments after compaction`);

    const records = await readPartition(client, TOPIC, 0, 0n);
    const seen = new Map<string, string>();
    for (const r of records) {
      const key = r.key!.toString();
      assert.ok(!seen.has(key), `${key} appears once`);
      seen.set(key, r.value!.toString());
    }
    assert.deepEqual(new Map([...seen].sort()), new Map([...latest].sort()));
    assert.equal(await listOffset(client, TOPIC, 0, LATEST), end, "offsets are kept");
    for (let i = 1; i < records.length; i++) assert.ok(records[i]!.offset > records[i - 1]!.offset);

    // A third-party client reads the compacted log (offset gaps, rewritten batches) the same way.
    const kafka = new kafkajs.Kafka({
      brokers: [broker.bootstrap],
      clientId: "compaction-test",
      logLevel: kafkajs.logLevel.NOTHING,
    });
    const consumer = kafka.consumer({ groupId: "compaction-readers", maxWaitTimeInMs: 100 });
    const consumed = new Map<string, string[]>();
    let lastOffset = -1n;
    await consumer.connect();
    try {
      await consumer.subscribe({ topic: TOPIC, fromBeginning: true });
      await consumer.run({
        eachMessage: async ({ message }) => {
          const key = message.key!.toString();
          consumed.set(key, [...(consumed.get(key) ?? []), message.value!.toString()]);
          lastOffset = BigInt(message.offset);
        },
      });
      await eventually("kafkajs read to the end", () => lastOffset === end - 1n);
    } finally {
      await consumer.disconnect();
    }
    assert.equal(consumed.size, latest.size);
    for (const [key, values] of consumed) assert.deepEqual(values, [latest.get(key)], key);
  });

  it("refuses a record without a key with INVALID_RECORD", async () => {
    const answer = await produce(
      client,
      TOPIC,
      0,
      buildRecordBatch([
        { key: Buffer.from("k"), value: Buffer.from("v"), timestamp: Date.now() },
        { key: null, value: Buffer.from("no key"), timestamp: Date.now() },
      ]),
    );
    assert.equal(answer.errorCode, ErrorCode.INVALID_RECORD);
    assert.match(answer.errorMessage ?? "", /without key/);
  });
});
