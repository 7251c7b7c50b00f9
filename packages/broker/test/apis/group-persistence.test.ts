import assert from "node:assert/strict";
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join as joinPath } from "node:path";
import { describe, test } from "node:test";
import { ApiKey, ErrorCode } from "@weir/protocol";
import { RawKafkaClient } from "../support/raw-kafka-client.js";
import type { TestBroker } from "../support/test-broker.js";
import {
  commitSimple,
  createTopic,
  fetchOffsets,
  join,
  joinStable,
  retrying,
  startGroupBroker,
  waitForState,
} from "./group-test-kit.js";

/** Describes a group once the restarted coordinator has loaded. */
async function describeLoaded(client: RawKafkaClient, groupId: string) {
  const response = await retrying(
    () => client.send(ApiKey.DescribeGroups, 5, { groups: [groupId] }),
    (r) => r.groups[0]!.errorCode,
  );
  const group = response.groups[0]!;
  assert.equal(group.errorCode, ErrorCode.NONE);
  return group;
}

describe("group state survives restarts", () => {
  test("offsets and groups are back after a clean restart on the same data directory", async () => {
    let broker: TestBroker | undefined = await startGroupBroker();
    const dataDir = broker.dataDir;
    let client = await RawKafkaClient.connect(broker.bootstrap);
    try {
      await createTopic(client, "t");
      // A simple group: commits only; the second commit of partition 0 wins.
      await commitSimple(client, "simple", "t", { 0: 10, 1: 11, 2: 12 });
      await commitSimple(client, "simple", "t", { 0: 20 });
      // A Stable group with a live member and a commit made by that member.
      const stable = await joinStable(client, "stable", ["t"], 30_000);
      const committed = await client.send(ApiKey.OffsetCommit, 9, {
        groupId: "stable",
        generationIdOrMemberEpoch: stable.generationId,
        memberId: stable.memberId,
        groupInstanceId: null,
        topics: [
          {
            name: "t",
            partitions: [
              { partitionIndex: 2, committedOffset: 99n, committedLeaderEpoch: 0, committedMetadata: "x" },
            ],
          },
        ],
      });
      assert.equal(committed.topics[0]!.partitions[0]!.errorCode, ErrorCode.NONE);
      // A group whose member left (Empty), one whose offset was deleted, one deleted outright.
      const leaver = await joinStable(client, "emptied", ["t"]);
      await client.send(ApiKey.LeaveGroup, 5, {
        groupId: "emptied",
        members: [{ memberId: leaver.memberId, groupInstanceId: null }],
      });
      await commitSimple(client, "emptied", "t", { 1: 5 });
      await commitSimple(client, "pruned", "t", { 0: 1, 1: 2 });
      const pruned = await client.send(ApiKey.OffsetDelete, 0, {
        groupId: "pruned",
        topics: [{ name: "t", partitions: [{ partitionIndex: 0 }] }],
      });
      assert.equal(pruned.topics[0]!.partitions[0]!.errorCode, ErrorCode.NONE);
      await commitSimple(client, "deleted", "t", { 0: 3 });
      const deleted = await client.send(ApiKey.DeleteGroups, 2, { groupsNames: ["deleted"] });
      assert.equal(deleted.results[0]!.errorCode, ErrorCode.NONE);

      client.close();
      await broker.close();
      broker = await startGroupBroker({}, dataDir);
      client = await RawKafkaClient.connect(broker.bootstrap);

      assert.deepEqual(await fetchOffsets(client, "simple", "t", [0, 1, 2]), { 0: 20, 1: 11, 2: 12 });
      assert.deepEqual(await fetchOffsets(client, "stable", "t", [2]), { 2: 99 });
      assert.deepEqual(await fetchOffsets(client, "emptied", "t", [1]), { 1: 5 });
      assert.deepEqual(await fetchOffsets(client, "pruned", "t", [0, 1]), { 0: -1, 1: 2 });
      assert.deepEqual(await fetchOffsets(client, "deleted", "t", [0]), { 0: -1 });

      // As after a Kafka coordinator failover: the Stable group comes back with its member,
      // which keeps its generation as long as it heartbeats within its session timeout.
      const restored = await describeLoaded(client, "stable");
      assert.equal(restored.groupState, "Stable");
      assert.deepEqual(
        restored.members.map((m) => m.memberId),
        [stable.memberId],
      );
      const beat = await client.send(ApiKey.Heartbeat, 4, {
        groupId: "stable",
        generationId: stable.generationId,
        memberId: stable.memberId,
        groupInstanceId: null,
      });
      assert.equal(beat.errorCode, ErrorCode.NONE);
      assert.equal((await describeLoaded(client, "emptied")).groupState, "Empty");
      assert.equal((await describeLoaded(client, "deleted")).groupState, "Dead");
      const listed = await client.send(ApiKey.ListGroups, 4, {});
      assert.deepEqual(listed.groups.map((g) => g.groupId).sort(), ["emptied", "pruned", "simple", "stable"]);

      // The restored coordinator keeps serving: a new member joins the restored group.
      const rejoined = await join(client, 9, { groupId: "stable", memberId: stable.memberId });
      assert.equal(rejoined.errorCode, ErrorCode.NONE);
      assert.equal(rejoined.generationId, stable.generationId + 1);
    } finally {
      client.close();
      await broker?.destroy();
    }
  });

  test("restored members that never come back are removed after their session timeout", async () => {
    let broker: TestBroker | undefined = await startGroupBroker();
    const dataDir = broker.dataDir;
    let client = await RawKafkaClient.connect(broker.bootstrap);
    try {
      await createTopic(client, "t");
      await joinStable(client, "expiring", ["t"], 1_500);
      await commitSimple(client, "other", "t", { 0: 1 });
      client.close();
      await broker.close();
      broker = await startGroupBroker({}, dataDir);
      client = await RawKafkaClient.connect(broker.bootstrap);
      await describeLoaded(client, "expiring");
      const empty = await waitForState(client, "expiring", "Empty", 10_000);
      assert.deepEqual(empty.members, []);
    } finally {
      client.close();
      await broker?.destroy();
    }
  });

  test("offsets acknowledged before a crash are there after recovery", async () => {
    const broker = await startGroupBroker();
    const crashDir = mkdtempSync(joinPath(tmpdir(), "weir-crash-"));
    let recovered: TestBroker | undefined;
    const client = await RawKafkaClient.connect(broker.bootstrap);
    let client2: RawKafkaClient | undefined;
    try {
      await createTopic(client, "t");
      for (let i = 1; i <= 20; i++) await commitSimple(client, `g${i % 4}`, "t", { [i % 3]: i });
      // The files as a crash leaves them: copied while the broker runs, without any shutdown
      // flush, checkpoint or snapshot. Acknowledged commits must already be on disk.
      cpSync(broker.dataDir, crashDir, { recursive: true });
      recovered = await startGroupBroker({}, crashDir);
      client2 = await RawKafkaClient.connect(recovered.bootstrap);
      const expected: Record<string, Record<number, number>> = {};
      for (let i = 1; i <= 20; i++) {
        const groupId = `g${i % 4}`;
        expected[groupId] = { ...(expected[groupId] ?? { 0: -1, 1: -1, 2: -1 }), [i % 3]: i };
      }
      for (const [groupId, offsets] of Object.entries(expected)) {
        assert.deepEqual(await fetchOffsets(client2, groupId, "t", [0, 1, 2]), offsets, groupId);
      }
    } finally {
      client.close();
      client2?.close();
      await recovered?.destroy();
      await broker.destroy();
      rmSync(crashDir, { recursive: true, force: true });
    }
  });
});
