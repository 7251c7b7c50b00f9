import { ApiKey } from "@weir/protocol";
import { defineHandler } from "./api-handler.js";
import { errorCodeOf } from "./config-resources.js";

/**
 * CreatePartitions v0-3: raises topics' partition counts (validateOnly checks without
 * changing anything). Errors per topic: UNKNOWN_TOPIC_OR_PARTITION, INVALID_PARTITIONS for a
 * count that is not an increase, INVALID_REPLICA_ASSIGNMENT, INVALID_REQUEST for a topic named
 * twice. Answers once the new partitions' logs are open.
 */
export const createPartitionsHandler = defineHandler({
  apiKey: ApiKey.CreatePartitions,
  minVersion: 0,
  maxVersion: 3,
  async handle(ctx, request) {
    const { broker } = ctx;
    const validateOnly = request.validateOnly;
    const results = await broker.metadata.submit((image, controller) =>
      controller.createPartitions(image, {
        topics: request.topics.map((t) => ({
          name: t.name,
          count: t.count,
          assignments: t.assignments === null ? null : t.assignments.map((a) => a.brokerIds),
        })),
        validateOnly,
      }),
    );
    if (!validateOnly && results.some((r) => r.error === "NONE")) await broker.partitions.settled();
    return {
      throttleTimeMs: 0,
      results: results.map((r) => ({
        name: r.name,
        errorCode: errorCodeOf(r.error),
        errorMessage: r.errorMessage,
      })),
    };
  },
});
