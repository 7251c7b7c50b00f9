import { ApiKey, type CreateTopicsResponseCreatableTopicResult } from "@weir/protocol";
import type { CreatableTopicResult } from "../metadata/replication-control.js";
import { defineHandler } from "./api-handler.js";
import { errorCodeOf } from "./config-resources.js";

function topicResult(t: CreatableTopicResult): CreateTopicsResponseCreatableTopicResult {
  const ok = t.error === "NONE";
  return {
    name: t.name,
    topicId: t.topicId,
    errorCode: errorCodeOf(t.error),
    errorMessage: t.errorMessage,
    topicConfigErrorCode: 0,
    numPartitions: t.numPartitions,
    replicationFactor: t.replicationFactor,
    configs: ok
      ? t.configs.map((c) => ({
          name: c.name,
          value: c.value,
          readOnly: c.readOnly,
          configSource: c.sourceId,
          isSensitive: c.isSensitive,
        }))
      : [],
  };
}

/**
 * CreateTopics v0-7. The controller validates and creates every topic of the request (with
 * validateOnly it answers the same but writes nothing); the handler then waits until the new
 * partitions' logs are open, so a produce right after the response finds them. Like Kafka in
 * KRaft mode, numPartitions / replicationFactor -1 (the broker defaults) are accepted at every
 * version, and a timeout of 0 still creates.
 */
export const createTopicsHandler = defineHandler({
  apiKey: ApiKey.CreateTopics,
  minVersion: 0,
  maxVersion: 7,
  async handle(ctx, request) {
    const { broker } = ctx;
    const validateOnly = ctx.header.apiVersion >= 1 && request.validateOnly === true;
    const response = await broker.metadata.submit((image, controller) =>
      controller.createTopics(image, {
        topics: request.topics.map((t) => ({
          name: t.name,
          numPartitions: t.numPartitions,
          replicationFactor: t.replicationFactor,
          assignments: t.assignments,
          configs: t.configs,
        })),
        validateOnly,
      }),
    );
    if (!validateOnly && response.topics.some((t) => t.error === "NONE")) await broker.partitions.settled();
    return { throttleTimeMs: 0, topics: response.topics.map(topicResult) };
  },
});
