import { ApiKey, ErrorCode } from "@weir/protocol";
import type { Cluster } from "../cluster/cluster.js";
import { withRetries } from "../cluster/retry.js";
import type { ProducerConfig } from "../config/options-table.js";
import { brokerError, ClientClosedError } from "../errors.js";

/**
 * The producer id and epoch of an idempotent producer (KIP-98): obtained with InitProducerId
 * from any broker, and bumped (KIP-360) when a partition's sequence can no longer be trusted, so
 * every partition starts again at sequence 0 without losing the id.
 */
export class ProducerIdentity {
  producerId = -1;
  producerEpoch = -1;
  /** A partition's sequence can no longer be trusted: the sender bumps the epoch before going on. */
  bumpNeeded = false;
  #cluster: Cluster;
  #config: ProducerConfig;

  constructor(cluster: Cluster, config: ProducerConfig) {
    this.#cluster = cluster;
    this.#config = config;
  }

  get known(): boolean {
    return this.producerId >= 0;
  }

  /** Gets a producer id, or a new epoch of the current one when `bump` is set. */
  async init(bump: boolean, deadline: number): Promise<void> {
    const current = { producerId: this.producerId, producerEpoch: this.producerEpoch };
    const result = await withRetries(
      async () => {
        const { version, response } = await this.#cluster.send("any", ApiKey.InitProducerId, (v) => ({
          transactionalId: null,
          transactionTimeoutMs: this.#config.transactionTimeoutMs,
          // v3+ bumps the epoch of a known id; older brokers hand out a new id instead.
          producerId: bump && v >= 3 ? BigInt(current.producerId) : -1n,
          producerEpoch: bump && v >= 3 ? current.producerEpoch : -1,
        }));
        if (response.errorCode !== ErrorCode.NONE) {
          throw brokerError(response.errorCode, `InitProducerId (v${version})`);
        }
        return { producerId: Number(response.producerId), producerEpoch: response.producerEpoch };
      },
      {
        deadline,
        backoffMs: this.#config.retryBackoffMs,
        backoffMaxMs: this.#config.retryBackoffMaxMs,
        what: "InitProducerId",
        aborted: () => (this.#cluster.closed ? new ClientClosedError("the producer is closed") : undefined),
      },
    );
    this.producerId = result.producerId;
    this.producerEpoch = result.producerEpoch;
  }
}
