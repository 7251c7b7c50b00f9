import { ApiKey, ErrorCode, type ListOffsetsResponseListOffsetsPartitionResponse } from "@weir/protocol";
import {
  EARLIEST_LOCAL_TIMESTAMP,
  EARLIEST_TIMESTAMP,
  LATEST_TIMESTAMP,
  MAX_TIMESTAMP,
} from "../storage/log.js";
import { defineHandler } from "./api-handler.js";
import { leaderPartition } from "./leader-partition.js";

/** KIP-1005: the latest offset in tiered storage; Weir has none, so there is no such offset. */
const LATEST_TIERED_TIMESTAMP = -5;

/**
 * ListOffsets: earliest (-2), latest (-1, the high watermark, which is also the last stable
 * offset until transactions exist), max timestamp (-3), earliest local (-4), or the first offset
 * whose timestamp is at or after a given time. v0 answers in its old list-of-offsets form.
 */
export const listOffsetsHandler = defineHandler({
  apiKey: ApiKey.ListOffsets,
  minVersion: 0,
  maxVersion: 10,
  handle(ctx, request) {
    const { broker } = ctx;
    const version = ctx.header.apiVersion;
    return {
      throttleTimeMs: 0,
      topics: request.topics.map((topic) => ({
        name: topic.name,
        partitions: topic.partitions.map((p): ListOffsetsResponseListOffsetsPartitionResponse => {
          const answer = (errorCode: number, offset: number, timestamp: number, leaderEpoch: number) => ({
            partitionIndex: p.partitionIndex,
            errorCode,
            oldStyleOffsets: version === 0 && offset >= 0 ? [BigInt(offset)] : [],
            timestamp: BigInt(timestamp),
            offset: BigInt(offset),
            leaderEpoch,
          });
          const partition = leaderPartition(broker, topic.name, p.partitionIndex, p.currentLeaderEpoch ?? -1);
          if (typeof partition === "number") return answer(partition, -1, -1, -1);
          const log = partition.log;
          const target = Number(p.timestamp);
          switch (target) {
            case LATEST_TIMESTAMP:
              return answer(ErrorCode.NONE, partition.highWatermark, -1, partition.leaderEpoch);
            case EARLIEST_TIMESTAMP:
            case EARLIEST_LOCAL_TIMESTAMP:
              return answer(ErrorCode.NONE, log.logStartOffset, -1, partition.leaderEpoch);
            case LATEST_TIERED_TIMESTAMP:
              return answer(ErrorCode.NONE, -1, -1, -1);
            default: {
              if (target < 0 && target !== MAX_TIMESTAMP) {
                return answer(ErrorCode.INVALID_REQUEST, -1, -1, -1);
              }
              const found = log.offsetForTimestamp(target);
              // Consumers may only see committed data: an answer above the high watermark is none.
              if (found === undefined || found.offset >= partition.highWatermark)
                return answer(ErrorCode.NONE, -1, -1, -1);
              return answer(ErrorCode.NONE, found.offset, found.timestamp, found.leaderEpoch);
            }
          }
        }),
      })),
    };
  },
});
