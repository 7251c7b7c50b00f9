import { ApiKey, ErrorCode } from "@weir/protocol";
import { groupRequestContext } from "../server/group-coordinator-service.js";
import { defineHandler } from "./api-handler.js";

/**
 * OffsetCommit v0–v9. v0 commits outside any generation (Kafka stored those in ZooKeeper; Weir
 * has none, so they go to `__consumer_offsets` like the rest). v1 adds generation and member id
 * and a per-partition commit timestamp; v2–v4 carry a retention time instead (-1: the broker's
 * offsets.retention.minutes); v6 adds the leader epoch; v7 the group instance id. v9 is v8 for
 * classic groups, except that an unknown group answers GROUP_ID_NOT_FOUND (the coordinator reads
 * the version from the request context).
 */
export const offsetCommitHandler = defineHandler({
  apiKey: ApiKey.OffsetCommit,
  minVersion: 0,
  maxVersion: 9,
  async handle(ctx, request) {
    const version = ctx.header.apiVersion;
    const response = await ctx.broker.groups.commitOffsets(groupRequestContext(ctx.header, ctx.connection), {
      groupId: request.groupId,
      generationIdOrMemberEpoch: version >= 1 ? (request.generationIdOrMemberEpoch ?? -1) : -1,
      memberId: version >= 1 ? (request.memberId ?? "") : "",
      groupInstanceId: version >= 7 ? (request.groupInstanceId ?? null) : null,
      retentionTimeMs: version >= 2 && version <= 4 ? Number(request.retentionTimeMs ?? -1n) : -1,
      topics: request.topics.map((t) => ({
        name: t.name,
        partitions: t.partitions.map((p) => ({
          partitionIndex: p.partitionIndex,
          committedOffset: Number(p.committedOffset),
          committedLeaderEpoch: version >= 6 ? (p.committedLeaderEpoch ?? -1) : -1,
          commitTimestamp: version === 1 ? Number(p.commitTimestamp ?? -1n) : undefined,
          committedMetadata: p.committedMetadata,
        })),
      })),
    });
    return {
      throttleTimeMs: 0,
      topics: response.topics.map((t) => ({
        name: t.name,
        partitions: t.partitions.map((p) => ({
          partitionIndex: p.partitionIndex,
          errorCode: ErrorCode[p.errorCode],
        })),
      })),
    };
  },
});
