import assert from "node:assert/strict";
import { resolve } from "node:path";
import { after, before, describe, it } from "node:test";
import { ApiKey, ErrorCode } from "@weir/protocol";
import { RawKafkaClient } from "../support/raw-kafka-client.js";
import { startTestBroker, type TestBroker } from "../support/test-broker.js";

/** DescribeCluster and DescribeLogDirs over TCP against a real broker. */

let broker: TestBroker;
let client: RawKafkaClient;

before(async () => {
  broker = await startTestBroker({ config: { "broker.rack": "rack-a" } });
  client = await RawKafkaClient.connect(broker.bootstrap);
  const created = await client.send(ApiKey.CreateTopics, 7, {
    topics: [
      { name: "ld-a", numPartitions: 2, replicationFactor: 1, assignments: [], configs: [] },
      { name: "ld-b", numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] },
    ],
    timeoutMs: 5000,
  });
  assert.deepEqual(
    created.topics.map((t) => t.errorCode),
    [ErrorCode.NONE, ErrorCode.NONE],
  );
});

after(async () => {
  client.close();
  await broker.destroy();
});

describe("DescribeCluster", () => {
  it("v0: cluster id, this node as controller, the live brokers at their advertised endpoints", async () => {
    const response = await client.send(ApiKey.DescribeCluster, 0, {
      includeClusterAuthorizedOperations: false,
    });
    assert.equal(response.errorCode, ErrorCode.NONE);
    assert.equal(response.errorMessage, null);
    assert.equal(response.clusterId, broker.clusterId);
    assert.equal(response.controllerId, broker.nodeId);
    assert.deepEqual(response.brokers, [
      { brokerId: broker.nodeId, host: broker.host, port: broker.port, rack: "rack-a" },
    ]);
    assert.equal(response.clusterAuthorizedOperations, -2147483648);
  });

  it("v1: endpoint type and the cluster's authorized operations on request", async () => {
    const response = await client.send(ApiKey.DescribeCluster, 1, {
      includeClusterAuthorizedOperations: true,
      endpointType: 1,
    });
    assert.equal(response.errorCode, ErrorCode.NONE);
    assert.equal(response.endpointType, 1);
    assert.equal(response.brokers.length, 1);
    // CREATE, ALTER, DESCRIBE, CLUSTER_ACTION, DESCRIBE_CONFIGS, ALTER_CONFIGS, IDEMPOTENT_WRITE
    assert.equal(response.clusterAuthorizedOperations, 8096);
  });

  it("v1: MISMATCHED_ENDPOINT_TYPE for controllers, UNSUPPORTED_ENDPOINT_TYPE for unknown types", async () => {
    const controllers = await client.send(ApiKey.DescribeCluster, 1, {
      includeClusterAuthorizedOperations: false,
      endpointType: 2,
    });
    assert.equal(controllers.errorCode, ErrorCode.MISMATCHED_ENDPOINT_TYPE);
    assert.ok(controllers.errorMessage);
    assert.deepEqual(controllers.brokers, []);
    const unknown = await client.send(ApiKey.DescribeCluster, 1, {
      includeClusterAuthorizedOperations: false,
      endpointType: 9,
    });
    assert.equal(unknown.errorCode, ErrorCode.UNSUPPORTED_ENDPOINT_TYPE);
  });
});

describe("DescribeLogDirs", () => {
  it("v0 with null topics lists every partition of every topic", async () => {
    const response = await client.send(ApiKey.DescribeLogDirs, 0, { topics: null });
    assert.equal(response.results.length, 1);
    const dir = response.results[0]!;
    assert.equal(dir.errorCode, ErrorCode.NONE);
    assert.equal(dir.logDir, resolve(broker.dataDir));
    const partitions = new Map(dir.topics.map((t) => [t.name, t.partitions.map((p) => p.partitionIndex)]));
    assert.deepEqual(partitions.get("ld-a"), [0, 1]);
    assert.deepEqual(partitions.get("ld-b"), [0]);
    for (const p of dir.topics.flatMap((t) => t.partitions)) {
      assert.equal(p.offsetLag, 0n);
      assert.equal(p.isFutureKey, false);
      assert.ok(p.partitionSize >= 0n);
    }
  });

  it("v4 lists only the requested partitions, with the volume's total and usable bytes", async () => {
    const response = await client.send(ApiKey.DescribeLogDirs, 4, {
      topics: [
        { topic: "ld-a", partitions: [1, 7] },
        { topic: "ld-missing", partitions: [0] },
      ],
    });
    assert.equal(response.errorCode, ErrorCode.NONE);
    const dir = response.results[0]!;
    assert.equal(dir.errorCode, ErrorCode.NONE);
    assert.deepEqual(
      dir.topics.map((t) => [t.name, t.partitions.map((p) => p.partitionIndex)]),
      [["ld-a", [1]]],
    );
    assert.ok((dir.totalBytes ?? -1n) > 0n);
    assert.ok((dir.usableBytes ?? -1n) >= 0n);
    assert.ok((dir.usableBytes ?? 0n) <= (dir.totalBytes ?? 0n));
  });

  it("an empty topic list describes the directories without partitions", async () => {
    const response = await client.send(ApiKey.DescribeLogDirs, 2, { topics: [] });
    assert.equal(response.results.length, 1);
    assert.deepEqual(response.results[0]!.topics, []);
  });
});
