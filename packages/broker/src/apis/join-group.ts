import { ApiKey, ErrorCode } from "@weir/protocol";
import { groupRequestContext } from "../server/group-coordinator-service.js";
import { defineHandler } from "./api-handler.js";

/**
 * JoinGroup v0–v9. v1 adds the rebalance timeout (v0 uses the session timeout), v4 makes new
 * dynamic members rejoin with the id handed out by MEMBER_ID_REQUIRED, v5 adds static
 * membership, v7 returns the protocol type and makes the protocol name nullable, v8 adds the
 * reason and v9 skipAssignment.
 */
export const joinGroupHandler = defineHandler({
  apiKey: ApiKey.JoinGroup,
  minVersion: 0,
  maxVersion: 9,
  async handle(ctx, request) {
    const version = ctx.header.apiVersion;
    const response = await ctx.broker.groups.joinGroup(groupRequestContext(ctx.header, ctx.connection), {
      groupId: request.groupId,
      sessionTimeoutMs: request.sessionTimeoutMs,
      rebalanceTimeoutMs: version >= 1 ? (request.rebalanceTimeoutMs ?? -1) : -1,
      memberId: request.memberId,
      groupInstanceId: version >= 5 ? (request.groupInstanceId ?? null) : null,
      protocolType: request.protocolType,
      protocols: request.protocols,
      reason: version >= 8 ? (request.reason ?? null) : null,
    });
    return {
      throttleTimeMs: 0,
      errorCode: ErrorCode[response.errorCode],
      generationId: response.generationId,
      protocolType: response.protocolType,
      // Before v7 the protocol name is not nullable: Kafka sends "" when there is none.
      protocolName: version >= 7 ? response.protocolName : (response.protocolName ?? ""),
      leader: response.leader,
      skipAssignment: response.skipAssignment,
      memberId: response.memberId,
      members: response.members.map((m) => ({
        memberId: m.memberId,
        groupInstanceId: m.groupInstanceId,
        metadata: m.metadata,
      })),
    };
  },
});
