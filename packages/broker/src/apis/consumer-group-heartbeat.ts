import { ApiKey, ErrorCode } from "@weir/protocol";
import { groupRequestContext } from "../server/group-coordinator-service.js";
import { defineHandler } from "./api-handler.js";

/**
 * ConsumerGroupHeartbeat v0–v1 (KIP-848): a consumer group member joins (epoch 0), heartbeats
 * with its epoch and owned partitions, or leaves (-1; -2 for a static member that will be
 * back), and gets its epoch and assignment back. v1 adds the subscription regex and requires the
 * member to bring its own member id (KIP-1082).
 */
export const consumerGroupHeartbeatHandler = defineHandler({
  apiKey: ApiKey.ConsumerGroupHeartbeat,
  minVersion: 0,
  maxVersion: 1,
  async handle(ctx, request) {
    const version = ctx.header.apiVersion;
    const response = await ctx.broker.groups.consumerGroupHeartbeat(
      groupRequestContext(ctx.header, ctx.connection),
      {
        groupId: request.groupId,
        memberId: request.memberId,
        memberEpoch: request.memberEpoch,
        instanceId: request.instanceId,
        rackId: request.rackId,
        rebalanceTimeoutMs: request.rebalanceTimeoutMs,
        subscribedTopicNames: request.subscribedTopicNames,
        subscribedTopicRegex: version >= 1 ? (request.subscribedTopicRegex ?? null) : null,
        serverAssignor: request.serverAssignor,
        topicPartitions: request.topicPartitions,
      },
    );
    return {
      throttleTimeMs: 0,
      errorCode: ErrorCode[response.errorCode],
      errorMessage: response.errorMessage,
      memberId: response.memberId,
      memberEpoch: response.memberEpoch,
      heartbeatIntervalMs: response.heartbeatIntervalMs,
      assignment:
        response.assignment === null
          ? null
          : {
              topicPartitions: response.assignment.map((t) => ({
                topicId: t.topicId,
                partitions: [...t.partitions],
              })),
            },
    };
  },
});
