import { ApiKey, ErrorCode, type OffsetFetchResponseTopics } from "@weir/protocol";
import type {
  OffsetFetchResponse as GroupOffsets,
  OffsetFetchRequestTopic,
} from "../coordinator/group/index.js";
import { groupRequestContext } from "../server/group-coordinator-service.js";
import { defineHandler, type RequestContext } from "./api-handler.js";

/** The v8+ shape, which also fits v0–v7 (their partitions take the same fields). */
function topicsOf(offsets: GroupOffsets): OffsetFetchResponseTopics[] {
  return offsets.topics.map((t) => ({
    name: t.name,
    partitions: t.partitions.map((p) => ({
      partitionIndex: p.partitionIndex,
      committedOffset: BigInt(p.committedOffset),
      committedLeaderEpoch: p.committedLeaderEpoch,
      metadata: p.metadata,
      errorCode: ErrorCode[p.errorCode],
    })),
  }));
}

function fetchGroup(
  ctx: RequestContext,
  groupId: string,
  topics: readonly OffsetFetchRequestTopic[] | null,
  requireStable: boolean,
  member: { memberId?: string | null; memberEpoch?: number } = {},
): Promise<GroupOffsets> {
  return ctx.broker.groups.fetchOffsets(groupRequestContext(ctx.header, ctx.connection), {
    groupId,
    topics,
    requireStable,
    memberId: member.memberId ?? null,
    memberEpoch: member.memberEpoch ?? -1,
  });
}

/**
 * OffsetFetch v0–v9. v0 read ZooKeeper in Kafka; Weir has none and answers v0 from
 * `__consumer_offsets` like v1. v0–v1 have no group-level error code: a group error is repeated
 * on every requested partition (with offset -1), as Kafka does. v2 allows null topics (every
 * committed partition) and adds the group-level error; v5 the leader epoch; v7 requireStable
 * (there are no pending transactional offsets yet, so it changes nothing); v8+ fetch several
 * groups at once; v9 adds a KIP-848 member's id and epoch, checked against its consumer group.
 */
export const offsetFetchHandler = defineHandler({
  apiKey: ApiKey.OffsetFetch,
  minVersion: 0,
  maxVersion: 9,
  async handle(ctx, request) {
    const version = ctx.header.apiVersion;
    const requireStable = version >= 7 && request.requireStable === true;
    if (version >= 8) {
      const groups = await Promise.all(
        (request.groups ?? []).map(async (g) => {
          const offsets = await fetchGroup(ctx, g.groupId, g.topics, requireStable, g);
          return {
            groupId: g.groupId,
            topics: topicsOf(offsets),
            errorCode: ErrorCode[offsets.errorCode],
          };
        }),
      );
      return { throttleTimeMs: 0, groups };
    }
    const requested = version >= 2 ? (request.topics ?? null) : (request.topics ?? []);
    const offsets = await fetchGroup(ctx, request.groupId ?? "", requested, requireStable);
    if (version < 2 && offsets.errorCode !== "NONE") {
      const errorCode = ErrorCode[offsets.errorCode];
      return {
        throttleTimeMs: 0,
        topics: (requested ?? []).map((t) => ({
          name: t.name,
          partitions: t.partitionIndexes.map((partitionIndex) => ({
            partitionIndex,
            committedOffset: -1n,
            committedLeaderEpoch: -1,
            metadata: "",
            errorCode,
          })),
        })),
      };
    }
    return { throttleTimeMs: 0, topics: topicsOf(offsets), errorCode: ErrorCode[offsets.errorCode] };
  },
});
