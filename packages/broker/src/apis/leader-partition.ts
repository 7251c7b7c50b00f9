import { ErrorCode } from "@weir/protocol";
import type { Partition } from "../replication/partition.js";
import type { BrokerContext } from "../server/broker-context.js";

/**
 * The partition a request names, if this broker leads it, or the Kafka error code to answer:
 * UNKNOWN_TOPIC_OR_PARTITION for names the cluster does not know, KAFKA_STORAGE_ERROR for
 * partitions whose log is in a failed log dir, NOT_LEADER_OR_FOLLOWER for partitions led elsewhere, and FENCED/UNKNOWN_LEADER_EPOCH when the client's view of the leader
 * epoch (-1: not given) is older or newer than ours.
 */
export function leaderPartition(
  broker: BrokerContext,
  topic: string,
  index: number,
  currentLeaderEpoch = -1,
): Partition | number {
  const partition = broker.replicaManager.getPartition(topic, index);
  if (partition === undefined) {
    const known = broker.metadata.image.topic(topic);
    if (known === undefined || index < 0 || index >= known.partitions.length)
      return ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
    // Its log is in a log dir that failed (it could not be loaded): offline, not led elsewhere.
    return broker.logManager.offlineError(topic, index) !== undefined
      ? ErrorCode.KAFKA_STORAGE_ERROR
      : ErrorCode.NOT_LEADER_OR_FOLLOWER;
  }
  if (currentLeaderEpoch >= 0) {
    if (currentLeaderEpoch > partition.leaderEpoch) return ErrorCode.UNKNOWN_LEADER_EPOCH;
    if (currentLeaderEpoch < partition.leaderEpoch) return ErrorCode.FENCED_LEADER_EPOCH;
  }
  return partition;
}
