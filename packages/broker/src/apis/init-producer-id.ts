import { ApiKey, ErrorCode } from "@weir/protocol";
import { defineHandler } from "./api-handler.js";

/**
 * InitProducerId for idempotent producers: a fresh producer id at epoch 0 (for a producer
 * without a transactional id Kafka always allocates a new id, even when the client offers its
 * old one, KIP-360). Transactional ids need the transaction coordinator, which Weir does not
 * have yet: they are refused with a non-retriable error rather than left to retry forever.
 */
export const initProducerIdHandler = defineHandler({
  apiKey: ApiKey.InitProducerId,
  minVersion: 0,
  maxVersion: 5,
  async handle(ctx, request) {
    if (request.transactionalId !== null) {
      return {
        throttleTimeMs: 0,
        errorCode: ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED,
        producerId: -1n,
        producerEpoch: -1,
      };
    }
    const producerId = await ctx.broker.producerIds.generateProducerId();
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, producerId, producerEpoch: 0 };
  },
});
