import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import kafkajs from "kafkajs";
import type { TestBroker } from "../support/test-broker.js";
import { sleep, startGroupBroker } from "./group-test-kit.js";

/** Consumer groups as a third-party client drives them: kafkajs consumers against a real broker. */

const { Kafka, logLevel } = kafkajs;

const TOPIC = "orders";
const GROUP = "order-processors";
const PARTITIONS = 6;

interface Seen {
  readonly consumer: string;
  readonly partition: number;
  readonly offset: string;
  readonly value: string;
}

async function waitFor(what: string, condition: () => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

describe("kafkajs consumer group", () => {
  let broker: TestBroker;
  let kafka: kafkajs.Kafka;
  let producer: kafkajs.Producer;
  const seen: Seen[] = [];
  /** Latest assignment per consumer name (GROUP_JOIN events). */
  const assignments = new Map<string, number[]>();
  const consumers = new Map<string, kafkajs.Consumer>();

  async function startConsumer(name: string): Promise<kafkajs.Consumer> {
    const consumer = kafka.consumer({
      groupId: GROUP,
      sessionTimeout: 6_000,
      rebalanceTimeout: 10_000,
      heartbeatInterval: 200,
      maxWaitTimeInMs: 100,
      retry: { retries: 10, initialRetryTime: 50 },
    });
    consumer.on(consumer.events.GROUP_JOIN, (event) => {
      assignments.set(name, [...(event.payload.memberAssignment[TOPIC] ?? [])].sort());
    });
    await consumer.connect();
    await consumer.subscribe({ topic: TOPIC, fromBeginning: true });
    await consumer.run({
      autoCommitInterval: 100,
      eachMessage: async ({ partition, message }) => {
        seen.push({
          consumer: name,
          partition,
          offset: message.offset,
          value: message.value?.toString() ?? "",
        });
      },
    });
    consumers.set(name, consumer);
    return consumer;
  }

  async function stopConsumer(name: string): Promise<void> {
    await consumers.get(name)?.disconnect();
    consumers.delete(name);
    assignments.delete(name);
  }

  async function produce(prefix: string, count: number): Promise<string[]> {
    const values = Array.from({ length: count }, (_, i) => `${prefix}-${i}`);
    await producer.send({
      topic: TOPIC,
      messages: values.map((value, i) => ({ value, partition: i % PARTITIONS })),
    });
    return values;
  }

  /** Every assigned partition across the live consumers, sorted, each listed once per owner. */
  function assignedPartitions(): number[] {
    return [...consumers.keys()].flatMap((name) => assignments.get(name) ?? []).sort((a, b) => a - b);
  }

  before(async () => {
    broker = await startGroupBroker({ "offsets.topic.num.partitions": "10" });
    kafka = new Kafka({
      clientId: "weir-group-test",
      brokers: [broker.bootstrap],
      logLevel: logLevel.NOTHING,
      retry: { retries: 10, initialRetryTime: 50 },
    });
    producer = kafka.producer();
    await producer.connect();
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: PARTITIONS }], waitForLeaders: true });
    await admin.disconnect();
  });

  after(async () => {
    for (const name of [...consumers.keys()]) await stopConsumer(name);
    await producer?.disconnect();
    await broker?.destroy();
  });

  test("three consumers share six partitions; each message is consumed once", async () => {
    await Promise.all(["c1", "c2", "c3"].map((name) => startConsumer(name)));
    await waitFor("every partition assigned to exactly one of three consumers", () => {
      const all = assignedPartitions();
      return (
        consumers.size === 3 &&
        all.length === PARTITIONS &&
        new Set(all).size === PARTITIONS &&
        [...consumers.keys()].every((n) => (assignments.get(n)?.length ?? 0) === 2)
      );
    });
    const values = await produce("first", 60);
    await waitFor("all 60 messages", () => seen.filter((s) => s.value.startsWith("first-")).length >= 60);
    await sleep(300);
    const first = seen.filter((s) => s.value.startsWith("first-"));
    assert.deepEqual(first.map((s) => s.value).sort(), [...values].sort());
    // Each consumer read only its own partitions.
    for (const s of first)
      assert.ok(assignments.get(s.consumer)?.includes(s.partition), `${s.consumer} read ${s.partition}`);
  });

  test("when a consumer leaves, the others take over its partitions", async () => {
    const released = assignments.get("c3") ?? [];
    assert.equal(released.length, 2);
    await stopConsumer("c3");
    await waitFor("the two remaining consumers own all partitions", () => {
      const all = assignedPartitions();
      return all.length === PARTITIONS && new Set(all).size === PARTITIONS;
    });
    const values = await produce("second", 60);
    await waitFor("all 60 messages of the second batch", () => {
      const got = new Set(seen.filter((s) => s.value.startsWith("second-")).map((s) => s.value));
      return got.size === 60;
    });
    const second = seen.filter((s) => s.value.startsWith("second-"));
    assert.deepEqual([...new Set(second.map((s) => s.value))].sort(), [...values].sort());
    assert.ok(second.every((s) => s.consumer !== "c3"));
    const takenOver = second.filter((s) => released.includes(s.partition));
    assert.equal(takenOver.length >= 20, true, "the released partitions were consumed by the others");
    // Nothing from before the rebalance was read again: offsets were committed and fetched.
    assert.equal(seen.filter((s) => s.value.startsWith("first-")).length, 60);
  });

  test("a restarted consumer resumes from the committed offsets", async () => {
    await stopConsumer("c1");
    await stopConsumer("c2");
    const before = seen.length;
    const values = await produce("third", 30);
    await startConsumer("c4");
    await waitFor(
      "all 30 messages of the third batch",
      () => seen.filter((s) => s.value.startsWith("third-")).length >= 30,
    );
    await sleep(500);
    const after = seen.slice(before);
    // Only new messages: nothing consumed before the restart is delivered again.
    assert.deepEqual(after.map((s) => s.value).sort(), [...values].sort());
    assert.ok(after.every((s) => s.consumer === "c4"));
  });
});
