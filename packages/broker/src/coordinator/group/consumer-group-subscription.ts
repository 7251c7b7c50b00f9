import type { Uuid } from "@weir/protocol";
import { isInternalTopic } from "../../metadata/topic-name.js";
import type { ConsumerGroup } from "./consumer-group.js";
import type { ConsumerGroupMember } from "./consumer-group-member.js";
import type { SubscribedTopicMetadata } from "./group-records.js";

/** A topic as consumer groups see it: assignments are by topic id. */
export interface TopicInfo {
  readonly id: Uuid;
  readonly name: string;
  readonly numPartitions: number;
}

/**
 * The coordinator's read-only view of the cluster's topics (the broker's metadata image). It is
 * asked on every heartbeat, so a topic created, deleted or given more partitions reaches the
 * consumer groups subscribed to it at their next heartbeat.
 */
export interface TopicsView {
  topic(name: string): TopicInfo | undefined;
  topicById(id: Uuid): TopicInfo | undefined;
  /** Every topic name, for regular expression subscriptions. */
  topicNames(): Iterable<string>;
}

export const NO_TOPICS: TopicsView = {
  topic: () => undefined,
  topicById: () => undefined,
  topicNames: () => [],
};

const MAX_CACHED_REGEXES = 1_000;

/**
 * Compiled subscription regular expressions. A subscription regex must match a whole topic
 * name, as with Kafka's RE2/J `matches()`; it is compiled as a JavaScript RegExp, which accepts
 * what RE2 accepts for ordinary patterns (Kafka refuses a few constructs RE2 lacks, such as
 * backreferences and lookaround, that JavaScript allows). Internal topics never match.
 */
export class RegexCache {
  readonly #compiled = new Map<string, RegExp | null>();

  /** The compiled expression, or null when it does not compile. */
  compile(regex: string): RegExp | null {
    let compiled = this.#compiled.get(regex);
    if (compiled !== undefined) return compiled;
    try {
      compiled = new RegExp(`^(?:${regex})$`);
    } catch {
      compiled = null;
    }
    if (this.#compiled.size >= MAX_CACHED_REGEXES) this.#compiled.clear();
    this.#compiled.set(regex, compiled);
    return compiled;
  }

  matches(regex: string, topic: string): boolean {
    if (isInternalTopic(topic)) return false;
    return this.compile(regex)?.test(topic) === true;
  }
}

/**
 * The topic names a group subscribes to: every name a member lists, and every existing topic a
 * member's regular expression matches.
 */
export function groupSubscribedTopics(
  group: ConsumerGroup,
  topics: TopicsView,
  regexes: RegexCache,
): Set<string> {
  const names = new Set(group.subscribedTopicNames());
  const patterns = [...group.subscribedRegexes()];
  if (patterns.length > 0) {
    for (const topic of topics.topicNames()) {
      if (patterns.some((regex) => regexes.matches(regex, topic))) names.add(topic);
    }
  }
  return names;
}

/**
 * The names a member subscribes to among `candidates` (the group's subscribed topics): those it
 * lists and those its regular expression matches.
 */
export function memberSubscribedTopics(
  member: ConsumerGroupMember,
  candidates: Iterable<string>,
  regexes: RegexCache,
): Set<string> {
  const names = new Set<string>();
  const listed = new Set(member.subscribedTopicNames);
  const regex = member.subscribedTopicRegex;
  for (const name of candidates) {
    if (listed.has(name) || (regex !== null && regexes.matches(regex, name))) names.add(name);
  }
  return names;
}

/** The metadata of the existing topics among `names`, by name in name order. */
export function subscriptionMetadata(
  names: Iterable<string>,
  topics: TopicsView,
): Map<string, SubscribedTopicMetadata> {
  const out = new Map<string, SubscribedTopicMetadata>();
  for (const name of [...names].sort()) {
    const topic = topics.topic(name);
    if (topic === undefined) continue;
    out.set(name, { topicId: topic.id, topicName: name, numPartitions: topic.numPartitions });
  }
  return out;
}

export function sameSubscriptionMetadata(
  a: ReadonlyMap<string, SubscribedTopicMetadata>,
  b: ReadonlyMap<string, SubscribedTopicMetadata>,
): boolean {
  if (a.size !== b.size) return false;
  for (const [name, topic] of a) {
    const other = b.get(name);
    if (other === undefined || other.topicId !== topic.topicId || other.numPartitions !== topic.numPartitions)
      return false;
  }
  return true;
}
