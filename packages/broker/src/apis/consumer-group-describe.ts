import { ApiKey, ErrorCode } from "@weir/protocol";
import type { DescribedTopicPartitions } from "../coordinator/group/index.js";
import { groupRequestContext } from "../server/group-coordinator-service.js";
import { defineHandler } from "./api-handler.js";

/** authorizedOperations when the client did not ask for them (Kafka's sentinel). */
const OPERATIONS_NOT_REQUESTED = -2147483648;

/**
 * What may be done to a group without an authorizer: READ (3), DELETE (6) and DESCRIBE (8), the
 * operations Kafka defines on GROUP resources, as a bit field of AclOperation codes.
 */
const GROUP_OPERATIONS = (1 << 3) | (1 << 6) | (1 << 8);

function assignment(partitions: readonly DescribedTopicPartitions[]) {
  return {
    topicPartitions: partitions.map((t) => ({
      topicId: t.topicId,
      topicName: t.topicName,
      partitions: [...t.partitions],
    })),
  };
}

/**
 * ConsumerGroupDescribe v0 (KIP-848): consumer groups with their epochs, assignor and members,
 * each member's current and target assignment. A classic group, or no group, answers
 * GROUP_ID_NOT_FOUND (clients then fall back to DescribeGroups).
 */
export const consumerGroupDescribeHandler = defineHandler({
  apiKey: ApiKey.ConsumerGroupDescribe,
  minVersion: 0,
  maxVersion: 0,
  handle(ctx, request) {
    const operations = request.includeAuthorizedOperations ? GROUP_OPERATIONS : OPERATIONS_NOT_REQUESTED;
    const described = ctx.broker.groups.consumerGroupDescribe(
      groupRequestContext(ctx.header, ctx.connection),
      request.groupIds,
    );
    return {
      throttleTimeMs: 0,
      groups: described.map((g) => ({
        errorCode: ErrorCode[g.errorCode],
        errorMessage: g.errorMessage,
        groupId: g.groupId,
        groupState: g.groupState,
        groupEpoch: g.groupEpoch,
        assignmentEpoch: g.assignmentEpoch,
        assignorName: g.assignorName,
        members: g.members.map((m) => ({
          memberId: m.memberId,
          instanceId: m.instanceId,
          rackId: m.rackId,
          memberEpoch: m.memberEpoch,
          clientId: m.clientId,
          clientHost: m.clientHost,
          subscribedTopicNames: [...m.subscribedTopicNames],
          subscribedTopicRegex: m.subscribedTopicRegex,
          assignment: assignment(m.assignment),
          targetAssignment: assignment(m.targetAssignment),
        })),
        authorizedOperations: g.errorCode === "NONE" ? operations : OPERATIONS_NOT_REQUESTED,
      })),
    };
  },
});
