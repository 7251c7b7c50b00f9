import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Assignment } from "../../../src/coordinator/group/assignment.js";
import {
  type ConsumerGroupMember,
  MemberState,
  newConsumerGroupMember,
} from "../../../src/coordinator/group/consumer-group-member.js";
import { reconcile } from "../../../src/coordinator/group/current-assignment-builder.js";

const T = "AAAAAAAAAAAAAAAAAAAAAQ";

function parts(...ps: number[]): Assignment {
  return new Map([[T, new Set(ps)]]);
}

function member(overrides: Partial<ConsumerGroupMember>): ConsumerGroupMember {
  return { ...newConsumerGroupMember("m"), ...overrides };
}

function list(a: Assignment): number[] {
  return [...(a.get(T) ?? [])].sort((x, y) => x - y);
}

const free = () => undefined;

describe("reconciliation (current assignment builder)", () => {
  it("leaves a member reconciled to the target epoch alone", () => {
    const m = member({ memberEpoch: 3, assignedPartitions: parts(0, 1) });
    assert.equal(
      reconcile({ member: m, targetEpoch: 3, target: parts(0, 1), partitionOwner: free, owned: null }),
      m,
    );
  });

  it("asks for revocation first, keeping the epoch and the partitions kept", () => {
    const m = member({ memberEpoch: 3, previousMemberEpoch: 2, assignedPartitions: parts(0, 1, 2, 3) });
    const next = reconcile({
      member: m,
      targetEpoch: 4,
      target: parts(0, 1, 4),
      partitionOwner: free,
      owned: null,
    });
    assert.equal(next.state, MemberState.UNREVOKED_PARTITIONS);
    assert.equal(next.memberEpoch, 3);
    assert.deepEqual(list(next.assignedPartitions), [0, 1]);
    assert.deepEqual(list(next.partitionsPendingRevocation), [2, 3]);
    // Partition 4 is not given while 2 and 3 are not revoked.
    const waiting = reconcile({
      member: next,
      targetEpoch: 4,
      target: parts(0, 1, 4),
      partitionOwner: free,
      owned: [{ topicId: T, partitions: [0, 1, 3] }],
    });
    assert.equal(waiting, next);
    const done = reconcile({
      member: next,
      targetEpoch: 4,
      target: parts(0, 1, 4),
      partitionOwner: free,
      owned: [{ topicId: T, partitions: [0, 1] }],
    });
    assert.equal(done.state, MemberState.STABLE);
    assert.equal(done.memberEpoch, 4);
    assert.equal(done.previousMemberEpoch, 3);
    assert.deepEqual(list(done.assignedPartitions), [0, 1, 4]);
    assert.equal(done.partitionsPendingRevocation.size, 0);
  });

  it("skips the revocation step when the member already reports not owning them", () => {
    const m = member({ memberEpoch: 3, assignedPartitions: parts(0, 1, 2) });
    const next = reconcile({
      member: m,
      targetEpoch: 4,
      target: parts(0),
      partitionOwner: free,
      owned: [{ topicId: T, partitions: [0] }],
    });
    assert.equal(next.state, MemberState.STABLE);
    assert.equal(next.memberEpoch, 4);
    assert.deepEqual(list(next.assignedPartitions), [0]);
  });

  it("waits for partitions other members still hold (UNRELEASED_PARTITIONS), then takes them", () => {
    const m = member({ memberEpoch: 0 });
    const owner = (_: string, p: number) => (p === 2 ? "other" : undefined);
    const next = reconcile({
      member: m,
      targetEpoch: 5,
      target: parts(1, 2),
      partitionOwner: owner,
      owned: [],
    });
    assert.equal(next.state, MemberState.UNRELEASED_PARTITIONS);
    assert.equal(next.memberEpoch, 5);
    assert.deepEqual(list(next.assignedPartitions), [1]);
    const later = reconcile({
      member: next,
      targetEpoch: 5,
      target: parts(1, 2),
      partitionOwner: free,
      owned: null,
    });
    assert.equal(later.state, MemberState.STABLE);
    assert.deepEqual(list(later.assignedPartitions), [1, 2]);
  });
});
