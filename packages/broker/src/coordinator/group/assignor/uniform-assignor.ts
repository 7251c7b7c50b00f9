import type { Uuid } from "@weir/protocol";
import { type Assignment, freezeAssignment } from "../assignment.js";
import {
  type AssignmentGroupSpec,
  type AssignmentMemberSpec,
  type ConsumerGroupPartitionAssignor,
  comparePartitions,
  type PartitionRef,
  type SubscribedTopicDescriber,
} from "./partition-assignor.js";

export const UNIFORM_ASSIGNOR_NAME = "uniform";

/**
 * The uniform assignor (Kafka's default server assignor): spreads every subscribed partition
 * over the members so that their partition counts differ by at most one where the
 * subscriptions allow it, while moving as few partitions as possible from where the current
 * target assignment put them.
 *
 * When every member subscribes to the same topics, each member's quota is computed (the members
 * already holding the most partitions get the one-extra quotas), members keep what they hold up
 * to their quota, and the partitions left over fill the members below quota. When subscriptions
 * differ, members keep what they hold, the unassigned partitions go one by one (the most
 * constrained topics first) to the least loaded member subscribed to them, and then partitions
 * move from a member to a subscribed member holding at least two fewer until no move is left.
 */
export class UniformAssignor implements ConsumerGroupPartitionAssignor {
  readonly name = UNIFORM_ASSIGNOR_NAME;

  assign(group: AssignmentGroupSpec, topics: SubscribedTopicDescriber): Map<string, Assignment> {
    const state = new AssignmentState(group, topics);
    if (group.homogeneous) state.assignHomogeneous();
    else state.assignHeterogeneous();
    return state.result();
  }
}

function key(topicId: Uuid, partition: number): string {
  return `${topicId}:${partition}`;
}

/** The working state of one assignment: which member holds which partition. */
class AssignmentState {
  readonly #members: readonly AssignmentMemberSpec[];
  readonly #topics: SubscribedTopicDescriber;
  /** member id → partitions it holds, in the order they were given */
  readonly #held = new Map<string, PartitionRef[]>();
  /** partition key → member id */
  readonly #holder = new Map<string, string>();
  /** Every partition of every topic some member subscribes to, sorted. */
  readonly #partitions: PartitionRef[] = [];
  /** topic id → subscribed members, in member id order */
  readonly #subscribers = new Map<Uuid, AssignmentMemberSpec[]>();

  constructor(group: AssignmentGroupSpec, topics: SubscribedTopicDescriber) {
    this.#members = group.members;
    this.#topics = topics;
    for (const m of group.members) {
      this.#held.set(m.memberId, []);
      for (const topicId of m.subscribedTopicIds) {
        if (topics.numPartitions(topicId) <= 0) continue;
        let subscribers = this.#subscribers.get(topicId);
        if (subscribers === undefined) {
          subscribers = [];
          this.#subscribers.set(topicId, subscribers);
        }
        subscribers.push(m);
      }
    }
    for (const topicId of [...this.#subscribers.keys()].sort()) {
      const n = topics.numPartitions(topicId);
      for (let partition = 0; partition < n; partition++) this.#partitions.push({ topicId, partition });
    }
  }

  /** Each member's current partitions that still exist and that it still subscribes to. */
  #retained(member: AssignmentMemberSpec): PartitionRef[] {
    const out: PartitionRef[] = [];
    for (const [topicId, partitions] of member.assignment) {
      if (!member.subscribedTopicIds.has(topicId)) continue;
      const n = this.#topics.numPartitions(topicId);
      for (const partition of partitions) if (partition < n) out.push({ topicId, partition });
    }
    return out.sort(comparePartitions);
  }

  #give(memberId: string, ref: PartitionRef): void {
    this.#held.get(memberId)!.push(ref);
    this.#holder.set(key(ref.topicId, ref.partition), memberId);
  }

  #count(memberId: string): number {
    return this.#held.get(memberId)!.length;
  }

  #unassigned(): PartitionRef[] {
    return this.#partitions.filter((p) => !this.#holder.has(key(p.topicId, p.partition)));
  }

  assignHomogeneous(): void {
    const total = this.#partitions.length;
    const n = this.#members.length;
    const base = Math.floor(total / n);
    let extras = total % n;
    const retained = new Map<string, PartitionRef[]>();
    const claimed = new Set<string>();
    for (const m of this.#members) {
      // A partition two members claim (a stale target) stays with the first.
      const mine = this.#retained(m).filter((p) => {
        const k = key(p.topicId, p.partition);
        if (claimed.has(k)) return false;
        claimed.add(k);
        return true;
      });
      retained.set(m.memberId, mine);
    }
    // The one-extra quotas go to the members holding the most, so fewer partitions move.
    const byHeld = [...this.#members].sort(
      (a, b) => retained.get(b.memberId)!.length - retained.get(a.memberId)!.length,
    );
    const quota = new Map<string, number>();
    for (const m of byHeld) {
      quota.set(m.memberId, base + (extras > 0 ? 1 : 0));
      if (extras > 0) extras--;
    }
    for (const m of this.#members) {
      for (const p of retained.get(m.memberId)!.slice(0, quota.get(m.memberId)!)) this.#give(m.memberId, p);
    }
    const pool = this.#unassigned();
    let next = 0;
    for (const m of this.#members) {
      while (this.#count(m.memberId) < quota.get(m.memberId)! && next < pool.length) {
        this.#give(m.memberId, pool[next++]!);
      }
    }
  }

  assignHeterogeneous(): void {
    for (const m of this.#members) {
      for (const p of this.#retained(m)) {
        if (!this.#holder.has(key(p.topicId, p.partition))) this.#give(m.memberId, p);
      }
    }
    // The most constrained partitions first: those few members may take.
    const pool = this.#unassigned().sort(
      (a, b) =>
        this.#subscribers.get(a.topicId)!.length - this.#subscribers.get(b.topicId)!.length ||
        comparePartitions(a, b),
    );
    for (const p of pool) {
      const target = this.#leastLoaded(this.#subscribers.get(p.topicId)!, undefined);
      if (target !== undefined) this.#give(target.memberId, p);
    }
    this.#balance();
  }

  #leastLoaded(candidates: readonly AssignmentMemberSpec[], except: string | undefined) {
    let best: AssignmentMemberSpec | undefined;
    for (const c of candidates) {
      if (c.memberId === except) continue;
      if (best === undefined || this.#count(c.memberId) < this.#count(best.memberId)) best = c;
    }
    return best;
  }

  /**
   * Moves partitions from a member to a subscribed member holding at least two fewer. Each move
   * lowers the sum of the squared counts, so the loop ends.
   */
  #balance(): void {
    for (let moved = true; moved; ) {
      moved = false;
      const byLoad = [...this.#members].sort(
        (a, b) => this.#count(b.memberId) - this.#count(a.memberId) || (a.memberId < b.memberId ? -1 : 1),
      );
      for (const from of byLoad) {
        const held = this.#held.get(from.memberId)!;
        for (let i = held.length - 1; i >= 0; i--) {
          const p = held[i]!;
          const to = this.#leastLoaded(this.#subscribers.get(p.topicId)!, from.memberId);
          if (to === undefined || this.#count(to.memberId) + 1 >= held.length) continue;
          held.splice(i, 1);
          this.#give(to.memberId, p);
          moved = true;
        }
      }
    }
  }

  result(): Map<string, Assignment> {
    const out = new Map<string, Assignment>();
    for (const m of this.#members) {
      const sets = new Map<Uuid, Set<number>>();
      for (const { topicId, partition } of this.#held.get(m.memberId)!) {
        let set = sets.get(topicId);
        if (set === undefined) {
          set = new Set();
          sets.set(topicId, set);
        }
        set.add(partition);
      }
      out.set(m.memberId, freezeAssignment(sets));
    }
    return out;
  }
}
