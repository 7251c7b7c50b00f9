import { ApiKey, ErrorCode } from "@weir/protocol";
import { groupRequestContext } from "../server/group-coordinator-service.js";
import { defineHandler } from "./api-handler.js";

/**
 * ListGroups v0–v5: every group of this coordinator. v4 adds the states filter and each group's
 * state; v5 the types filter and each group's type ("classic": the only kind Weir has yet).
 */
export const listGroupsHandler = defineHandler({
  apiKey: ApiKey.ListGroups,
  minVersion: 0,
  maxVersion: 5,
  handle(ctx, request) {
    const version = ctx.header.apiVersion;
    const response = ctx.broker.groups.listGroups(groupRequestContext(ctx.header, ctx.connection), {
      statesFilter: version >= 4 ? (request.statesFilter ?? []) : [],
      typesFilter: version >= 5 ? (request.typesFilter ?? []) : [],
    });
    return {
      throttleTimeMs: 0,
      errorCode: ErrorCode[response.errorCode],
      groups: response.groups.map((g) => ({
        groupId: g.groupId,
        protocolType: g.protocolType,
        groupState: g.groupState,
        groupType: g.groupType,
      })),
    };
  },
});
