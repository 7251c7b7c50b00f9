import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { TopicPartition } from "../../../src/consumer/consumer-types.js";
import {
  COOPERATIVE_STICKY_ASSIGNOR,
  type MemberSubscription,
  parseAssignmentStrategy,
  RANGE_ASSIGNOR,
  ROUND_ROBIN_ASSIGNOR,
  rebalanceProtocol,
  STICKY_ASSIGNOR,
} from "../../../src/consumer/group/assignors.js";
import {
  decodeAssignment,
  decodeSubscription,
  encodeAssignment,
  encodeSubscription,
} from "../../../src/consumer/group/consumer-protocol.js";

function member(
  memberId: string,
  topics: string[],
  owned: TopicPartition[] = [],
  generationId = -1,
  groupInstanceId: string | null = null,
): MemberSubscription {
  return {
    memberId,
    groupInstanceId,
    topics,
    userData: null,
    ownedPartitions: owned,
    generationId,
    rackId: null,
  };
}

function show(result: Map<string, TopicPartition[]>): Record<string, string> {
  return Object.fromEntries(
    [...result].map(([m, tps]) => [m, tps.map((tp) => `${tp.topic}${tp.partition}`).join(" ")]),
  );
}

const tps = (topic: string, ...partitions: number[]) => partitions.map((partition) => ({ topic, partition }));

describe("range assignor", () => {
  it("gives consecutive ranges per topic, the first members one extra", () => {
    const result = RANGE_ASSIGNOR.assign(
      new Map([
        ["t", 7],
        ["u", 2],
      ]),
      [member("c", ["t", "u"]), member("a", ["t", "u"]), member("b", ["t"])],
    );
    // t: a, b, c get 3 + 2 + 2; u (a and c subscribe): one each.
    assert.deepEqual(show(result), { c: "t5 t6 u1", a: "t0 t1 t2 u0", b: "t3 t4" });
    const again = RANGE_ASSIGNOR.assign(new Map([["t", 7]]), [
      member("c", ["t"]),
      member("a", ["t"]),
      member("b", ["t"]),
    ]);
    assert.deepEqual(show(again), { c: "t5 t6", a: "t0 t1 t2", b: "t3 t4" });
  });

  it("orders static members by instance id, before dynamic ones", () => {
    const result = RANGE_ASSIGNOR.assign(new Map([["t", 3]]), [
      member("m1", ["t"], [], -1, "z"),
      member("m2", ["t"]),
      member("m3", ["t"], [], -1, "a"),
    ]);
    assert.deepEqual(show(result), { m1: "t1", m2: "t2", m3: "t0" });
  });
});

describe("round robin assignor", () => {
  it("deals sorted partitions to members in turn, skipping those not subscribed", () => {
    const result = ROUND_ROBIN_ASSIGNOR.assign(
      new Map([
        ["t", 3],
        ["u", 3],
      ]),
      [member("a", ["t", "u"]), member("b", ["u"]), member("c", ["t", "u"])],
    );
    // As Kafka's RoundRobinAssignor: t0→a, t1→c (b skipped), t2→a, u0→b, u1→c, u2→a.
    assert.deepEqual(show(result), { a: "t0 t2 u2", b: "u0", c: "t1 u1" });
  });
});

describe("sticky assignors", () => {
  it("balance evenly and keep owners when members come and go", () => {
    const six = new Map([["t", 6]]);
    const first = STICKY_ASSIGNOR.assign(six, [member("a", ["t"]), member("b", ["t"]), member("c", ["t"])]);
    assert.deepEqual(
      [...first.values()].map((l) => l.length),
      [2, 2, 2],
    );
    // c leaves: a and b keep theirs and split c's.
    const second = STICKY_ASSIGNOR.assign(six, [
      member("a", ["t"], first.get("a"), 1),
      member("b", ["t"], first.get("b"), 1),
    ]);
    for (const m of ["a", "b"]) {
      assert.equal(second.get(m)!.length, 3);
      for (const tp of first.get(m)!) assert.ok(second.get(m)!.some((x) => x.partition === tp.partition));
    }
  });

  it("cooperative: a partition changing owner is left out until its owner gave it up", () => {
    const four = new Map([["t", 4]]);
    const owned = tps("t", 0, 1, 2, 3);
    const round1 = COOPERATIVE_STICKY_ASSIGNOR.assign(four, [
      member("a", ["t"], owned, 3),
      member("b", ["t"], [], 3),
    ]);
    assert.equal(round1.get("a")!.length, 2, "a keeps two");
    assert.deepEqual(round1.get("b"), [], "b gets nothing yet");
    const round2 = COOPERATIVE_STICKY_ASSIGNOR.assign(four, [
      member("a", ["t"], round1.get("a"), 4),
      member("b", ["t"], [], 4),
    ]);
    assert.deepEqual(round2.get("a"), round1.get("a"));
    assert.equal(round2.get("b")!.length, 2);
  });

  it("drops claims from members of an older generation and balances mixed subscriptions", () => {
    const result = COOPERATIVE_STICKY_ASSIGNOR.assign(
      new Map([
        ["t", 2],
        ["u", 4],
      ]),
      [
        member("a", ["t", "u"], tps("u", 0, 1, 2, 3), 1),
        member("b", ["u"], [], 5),
        member("c", ["t", "u"], [], 5),
      ],
    );
    const counts = [...result.values()].map((l) => l.length);
    assert.equal(
      counts.reduce((x, y) => x + y, 0),
      6,
    );
    assert.ok(Math.max(...counts) - Math.min(...counts) <= 1, JSON.stringify(show(result)));
  });

  it("derive the rebalance protocol from the configured assignors", () => {
    assert.equal(rebalanceProtocol(parseAssignmentStrategy("range,cooperative-sticky")), "eager");
    assert.equal(rebalanceProtocol(parseAssignmentStrategy(["cooperative-sticky"])), "cooperative");
    assert.equal(
      parseAssignmentStrategy("org.apache.kafka.clients.consumer.RoundRobinAssignor")[0],
      ROUND_ROBIN_ASSIGNOR,
    );
    assert.throws(() => parseAssignmentStrategy("fair"), /unknown assignor "fair"/);
    assert.throws(() => parseAssignmentStrategy("range,range"), /twice/);
  });
});

describe("consumer protocol bytes", () => {
  it("round-trip subscriptions and assignments, and read newer versions as the newest known", () => {
    const bytes = encodeSubscription({
      topics: ["a", "b"],
      userData: Buffer.from([1, 2]),
      ownedPartitions: [...tps("a", 1, 0), ...tps("b", 3)],
      generationId: 7,
      rackId: "r1",
    });
    assert.deepEqual(decodeSubscription(bytes), {
      topics: ["a", "b"],
      userData: Buffer.from([1, 2]),
      ownedPartitions: [...tps("a", 0, 1), ...tps("b", 3)],
      generationId: 7,
      rackId: "r1",
    });
    const v0 = encodeSubscription(
      { topics: ["x"], userData: null, ownedPartitions: [], generationId: 3, rackId: null },
      0,
    );
    assert.deepEqual(decodeSubscription(v0), {
      topics: ["x"],
      userData: null,
      ownedPartitions: [],
      generationId: -1,
      rackId: null,
    });
    const future = Buffer.from(bytes);
    future.writeInt16BE(9, 0);
    assert.deepEqual(decodeSubscription(future).topics, ["a", "b"]);
    const assignment = encodeAssignment({ partitions: tps("t", 2, 0), userData: null });
    assert.deepEqual(decodeAssignment(assignment).partitions, tps("t", 0, 2));
    assert.deepEqual(decodeAssignment(Buffer.alloc(0)).partitions, []);
  });
});
