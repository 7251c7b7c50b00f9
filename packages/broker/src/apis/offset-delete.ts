import { ApiKey, ErrorCode } from "@weir/protocol";
import { groupRequestContext } from "../server/group-coordinator-service.js";
import { defineHandler } from "./api-handler.js";

/**
 * OffsetDelete v0: deletes a group's committed offsets of some partitions, unless the group's
 * members are subscribed to the topic (GROUP_SUBSCRIBED_TO_TOPIC).
 */
export const offsetDeleteHandler = defineHandler({
  apiKey: ApiKey.OffsetDelete,
  minVersion: 0,
  maxVersion: 0,
  async handle(ctx, request) {
    const response = await ctx.broker.groups.deleteOffsets(groupRequestContext(ctx.header, ctx.connection), {
      groupId: request.groupId,
      topics: request.topics,
    });
    return {
      errorCode: ErrorCode[response.errorCode],
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
