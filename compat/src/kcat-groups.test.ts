import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { type RunningBroker, startBroker } from "@weir/broker";
import { ApiKey, ErrorCode } from "@weir/protocol";
import { KafkaConnection } from "./kafka-request.js";
import { kcat } from "./kcat.js";

/**
 * librdkafka's balanced consumer (`kcat -G`) against Weir's classic group coordinator, once per
 * client-side assignor librdkafka ships. Two consumers start together on a six-partition topic;
 * the initial rebalance delay lets both join the first generation, so each gets a share. Each one
 * exits (-e) once it has reached the end of every partition it was assigned, committing its
 * positions on close; the one that stays longer is then given the leaver's partitions at the
 * committed (end) offsets. So every message is consumed exactly once across the two, and the
 * group's committed offsets end up equal to the partitions' end offsets.
 */

const PARTITIONS = 6;
const MESSAGES = 3_000;
const ASSIGNORS = ["range", "roundrobin", "cooperative-sticky"] as const;

let broker: RunningBroker;
let dataDir: string;
let admin: KafkaConnection;

before(async () => {
  dataDir = mkdtempSync(join(tmpdir(), "weir-compat-kcat-groups-"));
  broker = await startBroker({
    dataDir,
    port: 0,
    logLevel: "warn",
    config: {
      // Long enough for both consumers' joins to land in the first generation, short enough to
      // keep each case quick.
      "group.initial.rebalance.delay.ms": "1500",
      "offsets.topic.num.partitions": "5",
    },
  });
  admin = await KafkaConnection.open(broker.bootstrap);
});

after(async () => {
  admin?.close();
  await broker?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

async function createTopic(name: string, partitions: number): Promise<void> {
  const response = await admin.request(ApiKey.CreateTopics, 4, {
    topics: [{ name, numPartitions: partitions, replicationFactor: 1, assignments: [], configs: [] }],
    timeoutMs: 10_000,
    validateOnly: false,
  });
  assert.equal(response.topics[0]?.errorCode, ErrorCode.NONE, JSON.stringify(response.topics[0]));
}

async function endOffsets(topic: string): Promise<number[]> {
  const response = await admin.request(ApiKey.ListOffsets, 1, {
    replicaId: -1,
    topics: [
      {
        name: topic,
        partitions: Array.from({ length: PARTITIONS }, (_, partitionIndex) => ({
          partitionIndex,
          timestamp: -1n,
        })),
      },
    ],
  });
  const offsets: number[] = [];
  for (const p of response.topics[0]!.partitions) {
    assert.equal(p.errorCode, ErrorCode.NONE);
    offsets[p.partitionIndex] = Number(p.offset);
  }
  return offsets;
}

async function committedOffsets(groupId: string, topic: string): Promise<number[]> {
  const partitionIndexes = Array.from({ length: PARTITIONS }, (_, i) => i);
  for (let attempt = 0; ; attempt++) {
    const response = await admin.request(ApiKey.OffsetFetch, 7, {
      groupId,
      topics: [{ name: topic, partitionIndexes }],
      requireStable: true,
    });
    if (response.errorCode === ErrorCode.COORDINATOR_LOAD_IN_PROGRESS && attempt < 100) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      continue;
    }
    assert.equal(response.errorCode, ErrorCode.NONE);
    const offsets: number[] = [];
    for (const p of response.topics![0]!.partitions) {
      assert.equal(p.errorCode, ErrorCode.NONE);
      offsets[p.partitionIndex] = Number(p.committedOffset);
    }
    return offsets;
  }
}

interface Consumed {
  readonly partition: number;
  readonly offset: number;
  readonly value: string;
}

/** Runs one `kcat -G` balanced consumer until it reached the end of its partitions. */
async function balancedConsumer(groupId: string, topic: string, assignor: string): Promise<Consumed[]> {
  const res = await kcat(
    [
      "-b",
      broker.bootstrap,
      "-G",
      groupId,
      "-X",
      `partition.assignment.strategy=${assignor}`,
      "-X",
      "auto.offset.reset=earliest",
      "-e",
      "-q",
      "-f",
      "%p %o %s\\n",
      topic,
    ],
    undefined,
    60_000,
  );
  assert.equal(res.code, 0, res.stderr);
  const text = res.stdout.toString("utf8");
  return text
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => {
      const [partition, offset, value] = line.split(" ");
      return { partition: Number(partition), offset: Number(offset), value: value! };
    });
}

describe("kcat balanced consumers (librdkafka assignors) share a topic exactly once", () => {
  for (const assignor of ASSIGNORS) {
    test(`partition.assignment.strategy=${assignor}`, async () => {
      const topic = `kcat-groups-${assignor}`;
      const groupId = `kcat-group-${assignor}`;
      await createTopic(topic, PARTITIONS);
      const values = Array.from({ length: MESSAGES }, (_, i) => `${assignor}-${i}`);
      const produced = await kcat(
        ["-P", "-b", broker.bootstrap, "-t", topic, "-K", ":"],
        `${values.map((v, i) => `key-${i}:${v}`).join("\n")}\n`,
      );
      assert.equal(produced.code, 0, produced.stderr);
      const ends = await endOffsets(topic);
      assert.equal(
        ends.reduce((a, b) => a + b, 0),
        MESSAGES,
      );

      const [first, second] = await Promise.all([
        balancedConsumer(groupId, topic, assignor),
        balancedConsumer(groupId, topic, assignor),
      ]);

      assert.ok(first.length > 0, "the first consumer got a share");
      assert.ok(second.length > 0, "the second consumer got a share");
      const seen = [...first, ...second].map((m) => m.value);
      assert.equal(seen.length, MESSAGES, "no message consumed twice");
      assert.deepEqual(new Set(seen), new Set(values), "every message consumed");
      const partitionsOf = (c: Consumed[]) => new Set(c.map((m) => m.partition));
      const shared = [...partitionsOf(first)].filter((p) => partitionsOf(second).has(p));
      assert.deepEqual(shared, [], "the consumers read disjoint partitions");
      for (const m of [...first, ...second]) assert.ok(m.offset < ends[m.partition]!);

      assert.deepEqual(await committedOffsets(groupId, topic), ends, "committed offsets are the end offsets");
    });
  }
});
