import { Reader } from "@weir/protocol";

/** The protocol type of Kafka consumers (`ConsumerProtocol.PROTOCOL_TYPE`). */
export const CONSUMER_PROTOCOL_TYPE = "consumer";

/**
 * The topic list of a ConsumerProtocolSubscription (the JoinGroup metadata of consumers). Every
 * version starts with an int16 version and an array of topic strings, so only that prefix is read
 * and newer versions need no change here. Returns null when the bytes do not parse.
 */
export function subscribedTopicsOf(metadata: Buffer): string[] | null {
  try {
    const r = new Reader(metadata);
    r.int16();
    const n = r.arrayLength();
    if (n < 0) return [];
    const topics: string[] = [];
    for (let i = 0; i < n; i++) topics.push(r.string());
    return topics;
  } catch {
    return null;
  }
}
