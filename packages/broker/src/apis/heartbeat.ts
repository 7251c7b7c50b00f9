import { ApiKey, ErrorCode } from "@weir/protocol";
import { groupRequestContext } from "../server/group-coordinator-service.js";
import { defineHandler } from "./api-handler.js";

/** Heartbeat v0–v4 (v3 adds the group instance id). */
export const heartbeatHandler = defineHandler({
  apiKey: ApiKey.Heartbeat,
  minVersion: 0,
  maxVersion: 4,
  handle(ctx, request) {
    const response = ctx.broker.groups.heartbeat(groupRequestContext(ctx.header, ctx.connection), {
      groupId: request.groupId,
      generationId: request.generationId,
      memberId: request.memberId,
      groupInstanceId: ctx.header.apiVersion >= 3 ? (request.groupInstanceId ?? null) : null,
    });
    return { throttleTimeMs: 0, errorCode: ErrorCode[response.errorCode] };
  },
});
