import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { ApiKey, type CreateTopicsRequestCreatableTopic, ErrorCode, ZERO_UUID } from "@weir/protocol";
import { RawKafkaClient } from "../support/raw-kafka-client.js";
import { startTestBroker, type TestBroker } from "../support/test-broker.js";

/** CreateTopics, DeleteTopics and CreatePartitions over TCP against a real broker. */

let broker: TestBroker;
let client: RawKafkaClient;

before(async () => {
  broker = await startTestBroker({ config: { "num.partitions": "2" } });
  client = await RawKafkaClient.connect(broker.bootstrap);
});

after(async () => {
  client.close();
  await broker.destroy();
});

function topic(name: string, numPartitions = 1, replicationFactor = 1): CreateTopicsRequestCreatableTopic {
  return { name, numPartitions, replicationFactor, assignments: [], configs: [] };
}

async function create(version: number, topics: CreateTopicsRequestCreatableTopic[], validateOnly = false) {
  const response = await client.send(ApiKey.CreateTopics, version, { topics, timeoutMs: 5000, validateOnly });
  return response.topics;
}

async function createOne(version: number, t: CreateTopicsRequestCreatableTopic, validateOnly = false) {
  const [result] = await create(version, [t], validateOnly);
  assert.ok(result);
  return result;
}

const logDirExists = (name: string, partition: number) =>
  existsSync(join(broker.dataDir, `${name}-${partition}`));

async function partitionsOnDisk(name: string): Promise<number[]> {
  const response = await client.send(ApiKey.DescribeLogDirs, 4, { topics: null });
  const found = response.results.flatMap((d) => d.topics).find((t) => t.name === name);
  return (found?.partitions ?? []).map((p) => p.partitionIndex).sort((a, b) => a - b);
}

describe("CreateTopics", () => {
  it("v0 creates a topic and its logs before answering", async () => {
    const result = await createOne(0, topic("ct-v0", 3));
    assert.equal(result.errorCode, ErrorCode.NONE);
    assert.ok(logDirExists("ct-v0", 0) && logDirExists("ct-v0", 1) && logDirExists("ct-v0", 2));
  });

  it("v7 returns the topic id, partitions, replication factor and effective configs", async () => {
    const result = await createOne(7, {
      ...topic("ct-v7", -1, -1),
      configs: [{ name: "retention.ms", value: "123456" }],
    });
    assert.equal(result.errorCode, ErrorCode.NONE);
    assert.equal(result.errorMessage, null);
    assert.notEqual(result.topicId, ZERO_UUID);
    assert.equal(result.numPartitions, 2, "num.partitions of the broker");
    assert.equal(result.replicationFactor, 1);
    assert.equal(result.topicConfigErrorCode, 0);
    const configs = new Map((result.configs ?? []).map((c) => [c.name, c]));
    assert.equal(configs.get("retention.ms")?.value, "123456");
    assert.equal(configs.get("retention.ms")?.configSource, 1, "DYNAMIC_TOPIC_CONFIG");
    assert.equal(configs.get("cleanup.policy")?.value, "delete");
    assert.equal(configs.get("cleanup.policy")?.configSource, 5, "DEFAULT_CONFIG");
    assert.equal(configs.get("cleanup.policy")?.isSensitive, false);
    assert.ok(logDirExists("ct-v7", 1));
  });

  it("v5 answers defaults (-1) with the broker's values", async () => {
    const result = await createOne(5, topic("ct-v5", -1, -1));
    assert.equal(result.errorCode, ErrorCode.NONE);
    assert.equal(result.numPartitions, 2);
    assert.equal(result.replicationFactor, 1);
  });

  it("a timeout of 0 still creates the topic", async () => {
    const [result] = (await client.send(ApiKey.CreateTopics, 4, { topics: [topic("ct-t0")], timeoutMs: 0 }))
      .topics;
    assert.equal(result?.errorCode, ErrorCode.NONE);
    assert.ok(logDirExists("ct-t0", 0));
  });

  for (const version of [1, 7]) {
    it(`v${version} validateOnly checks but creates nothing`, async () => {
      const name = `ct-validate-${version}`;
      const result = await createOne(version, topic(name, 2), true);
      assert.equal(result.errorCode, ErrorCode.NONE);
      assert.equal(logDirExists(name, 0), false);
      // Still creatable: validation did not create it.
      assert.equal((await createOne(version, topic(name, 2))).errorCode, ErrorCode.NONE);
      assert.ok(logDirExists(name, 0));
    });
  }

  it("validateOnly reports errors as a real create would", async () => {
    const result = await createOne(7, topic("ct-validate-rf", 1, 2), true);
    assert.equal(result.errorCode, ErrorCode.INVALID_REPLICATION_FACTOR);
  });

  it("TOPIC_ALREADY_EXISTS with a message (v1+), none at v0", async () => {
    await createOne(7, topic("ct-exists"));
    const v7 = await createOne(7, topic("ct-exists"));
    assert.equal(v7.errorCode, ErrorCode.TOPIC_ALREADY_EXISTS);
    assert.match(v7.errorMessage ?? "", /already exists/);
    assert.equal(v7.topicId, ZERO_UUID);
    assert.equal(v7.numPartitions, -1);
    assert.equal(v7.replicationFactor, -1);
    assert.deepEqual(v7.configs, []);
    const v0 = await createOne(0, topic("ct-exists"));
    assert.equal(v0.errorCode, ErrorCode.TOPIC_ALREADY_EXISTS);
  });

  it("INVALID_TOPIC_EXCEPTION for invalid names", async () => {
    for (const name of ["", ".", "..", "bad name!", "a/b", "x".repeat(250)]) {
      const result = await createOne(7, topic(name));
      assert.equal(result.errorCode, ErrorCode.INVALID_TOPIC_EXCEPTION, `name ${JSON.stringify(name)}`);
      assert.ok(result.errorMessage);
    }
    const collision = await create(7, [topic("ct.collide"), topic("ct_collide")]);
    assert.equal(collision[0]?.errorCode, ErrorCode.NONE);
    assert.equal(collision[1]?.errorCode, ErrorCode.INVALID_TOPIC_EXCEPTION);
  });

  it("INVALID_REPLICATION_FACTOR for 2 replicas on one broker, and for 0", async () => {
    assert.equal((await createOne(0, topic("ct-rf2", 1, 2))).errorCode, ErrorCode.INVALID_REPLICATION_FACTOR);
    assert.equal((await createOne(7, topic("ct-rf2", 1, 2))).errorCode, ErrorCode.INVALID_REPLICATION_FACTOR);
    assert.equal((await createOne(7, topic("ct-rf0", 1, 0))).errorCode, ErrorCode.INVALID_REPLICATION_FACTOR);
    assert.equal(logDirExists("ct-rf2", 0), false);
  });

  it("INVALID_PARTITIONS for a non-positive partition count", async () => {
    assert.equal((await createOne(7, topic("ct-p0", 0))).errorCode, ErrorCode.INVALID_PARTITIONS);
    assert.equal((await createOne(7, topic("ct-p-5", -5))).errorCode, ErrorCode.INVALID_PARTITIONS);
  });

  it("INVALID_CONFIG for unknown or invalid configs", async () => {
    const unknown = await createOne(7, {
      ...topic("ct-cfg"),
      configs: [{ name: "no.such.config", value: "1" }],
    });
    assert.equal(unknown.errorCode, ErrorCode.INVALID_CONFIG);
    const bad = await createOne(7, {
      ...topic("ct-cfg"),
      configs: [{ name: "retention.ms", value: "soon" }],
    });
    assert.equal(bad.errorCode, ErrorCode.INVALID_CONFIG);
    const policy = await createOne(3, {
      ...topic("ct-cfg"),
      configs: [{ name: "cleanup.policy", value: "shred" }],
    });
    assert.equal(policy.errorCode, ErrorCode.INVALID_CONFIG);
  });

  it("INVALID_REQUEST for a topic named twice in one request", async () => {
    const results = await create(7, [topic("ct-dup"), topic("ct-dup"), topic("ct-dup-other")]);
    const byName = new Map(results.map((r) => [r.name, r.errorCode]));
    assert.equal(byName.get("ct-dup"), ErrorCode.INVALID_REQUEST);
    assert.equal(byName.get("ct-dup-other"), ErrorCode.NONE);
    assert.equal(logDirExists("ct-dup", 0), false);
  });

  it("manual assignments create the given partitions", async () => {
    const result = await createOne(7, {
      ...topic("ct-manual", -1, -1),
      assignments: [
        { partitionIndex: 0, brokerIds: [broker.nodeId] },
        { partitionIndex: 1, brokerIds: [broker.nodeId] },
      ],
    });
    assert.equal(result.errorCode, ErrorCode.NONE);
    assert.equal(result.numPartitions, 2);
    assert.equal(result.replicationFactor, 1);
    assert.ok(logDirExists("ct-manual", 1));
  });

  it("bad manual assignments: INVALID_REPLICA_ASSIGNMENT and INVALID_REQUEST", async () => {
    const unknownBroker = await createOne(7, {
      ...topic("ct-bad-assign", -1, -1),
      assignments: [{ partitionIndex: 0, brokerIds: [42] }],
    });
    assert.equal(unknownBroker.errorCode, ErrorCode.INVALID_REPLICA_ASSIGNMENT);
    const gap = await createOne(7, {
      ...topic("ct-bad-assign", -1, -1),
      assignments: [{ partitionIndex: 1, brokerIds: [broker.nodeId] }],
    });
    assert.equal(gap.errorCode, ErrorCode.INVALID_REPLICA_ASSIGNMENT);
    const withCount = await createOne(7, {
      ...topic("ct-bad-assign", 1, -1),
      assignments: [{ partitionIndex: 0, brokerIds: [broker.nodeId] }],
    });
    assert.equal(withCount.errorCode, ErrorCode.INVALID_REQUEST);
  });
});

describe("DeleteTopics", () => {
  it("v0 deletes by name; the logs are gone when it answers", async () => {
    await createOne(7, topic("dt-v0", 2));
    assert.ok(logDirExists("dt-v0", 0));
    const response = await client.send(ApiKey.DeleteTopics, 0, { topicNames: ["dt-v0"], timeoutMs: 5000 });
    assert.deepEqual(
      response.responses.map((r) => [r.name, r.errorCode]),
      [["dt-v0", ErrorCode.NONE]],
    );
    assert.equal(logDirExists("dt-v0", 0), false);
    assert.equal(logDirExists("dt-v0", 1), false);
    assert.deepEqual(await partitionsOnDisk("dt-v0"), []);
  });

  it("v6 deletes by topic id and answers with the name", async () => {
    const created = await createOne(7, topic("dt-v6"));
    const response = await client.send(ApiKey.DeleteTopics, 6, {
      topics: [{ name: null, topicId: created.topicId! }],
      timeoutMs: 5000,
    });
    assert.equal(response.responses.length, 1);
    const [r] = response.responses;
    assert.equal(r?.errorCode, ErrorCode.NONE);
    assert.equal(r?.name, "dt-v6");
    assert.equal(r?.topicId, created.topicId);
    assert.equal(logDirExists("dt-v6", 0), false);
  });

  it("v6 deletes by name too", async () => {
    const created = await createOne(7, topic("dt-v6-name"));
    const response = await client.send(ApiKey.DeleteTopics, 6, {
      topics: [{ name: "dt-v6-name", topicId: ZERO_UUID }],
      timeoutMs: 5000,
    });
    assert.equal(response.responses[0]?.errorCode, ErrorCode.NONE);
    assert.equal(response.responses[0]?.topicId, created.topicId);
  });

  it("UNKNOWN_TOPIC_OR_PARTITION for unknown names, UNKNOWN_TOPIC_ID for unknown ids", async () => {
    const v0 = await client.send(ApiKey.DeleteTopics, 0, { topicNames: ["dt-missing"], timeoutMs: 5000 });
    assert.equal(v0.responses[0]?.errorCode, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    const v6 = await client.send(ApiKey.DeleteTopics, 6, {
      topics: [
        { name: "dt-missing", topicId: ZERO_UUID },
        { name: null, topicId: "AAAAAAAAAAAAAAAAAAAAAQ" },
      ],
      timeoutMs: 5000,
    });
    const byId = v6.responses.find((r) => r.name === null);
    assert.equal(byId?.errorCode, ErrorCode.UNKNOWN_TOPIC_ID);
    assert.equal(byId?.topicId, "AAAAAAAAAAAAAAAAAAAAAQ");
    const byName = v6.responses.find((r) => r.name === "dt-missing");
    assert.equal(byName?.errorCode, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  });

  it("v6 INVALID_REQUEST for both or neither of name and id", async () => {
    const created = await createOne(7, topic("dt-both"));
    const response = await client.send(ApiKey.DeleteTopics, 6, {
      topics: [
        { name: "dt-both", topicId: created.topicId! },
        { name: null, topicId: ZERO_UUID },
      ],
      timeoutMs: 5000,
    });
    assert.deepEqual(
      response.responses.map((r) => r.errorCode),
      [ErrorCode.INVALID_REQUEST, ErrorCode.INVALID_REQUEST],
    );
    assert.ok(logDirExists("dt-both", 0), "nothing deleted");
  });

  it("delete then re-create gives a new topic id", async () => {
    const first = await createOne(7, topic("dt-recreate"));
    const deleted = await client.send(ApiKey.DeleteTopics, 6, {
      topics: [{ name: "dt-recreate", topicId: ZERO_UUID }],
      timeoutMs: 5000,
    });
    assert.equal(deleted.responses[0]?.errorCode, ErrorCode.NONE);
    const second = await createOne(7, topic("dt-recreate"));
    assert.equal(second.errorCode, ErrorCode.NONE);
    assert.notEqual(second.topicId, first.topicId);
    assert.ok(logDirExists("dt-recreate", 0));
  });

  it("delete.topic.enable=false: INVALID_REQUEST below v3, TOPIC_DELETION_DISABLED from v3", async () => {
    const locked = await startTestBroker({ config: { "delete.topic.enable": "false" } });
    const c = await RawKafkaClient.connect(locked.bootstrap);
    try {
      await c.send(ApiKey.CreateTopics, 7, { topics: [topic("locked")], timeoutMs: 5000 });
      const v0 = await c.send(ApiKey.DeleteTopics, 0, { topicNames: ["locked"], timeoutMs: 5000 });
      assert.equal(v0.responses[0]?.errorCode, ErrorCode.INVALID_REQUEST);
      const v2 = await c.send(ApiKey.DeleteTopics, 2, { topicNames: ["locked"], timeoutMs: 5000 });
      assert.equal(v2.responses[0]?.errorCode, ErrorCode.INVALID_REQUEST);
      const v3 = await c.send(ApiKey.DeleteTopics, 3, { topicNames: ["locked"], timeoutMs: 5000 });
      assert.equal(v3.responses[0]?.errorCode, ErrorCode.TOPIC_DELETION_DISABLED);
      const v6 = await c.send(ApiKey.DeleteTopics, 6, {
        topics: [{ name: "locked", topicId: ZERO_UUID }],
        timeoutMs: 5000,
      });
      assert.equal(v6.responses[0]?.errorCode, ErrorCode.TOPIC_DELETION_DISABLED);
      assert.ok(existsSync(join(locked.dataDir, "locked-0")));
    } finally {
      c.close();
      await locked.destroy();
    }
  });
});

describe("CreatePartitions", () => {
  it("v0 adds partitions; DescribeLogDirs shows their logs", async () => {
    await createOne(7, topic("cp-v0", 1));
    const response = await client.send(ApiKey.CreatePartitions, 0, {
      topics: [{ name: "cp-v0", count: 3, assignments: null }],
      timeoutMs: 5000,
      validateOnly: false,
    });
    assert.deepEqual(
      response.results.map((r) => [r.name, r.errorCode, r.errorMessage]),
      [["cp-v0", ErrorCode.NONE, null]],
    );
    assert.deepEqual(await partitionsOnDisk("cp-v0"), [0, 1, 2]);
  });

  it("v3 with manual assignments", async () => {
    await createOne(7, topic("cp-v3", 1));
    const response = await client.send(ApiKey.CreatePartitions, 3, {
      topics: [
        {
          name: "cp-v3",
          count: 3,
          assignments: [{ brokerIds: [broker.nodeId] }, { brokerIds: [broker.nodeId] }],
        },
      ],
      timeoutMs: 5000,
      validateOnly: false,
    });
    assert.equal(response.results[0]?.errorCode, ErrorCode.NONE);
    assert.deepEqual(await partitionsOnDisk("cp-v3"), [0, 1, 2]);
  });

  it("validateOnly changes nothing", async () => {
    await createOne(7, topic("cp-validate", 1));
    const response = await client.send(ApiKey.CreatePartitions, 3, {
      topics: [{ name: "cp-validate", count: 4, assignments: null }],
      timeoutMs: 5000,
      validateOnly: true,
    });
    assert.equal(response.results[0]?.errorCode, ErrorCode.NONE);
    assert.deepEqual(await partitionsOnDisk("cp-validate"), [0]);
    assert.equal(logDirExists("cp-validate", 1), false);
  });

  it("INVALID_PARTITIONS for a count that is not an increase", async () => {
    await createOne(7, topic("cp-invalid", 2));
    for (const count of [2, 1]) {
      const response = await client.send(ApiKey.CreatePartitions, 3, {
        topics: [{ name: "cp-invalid", count, assignments: null }],
        timeoutMs: 5000,
        validateOnly: false,
      });
      assert.equal(response.results[0]?.errorCode, ErrorCode.INVALID_PARTITIONS, `count ${count}`);
      assert.ok(response.results[0]?.errorMessage);
    }
  });

  it("UNKNOWN_TOPIC_OR_PARTITION, INVALID_REPLICA_ASSIGNMENT and duplicates", async () => {
    await createOne(7, topic("cp-errors", 1));
    const response = await client.send(ApiKey.CreatePartitions, 1, {
      topics: [
        { name: "cp-missing", count: 2, assignments: null },
        { name: "cp-errors", count: 3, assignments: [{ brokerIds: [broker.nodeId] }] },
      ],
      timeoutMs: 5000,
      validateOnly: false,
    });
    const byName = new Map(response.results.map((r) => [r.name, r.errorCode]));
    assert.equal(byName.get("cp-missing"), ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    assert.equal(byName.get("cp-errors"), ErrorCode.INVALID_REPLICA_ASSIGNMENT);
    const unknownBroker = await client.send(ApiKey.CreatePartitions, 3, {
      topics: [{ name: "cp-errors", count: 2, assignments: [{ brokerIds: [42] }] }],
      timeoutMs: 5000,
      validateOnly: false,
    });
    assert.equal(unknownBroker.results[0]?.errorCode, ErrorCode.INVALID_REPLICA_ASSIGNMENT);
    const dup = await client.send(ApiKey.CreatePartitions, 3, {
      topics: [
        { name: "cp-errors", count: 2, assignments: null },
        { name: "cp-errors", count: 3, assignments: null },
      ],
      timeoutMs: 5000,
      validateOnly: false,
    });
    assert.deepEqual(
      dup.results.map((r) => r.errorCode),
      [ErrorCode.INVALID_REQUEST],
    );
    assert.deepEqual(await partitionsOnDisk("cp-errors"), [0]);
  });
});
