import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { ZERO_UUID } from "@weir/protocol";
import kafkajs from "kafkajs";
import type { Admin } from "../../src/admin/admin.js";
import { KafkaError, NetworkError, TimeoutError } from "../../src/errors.js";
import { Kafka } from "../../src/kafka.js";
import { closedPort } from "../support/fake-broker.js";
import { failOnUnhandledRejections } from "../support/guards.js";
import { startTestBroker, type TestBroker } from "../support/test-broker.js";

failOnUnhandledRejections();

let broker: TestBroker;
let kafka: Kafka;
let admin: Admin;

before(async () => {
  broker = await startTestBroker({ config: { "num.partitions": "2", "auto.create.topics.enable": "false" } });
  kafka = new Kafka({ bootstrapServers: [broker.bootstrap], clientId: "admin-test" });
  admin = kafka.admin();
  await admin.connect();
});

after(async () => {
  await kafka.close();
  await broker.destroy();
});

function isKafkaError(name: string, message?: RegExp) {
  return (err: unknown) => {
    assert.ok(err instanceof KafkaError, String(err));
    assert.equal(err.name, name);
    if (message) assert.match(err.message, message);
    return true;
  };
}

describe("Admin topics", () => {
  it("creates, lists, describes, grows and deletes topics", async () => {
    const created = await admin.createTopics([
      { name: "adm-a", numPartitions: 3, configs: { "retention.ms": "3600000" } },
      { name: "adm-b" },
    ]);
    assert.deepEqual(
      created.map((t) => [t.name, t.numPartitions, t.replicationFactor]),
      [
        ["adm-a", 3, 1],
        ["adm-b", 2, 1],
      ],
    );
    assert.notEqual(created[0].topicId, ZERO_UUID);
    const names = await admin.listTopics();
    assert.ok(names.includes("adm-a") && names.includes("adm-b"));
    const [a] = await admin.describeTopics(["adm-a"]);
    assert.equal(a.topicId, created[0].topicId);
    assert.deepEqual(
      a.partitions.map((p) => [p.partition, p.leader, p.replicas, p.isr]),
      [0, 1, 2].map((p) => [p, broker.nodeId, [broker.nodeId], [broker.nodeId]]),
    );
    await admin.createPartitions([{ topic: "adm-a", count: 5 }]);
    assert.equal((await admin.describeTopics(["adm-a"]))[0].partitions.length, 5);
    await admin.deleteTopics(["adm-a", "adm-b"]);
    assert.ok(!(await admin.listTopics()).includes("adm-a"));
    await assert.rejects(admin.describeTopics(["adm-a"]), isKafkaError("UNKNOWN_TOPIC_OR_PARTITION"));
  });

  it("reports per-topic failures with Kafka's error names", async () => {
    await admin.createTopics([{ name: "adm-dup", numPartitions: 1 }]);
    await assert.rejects(
      admin.createTopics([{ name: "adm-dup" }]),
      isKafkaError("TOPIC_ALREADY_EXISTS", /creating topic adm-dup failed with TOPIC_ALREADY_EXISTS/),
    );
    await assert.rejects(
      admin.createTopics([{ name: "bad name!" }]),
      isKafkaError("INVALID_TOPIC_EXCEPTION"),
    );
    await assert.rejects(
      admin.createTopics([{ name: "adm-zero", numPartitions: 0 }]),
      isKafkaError("INVALID_PARTITIONS"),
    );
    await assert.rejects(admin.deleteTopics(["adm-missing"]), isKafkaError("UNKNOWN_TOPIC_OR_PARTITION"));
    await assert.rejects(
      admin.createPartitions([{ topic: "adm-dup", count: 1 }]),
      isKafkaError("INVALID_PARTITIONS"),
    );
    await assert.rejects(
      admin.createTopics([
        { name: "adm-two-bad-1", numPartitions: 0 },
        { name: "adm-two-bad-2", numPartitions: 0 },
      ]),
      isKafkaError("INVALID_PARTITIONS", /and 1 more failure\(s\): INVALID_PARTITIONS/),
    );
    const [validated] = await admin.createTopics([{ name: "adm-validate", numPartitions: 4 }], {
      validateOnly: true,
    });
    assert.equal(validated.numPartitions, 4);
    assert.ok(!(await admin.listTopics()).includes("adm-validate"), "validateOnly creates nothing");
  });
});

describe("Admin configs", () => {
  it("describes, alters and incrementally alters topic configs", async () => {
    await admin.createTopics([{ name: "adm-cfg", numPartitions: 1, configs: { "retention.ms": "1000000" } }]);
    const [described] = await admin.describeConfigs([{ type: "topic", name: "adm-cfg" }], {
      includeSynonyms: true,
    });
    const retention = described.entries.find((e) => e.name === "retention.ms");
    assert.equal(retention?.value, "1000000");
    assert.equal(retention?.source, "DYNAMIC_TOPIC_CONFIG");
    const cleanup = described.entries.find((e) => e.name === "cleanup.policy");
    assert.equal(cleanup?.source, "DEFAULT_CONFIG");
    assert.equal(cleanup?.isDefault, true);

    await admin.incrementalAlterConfigs([
      {
        type: "topic",
        name: "adm-cfg",
        operations: [
          { name: "cleanup.policy", op: "set", value: "compact" },
          { name: "retention.ms", op: "delete" },
        ],
      },
    ]);
    const [after] = await admin.describeConfigs([{ type: "topic", name: "adm-cfg" }], {
      keys: ["cleanup.policy", "retention.ms"],
    });
    assert.deepEqual(after.entries.map((e) => [e.name, e.source]).sort(), [
      ["cleanup.policy", "DYNAMIC_TOPIC_CONFIG"],
      ["retention.ms", "DEFAULT_CONFIG"],
    ]);
    assert.equal(after.entries.find((e) => e.name === "cleanup.policy")?.value, "compact");

    await admin.alterConfigs([{ type: "topic", name: "adm-cfg", configs: { "segment.ms": "600000" } }]);
    const [replaced] = await admin.describeConfigs([{ type: "topic", name: "adm-cfg" }]);
    const dynamic = replaced.entries.filter((e) => e.source === "DYNAMIC_TOPIC_CONFIG").map((e) => e.name);
    assert.deepEqual(dynamic, ["segment.ms"], "AlterConfigs replaces the whole set");

    await assert.rejects(
      admin.incrementalAlterConfigs([
        { type: "topic", name: "adm-cfg", operations: [{ name: "no.such.config", op: "set", value: "1" }] },
      ]),
      isKafkaError("INVALID_CONFIG"),
    );
  });

  it("describes a broker's configs by asking that broker", async () => {
    const [b] = await admin.describeConfigs([{ type: "broker", name: String(broker.nodeId) }]);
    assert.equal(b.type, "broker");
    assert.ok(b.entries.some((e) => e.name === "num.partitions" && e.value === "2"));
  });
});

describe("Admin cluster and offsets", () => {
  it("describes the cluster", async () => {
    const cluster = await admin.describeCluster();
    assert.equal(cluster.clusterId, broker.clusterId);
    assert.equal(cluster.controllerId, broker.nodeId);
    assert.deepEqual(cluster.brokers, [
      { nodeId: broker.nodeId, host: broker.host, port: broker.port, rack: null },
    ]);
  });

  it("lists offsets like kafkajs does, and deletes records", async () => {
    await admin.createTopics([{ name: "adm-offsets", numPartitions: 2 }]);
    const producer = kafka.producer();
    const base = 1_720_000_000_000;
    await producer.sendBatch(
      Array.from({ length: 30 }, (_, i) => ({
        topic: "adm-offsets",
        partition: i % 2,
        value: `v${i}`,
        timestamp: base + i * 10,
      })),
    );
    await producer.close();
    const spec = (s: "earliest" | "latest" | "max-timestamp" | { timestamp: number }) =>
      [0, 1].map((partition) => ({ topic: "adm-offsets", partition, spec: s }));
    assert.deepEqual(
      (await admin.listOffsets(spec("latest"))).map((o) => o.offset),
      [15, 15],
    );
    assert.deepEqual(
      (await admin.listOffsets(spec("earliest"))).map((o) => o.offset),
      [0, 0],
    );
    const byTime = await admin.listOffsets(spec({ timestamp: base + 100 }));
    assert.deepEqual(
      byTime.map((o) => [o.offset, o.timestamp]),
      [
        [5, base + 100],
        [5, base + 110],
      ],
    );
    const max = await admin.listOffsets(spec("max-timestamp"));
    assert.deepEqual(
      max.map((o) => [o.offset, o.timestamp]),
      [
        [14, base + 280],
        [14, base + 290],
      ],
    );

    const js = new kafkajs.Kafka({ brokers: [broker.bootstrap], logLevel: kafkajs.logLevel.NOTHING });
    const jsAdmin = js.admin();
    await jsAdmin.connect();
    try {
      const theirs = await jsAdmin.fetchTopicOffsets("adm-offsets");
      const ours = await admin.listOffsets(spec("latest"));
      const earliest = await admin.listOffsets(spec("earliest"));
      for (const t of theirs) {
        assert.equal(String(ours[t.partition].offset), t.high);
        assert.equal(String(earliest[t.partition].offset), t.low);
      }

      const deleted = await admin.deleteRecords([
        { topic: "adm-offsets", partition: 0, beforeOffset: 10 },
        { topic: "adm-offsets", partition: 1, beforeOffset: -1 },
      ]);
      assert.deepEqual(
        deleted.map((d) => d.lowWatermark),
        [10, 15],
      );
      const low = await jsAdmin.fetchTopicOffsets("adm-offsets");
      assert.deepEqual(
        low.sort((a, b) => a.partition - b.partition).map((t) => t.low),
        ["10", "15"],
      );
    } finally {
      await jsAdmin.disconnect();
    }
    await assert.rejects(
      admin.listOffsets([{ topic: "adm-offsets", partition: 7, spec: "latest" }]),
      isKafkaError("UNKNOWN_TOPIC_OR_PARTITION", /has no partition 7/),
    );
    await assert.rejects(
      admin.deleteRecords([{ topic: "adm-offsets", partition: 0, beforeOffset: 100 }]),
      isKafkaError("OFFSET_OUT_OF_RANGE"),
    );
  });

  it("gives up on an unreachable cluster within the call's time budget", async () => {
    const port = await closedPort();
    const offline = new Kafka({
      bootstrapServers: [`127.0.0.1:${port}`],
      reconnectBackoffMs: 10,
      retryBackoffMs: 20,
    });
    const offlineAdmin = offline.admin();
    const started = Date.now();
    await assert.rejects(offlineAdmin.listTopics({ timeoutMs: 300 }), (err) => {
      assert.ok(err instanceof TimeoutError || err instanceof NetworkError, String(err));
      assert.match(err.message, /could not connect to any broker/);
      return true;
    });
    assert.ok(Date.now() - started < 2000);
    await assert.rejects(offlineAdmin.connect({ timeoutMs: 200 }), NetworkError);
    await offline.close();
  });
});
