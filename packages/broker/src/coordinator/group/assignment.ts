import type { Uuid } from "@weir/protocol";

/**
 * A set of partitions by topic id: what a consumer group member owns, is asked to revoke, or is
 * targeted to own (KIP-848 assignments are by topic id). Values are treated as immutable: every
 * change builds a new map. Topics with no partitions are left out, so two equal assignments
 * have the same keys.
 */
export type Assignment = ReadonlyMap<Uuid, ReadonlySet<number>>;

/** The wire and record shape of an assignment: a topic id and its partitions. */
export interface TopicPartitions {
  readonly topicId: Uuid;
  readonly partitions: readonly number[];
}

export const EMPTY_ASSIGNMENT: Assignment = new Map();

/** An assignment from the wire or record shape; duplicate topics are merged, empty ones dropped. */
export function assignmentFromList(list: readonly TopicPartitions[]): Assignment {
  const out = new Map<Uuid, Set<number>>();
  for (const { topicId, partitions } of list) {
    if (partitions.length === 0) continue;
    let set = out.get(topicId);
    if (set === undefined) {
      set = new Set();
      out.set(topicId, set);
    }
    for (const p of partitions) set.add(p);
  }
  return out;
}

/** The wire and record shape: topics in id order, partitions ascending (deterministic bytes). */
export function assignmentToList(assignment: Assignment): TopicPartitions[] {
  return [...assignment.keys()].sort().map((topicId) => ({
    topicId,
    partitions: [...assignment.get(topicId)!].sort((a, b) => a - b),
  }));
}

export function assignmentsEqual(a: Assignment, b: Assignment): boolean {
  if (a === b) return true;
  if (a.size !== b.size) return false;
  for (const [topicId, partitions] of a) {
    const other = b.get(topicId);
    if (other === undefined || other.size !== partitions.size) return false;
    for (const p of partitions) if (!other.has(p)) return false;
  }
  return true;
}

export function assignmentSize(assignment: Assignment): number {
  let n = 0;
  for (const partitions of assignment.values()) n += partitions.size;
  return n;
}

export function hasPartition(assignment: Assignment, topicId: Uuid, partition: number): boolean {
  return assignment.get(topicId)?.has(partition) === true;
}

/** Builds an assignment from mutable sets, dropping topics left empty. */
export function freezeAssignment(sets: ReadonlyMap<Uuid, ReadonlySet<number>>): Assignment {
  const out = new Map<Uuid, ReadonlySet<number>>();
  for (const [topicId, partitions] of sets) if (partitions.size > 0) out.set(topicId, partitions);
  return out;
}

/** Whether every partition of `owned` is in `assignment`; a missing (null) list is not a subset. */
export function isSubsetOf(owned: readonly TopicPartitions[] | null, assignment: Assignment): boolean {
  if (owned === null) return false;
  for (const { topicId, partitions } of owned) {
    for (const p of partitions) if (!hasPartition(assignment, topicId, p)) return false;
  }
  return true;
}

/**
 * Whether the member still reports owning one of `partitions`. A member that did not report its
 * owned partitions (null) is assumed to still own them.
 */
export function ownsAnyOf(owned: readonly TopicPartitions[] | null, partitions: Assignment): boolean {
  if (owned === null) return true;
  for (const { topicId, partitions: ps } of owned) {
    const pending = partitions.get(topicId);
    if (pending === undefined) continue;
    for (const p of ps) if (pending.has(p)) return true;
  }
  return false;
}
