import type { TopicPartition } from "../consumer-types.js";

/**
 * How a classic group moves partitions between members: "eager" revokes everything before every
 * rebalance; "cooperative" (KIP-429) revokes only the partitions that change owner, in a second
 * rebalance, so the rest keep being consumed.
 */
export type RebalanceProtocol = "eager" | "cooperative";

/** What one member told the group when it joined (the consumer protocol's subscription). */
export interface MemberSubscription {
  readonly memberId: string;
  readonly groupInstanceId: string | null;
  readonly topics: readonly string[];
  readonly userData: Buffer | null;
  /** The partitions the member owns now (cooperative protocol; empty with eager). */
  readonly ownedPartitions: readonly TopicPartition[];
  /** The generation its owned partitions are from (-1: unknown). */
  readonly generationId: number;
  readonly rackId: string | null;
}

/**
 * A client-side partition assignor of the classic group protocol: the group leader runs the one
 * every member supports, with the highest preference, over all members' subscriptions.
 */
export interface PartitionAssignor {
  /** The protocol name every member announces in JoinGroup ("range", "roundrobin", …). */
  readonly name: string;
  /** Rebalance protocols this assignor supports. */
  readonly protocols: readonly RebalanceProtocol[];
  /**
   * Assigns the partitions of the subscribed topics (topic → partition count; topics the cluster
   * does not know are absent) to the members; returns member id → partitions.
   */
  assign(
    partitionsPerTopic: ReadonlyMap<string, number>,
    members: readonly MemberSubscription[],
  ): Map<string, TopicPartition[]>;
}

export type AssignorName = "range" | "roundrobin" | "sticky" | "cooperative-sticky";

/** Java's member order: static members by instance id first, then dynamic ones by member id. */
export function compareMembers(a: MemberSubscription, b: MemberSubscription): number {
  if (a.groupInstanceId !== null && b.groupInstanceId !== null)
    return cmp(a.groupInstanceId, b.groupInstanceId);
  if (a.groupInstanceId !== null) return -1;
  if (b.groupInstanceId !== null) return 1;
  return cmp(a.memberId, b.memberId);
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function emptyAssignment(members: readonly MemberSubscription[]): Map<string, TopicPartition[]> {
  return new Map(members.map((m) => [m.memberId, []]));
}

/**
 * Range (Kafka's RangeAssignor): per topic, the members subscribed to it in member order get
 * consecutive ranges; the first `partitions % members` get one extra.
 */
export const RANGE_ASSIGNOR: PartitionAssignor = Object.freeze({
  name: "range",
  protocols: Object.freeze(["eager"]) as readonly RebalanceProtocol[],
  assign(partitionsPerTopic: ReadonlyMap<string, number>, members: readonly MemberSubscription[]) {
    const out = emptyAssignment(members);
    const sorted = [...members].sort(compareMembers);
    const topics = [...partitionsPerTopic.keys()].sort();
    for (const topic of topics) {
      const count = partitionsPerTopic.get(topic) ?? 0;
      const consumers = sorted.filter((m) => m.topics.includes(topic));
      if (consumers.length === 0) continue;
      const per = Math.floor(count / consumers.length);
      const extra = count % consumers.length;
      consumers.forEach((m, i) => {
        const start = per * i + Math.min(i, extra);
        const length = per + (i < extra ? 1 : 0);
        const list = out.get(m.memberId)!;
        for (let p = start; p < start + length; p++) list.push({ topic, partition: p });
      });
    }
    return out;
  },
});

/**
 * Round robin (Kafka's RoundRobinAssignor): every partition of every subscribed topic, sorted by
 * topic and partition, goes to the next member in member order that subscribes to its topic.
 */
export const ROUND_ROBIN_ASSIGNOR: PartitionAssignor = Object.freeze({
  name: "roundrobin",
  protocols: Object.freeze(["eager"]) as readonly RebalanceProtocol[],
  assign(partitionsPerTopic: ReadonlyMap<string, number>, members: readonly MemberSubscription[]) {
    const out = emptyAssignment(members);
    const sorted = [...members].sort(compareMembers);
    if (sorted.length === 0) return out;
    let next = 0;
    for (const topic of [...partitionsPerTopic.keys()].sort()) {
      const count = partitionsPerTopic.get(topic) ?? 0;
      if (!sorted.some((m) => m.topics.includes(topic))) continue;
      for (let p = 0; p < count; p++) {
        while (!sorted[next % sorted.length].topics.includes(topic)) next++;
        out.get(sorted[next % sorted.length].memberId)!.push({ topic, partition: p });
        next++;
      }
    }
    return out;
  },
});

/**
 * A balanced assignment that keeps as many partitions as possible with their current owners:
 * every member ends up with ⌊P/C⌋ or ⌈P/C⌉ partitions when all subscribe to the same topics, and
 * no member has two more than another one that could take its partitions otherwise. With
 * `cooperative`, a partition that changes owner is left out of this round (its old owner revokes
 * it first, then rejoins, and the next round hands it over), as KIP-429 requires.
 */
export function stickyAssign(
  partitionsPerTopic: ReadonlyMap<string, number>,
  members: readonly MemberSubscription[],
  cooperative: boolean,
): Map<string, TopicPartition[]> {
  const sorted = [...members].sort(compareMembers);
  const out = emptyAssignment(sorted);
  if (sorted.length === 0) return out;
  const key = (tp: TopicPartition) => `${tp.topic}\u0000${tp.partition}`;
  const all: TopicPartition[] = [];
  for (const topic of [...partitionsPerTopic.keys()].sort()) {
    if (!sorted.some((m) => m.topics.includes(topic))) continue;
    const count = partitionsPerTopic.get(topic) ?? 0;
    for (let p = 0; p < count; p++) all.push({ topic, partition: p });
  }
  // Previous owners: claims of members of the newest generation win; stale claims are dropped.
  const maxGeneration = Math.max(...sorted.map((m) => m.generationId));
  const previousOwner = new Map<string, string>();
  for (const m of sorted) {
    if (m.generationId < maxGeneration) continue;
    for (const tp of m.ownedPartitions) {
      const count = partitionsPerTopic.get(tp.topic);
      if (count === undefined || tp.partition >= count || !m.topics.includes(tp.topic)) continue;
      if (!previousOwner.has(key(tp))) previousOwner.set(key(tp), m.memberId);
    }
  }
  const owned = new Map<string, TopicPartition[]>(sorted.map((m) => [m.memberId, []]));
  for (const tp of all) {
    const owner = previousOwner.get(key(tp));
    if (owner !== undefined) owned.get(owner)!.push(tp);
  }
  const topicsOf = new Map(sorted.map((m) => [m.memberId, new Set(m.topics)]));
  const sameSubscriptions = sorted.every(
    (m) =>
      m.topics.length === sorted[0].topics.length &&
      m.topics.every((t) => topicsOf.get(sorted[0].memberId)!.has(t)),
  );
  const result = sameSubscriptions
    ? balancedEqual(all, sorted, owned)
    : balancedGeneral(all, sorted, owned, topicsOf);
  if (cooperative) {
    for (const [memberId, partitions] of result) {
      result.set(
        memberId,
        partitions.filter((tp) => {
          const owner = previousOwner.get(key(tp));
          return owner === undefined || owner === memberId;
        }),
      );
    }
  }
  for (const list of result.values()) list.sort((a, b) => cmp(a.topic, b.topic) || a.partition - b.partition);
  return result;
}

/** Quota-based balancing when every member subscribes to the same topics. */
function balancedEqual(
  all: readonly TopicPartition[],
  members: readonly MemberSubscription[],
  owned: Map<string, TopicPartition[]>,
): Map<string, TopicPartition[]> {
  const count = members.length;
  const minQuota = Math.floor(all.length / count);
  const maxQuota = Math.ceil(all.length / count);
  let allowedAtMax = maxQuota > minQuota ? all.length % count : 0;
  const out = new Map<string, TopicPartition[]>();
  const taken = new Set<TopicPartition>();
  for (const m of members) {
    const keep = owned.get(m.memberId)!.slice(0, maxQuota);
    out.set(m.memberId, keep);
  }
  for (const m of members) {
    const list = out.get(m.memberId)!;
    if (list.length === maxQuota && maxQuota > minQuota) {
      if (allowedAtMax > 0) allowedAtMax--;
      else list.pop();
    }
    for (const tp of list) taken.add(tp);
  }
  const unassigned = all.filter((tp) => !taken.has(tp));
  let u = 0;
  for (const m of members) {
    const list = out.get(m.memberId)!;
    while (list.length < minQuota && u < unassigned.length) list.push(unassigned[u++]);
  }
  for (const m of members) {
    if (u >= unassigned.length || allowedAtMax === 0) break;
    const list = out.get(m.memberId)!;
    if (list.length === minQuota && maxQuota > minQuota) {
      list.push(unassigned[u++]);
      allowedAtMax--;
    }
  }
  return out;
}

/** Greedy placement plus moves from the fullest to the emptiest eligible member, for mixed subscriptions. */
function balancedGeneral(
  all: readonly TopicPartition[],
  members: readonly MemberSubscription[],
  owned: Map<string, TopicPartition[]>,
  topicsOf: Map<string, Set<string>>,
): Map<string, TopicPartition[]> {
  const out = new Map<string, TopicPartition[]>(
    members.map((m) => [m.memberId, [...owned.get(m.memberId)!]]),
  );
  const taken = new Set<TopicPartition>([...out.values()].flat());
  const leastLoaded = (topic: string): string | undefined => {
    let best: string | undefined;
    for (const m of members) {
      if (!topicsOf.get(m.memberId)!.has(topic)) continue;
      if (best === undefined || out.get(m.memberId)!.length < out.get(best)!.length) best = m.memberId;
    }
    return best;
  };
  for (const tp of all) {
    if (taken.has(tp)) continue;
    const to = leastLoaded(tp.topic);
    if (to !== undefined) out.get(to)!.push(tp);
  }
  for (let moves = 0; moves < all.length * members.length; moves++) {
    let moved = false;
    const byLoad = [...members].sort((a, b) => out.get(b.memberId)!.length - out.get(a.memberId)!.length);
    for (const from of byLoad) {
      const list = out.get(from.memberId)!;
      for (let i = list.length - 1; i >= 0 && !moved; i--) {
        const to = leastLoaded(list[i].topic);
        if (to === undefined || out.get(to)!.length >= list.length - 1) continue;
        out.get(to)!.push(list[i]);
        list.splice(i, 1);
        moved = true;
      }
      if (moved) break;
    }
    if (!moved) break;
  }
  return out;
}

/** Kafka's StickyAssignor: balanced and sticky, eager protocol. */
export const STICKY_ASSIGNOR: PartitionAssignor = Object.freeze({
  name: "sticky",
  protocols: Object.freeze(["eager"]) as readonly RebalanceProtocol[],
  assign: (partitionsPerTopic: ReadonlyMap<string, number>, members: readonly MemberSubscription[]) =>
    stickyAssign(partitionsPerTopic, members, false),
});

/** Kafka's CooperativeStickyAssignor: balanced, sticky and incremental (KIP-429). */
export const COOPERATIVE_STICKY_ASSIGNOR: PartitionAssignor = Object.freeze({
  name: "cooperative-sticky",
  protocols: Object.freeze(["eager", "cooperative"]) as readonly RebalanceProtocol[],
  assign: (partitionsPerTopic: ReadonlyMap<string, number>, members: readonly MemberSubscription[]) =>
    stickyAssign(partitionsPerTopic, members, true),
});

const BUILT_IN: ReadonlyMap<string, PartitionAssignor> = new Map([
  ["range", RANGE_ASSIGNOR],
  ["roundrobin", ROUND_ROBIN_ASSIGNOR],
  ["sticky", STICKY_ASSIGNOR],
  ["cooperative-sticky", COOPERATIVE_STICKY_ASSIGNOR],
  ["org.apache.kafka.clients.consumer.RangeAssignor", RANGE_ASSIGNOR],
  ["org.apache.kafka.clients.consumer.RoundRobinAssignor", ROUND_ROBIN_ASSIGNOR],
  ["org.apache.kafka.clients.consumer.StickyAssignor", STICKY_ASSIGNOR],
  ["org.apache.kafka.clients.consumer.CooperativeStickyAssignor", COOPERATIVE_STICKY_ASSIGNOR],
]);

function isAssignor(v: unknown): v is PartitionAssignor {
  return (
    typeof v === "object" &&
    v !== null &&
    typeof (v as PartitionAssignor).name === "string" &&
    typeof (v as PartitionAssignor).assign === "function" &&
    Array.isArray((v as PartitionAssignor).protocols)
  );
}

/**
 * partition.assignment.strategy: a comma-separated list or an array of assignor names (Kafka's
 * names or Java class names) and assignor objects, in order of preference.
 */
export function parseAssignmentStrategy(v: unknown): readonly PartitionAssignor[] {
  const items =
    typeof v === "string"
      ? v
          .split(",")
          .map((s) => s.trim())
          .filter((s) => s !== "")
      : v;
  if (!Array.isArray(items) || items.length === 0) throw new Error("must name at least one assignor");
  const out: PartitionAssignor[] = [];
  for (const item of items) {
    const assignor = typeof item === "string" ? BUILT_IN.get(item) : isAssignor(item) ? item : undefined;
    if (assignor === undefined) {
      throw new Error(
        `has an unknown assignor ${typeof item === "string" ? JSON.stringify(item) : String(item)}; known: range, roundrobin, sticky, cooperative-sticky`,
      );
    }
    if (out.some((a) => a.name === assignor.name)) throw new Error(`names assignor ${assignor.name} twice`);
    out.push(assignor);
  }
  return Object.freeze(out);
}

/**
 * The rebalance protocol of a list of assignors: cooperative only when every one supports it
 * (Kafka's rule, so a group can move from eager to cooperative assignors with rolling restarts).
 */
export function rebalanceProtocol(assignors: readonly PartitionAssignor[]): RebalanceProtocol {
  return assignors.every((a) => a.protocols.includes("cooperative")) ? "cooperative" : "eager";
}
