import { ApiKey, ZERO_UUID } from "@weir/protocol";
import type { DeleteTopicState } from "../metadata/replication-control.js";
import { defineHandler } from "./api-handler.js";
import { errorCodeOf } from "./config-resources.js";

/**
 * DeleteTopics v0-6: by name (v0-5 `topicNames`, v6 entries with a name) or by topic id (v6).
 * With delete.topic.enable=false every topic answers TOPIC_DELETION_DISABLED, or INVALID_REQUEST
 * to versions below 3, which predate that error, as Kafka does. The response is sent once the
 * deleted partitions' logs are closed and renamed for deletion.
 */
export const deleteTopicsHandler = defineHandler({
  apiKey: ApiKey.DeleteTopics,
  minVersion: 0,
  maxVersion: 6,
  async handle(ctx, request) {
    const { broker } = ctx;
    const version = ctx.header.apiVersion;
    const topics: DeleteTopicState[] =
      version >= 6
        ? (request.topics ?? []).map((t) => ({ name: t.name, topicId: t.topicId }))
        : (request.topicNames ?? []).map((name) => ({ name, topicId: null }));
    const results = await broker.metadata.submit((image, controller) =>
      controller.deleteTopics(image, { topics }),
    );
    if (results.some((r) => r.error === "NONE")) await broker.partitions.settled();
    return {
      throttleTimeMs: 0,
      responses: results.map((r) => {
        const error = r.error === "TOPIC_DELETION_DISABLED" && version < 3 ? "INVALID_REQUEST" : r.error;
        return {
          // Before v6 every entry was given by name, so the name is always known.
          name: version >= 6 ? r.name : (r.name ?? ""),
          topicId: r.topicId ?? ZERO_UUID,
          errorCode: errorCodeOf(error),
          errorMessage: r.errorMessage,
        };
      }),
    };
  },
});
