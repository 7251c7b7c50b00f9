import { ApiKey, ErrorCode, type FindCoordinatorResponseCoordinator } from "@weir/protocol";
import type { CoordinatorLocation } from "../server/group-coordinator-service.js";
import { defineHandler, type RequestContext } from "./api-handler.js";

/** FindCoordinator key types (Kafka's CoordinatorType). */
const GROUP_KEY_TYPE = 0;
const TRANSACTION_KEY_TYPE = 1;
const SHARE_KEY_TYPE = 2;

function noNode(errorCode: number, errorMessage: string): Omit<FindCoordinatorResponseCoordinator, "key"> {
  return { errorCode, errorMessage, nodeId: -1, host: "", port: -1 };
}

function located(location: CoordinatorLocation): Omit<FindCoordinatorResponseCoordinator, "key"> {
  return {
    errorCode: ErrorCode[location.errorCode],
    errorMessage: location.errorMessage,
    nodeId: location.nodeId,
    host: location.host,
    port: location.port,
  };
}

/**
 * Where one key's coordinator is. Group keys are not validated here (an empty group id maps to
 * a partition like any other, as in Kafka; JoinGroup then answers INVALID_GROUP_ID).
 */
async function locate(ctx: RequestContext, keyType: number, key: string) {
  switch (keyType) {
    case GROUP_KEY_TYPE:
      return located(await ctx.broker.groups.findCoordinator(key, ctx.broker.advertised.name));
    case TRANSACTION_KEY_TYPE:
      // No transaction coordinator yet: the retriable answer Kafka gives while it has none.
      return noNode(ErrorCode.COORDINATOR_NOT_AVAILABLE, "Transactions are not supported yet.");
    case SHARE_KEY_TYPE:
      return noNode(ErrorCode.INVALID_REQUEST, "Share groups are not supported.");
    default:
      return noNode(ErrorCode.INVALID_REQUEST, `Unknown coordinator type ${keyType}.`);
  }
}

/** FindCoordinator: v0–v3 ask for one key, v4+ for a batch of keys of one type. */
export const findCoordinatorHandler = defineHandler({
  apiKey: ApiKey.FindCoordinator,
  minVersion: 0,
  maxVersion: 6,
  async handle(ctx, request) {
    const version = ctx.header.apiVersion;
    const keyType = version >= 1 ? (request.keyType ?? GROUP_KEY_TYPE) : GROUP_KEY_TYPE;
    if (version < 4) {
      return { throttleTimeMs: 0, ...(await locate(ctx, keyType, request.key ?? "")) };
    }
    const keys = request.coordinatorKeys ?? [];
    const coordinators = await Promise.all(
      keys.map(async (key) => ({ key, ...(await locate(ctx, keyType, key)) })),
    );
    return { throttleTimeMs: 0, coordinators };
  },
});
