import type { MetadataRecord } from "./metadata-records.js";

/**
 * The Kafka error names the controller answers with: names from Kafka's error table, mapped to
 * numeric codes by the API handlers. Errors are data here, never exceptions.
 */
export type ControllerErrorName =
  | "NONE"
  | "INVALID_REQUEST"
  | "INVALID_TOPIC_EXCEPTION"
  | "TOPIC_ALREADY_EXISTS"
  | "INVALID_PARTITIONS"
  | "INVALID_REPLICATION_FACTOR"
  | "INVALID_REPLICA_ASSIGNMENT"
  | "INVALID_CONFIG"
  | "UNKNOWN_TOPIC_OR_PARTITION"
  | "UNKNOWN_TOPIC_ID"
  | "TOPIC_DELETION_DISABLED"
  | "POLICY_VIOLATION"
  | "STALE_BROKER_EPOCH"
  | "UNKNOWN_SERVER_ERROR";

export interface ApiError {
  readonly error: ControllerErrorName;
  readonly message: string | null;
}

export const NO_ERROR: ApiError = Object.freeze({ error: "NONE", message: null });

export function apiError(error: ControllerErrorName, message: string | null = null): ApiError {
  return { error, message };
}

/**
 * What every controller operation returns: the records to append to the metadata log (all or
 * none: they form one atomic batch) and the response to send once they are durable. The
 * operation itself changes nothing; state changes when the owner appends the records and
 * replays them into the image.
 */
export interface ControllerResult<R> {
  readonly records: readonly MetadataRecord[];
  readonly response: R;
}

/**
 * Most records one user operation may produce (Kafka's MAX_RECORDS_PER_USER_OP); beyond it the
 * whole request fails with POLICY_VIOLATION, as in Kafka.
 */
export const MAX_RECORDS_PER_USER_OP = 10_000;

export const EXCESSIVE_BATCH: ApiError = Object.freeze({
  error: "POLICY_VIOLATION",
  message: "Unable to perform excessively large batch operation.",
});
