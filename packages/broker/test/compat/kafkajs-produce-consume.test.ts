import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { CompressionType, compressionCodec } from "@weir/protocol";
import kafkajs from "kafkajs";
import { startTestBroker, type TestBroker } from "../support/test-broker.js";

/**
 * kafkajs, a real third-party client, producing and consuming through the broker: 10,000 keyed
 * messages with headers across every compression codec (kafkajs ships gzip only; the other codecs
 * are plugged in through its codec registry, backed by @weir/protocol), consumed back by a group.
 */

const { Kafka, logLevel, CompressionTypes, CompressionCodecs } = kafkajs;

for (const [kafkajsType, ours] of [
  [CompressionTypes.Snappy, CompressionType.Snappy],
  [CompressionTypes.LZ4, CompressionType.Lz4],
  [CompressionTypes.ZSTD, CompressionType.Zstd],
] as const) {
  const codec = compressionCodec(ours);
  CompressionCodecs[kafkajsType] = () => ({
    compress: async (encoder: { buffer: Buffer }) => codec.compress(encoder.buffer),
    decompress: async (buffer: Buffer) => codec.decompress(buffer),
  });
}

const CODECS = [
  ["none", CompressionTypes.None],
  ["gzip", CompressionTypes.GZIP],
  ["snappy", CompressionTypes.Snappy],
  ["lz4", CompressionTypes.LZ4],
  ["zstd", CompressionTypes.ZSTD],
] as const;
const PER_CODEC = 2_000;
const KEYS = 97;

let broker: TestBroker;
let kafka: kafkajs.Kafka;
let admin: kafkajs.Admin;
let producer: kafkajs.Producer;

before(async () => {
  broker = await startTestBroker({ config: { "group.initial.rebalance.delay.ms": "0" } });
  kafka = new Kafka({
    clientId: "weir-kafkajs-test",
    brokers: [broker.bootstrap],
    logLevel: logLevel.NOTHING,
    retry: { retries: 5, initialRetryTime: 50 },
  });
  admin = kafka.admin();
  await admin.connect();
  producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
});

after(async () => {
  await producer?.disconnect();
  await admin?.disconnect();
  await broker?.destroy();
});

interface Sent {
  key: string;
  value: string;
  codec: string;
  seq: number;
}

async function consumeAll(topic: string, groupId: string, count: number) {
  const consumer = kafka.consumer({ groupId, sessionTimeout: 10_000, heartbeatInterval: 500 });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const received: {
    partition: number;
    offset: bigint;
    key: string | null;
    value: string;
    headers: Record<string, string>;
  }[] = [];
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`consumed ${received.length} of ${count}`)), 60_000);
    consumer.on(consumer.events.CRASH, (event) => {
      clearTimeout(timer);
      reject(event.payload.error);
    });
    consumer
      .run({
        eachMessage: async ({ partition, message }) => {
          const headers: Record<string, string> = {};
          for (const [k, v] of Object.entries(message.headers ?? {})) headers[k] = String(v);
          received.push({
            partition,
            offset: BigInt(message.offset),
            key: message.key?.toString() ?? null,
            value: message.value!.toString(),
            headers,
          });
          if (received.length === count) {
            clearTimeout(timer);
            resolve();
          }
        },
      })
      .catch(reject);
  });
  await consumer.disconnect();
  return received;
}

describe("kafkajs produce and consume", () => {
  it("round-trips 10,000 keyed messages with headers through every codec, in order per partition", async () => {
    const topic = "kjs-codecs";
    await admin.createTopics({ topics: [{ topic, numPartitions: 3 }], waitForLeaders: true });
    const sent = new Map<string, Sent>();
    let seq = 0;
    for (const [codecName, compression] of CODECS) {
      for (let batch = 0; batch < PER_CODEC / 100; batch++) {
        const messages = [];
        for (let i = 0; i < 100; i++) {
          const n = seq++;
          const m: Sent = {
            key: `key-${n % KEYS}`,
            value: `${codecName}-${n}-${"v".repeat(n % 300)}`,
            codec: codecName,
            seq: n,
          };
          sent.set(m.value, m);
          messages.push({ key: m.key, value: m.value, headers: { codec: codecName, seq: String(n) } });
        }
        const acks = await producer.send({ topic, compression, messages, acks: -1 });
        assert.equal(acks.length > 0, true);
        for (const ack of acks) assert.equal(ack.errorCode, 0);
      }
    }
    assert.equal(sent.size, 10_000);

    const received = await consumeAll(topic, "kjs-codecs-group", sent.size);
    const partitionOfKey = new Map<string, number>();
    const lastSeqOfKey = new Map<string, number>();
    const lastOffset = new Map<number, bigint>();
    const seen = new Set<string>();
    for (const r of received) {
      const original = sent.get(r.value);
      assert.ok(original, `unexpected value ${r.value.slice(0, 40)}`);
      assert.ok(!seen.has(r.value), `duplicate ${r.value.slice(0, 40)}`);
      seen.add(r.value);
      assert.equal(r.key, original.key);
      const key = original.key;
      assert.deepEqual(r.headers, { codec: original.codec, seq: String(original.seq) });
      // A key always lands on the same partition...
      const p = partitionOfKey.get(key) ?? r.partition;
      assert.equal(r.partition, p, `key ${key} moved partitions`);
      partitionOfKey.set(key, p);
      // ...and within a partition, offsets and per-key send order only go forward.
      assert.ok((lastOffset.get(r.partition) ?? -1n) < r.offset);
      lastOffset.set(r.partition, r.offset);
      assert.ok((lastSeqOfKey.get(key) ?? -1) < original.seq, `key ${key} out of order`);
      lastSeqOfKey.set(key, original.seq);
    }
    assert.equal(seen.size, sent.size);
    assert.equal(new Set(partitionOfKey.values()).size, 3, "keys spread over all partitions");
  });

  it("finds offsets by timestamp, deletes records, and re-creates a deleted topic", async () => {
    const topic = "kjs-offsets";
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
    const base = Date.now() - 100_000;
    await producer.send({
      topic,
      acks: -1,
      messages: Array.from({ length: 10 }, (_, i) => ({
        value: `m${i}`,
        timestamp: String(base + i * 1000),
      })),
    });
    const [byTime] = await admin.fetchTopicOffsetsByTimestamp(topic, base + 4500);
    assert.equal(byTime.offset, "5");
    const [after] = await admin.fetchTopicOffsetsByTimestamp(topic, base + 1_000_000);
    assert.equal(after.offset, "10", "a time after every record answers the log end");

    await admin.deleteTopicRecords({ topic, partitions: [{ partition: 0, offset: "4" }] });
    const [offsets] = await admin.fetchTopicOffsets(topic);
    assert.equal(offsets.low, "4");
    assert.equal(offsets.high, "10");

    await admin.deleteTopics({ topics: [topic] });
    assert.ok(!(await admin.listTopics()).includes(topic));
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
    const [fresh] = await admin.fetchTopicOffsets(topic);
    assert.equal(fresh.low, "0");
    assert.equal(fresh.high, "0", "a re-created topic starts empty");
    await producer.send({ topic, acks: -1, messages: [{ value: "after-recreate" }] });
    const received = await consumeAll(topic, "kjs-recreate-group", 1);
    assert.equal(received[0].value, "after-recreate");
    assert.equal(received[0].offset, 0n);
  });
});
