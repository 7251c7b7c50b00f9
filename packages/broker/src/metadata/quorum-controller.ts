import type { BrokerConfig } from "../config/broker-config.js";
import {
  type BrokerRegistrationRequest,
  type BrokerRegistrationResponse,
  registerBroker,
} from "./cluster-control.js";
import {
  type AlterConfigsRequest,
  type AlterConfigsResourceResult,
  alterConfigs,
  type IncrementalAlterConfigsRequest,
  incrementalAlterConfigs,
} from "./config-control.js";
import type { ControllerResult } from "./controller-result.js";
import type { MetadataImage } from "./metadata-image.js";
import type { MetadataRecord } from "./metadata-records.js";
import { type Clock, type Random, systemClock } from "./ports.js";
import {
  type AllocateProducerIdsRequest,
  type AllocateProducerIdsResponse,
  allocateProducerIds,
} from "./producer-id-control.js";
import {
  type AutoCreateTopicResult,
  autoCreateTopics,
  type ControlContext,
  type CreatePartitionsRequest,
  type CreatePartitionsTopicResult,
  type CreateTopicsRequest,
  type CreateTopicsResponse,
  createPartitions,
  createTopics,
  type DeletableTopicResult,
  type DeleteTopicsRequest,
  deleteTopics,
} from "./replication-control.js";

/** The metadata.version the metadata log is bootstrapped with (Kafka 3.9-IV0). */
export const BOOTSTRAP_METADATA_VERSION = 21;

export interface QuorumControllerOptions {
  readonly config: BrokerConfig;
  /** Source of topic ids and placement choices; seeded in tests and simulation. */
  readonly random: Random;
  readonly clock?: Clock;
}

/**
 * The controller of a single-node KRaft quorum, sans I/O. Every operation takes the current
 * image and returns `{ records, response }`: the records (one atomic batch) that would make the
 * change, and the response to send once they are durable. It never mutates anything; the owner
 * (MetadataManager) appends the records to the metadata log, replays them into the image and
 * only then answers. Operations must therefore run one at a time against the latest image.
 */
export class QuorumController {
  readonly #ctx: ControlContext;
  readonly clock: Clock;

  constructor(options: QuorumControllerOptions) {
    this.#ctx = { config: options.config, random: options.random };
    this.clock = options.clock ?? systemClock;
  }

  get config(): BrokerConfig {
    return this.#ctx.config;
  }

  /** The records a brand-new metadata log starts with. */
  bootstrapRecords(): MetadataRecord[] {
    return [{ type: "FeatureLevel", name: "metadata.version", featureLevel: BOOTSTRAP_METADATA_VERSION }];
  }

  registerBroker(
    image: MetadataImage,
    request: BrokerRegistrationRequest,
  ): ControllerResult<BrokerRegistrationResponse> {
    return registerBroker(image, request);
  }

  createTopics(image: MetadataImage, request: CreateTopicsRequest): ControllerResult<CreateTopicsResponse> {
    return createTopics(this.#ctx, image, request);
  }

  /** Topics used but missing (Metadata / Produce / FindCoordinator): see replication-control. */
  autoCreateTopics(
    image: MetadataImage,
    names: readonly string[],
  ): ControllerResult<readonly AutoCreateTopicResult[]> {
    return autoCreateTopics(this.#ctx, image, names);
  }

  deleteTopics(
    image: MetadataImage,
    request: DeleteTopicsRequest,
  ): ControllerResult<readonly DeletableTopicResult[]> {
    return deleteTopics(this.#ctx, image, request);
  }

  createPartitions(
    image: MetadataImage,
    request: CreatePartitionsRequest,
  ): ControllerResult<readonly CreatePartitionsTopicResult[]> {
    return createPartitions(this.#ctx, image, request);
  }

  alterConfigs(
    image: MetadataImage,
    request: AlterConfigsRequest,
  ): ControllerResult<readonly AlterConfigsResourceResult[]> {
    return alterConfigs(this.#ctx, image, request);
  }

  incrementalAlterConfigs(
    image: MetadataImage,
    request: IncrementalAlterConfigsRequest,
  ): ControllerResult<readonly AlterConfigsResourceResult[]> {
    return incrementalAlterConfigs(this.#ctx, image, request);
  }

  allocateProducerIds(
    image: MetadataImage,
    request: AllocateProducerIdsRequest,
  ): ControllerResult<AllocateProducerIdsResponse> {
    return allocateProducerIds(image, request);
  }
}
