/**
 * Names of partition directories inside a log dir, as Kafka spells them: `<topic>-<partition>`
 * for a live log and `<topic>-<partition>.<uuid>-delete` for one being deleted. Topic names may
 * contain '-' (and '.'), so a name is split at its last '-'.
 */

export interface TopicPartition {
  readonly topic: string;
  readonly partition: number;
}

export const DELETE_DIR_SUFFIX = "-delete";
/** Kafka's suffixes of directories that are not live logs (a future replica, a stray log). */
const NOT_LIVE_SUFFIXES = [DELETE_DIR_SUFFIX, "-future", "-stray"];
const LEGAL_TOPIC = /^[a-zA-Z0-9._-]{1,249}$/;

/** Whether `topic` is a legal Kafka topic name (also safe as a directory name). */
export function isLegalTopicName(topic: string): boolean {
  return LEGAL_TOPIC.test(topic) && topic !== "." && topic !== "..";
}

export function logDirName(tp: TopicPartition): string {
  return `${tp.topic}-${tp.partition}`;
}

/** The topic-partition of a live log directory name, or undefined for anything else. */
export function parseLogDirName(name: string): TopicPartition | undefined {
  if (NOT_LIVE_SUFFIXES.some((suffix) => name.endsWith(suffix))) return undefined;
  const dash = name.lastIndexOf("-");
  if (dash <= 0) return undefined;
  const topic = name.slice(0, dash);
  const partitionText = name.slice(dash + 1);
  if (!/^\d{1,10}$/.test(partitionText)) return undefined;
  const partition = Number(partitionText);
  if (partition > 0x7fffffff || !isLegalTopicName(topic)) return undefined;
  return { topic, partition };
}

/** `<topic>-<partition>.<uuid without dashes>-delete`. */
export function deleteDirName(tp: TopicPartition, uuid: string): string {
  return `${logDirName(tp)}.${uuid.replaceAll("-", "")}${DELETE_DIR_SUFFIX}`;
}

export function isDeleteDirName(name: string): boolean {
  return /^.+-\d+\.[0-9a-fA-F]+-delete$/.test(name);
}

/** A map key for a topic-partition. */
export function topicPartitionKey(tp: TopicPartition): string {
  return logDirName(tp);
}
