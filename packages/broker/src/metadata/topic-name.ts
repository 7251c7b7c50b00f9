/**
 * Kafka's topic-name rules and its internal topic names.
 */

export const GROUP_METADATA_TOPIC_NAME = "__consumer_offsets";
export const TRANSACTION_STATE_TOPIC_NAME = "__transaction_state";
export const SHARE_GROUP_STATE_TOPIC_NAME = "__share_group_state";
/** The metadata log's name; never a regular topic. */
export const CLUSTER_METADATA_TOPIC_NAME = "__cluster_metadata";

const INTERNAL_TOPICS: ReadonlySet<string> = new Set([
  GROUP_METADATA_TOPIC_NAME,
  TRANSACTION_STATE_TOPIC_NAME,
  SHARE_GROUP_STATE_TOPIC_NAME,
]);

export const MAX_TOPIC_NAME_LENGTH = 249;

/** Kafka's `Topic.isInternal`: topics the broker manages itself. */
export function isInternalTopic(name: string): boolean {
  return INTERNAL_TOPICS.has(name);
}

/**
 * Why a topic name is invalid, in Kafka's words, or null if it is valid: non-empty, not "." or
 * "..", at most 249 characters, only ASCII letters, digits, '.', '_' and '-'.
 */
export function invalidTopicNameReason(name: string): string | null {
  if (name.length === 0) return "the empty string is not allowed";
  if (name === ".") return "'.' is not allowed";
  if (name === "..") return "'..' is not allowed";
  if (name.length > MAX_TOPIC_NAME_LENGTH) {
    return `the length of '${name}' is longer than the max allowed length ${MAX_TOPIC_NAME_LENGTH}`;
  }
  if (!/^[a-zA-Z0-9._-]+$/.test(name)) {
    return `'${name}' contains one or more characters other than ASCII alphanumerics, '.', '_' and '-'`;
  }
  return null;
}

/** "Topic name is invalid: …" as Kafka's InvalidTopicException says it, or null. */
export function validateTopicName(name: string): string | null {
  const reason = invalidTopicNameReason(name);
  return reason === null ? null : `Topic name is invalid: ${reason}`;
}

/** '.' and '_' map to the same metric name, so topics differing only there collide. */
export function hasCollisionChars(name: string): boolean {
  return name.includes(".") || name.includes("_");
}

export function unifyCollisionChars(name: string): string {
  return name.replaceAll(".", "_");
}

/**
 * The first (in sorted order, for a deterministic message) of `existing` names that collides
 * with `name` without being equal to it, or undefined.
 */
export function findCollision(name: string, existing: Iterable<string>): string | undefined {
  if (!hasCollisionChars(name)) return undefined;
  const unified = unifyCollisionChars(name);
  let found: string | undefined;
  for (const other of existing) {
    if (other !== name && hasCollisionChars(other) && unifyCollisionChars(other) === unified) {
      if (found === undefined || other < found) found = other;
    }
  }
  return found;
}
