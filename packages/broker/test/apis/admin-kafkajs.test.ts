import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import kafkajs from "kafkajs";
import { startTestBroker, type TestBroker } from "../support/test-broker.js";

/** The admin APIs as a third-party client uses them: kafkajs's admin client against a real broker. */

const { Kafka, logLevel, ConfigResourceTypes } = kafkajs;

let broker: TestBroker;
let admin: kafkajs.Admin;

before(async () => {
  broker = await startTestBroker();
  const kafka = new Kafka({
    clientId: "weir-admin-test",
    brokers: [broker.bootstrap],
    logLevel: logLevel.NOTHING,
    retry: { retries: 3, initialRetryTime: 50 },
  });
  admin = kafka.admin();
  await admin.connect();
});

after(async () => {
  await admin.disconnect();
  await broker.destroy();
});

describe("kafkajs admin", () => {
  it("creates topics, and answers false for one that exists", async () => {
    const created = await admin.createTopics({
      topics: [
        { topic: "kjs-a", numPartitions: 2, configEntries: [{ name: "retention.ms", value: "86400000" }] },
        { topic: "kjs-b" },
      ],
      waitForLeaders: true,
    });
    assert.equal(created, true);
    assert.equal(await admin.createTopics({ topics: [{ topic: "kjs-a", numPartitions: 2 }] }), false);
    const topics = await admin.listTopics();
    assert.ok(topics.includes("kjs-a") && topics.includes("kjs-b"));
  });

  it("rejects invalid requests with Kafka's errors", async () => {
    await assert.rejects(
      admin.createTopics({ topics: [{ topic: "kjs-rf", numPartitions: 1, replicationFactor: 2 }] }),
      (err: Error & { errors?: { type?: string }[] }) => {
        assert.equal(err.name, "KafkaJSAggregateError");
        assert.deepEqual(
          err.errors?.map((e) => e.type),
          ["INVALID_REPLICATION_FACTOR"],
        );
        return true;
      },
    );
  });

  it("fetches topic metadata", async () => {
    const { topics } = await admin.fetchTopicMetadata({ topics: ["kjs-a"] });
    assert.equal(topics.length, 1);
    assert.equal(topics[0]?.name, "kjs-a");
    assert.deepEqual(topics[0]?.partitions.map((p) => p.partitionId).sort(), [0, 1]);
    assert.equal(topics[0]?.partitions[0]?.leader, broker.nodeId);
  });

  it("describes and alters topic configs", async () => {
    const before = await admin.describeConfigs({
      resources: [
        { type: ConfigResourceTypes.TOPIC, name: "kjs-a", configNames: ["retention.ms", "cleanup.policy"] },
      ],
      includeSynonyms: false,
    });
    const entries = new Map(before.resources[0]?.configEntries.map((e) => [e.configName, e]));
    assert.equal(entries.get("retention.ms")?.configValue, "86400000");
    assert.equal(entries.get("cleanup.policy")?.configValue, "delete");

    await admin.alterConfigs({
      validateOnly: false,
      resources: [
        {
          type: ConfigResourceTypes.TOPIC,
          name: "kjs-a",
          configEntries: [{ name: "cleanup.policy", value: "compact" }],
        },
      ],
    });
    const after = await admin.describeConfigs({
      resources: [
        { type: ConfigResourceTypes.TOPIC, name: "kjs-a", configNames: ["retention.ms", "cleanup.policy"] },
      ],
      includeSynonyms: true,
    });
    const changed = new Map(after.resources[0]?.configEntries.map((e) => [e.configName, e]));
    assert.equal(changed.get("cleanup.policy")?.configValue, "compact");
    // The legacy AlterConfigs replaces the whole override set.
    assert.equal(changed.get("retention.ms")?.configValue, "604800000");
    assert.equal(changed.get("retention.ms")?.isDefault, true);
  });

  it("describes the broker's configs", async () => {
    const result = await admin.describeConfigs({
      resources: [
        { type: ConfigResourceTypes.BROKER, name: String(broker.nodeId), configNames: ["num.partitions"] },
      ],
      includeSynonyms: false,
    });
    assert.equal(result.resources[0]?.configEntries[0]?.configName, "num.partitions");
    assert.equal(result.resources[0]?.configEntries[0]?.configValue, "1");
  });

  it("creates partitions", async () => {
    await admin.createPartitions({ topicPartitions: [{ topic: "kjs-a", count: 4 }] });
    const { topics } = await admin.fetchTopicMetadata({ topics: ["kjs-a"] });
    assert.equal(topics[0]?.partitions.length, 4);
  });

  it("describes the cluster", async () => {
    const cluster = await admin.describeCluster();
    assert.equal(cluster.clusterId, broker.clusterId);
    assert.equal(cluster.controller, broker.nodeId);
    assert.deepEqual(
      cluster.brokers.map((b) => [b.nodeId, b.host, b.port]),
      [[broker.nodeId, broker.host, broker.port]],
    );
  });

  it("deletes topics", async () => {
    await admin.deleteTopics({ topics: ["kjs-a", "kjs-b"] });
    const topics = await admin.listTopics();
    assert.equal(topics.includes("kjs-a"), false);
    assert.equal(topics.includes("kjs-b"), false);
  });
});
