import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { ConsumerOptions } from "../../src/config/options-table.js";
import type { Consumer } from "../../src/consumer/consumer.js";
import type { TopicPartition } from "../../src/consumer/consumer-types.js";
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
      "group.min.session.timeout.ms": "1000",
      "group.consumer.heartbeat.interval.ms": "500",
      "group.consumer.session.timeout.ms": "6000",
    },
  });
  kafka = new Kafka({ bootstrapServers: [broker.bootstrap], clientId: "group-test" });
});

after(async () => {
  await kafka.close();
  await broker.destroy();
});

async function createTopic(name: string, partitions: number): Promise<void> {
  const admin = kafka.admin();
  await admin.createTopics([{ name, numPartitions: partitions }]);
  await admin.close();
}

async function produce(topic: string, from: number, count: number, partitions: number): Promise<void> {
  const producer = kafka.producer({ lingerMs: 10, batchSize: 256 * 1024 });
  await producer.sendBatch(
    Array.from({ length: count }, (_, i) => ({
      topic,
      partition: (from + i) % partitions,
      value: `m${from + i}`,
    })),
  );
  await producer.close();
}

async function until(what: string, condition: () => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A group member reading in the background, recording what it got and its assignment changes. */
class Member {
  readonly consumer: Consumer;
  readonly got: string[] = [];
  readonly events: string[] = [];
  readonly loop: Promise<void>;
  error: unknown;

  constructor(
    readonly name: string,
    topics: string[] | RegExp,
    options: ConsumerOptions,
    readonly seen: Map<string, string[]>,
  ) {
    const consumer = kafka.consumer({
      autoOffsetReset: "earliest",
      heartbeatIntervalMs: 300,
      sessionTimeoutMs: 6_000,
      autoCommitIntervalMs: 200,
      ...options,
    });
    this.consumer = consumer;
    const fmt = (tps: TopicPartition[]) => tps.map((tp) => `${tp.topic}-${tp.partition}`).join(",");
    consumer.subscribe(topics, {
      onPartitionsAssigned: (tps) => {
        this.events.push(`assigned ${fmt(tps)}`);
      },
      onPartitionsRevoked: (tps) => {
        this.events.push(`revoked ${fmt(tps)}`);
      },
      onPartitionsLost: (tps) => {
        this.events.push(`lost ${fmt(tps)}`);
      },
    });
    this.loop = (async () => {
      try {
        for await (const r of consumer) {
          const key = `${r.topic}/${r.partition}/${r.offset}`;
          this.got.push(key);
          seen.set(key, [...(seen.get(key) ?? []), this.name]);
        }
      } catch (err) {
        this.error = err;
      }
    })();
  }

  get assignment(): TopicPartition[] {
    return this.consumer.assignment();
  }

  async close(): Promise<void> {
    await this.consumer.close();
    await this.loop;
    assert.equal(this.error, undefined, `${this.name} failed: ${this.error}`);
  }
}

function assertExactlyOnce(
  seen: Map<string, string[]>,
  topic: string,
  count: number,
  partitions: number,
): void {
  const perPartition = count / partitions;
  for (let p = 0; p < partitions; p++) {
    for (let o = 0; o < perPartition; o++) {
      const who = seen.get(`${topic}/${p}/${o}`);
      assert.ok(who !== undefined, `${topic}-${p} offset ${o} was not consumed`);
      assert.equal(who.length, 1, `${topic}-${p} offset ${o} was consumed ${who.length} times (${who})`);
    }
  }
  assert.equal([...seen.keys()].filter((k) => k.startsWith(`${topic}/`)).length, count);
}

describe("consumer groups (classic protocol)", () => {
  for (const strategy of ["range", "roundrobin", "cooperative-sticky"] as const) {
    it(`3 members share 6 partitions exactly once, take over from a leaver and resume from commits (${strategy})`, async () => {
      const topic = `group-${strategy}`;
      const groupId = `g-${strategy}`;
      await createTopic(topic, 6);
      const seen = new Map<string, string[]>();
      const options = { groupId, partitionAssignmentStrategy: [strategy] };
      const members = ["a", "b", "c"].map((n) => new Member(n, [topic], options, seen));
      await until("a stable assignment of 2 partitions each", () =>
        members.every((m) => m.assignment.length === 2),
      );
      const owners = members.flatMap((m) => m.assignment.map((tp) => tp.partition)).sort();
      assert.deepEqual(owners, [0, 1, 2, 3, 4, 5]);

      await produce(topic, 0, 3_000, 6);
      await until("3000 records", () => seen.size === 3_000);

      // One member leaves: the others take over its partitions.
      const [leaver, ...stayers] = members;
      await leaver.close();
      await until("the two others own all 6 partitions", () =>
        stayers.every((m) => m.assignment.length === 3),
      );
      await produce(topic, 3_000, 3_000, 6);
      await until("6000 records", () => seen.size === 6_000);
      await new Promise((r) => setTimeout(r, 300));
      assertExactlyOnce(seen, topic, 6_000, 6);
      if (strategy === "cooperative-sticky") {
        // Incremental: the stayers never gave up their own partitions.
        for (const m of stayers)
          assert.ok(!m.events.some((e) => e.startsWith("revoked")), m.events.join("; "));
      } else {
        for (const m of stayers)
          assert.ok(
            m.events.some((e) => e.startsWith("revoked")),
            m.events.join("; "),
          );
      }

      // Everyone leaves; a new member starts from the committed offsets.
      for (const m of stayers) await m.close();
      await produce(topic, 6_000, 600, 6);
      const restartSeen = new Map<string, string[]>();
      const restarted = new Member("d", [topic], options, restartSeen);
      await until("600 new records", () => restartSeen.size === 600);
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(restartSeen.size, 600);
      for (const key of restartSeen.keys()) assert.ok(Number(key.split("/")[2]) >= 1_000, key);
      await restarted.close();
    });
  }

  it("commits by hand (sync and async) and reads committed offsets", async () => {
    const topic = "group-manual-commit";
    await createTopic(topic, 2);
    await produce(topic, 0, 20, 2);
    const consumer = kafka.consumer({
      groupId: "g-manual",
      autoOffsetReset: "earliest",
      enableAutoCommit: false,
    });
    consumer.subscribe(topic);
    const got = [];
    for await (const r of consumer) {
      got.push(r);
      if (got.length === 20) break;
    }
    const p0 = { topic, partition: 0 };
    const p1 = { topic, partition: 1 };
    await consumer.commitSync([{ ...p0, offset: 4, metadata: "four" }]);
    const asyncDone = new Promise<unknown>((resolve) =>
      consumer.commitAsync([{ ...p1, offset: 7 }], (err) => resolve(err)),
    );
    assert.equal(await asyncDone, null);
    const committed = await consumer.committed([p0, p1, { topic, partition: 9 }]);
    assert.deepEqual(
      committed.map((c) => [c.partition, c.offset, c.metadata]),
      [
        [0, 4, "four"],
        [1, 7, ""],
        [9, -1, null],
      ],
    );
    await consumer.commitSync();
    assert.deepEqual(
      (await consumer.committed([p0, p1])).map((c) => c.offset),
      [10, 10],
    );
    await consumer.close();
  });

  it("runs the listener inside polls: a commit in onPartitionsRevoked works, a throwing listener fails one poll", async () => {
    const topic = "group-listener";
    await createTopic(topic, 2);
    await produce(topic, 0, 20, 2);
    const a = kafka.consumer({
      groupId: "g-listener",
      autoOffsetReset: "earliest",
      enableAutoCommit: false,
      heartbeatIntervalMs: 200,
    });
    let assignedCalls = 0;
    let revokedCommit: unknown = "not called";
    a.subscribe([topic], {
      onPartitionsAssigned: () => {
        if (++assignedCalls === 1) throw new Error("listener failed");
      },
      onPartitionsRevoked: async (tps) => {
        try {
          await a.commitSync(tps.map((tp) => ({ ...tp, offset: 3 })));
          revokedCommit = null;
        } catch (err) {
          revokedCommit = err;
        }
      },
    });
    await assert.rejects(a.poll(5_000), /listener failed/);
    assert.equal(a.assignment().length, 2, "the rebalance completed despite the listener");
    const got: number[] = [];
    while (got.length < 20) got.push(...(await a.poll(5_000)).map((r) => r.offset));
    const b = kafka.consumer({ groupId: "g-listener", heartbeatIntervalMs: 200 });
    b.subscribe([topic]);
    const bPolling = b.poll(10_000);
    await until("a was asked to rejoin", () => {
      void a.poll(50).catch(() => undefined);
      return revokedCommit !== "not called";
    });
    assert.equal(revokedCommit, null, "commitSync inside onPartitionsRevoked");
    await bPolling;
    const committed = await a.committed([
      { topic, partition: 0 },
      { topic, partition: 1 },
    ]);
    assert.deepEqual(
      committed.map((c) => c.offset),
      [3, 3],
    );
    await a.close();
    await b.close();
  });

  it("keeps a static member's partitions across a quick restart, without a rebalance", async () => {
    const topic = "group-static";
    await createTopic(topic, 4);
    const seen = new Map<string, string[]>();
    const base = { groupId: "g-static", sessionTimeoutMs: 10_000 };
    const a = new Member("a", [topic], { ...base, groupInstanceId: "instance-a" }, seen);
    const b = new Member("b", [topic], { ...base, groupInstanceId: "instance-b" }, seen);
    await until("2 partitions each", () => a.assignment.length === 2 && b.assignment.length === 2);
    const before = a.assignment;
    const bGeneration = b.consumer.groupMetadata().generationId;
    const bEvents = b.events.length;
    await a.close();
    const again = new Member("a2", [topic], { ...base, groupInstanceId: "instance-a" }, seen);
    await until("the static member back", () => again.assignment.length === 2);
    assert.deepEqual(again.assignment, before);
    await new Promise((r) => setTimeout(r, 800));
    assert.equal(
      b.consumer.groupMetadata().generationId,
      bGeneration,
      "no new generation for the other member",
    );
    assert.equal(b.events.length, bEvents, "no rebalance callbacks for the other member");
    await produce(topic, 0, 40, 4);
    await until("40 records", () => seen.size === 40);
    assertExactlyOnce(seen, topic, 40, 4);
    await again.close();
    await b.close();
  });

  it("subscribes by pattern, including topics created later", async () => {
    await createTopic("pattern-one", 1);
    const seen = new Map<string, string[]>();
    const m = new Member("p", /^pattern-/, { groupId: "g-pattern", metadataMaxAgeMs: 500 }, seen);
    await until("pattern-one assigned", () => m.assignment.length === 1);
    await createTopic("pattern-two", 2);
    await until("pattern-two assigned", () => m.assignment.length === 3);
    assert.deepEqual(m.consumer.subscription(), ["pattern-one", "pattern-two"]);
    await produce("pattern-two", 0, 10, 2);
    await until("10 records", () => seen.size === 10);
    await m.close();
  });
});

describe("rebalances while records flow", () => {
  for (const [label, options] of [
    ["eager range", { partitionAssignmentStrategy: ["range"] }],
    ["cooperative-sticky", { partitionAssignmentStrategy: ["cooperative-sticky"] }],
    ["consumer protocol", { groupProtocol: "consumer" }],
  ] as [string, ConsumerOptions][]) {
    it(`loses and repeats nothing as members join and leave (${label})`, async () => {
      const topic = `churn-${label.replaceAll(" ", "-")}`;
      await createTopic(topic, 6);
      const seen = new Map<string, string[]>();
      const groupOptions = { ...options, groupId: `g-churn-${label.replaceAll(" ", "-")}` };
      const producer = kafka.producer({ lingerMs: 2 });
      let produced = 0;
      let producing = true;
      const feeding = (async () => {
        while (producing) {
          await producer.sendBatch(
            Array.from({ length: 60 }, (_, i) => ({
              topic,
              partition: (produced + i) % 6,
              value: `${produced + i}`,
            })),
          );
          produced += 60;
          await new Promise((r) => setTimeout(r, 10));
        }
      })();
      const a = new Member("a", [topic], groupOptions, seen);
      const b = new Member("b", [topic], groupOptions, seen);
      await until("some records", () => seen.size > 500);
      const c = new Member("c", [topic], groupOptions, seen);
      await until("c got partitions", () => c.assignment.length > 0);
      await until("more records", () => seen.size > 1_500);
      await a.close();
      await until("b and c own everything", () => b.assignment.length + c.assignment.length === 6);
      await until("more records again", () => seen.size > 2_500);
      producing = false;
      await feeding;
      await producer.close();
      await until(`all ${produced} records`, () => seen.size === produced);
      await new Promise((r) => setTimeout(r, 300));
      assertExactlyOnce(seen, topic, produced, 6);
      await b.close();
      await c.close();
    });
  }

  it("a member that stops reading for max.poll.interval.ms leaves; its partitions move and count as lost", async () => {
    const topic = "group-poll-timeout";
    await createTopic(topic, 2);
    const seen = new Map<string, string[]>();
    const options = { groupId: "g-poll-timeout", maxPollIntervalMs: 1_500, heartbeatIntervalMs: 200 };
    const slow = kafka.consumer({ ...options, autoOffsetReset: "earliest", sessionTimeoutMs: 6_000 });
    const events: string[] = [];
    slow.subscribe([topic], {
      onPartitionsAssigned: (tps) => {
        events.push(`assigned ${tps.length}`);
      },
      onPartitionsLost: (tps) => {
        events.push(`lost ${tps.length}`);
      },
    });
    await slow.poll(500);
    const fast = new Member("fast", [topic], options, seen);
    await slow.poll(3_000); // the rebalance for `fast`
    await until("one partition each", () => fast.assignment.length === 1 && slow.assignment().length === 1);
    // `slow` stops polling: after max.poll.interval.ms it leaves and `fast` takes both partitions.
    await until("fast owns both", () => fast.assignment.length === 2, 15_000);
    await slow.poll(100);
    assert.ok(events.includes("lost 1"), events.join("; "));
    await fast.close();
    await slow.close();
  });

  it("assigns a subscribed topic once it is created", async () => {
    const seen = new Map<string, string[]>();
    const m = new Member(
      "late",
      ["created-later"],
      { groupId: "g-created-later", metadataMaxAgeMs: 300 },
      seen,
    );
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(m.assignment.length, 0);
    await createTopic("created-later", 2);
    await until("both partitions assigned", () => m.assignment.length === 2, 15_000);
    await produce("created-later", 0, 10, 2);
    await until("10 records", () => seen.size === 10);
    await m.close();
  });
});

describe("consumer groups (consumer protocol, KIP-848)", () => {
  it("members share partitions exactly once and take over from a leaver", async () => {
    const topic = "group-kip848";
    await createTopic(topic, 4);
    const seen = new Map<string, string[]>();
    const options: ConsumerOptions = { groupId: "g-kip848", groupProtocol: "consumer" };
    const a = new Member("a", [topic], options, seen);
    const b = new Member("b", [topic], options, seen);
    await until("2 partitions each", () => a.assignment.length === 2 && b.assignment.length === 2);
    await produce(topic, 0, 400, 4);
    await until("400 records", () => seen.size === 400);
    await a.close();
    await until("b owns all 4", () => b.assignment.length === 4);
    await produce(topic, 400, 400, 4);
    await until("800 records", () => seen.size === 800);
    await new Promise((r) => setTimeout(r, 300));
    assertExactlyOnce(seen, topic, 800, 4);
    await b.close();
  });
});
