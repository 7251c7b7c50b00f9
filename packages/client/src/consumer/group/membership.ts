import type { Cluster } from "../../cluster/cluster.js";
import type { ConsumerConfig } from "../../config/options-table.js";
import type { TopicPartition } from "../consumer-types.js";
import type { SubscriptionState } from "../subscription-state.js";
import type { GroupOffsets, MemberIdentity } from "./group-offsets.js";

/**
 * What a group membership needs from its consumer: the subscription, and the two steps of a
 * rebalance that touch the application (they run the rebalance listener).
 */
export interface MembershipHost {
  readonly cluster: Cluster;
  readonly config: ConsumerConfig;
  readonly subscriptions: SubscriptionState;
  readonly offsets: GroupOffsets;
  /** Something happened that the next poll has to act on. */
  wake(): void;
  /** When the application last polled (took records), for max.poll.interval.ms. */
  lastPollAt(): number;
  /** Commits every consumed position before partitions move (enable.auto.commit); logs failures. */
  commitBeforeRebalance(): Promise<void>;
  /**
   * Takes partitions away (they stop being fetched) and tells the listener: onPartitionsRevoked,
   * or onPartitionsLost when `lost`.
   */
  revoke(partitions: readonly TopicPartition[], lost: boolean): Promise<void>;
  /**
   * Makes `assigned` the assignment (partitions kept keep their positions; new ones start from
   * their committed offsets) and tells the listener about `added`.
   */
  assign(assigned: readonly TopicPartition[], added: readonly TopicPartition[]): Promise<void>;
}

/** The common face of the classic group protocol and the consumer group protocol (KIP-848). */
export interface GroupMembership {
  /** Whether the next poll has group work to do (join, rejoin, reconcile, report a fatal error). */
  readonly needsPoll: boolean;
  /** Joins or rejoins as needed and runs the rebalance steps; throws fatal group errors. */
  poll(): Promise<void>;
  /** Who commits: the current generation, or NO_MEMBER while between generations. */
  identity(): MemberIdentity;
  /** Whether the member is in a stable generation (auto commit waits for one). */
  readonly stable: boolean;
  /** The subscription changed (subscribe() again, or a pattern matched new topics). */
  subscriptionChanged(): void;
  /** A commit was refused because this member is no longer part of its generation. */
  fenced(code: number): void;
  /** Leaves the group (unsubscribe, close). Static members stay unless `force`. */
  leave(reason: string, force?: boolean): Promise<void>;
  /** Stops joining and heartbeating (leave() still works). */
  close(): void;
  readonly generationId: number;
  readonly memberId: string;
}
