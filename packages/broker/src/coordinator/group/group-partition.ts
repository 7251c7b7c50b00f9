/**
 * Which `__consumer_offsets` partition owns a group: Kafka's rule, so a Weir cluster and Kafka
 * tools agree on where a group's records live.
 */

/** Java's `String.hashCode()`: s[0]*31^(n-1) + … + s[n-1] over UTF-16 code units, in int32. */
export function javaStringHashCode(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) {
    h = (Math.imul(h, 31) + s.charCodeAt(i)) | 0;
  }
  return h;
}

/** Kafka's `Utils.abs`: Math.abs, except Integer.MIN_VALUE (whose negation overflows) maps to 0. */
export function kafkaAbs(n: number): number {
  return n === -2147483648 ? 0 : Math.abs(n);
}

/** `Utils.abs(groupId.hashCode()) % offsets.topic.num.partitions`. */
export function partitionForGroup(groupId: string, numPartitions: number): number {
  return kafkaAbs(javaStringHashCode(groupId)) % numPartitions;
}
