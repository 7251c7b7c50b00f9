import type { Uuid } from "@weir/protocol";
import type { Endpoint } from "../config/listeners.js";
import {
  type ApiError,
  apiError,
  type ControllerErrorName,
  type ControllerResult,
} from "./controller-result.js";
import type { MetadataImage } from "./metadata-image.js";

/**
 * Broker registration (Kafka's ClusterControlManager), reduced to what a node needs: a broker
 * registers at startup with a fresh incarnation id; its broker epoch is the metadata offset of
 * its registration record. A single node registers itself unfenced.
 */

export interface BrokerRegistrationRequest {
  readonly nodeId: number;
  readonly incarnationId: Uuid;
  /** The advertised listeners. */
  readonly endpoints: readonly Endpoint[];
  readonly rack: string | null;
}

export interface BrokerRegistrationResponse {
  readonly error: ControllerErrorName;
  readonly errorMessage: string | null;
  readonly brokerEpoch: bigint;
}

export function registerBroker(
  image: MetadataImage,
  request: BrokerRegistrationRequest,
): ControllerResult<BrokerRegistrationResponse> {
  if (request.nodeId < 0) {
    return {
      records: [],
      response: { error: "INVALID_REQUEST", errorMessage: "Invalid negative node id.", brokerEpoch: -1n },
    };
  }
  const existing = image.broker(request.nodeId);
  if (existing !== undefined && existing.incarnationId === request.incarnationId) {
    // The same process registering again (a retry): nothing changes.
    return {
      records: [],
      response: { error: "NONE", errorMessage: null, brokerEpoch: existing.brokerEpoch },
    };
  }
  const brokerEpoch = BigInt(image.offset + 1);
  return {
    records: [
      {
        type: "RegisterBroker",
        nodeId: request.nodeId,
        incarnationId: request.incarnationId,
        brokerEpoch,
        endpoints: request.endpoints,
        rack: request.rack,
        fenced: false,
      },
    ],
    response: { error: "NONE", errorMessage: null, brokerEpoch },
  };
}

/** Kafka's checkBrokerEpoch: STALE_BROKER_EPOCH unless the broker is registered with this epoch. */
export function checkBrokerEpoch(
  image: MetadataImage,
  brokerId: number,
  brokerEpoch: bigint,
): ApiError | null {
  const registration = image.broker(brokerId);
  if (registration === undefined) {
    return apiError("STALE_BROKER_EPOCH", `No broker registration found for broker ${brokerId}`);
  }
  if (registration.brokerEpoch !== brokerEpoch) {
    return apiError(
      "STALE_BROKER_EPOCH",
      `Expected broker epoch ${registration.brokerEpoch}, but got broker epoch ${brokerEpoch}`,
    );
  }
  return null;
}
