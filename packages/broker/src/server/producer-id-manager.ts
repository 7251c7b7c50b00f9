import type { MetadataManager } from "../metadata/metadata-manager.js";

/**
 * Hands out producer ids from blocks the controller allocates (Kafka's ProducerIdManager): the
 * block is recorded in the metadata log before any id from it is used, so an id is never handed
 * out twice, even across restarts.
 */
export class ProducerIdManager {
  #next = 0n;
  #end = 0n;
  #refill: Promise<void> | undefined;

  constructor(
    readonly nodeId: number,
    readonly metadata: MetadataManager,
  ) {}

  async generateProducerId(): Promise<bigint> {
    while (this.#next >= this.#end) {
      this.#refill ??= this.#allocateBlock().finally(() => {
        this.#refill = undefined;
      });
      await this.#refill;
    }
    return this.#next++;
  }

  async #allocateBlock(): Promise<void> {
    const brokerEpoch = this.metadata.image.broker(this.nodeId)?.brokerEpoch ?? -1n;
    const block = await this.metadata.submit((image, controller) =>
      controller.allocateProducerIds(image, { brokerId: this.nodeId, brokerEpoch }),
    );
    if (block.error !== "NONE") {
      throw new Error(`producer id block allocation failed: ${block.error} ${block.errorMessage ?? ""}`);
    }
    this.#next = block.producerIdStart;
    this.#end = block.producerIdStart + BigInt(block.producerIdLen);
  }
}
