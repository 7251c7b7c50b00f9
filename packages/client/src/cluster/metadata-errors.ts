import { ErrorCode } from "@weir/protocol";

/**
 * Partition errors after which the cached metadata is stale (a leader moved or is missing, a
 * topic or leader epoch is unknown, a log directory failed), from Kafka's InvalidMetadataException
 * family: requests to a partition's leader (Produce, Fetch) refresh metadata before retrying.
 */
const STALE_LEADER: readonly number[] = [
  ErrorCode.NOT_LEADER_OR_FOLLOWER,
  ErrorCode.LEADER_NOT_AVAILABLE,
  ErrorCode.FENCED_LEADER_EPOCH,
  ErrorCode.UNKNOWN_LEADER_EPOCH,
  ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
  ErrorCode.UNKNOWN_TOPIC_ID,
  ErrorCode.KAFKA_STORAGE_ERROR,
];

/** The stale-leader errors and the codes a request adds to them. */
export function staleMetadataErrors(...more: number[]): ReadonlySet<number> {
  return new Set([...STALE_LEADER, ...more]);
}
