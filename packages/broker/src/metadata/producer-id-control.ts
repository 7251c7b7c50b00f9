import { checkBrokerEpoch } from "./cluster-control.js";
import type { ControllerErrorName, ControllerResult } from "./controller-result.js";
import type { MetadataImage } from "./metadata-image.js";

/**
 * Producer-id blocks (Kafka's ProducerIdControlManager): a broker asks for a block of 1000 ids
 * and hands them to InitProducerId callers; the metadata log remembers where the next block
 * starts, so ids are never reused across restarts.
 */

export const PRODUCER_ID_BLOCK_SIZE = 1000;

const LONG_MAX = 2n ** 63n - 1n;

export interface AllocateProducerIdsRequest {
  readonly brokerId: number;
  readonly brokerEpoch: bigint;
}

export interface AllocateProducerIdsResponse {
  readonly error: ControllerErrorName;
  readonly errorMessage: string | null;
  /** First id of the block; -1 on error. */
  readonly producerIdStart: bigint;
  /** Ids in the block; 0 on error. */
  readonly producerIdLen: number;
}

export function allocateProducerIds(
  image: MetadataImage,
  request: AllocateProducerIdsRequest,
): ControllerResult<AllocateProducerIdsResponse> {
  const failed = (error: ControllerErrorName, errorMessage: string) => ({
    records: [],
    response: { error, errorMessage, producerIdStart: -1n, producerIdLen: 0 },
  });
  const stale = checkBrokerEpoch(image, request.brokerId, request.brokerEpoch);
  if (stale !== null) return failed(stale.error, stale.message ?? "");
  const start = image.producerIds.nextProducerId;
  if (start > LONG_MAX - BigInt(PRODUCER_ID_BLOCK_SIZE)) {
    return failed(
      "UNKNOWN_SERVER_ERROR",
      "Exhausted all producerIds as the next block's end producerId has exceeded the int64 type limit",
    );
  }
  return {
    records: [
      {
        type: "ProducerIds",
        brokerId: request.brokerId,
        brokerEpoch: request.brokerEpoch,
        nextProducerId: start + BigInt(PRODUCER_ID_BLOCK_SIZE),
      },
    ],
    response: {
      error: "NONE",
      errorMessage: null,
      producerIdStart: start,
      producerIdLen: PRODUCER_ID_BLOCK_SIZE,
    },
  };
}
