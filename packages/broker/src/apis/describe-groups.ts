import { ApiKey, ErrorCode } from "@weir/protocol";
import { groupRequestContext } from "../server/group-coordinator-service.js";
import { defineHandler } from "./api-handler.js";

/** authorizedOperations when the client did not ask for them (Kafka's sentinel). */
const OPERATIONS_NOT_REQUESTED = -2147483648;

/**
 * What may be done to a group without an authorizer: READ (3), DELETE (6) and DESCRIBE (8), the
 * operations Kafka defines on GROUP resources, as a bit field of AclOperation codes.
 */
const GROUP_OPERATIONS = (1 << 3) | (1 << 6) | (1 << 8);

/**
 * DescribeGroups v0–v5. v3 adds authorized operations on request, v4 the members' group
 * instance ids. Unknown groups are described as Dead with no error, as Kafka does before v6.
 */
export const describeGroupsHandler = defineHandler({
  apiKey: ApiKey.DescribeGroups,
  minVersion: 0,
  maxVersion: 5,
  handle(ctx, request) {
    const version = ctx.header.apiVersion;
    const operations =
      version >= 3 && request.includeAuthorizedOperations === true
        ? GROUP_OPERATIONS
        : OPERATIONS_NOT_REQUESTED;
    const described = ctx.broker.groups.describeGroups(
      groupRequestContext(ctx.header, ctx.connection),
      request.groups,
    );
    return {
      throttleTimeMs: 0,
      groups: described.map((g) => ({
        errorCode: ErrorCode[g.errorCode],
        groupId: g.groupId,
        groupState: g.groupState,
        protocolType: g.protocolType,
        protocolData: g.protocolData,
        members: g.members.map((m) => ({
          memberId: m.memberId,
          groupInstanceId: m.groupInstanceId,
          clientId: m.clientId,
          clientHost: m.clientHost,
          memberMetadata: m.memberMetadata,
          memberAssignment: m.memberAssignment,
        })),
        authorizedOperations: operations,
      })),
    };
  },
});
