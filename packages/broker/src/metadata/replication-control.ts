import { type Uuid, ZERO_UUID } from "@weir/protocol";
import type { BrokerConfig } from "../config/broker-config.js";
import { validateTopicConfigs } from "../config/config-validation.js";
import { type EffectiveConfigEntry, resolveTopicConfigs } from "../config/effective-config.js";
import { brokerConfigLayers } from "./config-layers.js";
import {
  type ApiError,
  apiError,
  type ControllerErrorName,
  type ControllerResult,
  EXCESSIVE_BATCH,
  MAX_RECORDS_PER_USER_OP,
} from "./controller-result.js";
import type { MetadataImage } from "./metadata-image.js";
import type { MetadataRecord } from "./metadata-records.js";
import type { Random } from "./ports.js";
import { randomUuid } from "./random-uuid.js";
import { initialIsr, placeReplicas, validateManualAssignment } from "./replica-placement.js";
import {
  CLUSTER_METADATA_TOPIC_NAME,
  findCollision,
  GROUP_METADATA_TOPIC_NAME,
  TRANSACTION_STATE_TOPIC_NAME,
  validateTopicName,
} from "./topic-name.js";

/**
 * Topic and partition lifecycle (Kafka's ReplicationControlManager): CreateTopics, automatic
 * creation, CreatePartitions and DeleteTopics. Each function reads an image and returns the
 * records that would make the change plus the per-topic response; nothing is mutated.
 */

export interface ControlContext {
  readonly config: BrokerConfig;
  readonly random: Random;
}

export interface CreatableReplicaAssignment {
  readonly partitionIndex: number;
  readonly brokerIds: readonly number[];
}

export interface CreatableTopicConfig {
  readonly name: string;
  readonly value: string | null;
}

export interface CreatableTopic {
  readonly name: string;
  /** -1 for the broker's num.partitions. */
  readonly numPartitions: number;
  /** -1 for the broker's default.replication.factor. */
  readonly replicationFactor: number;
  /** Manual assignment; when given, numPartitions and replicationFactor must be -1. */
  readonly assignments?: readonly CreatableReplicaAssignment[];
  readonly configs?: readonly CreatableTopicConfig[];
}

export interface CreateTopicsRequest {
  readonly topics: readonly CreatableTopic[];
  readonly validateOnly?: boolean;
}

export interface CreatableTopicResult {
  readonly name: string;
  /** The new topic's id; the zero UUID on error. */
  readonly topicId: Uuid;
  readonly error: ControllerErrorName;
  readonly errorMessage: string | null;
  /** -1 on error. */
  readonly numPartitions: number;
  /** -1 on error. */
  readonly replicationFactor: number;
  /** The topic's effective configs (CreateTopics v5+); empty on error. */
  readonly configs: readonly EffectiveConfigEntry[];
}

export interface CreateTopicsResponse {
  readonly topics: readonly CreatableTopicResult[];
}

function failedTopic(name: string, error: ApiError): CreatableTopicResult {
  return {
    name,
    topicId: ZERO_UUID,
    error: error.error,
    errorMessage: error.message,
    numPartitions: -1,
    replicationFactor: -1,
    configs: [],
  };
}

type Plan =
  | { ok: true; records: MetadataRecord[]; result: CreatableTopicResult }
  | { ok: false; error: ApiError };

/** Builds the records of one new topic, or says why it cannot be created. */
function planTopic(
  ctx: ControlContext,
  image: MetadataImage,
  topic: CreatableTopic,
  namesInRequest: readonly string[],
  recordBudget: number,
): Plan {
  const { name } = topic;
  const fail = (error: ControllerErrorName, message: string): Plan => ({
    ok: false,
    error: apiError(error, message),
  });
  if (name === CLUSTER_METADATA_TOPIC_NAME) {
    return fail(
      "INVALID_REQUEST",
      `Creation of internal topic ${CLUSTER_METADATA_TOPIC_NAME} is prohibited.`,
    );
  }
  const invalidName = validateTopicName(name);
  if (invalidName !== null) return fail("INVALID_TOPIC_EXCEPTION", invalidName);
  if (image.topic(name) !== undefined) return fail("TOPIC_ALREADY_EXISTS", `Topic '${name}' already exists.`);
  const collision = findCollision(name, [...image.topicsByName.keys(), ...namesInRequest]);
  if (collision !== undefined) {
    return fail("INVALID_TOPIC_EXCEPTION", `Topic '${name}' collides with existing topic: ${collision}`);
  }

  const requested = new Map<string, string | null>();
  for (const c of topic.configs ?? []) requested.set(c.name, c.value);
  const brokerLayers = brokerConfigLayers(image, ctx.config);
  const configCheck = validateTopicConfigs(requested, brokerLayers);
  if (!configCheck.ok) return fail(configCheck.error, configCheck.message);
  const overrides = new Map(
    [...requested].map(([k, v]) => [k, v!] as const).sort(([a], [b]) => (a < b ? -1 : 1)),
  );

  let assignments: number[][];
  const manual = topic.assignments ?? [];
  if (manual.length > 0) {
    if (topic.replicationFactor !== -1) {
      return fail(
        "INVALID_REQUEST",
        "A manual partition assignment was specified, but replication factor was not set to -1.",
      );
    }
    if (topic.numPartitions !== -1) {
      return fail(
        "INVALID_REQUEST",
        "A manual partition assignment was specified, but numPartitions was not set to -1.",
      );
    }
    if (manual.length + overrides.size + 1 > recordBudget) return { ok: false, error: EXCESSIVE_BATCH };
    const byIndex = new Map<number, number[]>();
    let rf: number | undefined;
    for (const a of manual) {
      if (byIndex.has(a.partitionIndex)) {
        return fail(
          "INVALID_REPLICA_ASSIGNMENT",
          `Found multiple manual partition assignments for partition ${a.partitionIndex}`,
        );
      }
      const problem = validateManualAssignment(image, a.brokerIds, rf);
      if (problem !== null) return { ok: false, error: problem };
      rf = a.brokerIds.length;
      if (initialIsr(image, a.brokerIds).length === 0) {
        return fail(
          "INVALID_REPLICA_ASSIGNMENT",
          `All brokers specified in the manual partition assignment for partition ${a.partitionIndex} are fenced or in controlled shutdown.`,
        );
      }
      byIndex.set(a.partitionIndex, [...a.brokerIds]);
    }
    assignments = [];
    for (let i = 0; i < byIndex.size; i++) {
      const replicas = byIndex.get(i);
      if (replicas === undefined) {
        return fail(
          "INVALID_REPLICA_ASSIGNMENT",
          "partitions should be a consecutive 0-based integer sequence",
        );
      }
      assignments.push(replicas);
    }
  } else {
    if (topic.replicationFactor < -1 || topic.replicationFactor === 0) {
      return fail(
        "INVALID_REPLICATION_FACTOR",
        "Replication factor must be larger than 0, or -1 to use the default value.",
      );
    }
    if (topic.numPartitions < -1 || topic.numPartitions === 0) {
      return fail("INVALID_PARTITIONS", "Number of partitions was set to an invalid non-positive value.");
    }
    const numPartitions = topic.numPartitions === -1 ? ctx.config.get("num.partitions") : topic.numPartitions;
    const rf =
      topic.replicationFactor === -1 ? ctx.config.get("default.replication.factor") : topic.replicationFactor;
    if (numPartitions + overrides.size + 1 > recordBudget) return { ok: false, error: EXCESSIVE_BATCH };
    const placed = placeReplicas(image, numPartitions, rf, ctx.random);
    if (!placed.ok) return { ok: false, error: placed.error };
    assignments = placed.assignments;
  }

  let topicId = randomUuid(ctx.random);
  while (image.topicById(topicId) !== undefined) topicId = randomUuid(ctx.random);
  const records: MetadataRecord[] = [{ type: "Topic", name, topicId }];
  for (const [key, value] of overrides) {
    records.push({ type: "Config", resourceType: "topic", resourceName: name, name: key, value });
  }
  assignments.forEach((replicas, partitionId) => {
    const isr = initialIsr(image, replicas);
    records.push({
      type: "Partition",
      topicId,
      partitionId,
      replicas,
      isr,
      leader: isr[0] ?? -1,
      leaderEpoch: 0,
      partitionEpoch: 0,
    });
  });
  return {
    ok: true,
    records,
    result: {
      name,
      topicId,
      error: "NONE",
      errorMessage: null,
      numPartitions: assignments.length,
      replicationFactor: assignments[0]?.length ?? -1,
      configs: resolveTopicConfigs({ ...brokerLayers, topicOverrides: overrides }),
    },
  };
}

/**
 * CreateTopics. Per topic, in Kafka's order of checks: duplicate in the request
 * (INVALID_REQUEST), reserved name, invalid name (INVALID_TOPIC_EXCEPTION), existing topic
 * (TOPIC_ALREADY_EXISTS), '.'/'_' collision with an existing topic or one earlier in the request
 * (INVALID_TOPIC_EXCEPTION), configs (INVALID_CONFIG), assignment / replication factor /
 * partition count. With validateOnly the response is the same but no records are returned.
 */
export function createTopics(
  ctx: ControlContext,
  image: MetadataImage,
  request: CreateTopicsRequest,
): ControllerResult<CreateTopicsResponse> {
  const counts = new Map<string, number>();
  for (const t of request.topics) counts.set(t.name, (counts.get(t.name) ?? 0) + 1);
  const results: CreatableTopicResult[] = [];
  const records: MetadataRecord[] = [];
  const created: string[] = [];
  const answered = new Set<string>();
  for (const topic of request.topics) {
    if (answered.has(topic.name)) continue;
    answered.add(topic.name);
    if (counts.get(topic.name)! > 1) {
      results.push(failedTopic(topic.name, apiError("INVALID_REQUEST", "Duplicate topic name.")));
      continue;
    }
    const plan = planTopic(ctx, image, topic, created, MAX_RECORDS_PER_USER_OP - records.length);
    if (!plan.ok) {
      if (plan.error === EXCESSIVE_BATCH) return excessive(request.topics);
      results.push(failedTopic(topic.name, plan.error));
      continue;
    }
    records.push(...plan.records);
    created.push(topic.name);
    results.push(plan.result);
  }
  return { records: request.validateOnly ? [] : records, response: { topics: results } };
}

function excessive(topics: readonly CreatableTopic[]): ControllerResult<CreateTopicsResponse> {
  const names = [...new Set(topics.map((t) => t.name))];
  return { records: [], response: { topics: names.map((n) => failedTopic(n, EXCESSIVE_BATCH)) } };
}

/** How the broker creates one of its internal topics. */
export interface InternalTopicSpec {
  readonly numPartitions: number;
  readonly replicationFactor: number;
  readonly configs: readonly CreatableTopicConfig[];
}

/** Partitions, replication and configs of __consumer_offsets / __transaction_state, as Kafka. */
export function internalTopicSpec(config: BrokerConfig, name: string): InternalTopicSpec | undefined {
  if (name === GROUP_METADATA_TOPIC_NAME) {
    return {
      numPartitions: config.get("offsets.topic.num.partitions"),
      replicationFactor: config.get("offsets.topic.replication.factor"),
      configs: [
        { name: "cleanup.policy", value: "compact" },
        { name: "compression.type", value: "producer" },
        { name: "segment.bytes", value: String(config.get("offsets.topic.segment.bytes")) },
      ],
    };
  }
  if (name === TRANSACTION_STATE_TOPIC_NAME) {
    return {
      numPartitions: config.get("transaction.state.log.num.partitions"),
      replicationFactor: config.get("transaction.state.log.replication.factor"),
      configs: [
        { name: "cleanup.policy", value: "compact" },
        { name: "compression.type", value: "uncompressed" },
        { name: "min.insync.replicas", value: String(config.get("transaction.state.log.min.isr")) },
        { name: "segment.bytes", value: String(config.get("transaction.state.log.segment.bytes")) },
        { name: "unclean.leader.election.enable", value: "false" },
      ],
    };
  }
  return undefined;
}

export interface AutoCreateTopicResult {
  readonly name: string;
  readonly error: ControllerErrorName;
  readonly errorMessage: string | null;
  /** The topic's id (existing or new); the zero UUID on error. */
  readonly topicId: Uuid;
  /** True when this call creates the topic. */
  readonly created: boolean;
}

/**
 * Creates topics a client used without creating them (Metadata with allow_auto_topic_creation,
 * Produce, FindCoordinator for the internal topics). Existing topics answer NONE unchanged.
 * Regular topics are created with the broker defaults only when auto.create.topics.enable; when
 * it is off they answer UNKNOWN_TOPIC_OR_PARTITION. The internal topics are always created on
 * demand with their own settings. Names are validated exactly as CreateTopics does.
 */
export function autoCreateTopics(
  ctx: ControlContext,
  image: MetadataImage,
  names: readonly string[],
): ControllerResult<readonly AutoCreateTopicResult[]> {
  const results: AutoCreateTopicResult[] = [];
  const records: MetadataRecord[] = [];
  const created: string[] = [];
  const fail = (name: string, error: ApiError): AutoCreateTopicResult => ({
    name,
    error: error.error,
    errorMessage: error.message,
    topicId: ZERO_UUID,
    created: false,
  });
  for (const name of new Set(names)) {
    const existing = image.topic(name);
    if (existing !== undefined) {
      results.push({ name, error: "NONE", errorMessage: null, topicId: existing.id, created: false });
      continue;
    }
    const internal = internalTopicSpec(ctx.config, name);
    if (internal === undefined && !ctx.config.get("auto.create.topics.enable")) {
      results.push(fail(name, apiError("UNKNOWN_TOPIC_OR_PARTITION", null)));
      continue;
    }
    const topic: CreatableTopic =
      internal === undefined ? { name, numPartitions: -1, replicationFactor: -1 } : { name, ...internal };
    const plan = planTopic(ctx, image, topic, created, MAX_RECORDS_PER_USER_OP - records.length);
    if (!plan.ok) {
      if (plan.error === EXCESSIVE_BATCH) {
        return { records: [], response: [...new Set(names)].map((n) => fail(n, EXCESSIVE_BATCH)) };
      }
      results.push(fail(name, plan.error));
      continue;
    }
    records.push(...plan.records);
    created.push(name);
    results.push({ name, error: "NONE", errorMessage: null, topicId: plan.result.topicId, created: true });
  }
  return { records, response: results };
}

export interface CreatePartitionsTopic {
  readonly name: string;
  /** The new total number of partitions. */
  readonly count: number;
  /** Replicas of each new partition, or null to let the controller place them. */
  readonly assignments: readonly (readonly number[])[] | null;
}

export interface CreatePartitionsRequest {
  readonly topics: readonly CreatePartitionsTopic[];
  readonly validateOnly?: boolean;
}

export interface CreatePartitionsTopicResult {
  readonly name: string;
  readonly error: ControllerErrorName;
  readonly errorMessage: string | null;
}

/**
 * CreatePartitions: only increases. UNKNOWN_TOPIC_OR_PARTITION for a missing topic,
 * INVALID_PARTITIONS for a count that is not an increase, INVALID_REPLICA_ASSIGNMENT for bad
 * manual assignments. New partitions keep the topic's replication factor.
 */
export function createPartitions(
  ctx: ControlContext,
  image: MetadataImage,
  request: CreatePartitionsRequest,
): ControllerResult<readonly CreatePartitionsTopicResult[]> {
  const counts = new Map<string, number>();
  for (const t of request.topics) counts.set(t.name, (counts.get(t.name) ?? 0) + 1);
  const results: CreatePartitionsTopicResult[] = [];
  const records: MetadataRecord[] = [];
  const answered = new Set<string>();
  const result = (name: string, error: ApiError | null): CreatePartitionsTopicResult => ({
    name,
    error: error?.error ?? "NONE",
    errorMessage: error?.message ?? null,
  });
  for (const t of request.topics) {
    if (answered.has(t.name)) continue;
    answered.add(t.name);
    if (counts.get(t.name)! > 1) {
      results.push(result(t.name, apiError("INVALID_REQUEST", "Duplicate topic name.")));
      continue;
    }
    const planned = planPartitions(ctx, image, t, MAX_RECORDS_PER_USER_OP - records.length);
    if (!planned.ok) {
      if (planned.error === EXCESSIVE_BATCH) {
        const names = [...new Set(request.topics.map((x) => x.name))];
        return { records: [], response: names.map((n) => result(n, EXCESSIVE_BATCH)) };
      }
      results.push(result(t.name, planned.error));
      continue;
    }
    records.push(...planned.records);
    results.push(result(t.name, null));
  }
  return { records: request.validateOnly ? [] : records, response: results };
}

function planPartitions(
  ctx: ControlContext,
  image: MetadataImage,
  t: CreatePartitionsTopic,
  recordBudget: number,
): { ok: true; records: MetadataRecord[] } | { ok: false; error: ApiError } {
  const fail = (error: ControllerErrorName, message: string | null) => ({
    ok: false as const,
    error: apiError(error, message),
  });
  const topic = image.topic(t.name);
  if (topic === undefined) return fail("UNKNOWN_TOPIC_OR_PARTITION", null);
  const current = topic.partitions.length;
  if (t.count === current) return fail("INVALID_PARTITIONS", `Topic already has ${current} partition(s).`);
  if (t.count < current) {
    return fail(
      "INVALID_PARTITIONS",
      `The topic ${t.name} currently has ${current} partition(s); ${t.count} would not be an increase.`,
    );
  }
  const additional = t.count - current;
  if (t.assignments !== null && t.assignments.length !== additional) {
    return fail(
      "INVALID_REPLICA_ASSIGNMENT",
      `Attempted to add ${additional} additional partition(s), but only ${t.assignments.length} assignment(s) were specified.`,
    );
  }
  if (additional > recordBudget) return { ok: false, error: EXCESSIVE_BATCH };
  const rf = topic.partitions[0]?.replicas.length ?? 1;
  let assignments: number[][];
  if (t.assignments !== null) {
    assignments = [];
    for (let i = 0; i < t.assignments.length; i++) {
      const replicas = t.assignments[i]!;
      const problem = validateManualAssignment(image, replicas, rf);
      if (problem !== null) return { ok: false, error: problem };
      if (initialIsr(image, replicas).length === 0) {
        return fail(
          "INVALID_REPLICA_ASSIGNMENT",
          `All brokers specified in the manual partition assignment for partition ${current + i} are fenced or in controlled shutdown.`,
        );
      }
      assignments.push([...replicas]);
    }
  } else {
    const placed = placeReplicas(image, additional, rf, ctx.random);
    if (!placed.ok) return placed;
    assignments = placed.assignments;
  }
  const records: MetadataRecord[] = assignments.map((replicas, i) => {
    const isr = initialIsr(image, replicas);
    return {
      type: "Partition",
      topicId: topic.id,
      partitionId: current + i,
      replicas,
      isr,
      leader: isr[0] ?? -1,
      leaderEpoch: 0,
      partitionEpoch: 0,
    };
  });
  return { ok: true, records };
}

export interface DeleteTopicState {
  /** The topic's name, or null to delete by id. */
  readonly name?: string | null;
  /** The topic's id, or null / the zero UUID to delete by name. */
  readonly topicId?: Uuid | null;
}

export interface DeleteTopicsRequest {
  readonly topics: readonly DeleteTopicState[];
}

export interface DeletableTopicResult {
  readonly name: string | null;
  readonly topicId: Uuid;
  readonly error: ControllerErrorName;
  readonly errorMessage: string | null;
}

/**
 * DeleteTopics by name or by id (v6+), with Kafka's answers: TOPIC_DELETION_DISABLED when
 * delete.topic.enable is false (the handler answers INVALID_REQUEST to versions below 3, as
 * Kafka), INVALID_REQUEST for entries with both or neither of name and id and for duplicates,
 * UNKNOWN_TOPIC_OR_PARTITION / UNKNOWN_TOPIC_ID for missing topics.
 *
 * Like Kafka, internal topics (__consumer_offsets, __transaction_state) may be deleted: the
 * Kafka controller does not refuse it (only the kafka-topics tool does, client-side); the
 * coordinators recreate them on demand.
 */
export function deleteTopics(
  ctx: ControlContext,
  image: MetadataImage,
  request: DeleteTopicsRequest,
): ControllerResult<readonly DeletableTopicResult[]> {
  const result = (name: string | null, topicId: Uuid, error: ApiError | null): DeletableTopicResult => ({
    name,
    topicId,
    error: error?.error ?? "NONE",
    errorMessage: error?.message ?? null,
  });
  const entries = request.topics.map((t) => ({
    name: t.name ?? null,
    id: t.topicId === undefined || t.topicId === null || t.topicId === ZERO_UUID ? null : t.topicId,
  }));
  if (!ctx.config.get("delete.topic.enable")) {
    const disabled = apiError("TOPIC_DELETION_DISABLED", "Topic deletion is disabled.");
    return { records: [], response: entries.map((e) => result(e.name, e.id ?? ZERO_UUID, disabled)) };
  }
  const nameCounts = new Map<string, number>();
  const idCounts = new Map<Uuid, number>();
  for (const e of entries) {
    if (e.name !== null && e.id === null) nameCounts.set(e.name, (nameCounts.get(e.name) ?? 0) + 1);
    if (e.name === null && e.id !== null) idCounts.set(e.id, (idCounts.get(e.id) ?? 0) + 1);
  }
  // Topic ids a by-name entry resolves to, to catch the same topic given both ways.
  const idsByName = new Map<Uuid, number>();
  for (const e of entries) {
    if (e.name !== null && e.id === null) {
      const id = image.topic(e.name)?.id;
      if (id !== undefined) idsByName.set(id, (idsByName.get(id) ?? 0) + 1);
    }
  }
  const responses: DeletableTopicResult[] = [];
  const records: MetadataRecord[] = [];
  const answeredNames = new Set<string>();
  const answeredIds = new Set<Uuid>();
  for (const e of entries) {
    if (e.name === null && e.id === null) {
      responses.push(
        result(null, ZERO_UUID, apiError("INVALID_REQUEST", "Neither topic name nor id were specified.")),
      );
    } else if (e.name !== null && e.id !== null) {
      responses.push(
        result(
          e.name,
          e.id,
          apiError("INVALID_REQUEST", "You may not specify both topic name and topic id."),
        ),
      );
    } else if (e.name !== null) {
      if (answeredNames.has(e.name)) continue;
      answeredNames.add(e.name);
      const topic = image.topic(e.name);
      if (nameCounts.get(e.name)! > 1) {
        responses.push(result(e.name, ZERO_UUID, apiError("INVALID_REQUEST", "Duplicate topic name.")));
      } else if (topic === undefined) {
        responses.push(
          result(
            e.name,
            ZERO_UUID,
            apiError("UNKNOWN_TOPIC_OR_PARTITION", "This server does not host this topic-partition."),
          ),
        );
      } else if (idCounts.has(topic.id)) {
        responses.push(
          result(
            e.name,
            topic.id,
            apiError("INVALID_REQUEST", "The provided topic name maps to an ID that was already supplied."),
          ),
        );
      } else {
        records.push({ type: "RemoveTopic", topicId: topic.id });
        responses.push(result(e.name, topic.id, null));
      }
    } else {
      const id = e.id!;
      if (answeredIds.has(id)) continue;
      answeredIds.add(id);
      const topic = image.topicById(id);
      if (idCounts.get(id)! > 1) {
        responses.push(result(null, id, apiError("INVALID_REQUEST", "Duplicate topic id.")));
      } else if (topic === undefined) {
        responses.push(
          result(null, id, apiError("UNKNOWN_TOPIC_ID", "This server does not host this topic ID.")),
        );
      } else if (idsByName.has(id)) {
        responses.push(
          result(
            topic.name,
            id,
            apiError("INVALID_REQUEST", "The provided topic name maps to an ID that was already supplied."),
          ),
        );
      } else {
        records.push({ type: "RemoveTopic", topicId: id });
        responses.push(result(topic.name, id, null));
      }
    }
  }
  return { records, response: responses };
}
