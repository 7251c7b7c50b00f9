import { ApiKey, type DescribeClusterResponseDescribeClusterBroker, ErrorCode } from "@weir/protocol";
import type { BrokerContext } from "../server/broker-context.js";
import { defineHandler } from "./api-handler.js";

/** Kafka's EndpointType ids. */
const EndpointType = { UNKNOWN: 0, BROKER: 1, CONTROLLER: 2 } as const;

/** The authorized-operations field when the client did not ask for it (Kafka's sentinel). */
const AUTHORIZED_OPERATIONS_OMITTED = -2147483648;

/**
 * Operations on the CLUSTER resource, as a bit field of AclOperation codes: Weir has no
 * authorizer, so a client may perform every operation Kafka defines for the cluster (CREATE 5,
 * ALTER 7, DESCRIBE 8, CLUSTER_ACTION 9, DESCRIBE_CONFIGS 10, ALTER_CONFIGS 11,
 * IDEMPOTENT_WRITE 12).
 */
export const CLUSTER_AUTHORIZED_OPERATIONS = [5, 7, 8, 9, 10, 11, 12].reduce(
  (bits, op) => bits | (1 << op),
  0,
);

/** The live brokers, each at its endpoint on the listener clients use. */
function clusterBrokers(broker: BrokerContext): DescribeClusterResponseDescribeClusterBroker[] {
  const listenerName = broker.advertised.name;
  return broker.metadata.image.liveBrokers().map((b) => {
    const endpoint = b.endpoints.find((e) => e.name === listenerName) ?? b.endpoints[0];
    return { brokerId: b.nodeId, host: endpoint?.host ?? "", port: endpoint?.port ?? -1, rack: b.rack };
  });
}

/**
 * DescribeCluster v0-1: the cluster id, the controller (this node: it is the whole quorum) and
 * the live brokers. Clients talk to the broker listener, so an endpoint type other than brokers
 * is refused: MISMATCHED_ENDPOINT_TYPE for controllers, UNSUPPORTED_ENDPOINT_TYPE for unknown
 * types (INVALID_REQUEST for both at v0, as Kafka).
 */
export const describeClusterHandler = defineHandler({
  apiKey: ApiKey.DescribeCluster,
  minVersion: 0,
  maxVersion: 1,
  handle(ctx, request) {
    const { broker } = ctx;
    const version = ctx.header.apiVersion;
    const endpointType = request.endpointType ?? EndpointType.BROKER;
    const refuse = (errorCode: number, errorMessage: string) => ({
      throttleTimeMs: 0,
      errorCode: version === 0 ? ErrorCode.INVALID_REQUEST : errorCode,
      errorMessage,
      endpointType,
      clusterId: broker.clusterId,
      controllerId: -1,
      brokers: [],
      clusterAuthorizedOperations: AUTHORIZED_OPERATIONS_OMITTED,
    });
    if (endpointType !== EndpointType.BROKER && endpointType !== EndpointType.CONTROLLER) {
      return refuse(ErrorCode.UNSUPPORTED_ENDPOINT_TYPE, `Unsupported endpoint type ${endpointType}`);
    }
    if (endpointType !== EndpointType.BROKER) {
      return refuse(
        ErrorCode.MISMATCHED_ENDPOINT_TYPE,
        "The request was sent to an endpoint of type BROKER, but we wanted an endpoint of type CONTROLLER",
      );
    }
    return {
      throttleTimeMs: 0,
      errorCode: ErrorCode.NONE,
      errorMessage: null,
      endpointType,
      clusterId: broker.clusterId,
      controllerId: broker.nodeId,
      brokers: clusterBrokers(broker),
      clusterAuthorizedOperations: request.includeClusterAuthorizedOperations
        ? CLUSTER_AUTHORIZED_OPERATIONS
        : AUTHORIZED_OPERATIONS_OMITTED,
    };
  },
});
