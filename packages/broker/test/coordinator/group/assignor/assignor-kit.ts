import type { Uuid } from "@weir/protocol";
import { type Assignment, assignmentSize } from "../../../../src/coordinator/group/assignment.js";
import type {
  AssignmentGroupSpec,
  AssignmentMemberSpec,
  SubscribedTopicDescriber,
} from "../../../../src/coordinator/group/assignor/partition-assignor.js";

/** Topic ids that read as their names in failures: "topic-a" → a 16-byte id ending in the name. */
export function topicId(name: string): Uuid {
  const bytes = Buffer.alloc(16);
  Buffer.from(name).copy(bytes, 16 - Math.min(16, name.length));
  return bytes.toString("base64url");
}

export function describer(partitions: Readonly<Record<string, number>>): SubscribedTopicDescriber {
  const byId = new Map(Object.entries(partitions).map(([name, n]) => [topicId(name), n]));
  return { numPartitions: (id) => byId.get(id) ?? -1 };
}

export interface MemberInput {
  readonly topics: readonly string[];
  readonly instanceId?: string;
  /** The member's current target assignment, by topic name. */
  readonly owns?: Readonly<Record<string, readonly number[]>>;
}

export function groupSpec(members: Readonly<Record<string, MemberInput>>): AssignmentGroupSpec {
  const specs: AssignmentMemberSpec[] = Object.entries(members)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([memberId, m]) => ({
      memberId,
      instanceId: m.instanceId ?? null,
      rackId: null,
      subscribedTopicIds: new Set(m.topics.map(topicId)),
      assignment: new Map(Object.entries(m.owns ?? {}).map(([t, ps]) => [topicId(t), new Set(ps)])),
    }));
  const first = JSON.stringify([...specs[0]!.subscribedTopicIds].sort());
  return {
    members: specs,
    homogeneous: specs.every((s) => JSON.stringify([...s.subscribedTopicIds].sort()) === first),
  };
}

/** An assignment by topic name (sorted partitions), for readable comparisons. */
export function byName(assignment: Assignment, names: readonly string[]): Record<string, number[]> {
  const out: Record<string, number[]> = {};
  for (const name of names) {
    const ps = assignment.get(topicId(name));
    if (ps !== undefined) out[name] = [...ps].sort((a, b) => a - b);
  }
  return out;
}

export function counts(result: ReadonlyMap<string, Assignment>): number[] {
  return [...result.values()].map(assignmentSize);
}

/** Every partition of the topics assigned exactly once. */
export function assignedOnce(
  result: ReadonlyMap<string, Assignment>,
  partitions: Readonly<Record<string, number>>,
) {
  const seen = new Set<string>();
  for (const a of result.values()) {
    for (const [id, ps] of a) {
      for (const p of ps) {
        const k = `${id}-${p}`;
        if (seen.has(k)) return false;
        seen.add(k);
      }
    }
  }
  const total = Object.values(partitions).reduce((a, b) => a + b, 0);
  return seen.size === total;
}
