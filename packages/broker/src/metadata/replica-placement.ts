import { type ApiError, apiError } from "./controller-result.js";
import type { MetadataImage } from "./metadata-image.js";
import type { Random } from "./ports.js";

/**
 * Chooses replicas for new partitions among the live (unfenced) brokers: partition p of a
 * placement starting at a random broker gets `rf` consecutive brokers in node-id order, so
 * leaders and replicas spread evenly. (Kafka's StripedReplicaPlacer is also rack-aware; Weir
 * is not yet.) On a single node every partition is `[nodeId]`.
 */
export function placeReplicas(
  image: MetadataImage,
  numPartitions: number,
  replicationFactor: number,
  random: Random,
): { ok: true; assignments: number[][] } | { ok: false; error: ApiError } {
  const fail = (message: string) => ({
    ok: false as const,
    error: apiError(
      "INVALID_REPLICATION_FACTOR",
      `Unable to replicate the partition ${replicationFactor} time(s): ${message}`,
    ),
  });
  if (replicationFactor <= 0) {
    return fail(`Invalid replication factor ${replicationFactor}: the replication factor must be positive.`);
  }
  const live = image.liveBrokers().map((b) => b.nodeId);
  if (live.length === 0) return fail("All brokers are currently fenced.");
  if (replicationFactor > live.length) {
    return fail(
      `The target replication factor of ${replicationFactor} cannot be reached because only ${live.length} broker(s) are registered.`,
    );
  }
  const start = random.nextInt(live.length);
  const assignments: number[][] = [];
  for (let p = 0; p < numPartitions; p++) {
    const replicas: number[] = [];
    for (let r = 0; r < replicationFactor; r++) replicas.push(live[(start + p + r) % live.length]!);
    assignments.push(replicas);
  }
  return { ok: true, assignments };
}

/**
 * Checks one manually assigned replica list the way Kafka does: non-empty, only registered
 * brokers, no broker twice, and (when known) the same size as the other partitions'.
 */
export function validateManualAssignment(
  image: MetadataImage,
  replicas: readonly number[],
  replicationFactor: number | undefined,
): ApiError | null {
  if (replicas.length === 0) {
    return apiError(
      "INVALID_REPLICA_ASSIGNMENT",
      "The manual partition assignment includes an empty replica list.",
    );
  }
  const sorted = [...replicas].sort((a, b) => a - b);
  for (let i = 0; i < sorted.length; i++) {
    const id = sorted[i]!;
    if (image.broker(id) === undefined) {
      return apiError(
        "INVALID_REPLICA_ASSIGNMENT",
        `The manual partition assignment includes broker ${id}, but no such broker is registered.`,
      );
    }
    if (i > 0 && sorted[i - 1] === id) {
      return apiError(
        "INVALID_REPLICA_ASSIGNMENT",
        `The manual partition assignment includes the broker ${id} more than once.`,
      );
    }
  }
  if (replicationFactor !== undefined && replicas.length !== replicationFactor) {
    return apiError(
      "INVALID_REPLICA_ASSIGNMENT",
      `The manual partition assignment includes a partition with ${replicas.length} replica(s), but this is not consistent with previous partitions, which have ${replicationFactor} replica(s).`,
    );
  }
  return null;
}

/** The ISR of a new partition: its replicas that are live. */
export function initialIsr(image: MetadataImage, replicas: readonly number[]): number[] {
  return replicas.filter((id) => {
    const b = image.broker(id);
    return b !== undefined && !b.fenced;
  });
}
