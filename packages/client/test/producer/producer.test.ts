import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Admin } from "../../src/admin/admin.js";
import type { Cluster } from "../../src/cluster/cluster.js";
import type { CompressionName } from "../../src/config/options-table.js";
import { ClientClosedError, KafkaError, NetworkError, RecordTooLargeError } from "../../src/errors.js";
import { Kafka } from "../../src/kafka.js";
import { partitionForKey } from "../../src/producer/murmur2.js";
import type { RecordMetadata } from "../../src/producer/producer-record.js";
import { testCluster } from "../support/clients.js";
import { closedPort } from "../support/fake-broker.js";
import { failOnUnhandledRejections } from "../support/guards.js";
import { readPartition } from "../support/read-partition.js";
import { startTestBroker, type TestBroker } from "../support/test-broker.js";

failOnUnhandledRejections();

let broker: TestBroker;
let kafka: Kafka;
let admin: Admin;
let reader: Cluster;

before(async () => {
  broker = await startTestBroker({ config: { "auto.create.topics.enable": "false", "num.partitions": "3" } });
  kafka = new Kafka({ bootstrapServers: [broker.bootstrap], clientId: "producer-test" });
  admin = kafka.admin();
  reader = testCluster(broker.bootstrap);
});

after(async () => {
  await kafka.close();
  reader.close();
  await broker.destroy();
});

async function topic(name: string, numPartitions = 3): Promise<string> {
  await admin.createTopics([{ name, numPartitions }]);
  return name;
}

describe("Producer round trips", () => {
  for (const compression of ["none", "gzip", "snappy", "lz4", "zstd"] as CompressionName[]) {
    it(`sends keyed records with headers and timestamps through ${compression}, in order per partition`, async () => {
      const name = await topic(`rt-${compression}`);
      const producer = kafka.producer({ compression, lingerMs: 2, batchSize: 8192 });
      const base = 1_700_000_000_000;
      const sent = Array.from({ length: 600 }, (_, i) => ({
        topic: name,
        key: i % 5 === 0 ? null : `key-${i % 23}`,
        value: i % 7 === 0 ? Buffer.from([i & 255, 0, 255]) : `value ${i} ${"x".repeat(i % 300)}`,
        headers: i % 4 === 0 ? { seq: String(i), codec: compression } : undefined,
        timestamp: base + i,
      }));
      const results = await Promise.all(sent.map((r) => producer.send(r)));
      await producer.close();
      const byPartition = new Map<number, number[]>();
      results.forEach((m, i) => {
        assert.equal(m.topic, name);
        if (sent[i].key !== null)
          assert.equal(m.partition, partitionForKey(sent[i].key as string, 3), "murmur2 partition");
        assert.equal(m.timestamp, base + i);
        byPartition.set(m.partition, [...(byPartition.get(m.partition) ?? []), i]);
      });
      for (const [partition, indexes] of byPartition) {
        const records = await readPartition(reader, name, partition);
        assert.equal(records.length, indexes.length, `partition ${partition}`);
        records.forEach((record, n) => {
          const i = indexes[n];
          const expected = sent[i];
          assert.equal(results[i].offset, record.offset, "the promised offset is where the record is");
          assert.equal(record.key?.toString() ?? null, expected.key);
          assert.deepEqual(record.value, Buffer.from(expected.value));
          assert.equal(record.timestamp, expected.timestamp);
          assert.deepEqual(
            record.headers.map((h) => [h.key, h.value?.toString()]),
            expected.headers === undefined
              ? []
              : [
                  ["seq", String(i)],
                  ["codec", compression],
                ],
          );
        });
      }
    });
  }

  it("acks=0 resolves without offsets, acks=1 and all with them", async () => {
    const name = await topic("acks", 1);
    for (const acks of [0, 1, "all"] as const) {
      const producer = kafka.producer({ acks });
      const results = await Promise.all(
        Array.from({ length: 50 }, (_, i) => producer.send({ topic: name, value: `${acks}-${i}` })),
      );
      await producer.close();
      for (const r of results) {
        if (acks === 0) assert.equal(r.offset, -1);
        else assert.ok(r.offset >= 0);
      }
    }
    const records = await readPartition(reader, name, 0);
    assert.deepEqual(
      records.map((r) => r.value?.toString()),
      [0, 1, "all"].flatMap((acks) => Array.from({ length: 50 }, (_, i) => `${acks}-${i}`)),
    );
  });

  it("honours explicit partitions and custom partitioners, and sticks keyless records to one partition per batch", async () => {
    const name = await topic("partitioning", 4);
    const producer = kafka.producer({
      partitioner: ({ key, partitionCount }) => (key === "to-last" ? partitionCount - 1 : undefined),
      lingerMs: 50,
    });
    const explicit = await producer.send({ topic: name, key: "anything", value: "v", partition: 2 });
    assert.equal(explicit.partition, 2);
    const custom = await producer.send({ topic: name, key: "to-last", value: "v" });
    assert.equal(custom.partition, 3);
    const fallback = await producer.send({ topic: name, key: "other", value: "v" });
    assert.equal(fallback.partition, partitionForKey("other", 4));
    const keyless = await Promise.all(
      Array.from({ length: 10 }, () => producer.send({ topic: name, value: "small" })),
    );
    assert.equal(new Set(keyless.map((r) => r.partition)).size, 1, "one linger window, one sticky partition");
    const spread = await Promise.all(
      Array.from({ length: 100 }, () => producer.send({ topic: name, value: Buffer.alloc(1024) })),
    );
    assert.ok(
      new Set(spread.map((r) => r.partition)).size > 1,
      "keyless records move to another partition after 16 KiB, as with the Java client's defaults",
    );
    await assert.rejects(producer.send({ topic: name, value: "v", partition: 9 }), (err) => {
      assert.ok(err instanceof KafkaError);
      assert.equal(err.name, "UNKNOWN_TOPIC_OR_PARTITION");
      assert.match(err.message, /partition 9 is not in the range \[0, 4\)/);
      return true;
    });
    await producer.close();
  });

  it("sendBatch resolves in input order across topics, and rejects with the first failure", async () => {
    const a = await topic("batch-a", 2);
    const b = await topic("batch-b", 1);
    const producer = kafka.producer();
    const results = await producer.sendBatch([
      { topic: a, key: "1", value: "a1" },
      { topic: b, value: "b1" },
      { topic: a, key: "2", value: "a2" },
    ]);
    assert.deepEqual(
      results.map((r) => r.topic),
      [a, b, a],
    );
    assert.deepEqual(await producer.sendBatch([]), []);
    await assert.rejects(
      producer.sendBatch([
        { topic: a, value: "ok" },
        { topic: a, value: 42 as never },
      ]),
      (err) => err instanceof KafkaError && err.name === "INVALID_RECORD",
    );
    await producer.close();
  });

  it("flush() sends at once despite a long linger, close() delivers what was accepted", async () => {
    const name = await topic("flush", 1);
    const producer = kafka.producer({ lingerMs: 60_000, deliveryTimeoutMs: 120_000 });
    const pending = Array.from({ length: 20 }, (_, i) => producer.send({ topic: name, value: `f${i}` }));
    const started = Date.now();
    await producer.flush();
    assert.ok(Date.now() - started < 5000);
    const settled = await Promise.all(pending);
    assert.equal(settled.length, 20);
    const late = producer.send({ topic: name, value: "closing" });
    await producer.close();
    assert.ok((await late).offset >= 20, "a record accepted before close() is delivered");
    await assert.rejects(producer.send({ topic: name, value: "after" }), (err) => {
      assert.ok(err instanceof ClientClosedError);
      assert.equal(err.name, "CLIENT_CLOSED");
      return true;
    });
    await producer.close(); // twice is fine
  });

  it("holds records back when buffer.memory is full and delivers all of them", async () => {
    const name = await topic("backpressure", 2);
    const producer = kafka.producer({ bufferMemory: 64 * 1024, batchSize: 16 * 1024, lingerMs: 20 });
    const value = Buffer.alloc(1024, 1);
    const all: Promise<RecordMetadata>[] = [];
    let sawWaiting = false;
    for (let i = 0; i < 2000; i++) {
      all.push(producer.send({ topic: name, value }));
      if (producer.waitingRecords > 0) {
        sawWaiting = true;
        assert.ok(producer.bufferedBytes <= 64 * 1024);
        await producer.bufferAvailable();
      }
    }
    assert.ok(sawWaiting, "the buffer filled up");
    assert.equal((await Promise.all(all)).length, 2000);
    await producer.close();
  });
});

describe("Producer errors", () => {
  it("rejects a record larger than max.request.size before sending it", async () => {
    const name = await topic("too-large", 1);
    const producer = kafka.producer({ maxRequestSize: 10_000 });
    await assert.rejects(producer.send({ topic: name, value: Buffer.alloc(20_000) }), (err) => {
      assert.ok(err instanceof RecordTooLargeError);
      assert.equal(err.name, "MESSAGE_TOO_LARGE");
      assert.equal(err.retriable, false);
      assert.match(err.message, /more than max.request.size \(10000\)/);
      return true;
    });
    const ok = await producer.send({ topic: name, value: Buffer.alloc(100) });
    assert.equal(ok.offset, 0, "the producer keeps working");
    await producer.close();
  });

  it("passes on the broker's MESSAGE_TOO_LARGE without retrying", async () => {
    const name = "broker-too-large";
    await admin.createTopics([{ name, numPartitions: 1, configs: { "max.message.bytes": "2000" } }]);
    const producer = kafka.producer();
    const started = Date.now();
    await assert.rejects(producer.send({ topic: name, value: Buffer.alloc(5000) }), (err) => {
      assert.ok(err instanceof KafkaError);
      assert.ok(err.name === "MESSAGE_TOO_LARGE" || err.name === "RECORD_LIST_TOO_LARGE", err.name);
      assert.equal(err.topic, name);
      return true;
    });
    assert.ok(Date.now() - started < 5000, "not retried until the delivery timeout");
    await producer.close();
  });

  it("fails a record for a topic that does not exist with UNKNOWN_TOPIC_OR_PARTITION after max.block.ms", async () => {
    const producer = kafka.producer({ maxBlockMs: 300 });
    const started = Date.now();
    await assert.rejects(producer.send({ topic: "no-such-topic", value: "v" }), (err) => {
      assert.ok(err instanceof KafkaError);
      assert.equal(err.name, "UNKNOWN_TOPIC_OR_PARTITION");
      assert.match(
        err.message,
        /topic no-such-topic is not in the cluster metadata within max.block.ms \(300 ms\)/,
      );
      return true;
    });
    assert.ok(Date.now() - started >= 250);
    const name = await topic("exists-later", 1);
    assert.equal((await producer.send({ topic: name, value: "v" })).offset, 0, "other topics are unaffected");
    await producer.close();
  });

  it("rejects bad input with INVALID_RECORD instead of throwing", async () => {
    const producer = kafka.producer();
    const bad = [
      { topic: "", value: "v" },
      { topic: "t", value: 5 },
      { topic: "t", key: {}, value: "v" },
      { topic: "t", value: "v", partition: -1 },
      { topic: "t", value: "v", timestamp: Number.NaN },
      { topic: "t", value: "v", headers: { h: 7 } },
    ];
    for (const record of bad) {
      await assert.rejects(
        producer.send(record as never),
        (err) => err instanceof KafkaError && err.name === "INVALID_RECORD",
      );
    }
    await producer.close();
  });

  it("fails with NETWORK_EXCEPTION when no broker can be reached, within max.block.ms", async () => {
    const port = await closedPort();
    const offline = new Kafka({ bootstrapServers: [`127.0.0.1:${port}`], reconnectBackoffMs: 20 });
    const producer = offline.producer({ maxBlockMs: 400 });
    await assert.rejects(producer.send({ topic: "t", value: "v" }), (err) => {
      assert.ok(err instanceof NetworkError);
      assert.equal(err.name, "NETWORK_EXCEPTION");
      assert.match(
        err.message,
        /could not get metadata for topic t within max.block.ms \(400 ms\): could not connect to any broker/,
      );
      return true;
    });
    await assert.rejects(producer.connect(), NetworkError);
    await producer.close();
  });
});
