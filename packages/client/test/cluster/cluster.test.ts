import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { setTimeout as delay } from "node:timers/promises";
import { ApiKey, type MetadataResponse } from "@weir/protocol";
import { Cluster, CoordinatorType } from "../../src/cluster/cluster.js";
import { ClusterMetadata } from "../../src/cluster/cluster-metadata.js";
import { resolveClientConfig } from "../../src/config/resolve-config.js";
import { ClientClosedError, NetworkError } from "../../src/errors.js";
import { closedPort } from "../support/fake-broker.js";
import { failOnUnhandledRejections } from "../support/guards.js";
import { KafkaProxy } from "../support/kafka-proxy.js";
import { startTestBroker, type TestBroker } from "../support/test-broker.js";

failOnUnhandledRejections();

let broker: TestBroker;
before(async () => {
  broker = await startTestBroker({ config: { "num.partitions": "2" } });
});
after(async () => {
  await broker.destroy();
});

function metadataResponse(leaderEpoch: number, leaderId: number): MetadataResponse {
  return {
    brokers: [
      { nodeId: 1, host: "h1", port: 1, rack: null },
      { nodeId: 2, host: "h2", port: 2, rack: null },
    ],
    clusterId: "c",
    controllerId: 1,
    topics: [
      {
        errorCode: 0,
        name: "t",
        isInternal: false,
        partitions: [
          { errorCode: 0, partitionIndex: 0, leaderId, leaderEpoch, replicaNodes: [1, 2], isrNodes: [1, 2] },
        ],
      },
    ],
  };
}

describe("ClusterMetadata", () => {
  it("ignores a partition whose leader epoch went backwards, takes newer ones", () => {
    const first = ClusterMetadata.EMPTY.merge(metadataResponse(5, 1), ["t"], 1).metadata;
    const stale = first.merge(metadataResponse(4, 2), ["t"], 2).metadata;
    assert.equal(stale.leaderOf("t", 0), 1);
    const newer = stale.merge(metadataResponse(6, 2), ["t"], 3).metadata;
    assert.equal(newer.leaderOf("t", 0), 2);
    assert.equal(
      newer.withLeader("t", 0, 1, 6).leaderOf("t", 0),
      2,
      "a hint with the same epoch changes nothing",
    );
    assert.equal(newer.withLeader("t", 0, 1, 7).leaderOf("t", 0), 1);
  });

  it("drops topics that came back with an error, and topics absent from an all-topics answer", () => {
    const first = ClusterMetadata.EMPTY.merge(metadataResponse(5, 1), ["t"], 1).metadata;
    const gone = first.merge(
      { ...metadataResponse(5, 1), topics: [{ errorCode: 3, name: "t", partitions: [] }] },
      ["t"],
      2,
    );
    assert.equal(gone.metadata.topic("t"), undefined);
    assert.equal(gone.topicErrors.get("t"), 3);
    assert.equal(
      first.merge({ ...metadataResponse(5, 1), topics: [] }, null, 2).metadata.topic("t"),
      undefined,
    );
    assert.ok(
      first.merge({ ...metadataResponse(5, 1), topics: [] }, ["x"], 2).metadata.topic("t"),
      "kept when not asked",
    );
  });
});

describe("Cluster", () => {
  it("bootstraps past a dead server and learns brokers, controller and topics", async () => {
    const dead = await closedPort();
    const cluster = new Cluster(
      resolveClientConfig({ bootstrapServers: [`127.0.0.1:${dead}`, broker.bootstrap] }),
    );
    try {
      for (let i = 0; i < 5; i++) {
        // Random order: whichever comes first, the live one answers.
        const { metadata } = await cluster.describeTopics(null);
        assert.equal(metadata.controllerId, broker.nodeId);
        assert.equal(metadata.clusterId, broker.clusterId);
        assert.deepEqual([...metadata.brokers.keys()], [broker.nodeId]);
      }
    } finally {
      cluster.close();
    }
  });

  it("reconnects with backoff after the connection is cut", async () => {
    const proxy = await KafkaProxy.start({ host: "127.0.0.1", port: broker.port });
    proxy.hooks.response = (req, body) =>
      req.apiKey === ApiKey.Metadata
        ? {
            ...(body as MetadataResponse),
            brokers: [{ nodeId: broker.nodeId, host: "127.0.0.1", port: proxy.port, rack: null }],
          }
        : undefined;
    const cluster = new Cluster(
      resolveClientConfig({
        bootstrapServers: [proxy.address],
        reconnectBackoffMs: 200,
        reconnectBackoffMaxMs: 200,
      }),
    );
    try {
      await cluster.refreshMetadata();
      const first = await cluster.connection(broker.nodeId);
      proxy.sever();
      await delay(20);
      assert.equal(first.closed, true);
      await assert.rejects(cluster.connection(broker.nodeId), (err) => {
        assert.ok(err instanceof NetworkError);
        assert.match(err.message, /not reconnecting to broker 1 .* for another \d+ ms \(reconnect backoff\)/);
        return true;
      });
      await delay(260);
      const second = await cluster.connection(broker.nodeId);
      assert.notEqual(second, first);
      assert.equal(second.closed, false);
    } finally {
      cluster.close();
      await proxy.close();
    }
  });

  it("finds the group coordinator (FindCoordinator), for the consumer to come", async () => {
    const cluster = new Cluster(resolveClientConfig({ bootstrapServers: [broker.bootstrap] }));
    try {
      const node = await cluster.findCoordinator(CoordinatorType.Group, "my-group", Date.now() + 10_000);
      assert.equal(node, broker.nodeId);
    } finally {
      cluster.close();
    }
    await assert.rejects(cluster.connection("any"), ClientClosedError);
  });
});
