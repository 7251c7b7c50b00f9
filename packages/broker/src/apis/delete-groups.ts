import { ApiKey, ErrorCode } from "@weir/protocol";
import { groupRequestContext } from "../server/group-coordinator-service.js";
import { defineHandler } from "./api-handler.js";

/**
 * DeleteGroups v0–v2: deletes Empty groups with their offsets (NON_EMPTY_GROUP while members
 * remain, GROUP_ID_NOT_FOUND for unknown groups).
 */
export const deleteGroupsHandler = defineHandler({
  apiKey: ApiKey.DeleteGroups,
  minVersion: 0,
  maxVersion: 2,
  async handle(ctx, request) {
    const results = await ctx.broker.groups.deleteGroups(
      groupRequestContext(ctx.header, ctx.connection),
      request.groupsNames,
    );
    return {
      throttleTimeMs: 0,
      results: results.map((r) => ({ groupId: r.groupId, errorCode: ErrorCode[r.errorCode] })),
    };
  },
});
