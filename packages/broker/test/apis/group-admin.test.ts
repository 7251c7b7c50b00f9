import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { ApiKey, ErrorCode } from "@weir/protocol";
import { RawKafkaClient } from "../support/raw-kafka-client.js";
import type { TestBroker } from "../support/test-broker.js";
import {
  assignment,
  commitSimple,
  createTopic,
  fetchOffsets,
  joinStable,
  startGroupBroker,
  subscription,
  waitForState,
} from "./group-test-kit.js";

describe("ListGroups, DescribeGroups, DeleteGroups over the wire", () => {
  let broker: TestBroker;
  let client: RawKafkaClient;
  let stableMember: string;

  before(async () => {
    broker = await startGroupBroker();
    client = await RawKafkaClient.connect(broker.bootstrap);
    await createTopic(client, "t");
    const joined = await joinStable(client, "stable-group", ["t"]);
    stableMember = joined.memberId;
    await commitSimple(client, "empty-group", "t", { 0: 12 });
  });

  after(async () => {
    client.close();
    await broker.destroy();
  });

  test("ListGroups lists every group at every version; v4 filters by state, v5 by type", async () => {
    for (let version = 0; version <= 5; version++) {
      const response = await client.send(ApiKey.ListGroups, version, { statesFilter: [], typesFilter: [] });
      assert.equal(response.errorCode, ErrorCode.NONE);
      const byId = new Map(response.groups.map((g) => [g.groupId, g]));
      assert.equal(byId.get("stable-group")?.protocolType, "consumer", `v${version}`);
      // A group that only ever committed offsets has no protocol type.
      assert.equal(byId.get("empty-group")?.protocolType, "", `v${version}`);
      if (version >= 4) {
        assert.equal(byId.get("stable-group")?.groupState, "Stable");
        assert.equal(byId.get("empty-group")?.groupState, "Empty");
      }
      if (version >= 5) assert.equal(byId.get("stable-group")?.groupType, "classic");
    }
    const stable = await client.send(ApiKey.ListGroups, 4, { statesFilter: ["stable"] });
    assert.deepEqual(
      stable.groups.map((g) => g.groupId),
      ["stable-group"],
    );
    const empty = await client.send(ApiKey.ListGroups, 5, {
      statesFilter: ["Empty"],
      typesFilter: ["classic"],
    });
    assert.deepEqual(
      empty.groups.map((g) => g.groupId),
      ["empty-group"],
    );
    const consumerType = await client.send(ApiKey.ListGroups, 5, {
      statesFilter: [],
      typesFilter: ["consumer"],
    });
    assert.deepEqual(consumerType.groups, []);
  });

  test("DescribeGroups shows a Stable group's members and protocol at every version", async () => {
    for (let version = 0; version <= 5; version++) {
      const response = await client.send(ApiKey.DescribeGroups, version, {
        groups: ["stable-group", "no-such-group"],
        includeAuthorizedOperations: version >= 3,
      });
      const [stable, missing] = response.groups;
      assert.equal(stable!.errorCode, ErrorCode.NONE);
      assert.equal(stable!.groupState, "Stable");
      assert.equal(stable!.protocolType, "consumer");
      assert.equal(stable!.protocolData, "range");
      assert.equal(stable!.members.length, 1);
      const member = stable!.members[0]!;
      assert.equal(member.memberId, stableMember);
      assert.equal(member.clientId, "raw-test-client");
      assert.match(member.clientHost, /^\/.+/);
      assert.deepEqual(member.memberMetadata, subscription(["t"]));
      assert.deepEqual(member.memberAssignment, assignment({ t: [0] }));
      if (version >= 3) assert.equal(stable!.authorizedOperations, (1 << 3) | (1 << 6) | (1 << 8));
      assert.equal(missing!.errorCode, ErrorCode.NONE, `v${version}`);
      assert.equal(missing!.groupState, "Dead");
      assert.deepEqual(missing!.members, []);
    }
    const withoutOps = await client.send(ApiKey.DescribeGroups, 5, {
      groups: ["stable-group"],
      includeAuthorizedOperations: false,
    });
    assert.equal(withoutOps.groups[0]!.authorizedOperations, -2147483648);
  });

  test("DeleteGroups deletes Empty groups with their offsets and refuses others, at every version", async () => {
    for (let version = 0; version <= 2; version++) {
      const victim = `victim-${version}`;
      await commitSimple(client, victim, "t", { 1: 77 });
      const response = await client.send(ApiKey.DeleteGroups, version, {
        groupsNames: [victim, "stable-group", "never-existed"],
      });
      assert.deepEqual(
        response.results.map((r) => [r.groupId, r.errorCode]),
        [
          [victim, ErrorCode.NONE],
          ["stable-group", ErrorCode.NON_EMPTY_GROUP],
          ["never-existed", ErrorCode.GROUP_ID_NOT_FOUND],
        ],
        `v${version}`,
      );
      assert.deepEqual(await fetchOffsets(client, victim, "t", [1]), { 1: -1 });
      const listed = await client.send(ApiKey.ListGroups, 3, {});
      assert.ok(!listed.groups.some((g) => g.groupId === victim));
    }
  });

  test("a group whose last member left can be deleted", async () => {
    const groupId = "leaving";
    const joined = await joinStable(client, groupId, ["t"]);
    const left = await client.send(ApiKey.LeaveGroup, 5, {
      groupId,
      members: [{ memberId: joined.memberId, groupInstanceId: null, reason: "bye" }],
    });
    assert.equal(left.errorCode, ErrorCode.NONE);
    await waitForState(client, groupId, "Empty");
    const response = await client.send(ApiKey.DeleteGroups, 2, { groupsNames: [groupId] });
    assert.equal(response.results[0]!.errorCode, ErrorCode.NONE);
    const described = await client.send(ApiKey.DescribeGroups, 5, { groups: [groupId] });
    assert.equal(described.groups[0]!.groupState, "Dead");
  });
});
