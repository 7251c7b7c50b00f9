import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import kafkajs from "kafkajs";
import type { ConsumerRecord } from "../../src/consumer/consumer-types.js";
import { Kafka } from "../../src/kafka.js";
import { failOnUnhandledRejections } from "../support/guards.js";
import { startTestBroker, type TestBroker } from "../support/test-broker.js";

failOnUnhandledRejections();

let broker: TestBroker;
let kafka: Kafka;

before(async () => {
  broker = await startTestBroker({
    config: { "auto.create.topics.enable": "false", "group.initial.rebalance.delay.ms": "0" },
  });
  kafka = new Kafka({ bootstrapServers: [broker.bootstrap], clientId: "agreement-test" });
});

after(async () => {
  await kafka.close();
  await broker.destroy();
});

/** What both clients must agree on, per record. */
type Row = [
  partition: number,
  offset: number,
  key: string | null,
  value: string | null,
  headers: string,
  timestamp: number,
];

function headersText(entries: [string, Buffer | null][]): string {
  return JSON.stringify(entries.map(([k, v]) => [k, v === null ? null : v.toString("base64")]));
}

function weirRow(r: ConsumerRecord): Row {
  return [
    r.partition,
    r.offset,
    r.key?.toString("base64") ?? null,
    r.value?.toString("base64") ?? null,
    headersText(r.headers.map((h) => [h.key, h.value])),
    r.timestamp,
  ];
}

function kafkajsRow(partition: number, m: kafkajs.KafkaMessage): Row {
  // kafkajs folds repeated header keys into an array, in order.
  const entries: [string, Buffer | null][] = [];
  for (const [k, v] of Object.entries(m.headers ?? {})) {
    for (const one of Array.isArray(v) ? v : [v])
      entries.push([k, one === undefined ? null : (one as Buffer)]);
  }
  return [
    partition,
    Number(m.offset),
    m.key === null ? null : m.key.toString("base64"),
    m.value === null ? null : m.value.toString("base64"),
    headersText(entries),
    Number(m.timestamp),
  ];
}

async function readWithKafkajs(topic: string, total: number): Promise<Row[]> {
  const js = new kafkajs.Kafka({ brokers: [broker.bootstrap], logLevel: kafkajs.logLevel.NOTHING });
  const consumer = js.consumer({ groupId: `kafkajs-${topic}` });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const rows: Row[] = [];
  await new Promise<void>((resolve, reject) => {
    consumer
      .run({
        eachMessage: async ({ partition, message }) => {
          rows.push(kafkajsRow(partition, message));
          if (rows.length === total) resolve();
        },
      })
      .catch(reject);
  });
  await consumer.disconnect();
  return rows;
}

async function readWithWeir(topic: string, total: number, groupId?: string): Promise<Row[]> {
  const consumer = kafka.consumer({ groupId, autoOffsetReset: "earliest" });
  if (groupId === undefined) {
    const admin = kafka.admin();
    const [description] = await admin.describeTopics([topic]);
    await admin.close();
    consumer.assign(description.partitions.map((p) => ({ topic, partition: p.partition })));
  } else {
    consumer.subscribe([topic]);
  }
  const rows: Row[] = [];
  for await (const r of consumer) {
    rows.push(weirRow(r));
    if (rows.length === total) break;
  }
  await consumer.close();
  return rows;
}

/** Per partition, in offset order. */
function sorted(rows: Row[]): Row[] {
  return [...rows].sort((a, b) => a[0] - b[0] || a[1] - b[1]);
}

function messages(count: number, seed: number) {
  return Array.from({ length: count }, (_, i) => {
    const n = seed + i;
    return {
      key: n % 5 === 0 ? null : `key-${n % 17}`,
      value: n % 13 === 0 ? null : `${"é✓".repeat(n % 4)}value-${n}-${"z".repeat(n % 300)}`,
      headers:
        n % 4 === 0
          ? [
              { key: "trace", value: `t${n}` },
              { key: "tag", value: "a" },
              { key: "tag", value: "b" },
            ]
          : n % 4 === 1
            ? [{ key: "only", value: Buffer.from([n % 256, 0, 255]) }]
            : undefined,
      timestamp: 1_700_000_000_000 + n * 7,
    };
  });
}

describe("the Weir consumer and kafkajs read the same records", () => {
  for (const codec of ["none", "gzip"] as const) {
    it(`agree on partition, offset, key, value, headers and timestamp (${codec}, written by both clients)`, async () => {
      const topic = `agree-${codec}`;
      const admin = kafka.admin();
      await admin.createTopics([{ name: topic, numPartitions: 3 }]);
      await admin.close();
      const ours = messages(900, 0);
      const producer = kafka.producer({ compression: codec, lingerMs: 5 });
      await producer.sendBatch(ours.map((m) => ({ ...m, topic })));
      await producer.close();
      const js = new kafkajs.Kafka({ brokers: [broker.bootstrap], logLevel: kafkajs.logLevel.NOTHING });
      const jsProducer = js.producer();
      await jsProducer.connect();
      const theirs = messages(600, 10_000);
      await jsProducer.send({
        topic,
        compression: codec === "gzip" ? kafkajs.CompressionTypes.GZIP : kafkajs.CompressionTypes.None,
        messages: theirs.map((m, i) => ({
          key: m.key,
          value: m.value,
          partition: i % 3,
          timestamp: String(m.timestamp),
          headers: Object.fromEntries(
            (m.headers ?? []).filter((h) => h.key !== "tag").map((h) => [h.key, h.value]),
          ),
        })),
      });
      await jsProducer.disconnect();

      const total = ours.length + theirs.length;
      const expected = sorted(await readWithKafkajs(topic, total));
      assert.equal(expected.length, total);
      assert.deepEqual(sorted(await readWithWeir(topic, total)), expected, "assign mode");
      assert.deepEqual(sorted(await readWithWeir(topic, total, `weir-${topic}`)), expected, "group mode");
    });
  }

  it("agree on LogAppendTime timestamps", async () => {
    const topic = "agree-log-append-time";
    const admin = kafka.admin();
    await admin.createTopics([
      { name: topic, numPartitions: 1, configs: { "message.timestamp.type": "LogAppendTime" } },
    ]);
    await admin.close();
    const producer = kafka.producer({ compression: "gzip" });
    await producer.sendBatch(messages(50, 0).map((m) => ({ ...m, topic })));
    await producer.close();
    const expected = sorted(await readWithKafkajs(topic, 50));
    const mine = await readWithWeir(topic, 50);
    assert.deepEqual(sorted(mine), expected);
    assert.ok(
      mine.every((r) => r[5] > 1_700_000_100_000),
      "broker time, not the producer's",
    );
  });
});
