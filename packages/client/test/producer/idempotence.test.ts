import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { setTimeout as delay } from "node:timers/promises";
import { ApiKey, ErrorCode, type MetadataResponse } from "@weir/protocol";
import type { Admin } from "../../src/admin/admin.js";
import type { Cluster } from "../../src/cluster/cluster.js";
import type { Logger } from "../../src/config/options-table.js";
import { TimeoutError } from "../../src/errors.js";
import { Kafka } from "../../src/kafka.js";
import type { RecordMetadata } from "../../src/producer/producer-record.js";
import { testCluster } from "../support/clients.js";
import { failOnUnhandledRejections } from "../support/guards.js";
import { KafkaProxy, produceErrorResponse } from "../support/kafka-proxy.js";
import { readPartition } from "../support/read-partition.js";
import { startTestBroker, type TestBroker } from "../support/test-broker.js";

failOnUnhandledRejections();

let broker: TestBroker;
let admin: Admin;
let direct: Kafka;
let reader: Cluster;

before(async () => {
  broker = await startTestBroker({ config: { "auto.create.topics.enable": "false" } });
  direct = new Kafka({ bootstrapServers: [broker.bootstrap] });
  admin = direct.admin();
  reader = testCluster(broker.bootstrap);
});

after(async () => {
  await direct.close();
  reader.close();
  await broker.destroy();
});

/** Counts the producer's retries through its debug log. */
function countingLogger(): Logger & { retries: number } {
  const logger = {
    retries: 0,
    debug(message: string) {
      if (message === "retrying batch") logger.retries++;
    },
    info() {},
    warn() {},
    error() {},
  };
  return logger;
}

/** Checks that each partition holds exactly the records sent to it, once each, in send order. */
async function assertExactlyOnceInOrder(topic: string, values: string[], results: RecordMetadata[]) {
  const expected = new Map<number, number[]>();
  for (const [i, r] of results.entries()) {
    const list = expected.get(r.partition) ?? [];
    list.push(i);
    expected.set(r.partition, list);
  }
  for (const [partition, indexes] of expected) {
    const records = await readPartition(reader, topic, partition);
    assert.deepEqual(
      records.map((r) => r.value?.toString()),
      indexes.map((i) => values[i]),
      `partition ${partition}: every acknowledged record exactly once, in order`,
    );
    for (const [n, r] of records.entries())
      assert.equal(results[indexes[n]].offset, r.offset, "promised offset");
  }
}

describe("idempotent producer", () => {
  it("keeps order and writes no duplicates when connections are cut mid-flight", async () => {
    const topic = "idem-cut";
    await admin.createTopics([{ name: topic, numPartitions: 3 }]);
    const proxy = await KafkaProxy.inFrontOf(broker.port);
    const logger = countingLogger();
    const kafka = new Kafka({
      bootstrapServers: [proxy.address],
      logger,
      reconnectBackoffMs: 5,
      reconnectBackoffMaxMs: 50,
      retryBackoffMs: 10,
      retryBackoffMaxMs: 50,
    });
    const producer = kafka.producer({
      lingerMs: 1,
      batchSize: 2048,
      requestTimeoutMs: 5000,
      deliveryTimeoutMs: 60_000,
    });
    try {
      const values: string[] = [];
      const pending: Promise<RecordMetadata>[] = [];
      let severed = 0;
      const cutter = setInterval(() => {
        if (proxy.connections > 0) {
          proxy.sever();
          severed++;
        }
      }, 15);
      for (let i = 0; i < 6000; i++) {
        const value = `record-${i}`;
        values.push(value);
        pending.push(producer.send({ topic, key: `key-${i % 31}`, value }));
        if (i % 100 === 99) await delay(2);
      }
      const results = await Promise.all(pending);
      clearInterval(cutter);
      assert.ok(severed >= 5, `connections were cut (${severed} times)`);
      assert.ok(logger.retries > 0, "batches were retried");
      await assertExactlyOnceInOrder(topic, values, results);
    } finally {
      await producer.close();
      await proxy.close();
    }
  });

  it("follows a leader change: NOT_LEADER_OR_FOLLOWER, metadata refresh, resend to the new leader", async () => {
    const topic = "idem-leader";
    await admin.createTopics([{ name: topic, numPartitions: 2 }]);
    // Two proxies in front of the one broker play nodes 1 and 2; metadata names the leader.
    let leader = 1;
    let epoch = 10;
    const nodes = new Map<number, KafkaProxy>();
    const produceAt = new Map<number, number>([
      [1, 0],
      [2, 0],
    ]);
    const rewrite = (req: { apiKey: number }, body: unknown) => {
      if (req.apiKey !== ApiKey.Metadata) return undefined;
      const m = body as MetadataResponse;
      return {
        ...m,
        brokers: [...nodes].map(([nodeId, p]) => ({ nodeId, host: "127.0.0.1", port: p.port, rack: null })),
        topics: m.topics.map((t) => ({
          ...t,
          partitions: t.partitions.map((p) => ({
            ...p,
            leaderId: leader,
            leaderEpoch: epoch,
            replicaNodes: [1, 2],
            isrNodes: [1, 2],
          })),
        })),
      };
    };
    for (const nodeId of [1, 2]) {
      const proxy = await KafkaProxy.start(
        { host: "127.0.0.1", port: broker.port },
        {
          response: rewrite,
          request: (req) => {
            if (req.apiKey !== ApiKey.Produce) return undefined;
            produceAt.set(nodeId, (produceAt.get(nodeId) ?? 0) + 1);
            if (nodeId === leader) return undefined;
            return { respond: produceErrorResponse(req, ErrorCode.NOT_LEADER_OR_FOLLOWER) };
          },
        },
      );
      nodes.set(nodeId, proxy);
    }
    const kafka = new Kafka({ bootstrapServers: [nodes.get(1)!.address], retryBackoffMs: 10 });
    const producer = kafka.producer({ lingerMs: 0 });
    try {
      const values = Array.from({ length: 400 }, (_, i) => `v${i}`);
      const first = await Promise.all(
        values.slice(0, 200).map((value, i) => producer.send({ topic, key: `k${i}`, value })),
      );
      assert.equal(produceAt.get(2), 0, "node 2 was not the leader yet");
      leader = 2;
      epoch++;
      const second = await Promise.all(
        values.slice(200).map((value, i) => producer.send({ topic, key: `k${i}`, value })),
      );
      assert.ok((produceAt.get(2) ?? 0) > 0, "the producer followed the leader to node 2");
      await assertExactlyOnceInOrder(topic, values, [...first, ...second]);
    } finally {
      await producer.close();
      for (const p of nodes.values()) await p.close();
    }
  });

  it("fails records within delivery.timeout.ms when the broker dies mid-request and stays down", async () => {
    const topic = "idem-down";
    await admin.createTopics([{ name: topic, numPartitions: 1 }]);
    const proxy = await KafkaProxy.inFrontOf(broker.port);
    const kafka = new Kafka({
      bootstrapServers: [proxy.address],
      retryBackoffMs: 20,
      reconnectBackoffMs: 20,
    });
    const producer = kafka.producer({ requestTimeoutMs: 300, deliveryTimeoutMs: 1200, lingerMs: 0 });
    try {
      assert.equal((await producer.send({ topic, value: "before" })).offset, 0);
      // Swallow produce requests, then take the "broker" away for good.
      proxy.hooks.request = (req) => (req.apiKey === ApiKey.Produce ? "drop" : undefined);
      const pending = Array.from({ length: 10 }, (_, i) => producer.send({ topic, value: `lost-${i}` }));
      await delay(50);
      await proxy.close();
      const started = Date.now();
      const outcomes = await Promise.allSettled(pending);
      assert.ok(Date.now() - started < 3000, "bounded by delivery.timeout.ms");
      for (const o of outcomes) {
        assert.equal(o.status, "rejected");
        const err = (o as PromiseRejectedResult).reason;
        assert.ok(err instanceof TimeoutError, String(err));
        assert.equal(err.name, "REQUEST_TIMED_OUT");
        assert.match(
          err.message,
          /^Expiring \d+ record\(s\) for idem-down-0: \d+ ms has passed since batch creation/,
        );
      }
    } finally {
      await producer.close();
    }
  });

  it("refreshes metadata every metadata.max.age.ms", async () => {
    const proxy = await KafkaProxy.inFrontOf(broker.port);
    const kafka = new Kafka({ bootstrapServers: [proxy.address], metadataMaxAgeMs: 100 });
    const producer = kafka.producer();
    try {
      await producer.connect();
      const before = proxy.counts.get(ApiKey.Metadata) ?? 0;
      await delay(650);
      const refreshes = (proxy.counts.get(ApiKey.Metadata) ?? 0) - before;
      assert.ok(refreshes >= 2 && refreshes <= 8, `${refreshes} refreshes in 650 ms`);
    } finally {
      await producer.close();
      await proxy.close();
    }
  });
});
