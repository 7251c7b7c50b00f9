import { ApiKey, ErrorCode } from "@weir/protocol";
import { defineHandler } from "./api-handler.js";
import { leaderPartition } from "./leader-partition.js";

/**
 * OffsetForLeaderEpoch: the end offset of a leader epoch (the start of the next one), so a
 * client or follower can detect that its log diverged after a leader change (KIP-101, KIP-320).
 */
export const offsetForLeaderEpochHandler = defineHandler({
  apiKey: ApiKey.OffsetForLeaderEpoch,
  minVersion: 0,
  maxVersion: 4,
  handle(ctx, request) {
    return {
      throttleTimeMs: 0,
      topics: request.topics.map((topic) => ({
        topic: topic.topic,
        partitions: topic.partitions.map((p) => {
          const partition = leaderPartition(ctx.broker, topic.topic, p.partition, p.currentLeaderEpoch ?? -1);
          if (typeof partition === "number") {
            return { errorCode: partition, partition: p.partition, leaderEpoch: -1, endOffset: -1n };
          }
          const { epoch, endOffset } = partition.log.endOffsetForEpoch(p.leaderEpoch);
          return {
            errorCode: ErrorCode.NONE,
            partition: p.partition,
            leaderEpoch: epoch,
            endOffset: BigInt(endOffset),
          };
        }),
      })),
    };
  },
});
