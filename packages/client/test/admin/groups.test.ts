import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Consumer } from "../../src/consumer/consumer.js";
import { Kafka } from "../../src/kafka.js";
import { failOnUnhandledRejections } from "../support/guards.js";
import { startTestBroker, type TestBroker } from "../support/test-broker.js";

failOnUnhandledRejections();

let broker: TestBroker;
let kafka: Kafka;

before(async () => {
  broker = await startTestBroker({
    config: {
      "auto.create.topics.enable": "false",
      "group.initial.rebalance.delay.ms": "0",
      "group.consumer.heartbeat.interval.ms": "500",
    },
  });
  kafka = new Kafka({ bootstrapServers: [broker.bootstrap], clientId: "admin-groups-test" });
});

after(async () => {
  await kafka.close();
  await broker.destroy();
});

async function readN(consumer: Consumer, n: number): Promise<void> {
  let count = 0;
  for await (const _ of consumer) if (++count === n) break;
}

describe("admin: consumer groups", () => {
  it("lists, describes with lag, resets, deletes offsets and deletes a classic group", async () => {
    const admin = kafka.admin();
    const topic = "admin-groups";
    await admin.createTopics([{ name: topic, numPartitions: 3 }]);
    const producer = kafka.producer();
    await producer.sendBatch(
      Array.from({ length: 30 }, (_, i) => ({ topic, partition: i % 3, value: `${i}` })),
    );
    await producer.close();

    const consumer = kafka.consumer({
      groupId: "g-admin",
      clientId: "lag-reader",
      autoOffsetReset: "earliest",
      enableAutoCommit: false,
    });
    consumer.subscribe([topic]);
    await readN(consumer, 30);
    const p = (partition: number) => ({ topic, partition });
    await consumer.commitSync([
      { ...p(0), offset: 10 },
      { ...p(1), offset: 5, metadata: "half" },
    ]);

    const listed = await admin.listGroups();
    const mine = listed.find((g) => g.groupId === "g-admin");
    assert.deepEqual(mine, {
      groupId: "g-admin",
      protocolType: "consumer",
      state: "Stable",
      type: "classic",
    });
    assert.ok((await admin.listGroups({ states: ["Empty"] })).every((g) => g.groupId !== "g-admin"));

    const [described] = await admin.describeGroups(["g-admin"], { includeLag: true });
    assert.equal(described.state, "Stable");
    assert.equal(described.type, "classic");
    assert.equal(described.assignor, "range");
    assert.equal(described.members.length, 1);
    const member = described.members[0];
    assert.equal(member.clientId, "lag-reader");
    assert.equal(member.memberId, consumer.groupMetadata().memberId);
    assert.deepEqual(member.assignment, [p(0), p(1), p(2)]);
    assert.deepEqual(member.subscribedTopics, [topic]);
    assert.deepEqual(
      described.lag?.map((l) => [
        l.partition,
        l.committedOffset,
        l.logEndOffset,
        l.lag,
        l.memberId,
        l.metadata,
      ]),
      [
        [0, 10, 10, 0, member.memberId, ""],
        [1, 5, 10, 5, member.memberId, "half"],
        [2, -1, 10, null, member.memberId, null],
      ],
    );

    await assert.rejects(admin.resetGroupOffsets("g-admin", { partitions: [topic], to: "earliest" }), {
      name: "NON_EMPTY_GROUP",
    });
    await assert.rejects(admin.deleteGroups(["g-admin"]), { name: "NON_EMPTY_GROUP" });
    await consumer.close();

    const [empty] = await admin.describeGroups(["g-admin"]);
    assert.equal(empty.state, "Empty");
    assert.deepEqual(empty.members, []);

    const dry = await admin.resetGroupOffsets("g-admin", {
      partitions: [topic],
      to: "earliest",
      dryRun: true,
    });
    assert.deepEqual(
      dry.map((o) => o.offset),
      [0, 0, 0],
    );
    assert.deepEqual(
      (await admin.listGroupOffsets("g-admin")).map((o) => [o.partition, o.offset]),
      [
        [0, 10],
        [1, 5],
      ],
    );
    await admin.resetGroupOffsets("g-admin", { partitions: [p(0), p(1)], to: { shiftBy: -3 } });
    assert.deepEqual(
      (await admin.listGroupOffsets("g-admin")).map((o) => o.offset),
      [7, 2],
    );
    await admin.resetGroupOffsets("g-admin", { partitions: [p(2)], to: { offset: 1_000 } });
    assert.deepEqual(
      (await admin.listGroupOffsets("g-admin", { partitions: [p(2)] })).map((o) => o.offset),
      [10],
    );
    await admin.resetGroupOffsets("g-admin", { partitions: [topic], to: "latest" });
    const [lagless] = await admin.describeGroups(["g-admin"], { includeLag: true });
    assert.deepEqual(
      lagless.lag?.map((l) => l.lag),
      [0, 0, 0],
    );

    // A restarted consumer picks up the reset offsets.
    await admin.resetGroupOffsets("g-admin", { partitions: [topic], to: { offset: 8 } });
    const again = kafka.consumer({ groupId: "g-admin", enableAutoCommit: false });
    again.subscribe([topic]);
    const seen: string[] = [];
    for await (const r of again) {
      seen.push(`${r.partition}:${r.offset}`);
      if (seen.length === 6) break;
    }
    assert.deepEqual(seen.sort(), ["0:8", "0:9", "1:8", "1:9", "2:8", "2:9"]);
    await again.close();

    await admin.deleteGroupOffsets("g-admin", [p(1)]);
    assert.deepEqual(
      (await admin.listGroupOffsets("g-admin")).map((o) => o.partition),
      [0, 2],
    );
    await admin.deleteGroups(["g-admin"]);
    assert.ok((await admin.listGroups()).every((g) => g.groupId !== "g-admin"));
    const [dead] = await admin.describeGroups(["g-admin"]);
    assert.equal(dead.state, "Dead");
    await assert.rejects(admin.deleteGroups(["never-existed"]), { name: "GROUP_ID_NOT_FOUND" });
    await admin.close();
  });

  it("describes a consumer-protocol (KIP-848) group with its members and lag", async () => {
    const admin = kafka.admin();
    const topic = "admin-groups-848";
    await admin.createTopics([{ name: topic, numPartitions: 2 }]);
    const producer = kafka.producer();
    await producer.sendBatch(
      Array.from({ length: 8 }, (_, i) => ({ topic, partition: i % 2, value: `${i}` })),
    );
    await producer.close();
    const consumer = kafka.consumer({
      groupId: "g-admin-848",
      groupProtocol: "consumer",
      autoOffsetReset: "earliest",
    });
    consumer.subscribe([topic]);
    await readN(consumer, 8);
    await consumer.commitSync();
    const [d] = await admin.describeGroups(["g-admin-848"], { includeLag: true });
    assert.equal(d.type, "consumer");
    assert.equal(d.members.length, 1);
    assert.deepEqual(d.members[0].assignment, [
      { topic, partition: 0 },
      { topic, partition: 1 },
    ]);
    assert.deepEqual(d.members[0].subscribedTopics, [topic]);
    assert.deepEqual(
      d.lag?.map((l) => [l.committedOffset, l.lag]),
      [
        [4, 0],
        [4, 0],
      ],
    );
    const listed = (await admin.listGroups()).find((g) => g.groupId === "g-admin-848");
    assert.equal(listed?.type, "consumer");
    await consumer.close();
    await admin.close();
  });
});
