import {
  ApiKey,
  ErrorCode,
  type MetadataResponseBroker,
  type MetadataResponseTopic,
  type Uuid,
  ZERO_UUID,
} from "@weir/protocol";
import type { MetadataImage, TopicImage } from "../metadata/metadata-image.js";
import { isInternalTopic, validateTopicName } from "../metadata/topic-name.js";
import type { BrokerContext } from "../server/broker-context.js";
import { defineHandler } from "./api-handler.js";

/** Authorized-operations fields when the client did not ask for them (Kafka's sentinel). */
export const AUTHORIZED_OPERATIONS_OMITTED = -2147483648;

/** The brokers as clients should reach them: each one's endpoint on this listener. */
export function metadataBrokers(broker: BrokerContext): MetadataResponseBroker[] {
  const listenerName = broker.advertised.name;
  return broker.metadata.image.liveBrokers().map((b) => {
    const endpoint = b.endpoints.find((e) => e.name === listenerName) ?? b.endpoints[0];
    return { nodeId: b.nodeId, host: endpoint?.host ?? "", port: endpoint?.port ?? -1, rack: b.rack };
  });
}

function topicMetadata(topic: TopicImage): MetadataResponseTopic {
  return {
    errorCode: ErrorCode.NONE,
    name: topic.name,
    topicId: topic.id,
    isInternal: isInternalTopic(topic.name),
    partitions: topic.partitions.map((p) => ({
      errorCode: p.leader === -1 ? ErrorCode.LEADER_NOT_AVAILABLE : ErrorCode.NONE,
      partitionIndex: p.partitionId,
      leaderId: p.leader,
      leaderEpoch: p.leaderEpoch,
      replicaNodes: [...p.replicas],
      isrNodes: [...p.isr],
      offlineReplicas: [],
    })),
    topicAuthorizedOperations: AUTHORIZED_OPERATIONS_OMITTED,
  };
}

function missingTopic(name: string | null, topicId: Uuid, errorCode: number): MetadataResponseTopic {
  return { errorCode, name, topicId, isInternal: false, partitions: [] };
}

/**
 * Creates the named topics that do not exist yet (auto.create.topics.enable), waiting until
 * their logs are open so the client's next produce finds them. Returns each name's error code.
 */
export async function autoCreateTopics(broker: BrokerContext, names: string[]): Promise<Map<string, number>> {
  const errors = new Map<string, number>();
  if (names.length === 0) return errors;
  const results = await broker.metadata.submit((image, controller) =>
    controller.autoCreateTopics(image, names),
  );
  for (const r of results) errors.set(r.name, ErrorCode[r.error]);
  await broker.partitions.settled();
  return errors;
}

export const metadataHandler = defineHandler({
  apiKey: ApiKey.Metadata,
  minVersion: 0,
  maxVersion: 12,
  async handle(ctx, request) {
    const { broker } = ctx;
    const version = ctx.header.apiVersion;
    // v0: an empty list means every topic; v1+: null means every topic.
    const allTopics = request.topics === null || (version === 0 && request.topics.length === 0);
    let image: MetadataImage = broker.metadata.image;
    const topics: MetadataResponseTopic[] = [];
    if (allTopics) {
      for (const topic of image.topicsByName.values()) topics.push(topicMetadata(topic));
    } else {
      const allowAutoCreate = version < 4 || request.allowAutoTopicCreation !== false;
      const missing = request
        .topics!.map((t) => t.name)
        .filter((name): name is string => name !== null && image.topic(name) === undefined);
      const created = allowAutoCreate ? await autoCreateTopics(broker, missing) : new Map<string, number>();
      image = broker.metadata.image;
      for (const requested of request.topics!) {
        if (requested.name === null) {
          const id = requested.topicId ?? ZERO_UUID;
          const topic = id === ZERO_UUID ? undefined : image.topicById(id);
          topics.push(topic ? topicMetadata(topic) : missingTopic(null, id, ErrorCode.UNKNOWN_TOPIC_ID));
          continue;
        }
        const topic = image.topic(requested.name);
        if (topic !== undefined) {
          topics.push(topicMetadata(topic));
        } else {
          const invalidName = validateTopicName(requested.name) !== null;
          const error =
            created.get(requested.name) ??
            (invalidName ? ErrorCode.INVALID_TOPIC_EXCEPTION : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
          topics.push(
            missingTopic(
              requested.name,
              ZERO_UUID,
              error === ErrorCode.NONE ? ErrorCode.LEADER_NOT_AVAILABLE : error,
            ),
          );
        }
      }
    }
    return {
      throttleTimeMs: 0,
      brokers: metadataBrokers(broker),
      clusterId: broker.clusterId,
      controllerId: broker.nodeId,
      topics,
      clusterAuthorizedOperations: AUTHORIZED_OPERATIONS_OMITTED,
    };
  },
});
