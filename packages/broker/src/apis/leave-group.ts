import { ApiKey, ErrorCode } from "@weir/protocol";
import { groupRequestContext } from "../server/group-coordinator-service.js";
import { defineHandler } from "./api-handler.js";

/**
 * LeaveGroup v0–v5. v0–v2 name one member and get one error code (the member's when the group
 * level is fine, as Kafka answers them); v3+ remove a batch of members, static ones by instance
 * id, with an error per member; v5 adds a reason per member.
 */
export const leaveGroupHandler = defineHandler({
  apiKey: ApiKey.LeaveGroup,
  minVersion: 0,
  maxVersion: 5,
  async handle(ctx, request) {
    const version = ctx.header.apiVersion;
    const members =
      version >= 3
        ? (request.members ?? []).map((m) => ({
            memberId: m.memberId,
            groupInstanceId: m.groupInstanceId,
            reason: version >= 5 ? (m.reason ?? null) : null,
          }))
        : [{ memberId: request.memberId ?? "", groupInstanceId: null }];
    const response = await ctx.broker.groups.leaveGroup(groupRequestContext(ctx.header, ctx.connection), {
      groupId: request.groupId,
      members,
    });
    if (version < 3) {
      const errorCode =
        response.errorCode !== "NONE" ? response.errorCode : (response.members[0]?.errorCode ?? "NONE");
      return { throttleTimeMs: 0, errorCode: ErrorCode[errorCode] };
    }
    return {
      throttleTimeMs: 0,
      errorCode: ErrorCode[response.errorCode],
      members: response.members.map((m) => ({
        memberId: m.memberId,
        groupInstanceId: m.groupInstanceId,
        errorCode: ErrorCode[m.errorCode],
      })),
    };
  },
});
