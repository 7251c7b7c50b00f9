import type { Cluster } from "../../cluster/cluster.js";
import { ClassicMembership } from "./classic-membership.js";
import { ConsumerMembership } from "./consumer-membership.js";
import { CoordinatorLink } from "./coordinator-link.js";
import { GroupOffsets, type MemberIdentity } from "./group-offsets.js";
import type { GroupMembership, MembershipHost } from "./membership.js";

/**
 * The consumer as a member of its group (group.id): the way to the group coordinator, the group's
 * committed offsets, and the membership itself — classic (JoinGroup/SyncGroup) or KIP-848, by
 * group.protocol — made on the first subscribe(). A consumer that only assign()s uses the offsets.
 */
export class GroupMember {
  readonly offsets: GroupOffsets;
  readonly #host: MembershipHost;
  readonly #link: CoordinatorLink;
  #membership: GroupMembership | null = null;

  /** `groupCluster`: connections for coordinator traffic only (see Consumer's constructor). */
  constructor(host: Omit<MembershipHost, "offsets">, groupCluster: Cluster, groupId: string) {
    this.#link = new CoordinatorLink(groupCluster, groupId);
    this.offsets = new GroupOffsets(groupCluster, host.config, this.#link);
    this.#host = { ...host, offsets: this.offsets };
  }

  /** The membership, once subscribe() made it. */
  get membership(): GroupMembership | null {
    return this.#membership;
  }

  /** The membership, made on first use; a commit refused as fenced tells it. */
  join(): GroupMembership {
    if (this.#membership === null) {
      const membership =
        this.#host.config.groupProtocol === "consumer"
          ? new ConsumerMembership(this.#host, this.#link)
          : new ClassicMembership(this.#host, this.#link);
      this.#membership = membership;
      this.offsets.onFenced = (code) => {
        membership.fenced(code);
        this.#host.wake();
      };
    }
    return this.#membership;
  }

  /** Who fetches committed offsets: a KIP-848 member names itself (require_stable), others none. */
  fetchIdentity(): MemberIdentity | null {
    return this.#membership instanceof ConsumerMembership ? this.#membership.identity() : null;
  }

  /** unsubscribe(): commits, gives up every partition (the listener hears it) and leaves. */
  async unsubscribe(): Promise<void> {
    const membership = this.#membership;
    if (membership === null) return;
    await this.#host.commitBeforeRebalance();
    const owned = this.#host.subscriptions.assignment();
    if (owned.length > 0) await this.#host.revoke(owned, membership.generationId < 0);
    await membership.leave("the consumer unsubscribed from all topics");
  }

  /**
   * close(): gives up every partition (lost, outside a stable generation) and leaves; a static
   * member (group.instance.id) keeps its partitions for its return.
   */
  async leaveOnClose(): Promise<void> {
    const membership = this.#membership;
    if (membership === null) return;
    const owned = this.#host.subscriptions.assignment();
    if (this.#host.config.groupInstanceId === null && owned.length > 0)
      await this.#host.revoke(owned, !membership.stable);
    await membership.leave("the consumer is being closed");
  }
}
