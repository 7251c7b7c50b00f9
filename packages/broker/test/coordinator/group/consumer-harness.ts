import assert from "node:assert/strict";
import type { Uuid } from "@weir/protocol";
import { assignmentSize } from "../../../src/coordinator/group/assignment.js";
import type { TopicInfo, TopicsView } from "../../../src/coordinator/group/consumer-group-subscription.js";
import type {
  ConsumerGroupHeartbeatRequest,
  ConsumerGroupHeartbeatResponse,
  ConsumerGroupTopicPartitions,
} from "../../../src/coordinator/group/group-api.js";
import type { GroupCoordinatorConfig } from "../../../src/coordinator/group/group-coordinator-config.js";
import { ctx, Harness } from "./harness.js";

/** A topic list the test changes at will, with predictable topic ids. */
export class FakeTopics implements TopicsView {
  readonly #byName = new Map<string, TopicInfo>();
  #next = 1;

  create(name: string, numPartitions: number): Uuid {
    const bytes = Buffer.alloc(16);
    bytes.writeUInt32BE(this.#next++, 12);
    const id = bytes.toString("base64url");
    this.#byName.set(name, { id, name, numPartitions });
    return id;
  }

  setPartitions(name: string, numPartitions: number): void {
    const t = this.#byName.get(name)!;
    this.#byName.set(name, { ...t, numPartitions });
  }

  delete(name: string): void {
    this.#byName.delete(name);
  }

  id(name: string): Uuid {
    return this.#byName.get(name)!.id;
  }

  topic(name: string): TopicInfo | undefined {
    return this.#byName.get(name);
  }

  topicById(id: Uuid): TopicInfo | undefined {
    for (const t of this.#byName.values()) if (t.id === id) return t;
    return undefined;
  }

  topicNames(): Iterable<string> {
    return this.#byName.keys();
  }
}

export const CG = "cg-1";

export interface HeartbeatOptions {
  groupId?: string;
  memberEpoch: number;
  instanceId?: string | null;
  rackId?: string | null;
  rebalanceTimeoutMs?: number;
  topics?: readonly string[] | null;
  regex?: string | null;
  serverAssignor?: string | null;
  /** Partitions owned, by topic name; null (the default for epoch > 0) when unchanged. */
  owned?: Readonly<Record<string, readonly number[]>> | null;
  apiVersion?: number;
  clientId?: string;
}

/** A loaded coordinator on fake time with a fake topic list, driving consumer groups. */
export class ConsumerHarness extends Harness {
  readonly topics: FakeTopics;

  constructor(config: Partial<GroupCoordinatorConfig> = {}, topics = new FakeTopics(), load = true) {
    super({ topics: () => topics, config }, load);
    this.topics = topics;
  }

  request(memberId: string, o: HeartbeatOptions): ConsumerGroupHeartbeatRequest {
    const joining = o.memberEpoch === 0;
    const owned = o.owned === undefined ? (joining ? {} : null) : o.owned;
    return {
      groupId: o.groupId ?? CG,
      memberId,
      memberEpoch: o.memberEpoch,
      instanceId: o.instanceId ?? null,
      rackId: o.rackId ?? null,
      rebalanceTimeoutMs: o.rebalanceTimeoutMs ?? (joining ? 30_000 : -1),
      subscribedTopicNames: o.topics === undefined ? (joining ? ["orders"] : null) : o.topics,
      subscribedTopicRegex: o.regex ?? null,
      serverAssignor: o.serverAssignor ?? null,
      topicPartitions: owned === null ? null : this.toIds(owned),
    };
  }

  beat(memberId: string, o: HeartbeatOptions): ConsumerGroupHeartbeatResponse {
    const result = this.coordinator.consumerGroupHeartbeat(
      ctx(o.clientId ?? `client-${memberId}`, o.apiVersion ?? 1),
      this.request(memberId, o),
    );
    const response = this.record(result);
    this.checkInvariants(o.groupId ?? CG);
    return response;
  }

  /** Joins (epoch 0) and expects success. */
  joinConsumer(memberId: string, o: Partial<HeartbeatOptions> = {}): ConsumerGroupHeartbeatResponse {
    const response = this.beat(memberId, { ...o, memberEpoch: 0 });
    assert.equal(response.errorCode, "NONE", response.errorMessage ?? "");
    return response;
  }

  toIds(owned: Readonly<Record<string, readonly number[]>>): ConsumerGroupTopicPartitions[] {
    return Object.entries(owned).map(([name, partitions]) => ({ topicId: this.topics.id(name), partitions }));
  }

  /** An assignment from a response, by topic name. */
  named(assignment: readonly ConsumerGroupTopicPartitions[] | null): Record<string, number[]> {
    const out: Record<string, number[]> = {};
    for (const { topicId, partitions } of assignment ?? []) {
      out[this.topics.topicById(topicId)!.name] = [...partitions].sort((a, b) => a - b);
    }
    return out;
  }

  /** A member's current assignment as the coordinator holds it, by topic name. */
  assigned(memberId: string, groupId = CG): Record<string, number[]> {
    const member = this.coordinator.consumerGroup(groupId)!.member(memberId)!;
    const out: Record<string, number[]> = {};
    for (const [topicId, partitions] of member.assignedPartitions) {
      out[this.topics.topicById(topicId)!.name] = [...partitions].sort((a, b) => a - b);
    }
    return out;
  }

  /** No partition is owned (or pending revocation) by two members at once. */
  checkInvariants(groupId: string): void {
    const group = this.coordinator.consumerGroup(groupId);
    if (group === undefined) return;
    const owners = new Map<string, string>();
    for (const m of group.members()) {
      for (const a of [m.assignedPartitions, m.partitionsPendingRevocation]) {
        for (const [topicId, partitions] of a) {
          for (const p of partitions) {
            const k = `${topicId}-${p}`;
            assert.ok(!owners.has(k), `${k} owned by ${owners.get(k)} and ${m.memberId}`);
            owners.set(k, m.memberId);
          }
        }
      }
    }
  }

  /** Total partitions currently owned by the group's members. */
  ownedCount(groupId = CG): number {
    let n = 0;
    for (const m of this.coordinator.consumerGroup(groupId)!.members())
      n += assignmentSize(m.assignedPartitions);
    return n;
  }
}
