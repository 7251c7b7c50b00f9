import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import kafkajs from "kafkajs";
import { startTestBroker, type TestBroker } from "../support/test-broker.js";

/**
 * kafkajs consumer groups against the broker (issue 3): three consumers share a 6-partition topic
 * carrying 30,000 messages. While the group is stable every message goes to exactly one member;
 * when one member stops mid-stream the other two take over its partitions from its committed
 * offsets and finish, losing nothing (at-least-once).
 */

const { Kafka, logLevel } = kafkajs;
const TOPIC = "kjs-group-30k";
const GROUP = "kjs-group-30k-consumers";
const MESSAGES = 30_000;
const PARTITIONS = 6;

let broker: TestBroker;
let kafka: kafkajs.Kafka;

before(async () => {
  broker = await startTestBroker({ config: { "group.initial.rebalance.delay.ms": "0" } });
  kafka = new Kafka({
    clientId: "weir-group-test",
    brokers: [broker.bootstrap],
    logLevel: logLevel.NOTHING,
    retry: { retries: 10, initialRetryTime: 50 },
  });
});

after(async () => {
  await broker?.destroy();
});

interface Member {
  readonly name: string;
  readonly consumer: kafkajs.Consumer;
  assigned: number[];
}

async function waitFor(what: string, condition: () => boolean, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) assert.fail(`${what}: not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

test("three kafkajs consumers split 30,000 messages; one stops mid-stream and the others finish", async () => {
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: PARTITIONS }], waitForLeaders: true });
  await admin.disconnect();

  /** value → each time it was processed: by whom, and whether member "c" had stopped by then. */
  const seenBy = new Map<string, { by: string; afterStop: boolean }[]>();
  let stopped = false;
  const members: Member[] = [];
  for (const name of ["a", "b", "c"]) {
    const consumer = kafka.consumer({ groupId: GROUP, sessionTimeout: 10_000, heartbeatInterval: 300 });
    const member: Member = { name, consumer, assigned: [] };
    consumer.on(consumer.events.GROUP_JOIN, (event) => {
      member.assigned = [...(event.payload.memberAssignment[TOPIC] ?? [])];
    });
    await consumer.connect();
    await consumer.subscribe({ topic: TOPIC, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        const value = message.value!.toString();
        const list = seenBy.get(value) ?? [];
        list.push({ by: name, afterStop: stopped });
        seenBy.set(value, list);
      },
    });
    members.push(member);
  }
  // Stable: all three members hold two partitions each, covering all six.
  await waitFor("a stable group of three", () => {
    const all = members.flatMap((m) => m.assigned);
    return members.every((m) => m.assigned.length === 2) && new Set(all).size === PARTITIONS;
  });

  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  const values: string[] = [];
  for (let i = 0; i < MESSAGES; i++) values.push(`m-${i}`);
  const producing = (async () => {
    for (let i = 0; i < MESSAGES; i += 1000) {
      await producer.send({
        topic: TOPIC,
        acks: -1,
        messages: values.slice(i, i + 1000).map((value, j) => ({ key: `k-${(i + j) % 500}`, value })),
      });
    }
  })();

  // Mid-stream, member "c" stops (LeaveGroup); "a" and "b" take over its partitions.
  await waitFor("half the messages consumed", () => seenBy.size >= MESSAGES / 2);
  const leaving = members[2]!;
  stopped = true;
  await leaving.consumer.disconnect();
  await producing;
  await waitFor("every message consumed", () => seenBy.size === MESSAGES, 120_000);
  await waitFor("a and b hold all six partitions", () => {
    const all = members.slice(0, 2).flatMap((m) => m.assigned);
    return new Set(all).size === PARTITIONS;
  });
  await producer.disconnect();
  for (const m of members.slice(0, 2)) await m.consumer.disconnect();

  // Nothing lost.
  for (const value of values) assert.ok(seenBy.has(value), `${value} was never consumed`);
  // While the group was stable every message went to exactly one member; repeats can only come
  // from the takeover (messages processed after the last commit of a moved partition).
  const repeated = [...seenBy.entries()].filter(([, times]) => times.length > 1);
  for (const [value, times] of repeated) {
    const whileStable = times.filter((t) => !t.afterStop);
    assert.ok(whileStable.length <= 1, `${value} consumed twice while the group was stable`);
  }
  assert.ok(repeated.length < MESSAGES / 6, `${repeated.length} messages repeated`);
  const firstBy = new Map<string, number>();
  for (const times of seenBy.values()) firstBy.set(times[0]!.by, (firstBy.get(times[0]!.by) ?? 0) + 1);
  for (const name of ["a", "b", "c"]) assert.ok((firstBy.get(name) ?? 0) > 0, `${name} consumed nothing`);
});
