import { ApiKey, ErrorCode } from "@weir/protocol";
import { groupRequestContext } from "../server/group-coordinator-service.js";
import { defineHandler } from "./api-handler.js";

const EMPTY = Buffer.alloc(0);

/**
 * SyncGroup v0–v5. v3 adds the group instance id; v5 makes the protocol type and name
 * mandatory in the request (INCONSISTENT_GROUP_PROTOCOL without them, as Kafka) and returns them.
 */
export const syncGroupHandler = defineHandler({
  apiKey: ApiKey.SyncGroup,
  minVersion: 0,
  maxVersion: 5,
  async handle(ctx, request) {
    const version = ctx.header.apiVersion;
    const protocolType = version >= 5 ? (request.protocolType ?? null) : null;
    const protocolName = version >= 5 ? (request.protocolName ?? null) : null;
    if (version >= 5 && (protocolType === null || protocolName === null)) {
      return {
        throttleTimeMs: 0,
        errorCode: ErrorCode.INCONSISTENT_GROUP_PROTOCOL,
        protocolType: null,
        protocolName: null,
        assignment: EMPTY,
      };
    }
    const response = await ctx.broker.groups.syncGroup(groupRequestContext(ctx.header, ctx.connection), {
      groupId: request.groupId,
      generationId: request.generationId,
      memberId: request.memberId,
      groupInstanceId: version >= 3 ? (request.groupInstanceId ?? null) : null,
      protocolType,
      protocolName,
      assignments: request.assignments,
    });
    return {
      throttleTimeMs: 0,
      errorCode: ErrorCode[response.errorCode],
      protocolType: response.protocolType,
      protocolName: response.protocolName,
      assignment: response.assignment,
    };
  },
});
