import { randomBytes } from "node:crypto";
import { ApiKey, type ConsumerGroupHeartbeatResponse, ErrorCode } from "@weir/protocol";
import { backoffMs } from "../../cluster/backoff.js";
import { brokerError, ClientClosedError, type KafkaError } from "../../errors.js";
import { compareTopicPartitions, type TopicPartition, tpKey } from "../consumer-types.js";
import type { CoordinatorLink } from "./coordinator-link.js";
import { type MemberIdentity, NO_MEMBER } from "./group-offsets.js";
import type { GroupMembership, MembershipHost } from "./membership.js";

type State = "unjoined" | "joining" | "stable" | "fenced";

/** Epochs with a meaning in ConsumerGroupHeartbeat: join, leave, leave for now (static member). */
const JOIN_EPOCH = 0;
const LEAVE_EPOCH = -1;
const STATIC_LEAVE_EPOCH = -2;

/** Heartbeat errors worth retrying after a backoff. */
const RETRIABLE: ReadonlySet<number> = new Set([
  ErrorCode.COORDINATOR_LOAD_IN_PROGRESS,
  ErrorCode.COORDINATOR_NOT_AVAILABLE,
  ErrorCode.NOT_COORDINATOR,
  ErrorCode.UNRELEASED_INSTANCE_ID,
  ErrorCode.REQUEST_TIMED_OUT,
]);

/** A random member id, as KIP-1082 asks clients to make (22 base64url characters, like a Kafka Uuid). */
function newMemberId(): string {
  return randomBytes(16).toString("base64url");
}

/**
 * Membership of a consumer group under the consumer group protocol (KIP-848, group.protocol=
 * consumer): the coordinator computes every member's assignment; the member heartbeats
 * (ConsumerGroupHeartbeat) with its subscription and the partitions it owns, and reconciles when
 * a new target assignment arrives: it commits and revokes what it must give up, takes what was
 * added, and reports the result in its next heartbeat. There are no group-wide rebalances: one
 * member's change does not stop the others. Reconciliation, and so the rebalance listener, runs
 * inside the consumer's poll.
 */
export class ConsumerMembership implements GroupMembership {
  readonly #host: MembershipHost;
  readonly #link: CoordinatorLink;
  #memberId = "";
  #epoch = JOIN_EPOCH;
  #state: State = "unjoined";
  #intervalMs: number;
  #timer: NodeJS.Timeout | undefined;
  #inFlight = false;
  #failures = 0;
  /** A new target assignment (topic id → partitions) waiting to be reconciled by the next poll. */
  #target: ConsumerGroupHeartbeatResponse["assignment"] = null;
  #reconciling = false;
  /** A reconciliation finished while a heartbeat was in flight: report it right after. */
  #ackPending = false;
  #fatal: KafkaError | undefined;
  #closed = false;
  /** Assignments reconciled, for tests. */
  rebalances = 0;

  constructor(host: MembershipHost, link: CoordinatorLink) {
    this.#host = host;
    this.#link = link;
    this.#intervalMs = host.config.heartbeatIntervalMs;
  }

  get memberId(): string {
    return this.#memberId;
  }

  /** The member epoch (the consumer protocol's generation). */
  get generationId(): number {
    return this.#state === "stable" || this.#state === "joining" ? this.#epoch : -1;
  }

  get stable(): boolean {
    return this.#state === "stable" && this.#target === null && !this.#reconciling;
  }

  get needsPoll(): boolean {
    return (
      this.#fatal !== undefined ||
      this.#state === "unjoined" ||
      this.#state === "fenced" ||
      this.#target !== null
    );
  }

  identity(): MemberIdentity {
    if (this.#epoch <= 0 || this.#memberId === "") return NO_MEMBER;
    return {
      generationId: this.#epoch,
      memberId: this.#memberId,
      groupInstanceId: this.#host.config.groupInstanceId,
    };
  }

  subscriptionChanged(): void {
    if (this.#state === "stable" || this.#state === "joining") this.#heartbeatSoon(0);
  }

  async poll(): Promise<void> {
    if (this.#fatal !== undefined) throw this.#fatal;
    if (this.#closed) throw new ClientClosedError("the consumer is closed");
    if (this.#state === "fenced") {
      // Fenced (or timed out): the partitions may belong to others already.
      const owned = this.#host.subscriptions.assignment();
      if (owned.length > 0) await this.#host.revoke(owned, true);
      this.#epoch = JOIN_EPOCH;
      this.#state = "unjoined";
    }
    if (this.#state === "unjoined") {
      if (this.#host.subscriptions.topics.size === 0 && this.#host.subscriptions.mode !== "pattern") return;
      this.#state = "joining";
      this.#epoch = JOIN_EPOCH;
      this.#heartbeatSoon(0);
    }
    if (this.#target !== null && !this.#reconciling) await this.#reconcile();
  }

  fenced(code: number): void {
    if (code !== ErrorCode.UNKNOWN_MEMBER_ID && code !== ErrorCode.FENCED_MEMBER_EPOCH) return;
    if (this.#state !== "stable" && this.#state !== "joining") return;
    this.#state = "fenced";
    this.#target = null;
    this.#host.wake();
  }

  async leave(reason: string, force = false): Promise<void> {
    this.#stopTimer();
    const joined = this.#state !== "unjoined" && this.#memberId !== "";
    const isStatic = this.#host.config.groupInstanceId !== null;
    if (joined) {
      const epoch = isStatic && !force ? STATIC_LEAVE_EPOCH : LEAVE_EPOCH;
      try {
        await this.#link.send(
          ApiKey.ConsumerGroupHeartbeat,
          () => this.#request(epoch, []),
          Date.now() + this.#host.config.requestTimeoutMs,
        );
      } catch (err) {
        this.#host.cluster.logger.info("leaving the consumer group failed", {
          reason,
          error: (err as Error).message,
        });
      }
    }
    this.#state = "unjoined";
    this.#epoch = JOIN_EPOCH;
    this.#target = null;
  }

  close(): void {
    this.#closed = true;
    this.#stopTimer();
  }

  #stopTimer(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #heartbeatSoon(delayMs: number): void {
    if (this.#closed) return;
    this.#stopTimer();
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this.#heartbeat();
    }, delayMs);
    this.#timer.unref();
  }

  #request(epoch: number, owned: readonly TopicPartition[]) {
    const config = this.#host.config;
    const metadata = this.#host.cluster.metadata;
    const byTopic = new Map<string, number[]>();
    for (const tp of owned) byTopic.set(tp.topic, [...(byTopic.get(tp.topic) ?? []), tp.partition]);
    const topicPartitions = [];
    for (const [topic, partitions] of byTopic) {
      const topicId = metadata.topic(topic)?.topicId;
      if (topicId !== undefined)
        topicPartitions.push({ topicId, partitions: partitions.sort((a, b) => a - b) });
    }
    return {
      groupId: this.#link.groupId,
      memberId: this.#memberId,
      memberEpoch: epoch,
      instanceId: config.groupInstanceId,
      rackId: config.clientRack === "" ? null : config.clientRack,
      rebalanceTimeoutMs: config.maxPollIntervalMs,
      subscribedTopicNames: [...this.#host.subscriptions.topics].sort(),
      subscribedTopicRegex: null,
      serverAssignor: config.groupRemoteAssignor,
      topicPartitions,
    };
  }

  async #heartbeat(): Promise<void> {
    if (this.#closed || this.#inFlight || (this.#state !== "joining" && this.#state !== "stable")) return;
    const config = this.#host.config;
    if (this.#state === "stable" && Date.now() - this.#host.lastPollAt() > config.maxPollIntervalMs) {
      this.#host.cluster.logger.warn("no poll within max.poll.interval.ms; leaving the group", {
        group: this.#link.groupId,
      });
      await this.leave("consumer poll timeout expired", true);
      this.#state = "fenced";
      this.#host.wake();
      return;
    }
    this.#inFlight = true;
    const epoch = this.#epoch;
    let next = this.#intervalMs;
    try {
      if (this.#memberId === "") {
        const connection = await this.#host.cluster.connection(
          await this.#link.node(Date.now() + config.defaultApiTimeoutMs),
        );
        // v1 wants the member to name itself (KIP-1082); v0 gets its id from the coordinator.
        if (connection.version(ApiKey.ConsumerGroupHeartbeat) >= 1) this.#memberId = newMemberId();
      }
      const owned = this.#host.subscriptions.assignment();
      const { response } = await this.#link.send(
        ApiKey.ConsumerGroupHeartbeat,
        () => this.#request(epoch, owned),
        Date.now() + config.requestTimeoutMs,
      );
      if (this.#closed || this.#epoch !== epoch || (this.#state !== "joining" && this.#state !== "stable"))
        return;
      next = this.#onResponse(response);
    } catch (err) {
      this.#failures++;
      next = backoffMs(this.#failures, config.retryBackoffMs, config.retryBackoffMaxMs);
      this.#host.cluster.logger.debug("consumer group heartbeat failed", { error: (err as Error).message });
      if ((err as KafkaError).retriable === false && !(err instanceof ClientClosedError)) {
        this.#fatal = err as KafkaError;
        this.#host.wake();
        return;
      }
    } finally {
      this.#inFlight = false;
    }
    if (this.#ackPending) {
      this.#ackPending = false;
      next = 0;
    }
    if (this.#state === "joining" || this.#state === "stable") this.#heartbeatSoon(next);
  }

  /** Takes in a heartbeat response; returns the delay before the next heartbeat. */
  #onResponse(response: ConsumerGroupHeartbeatResponse): number {
    const code = response.errorCode;
    const config = this.#host.config;
    if (code === ErrorCode.NONE) {
      this.#failures = 0;
      if (response.memberId !== null && response.memberId !== "") this.#memberId = response.memberId;
      this.#epoch = response.memberEpoch;
      if (response.heartbeatIntervalMs > 0) this.#intervalMs = response.heartbeatIntervalMs;
      this.#state = "stable";
      if (response.assignment !== null) {
        this.#target = response.assignment;
        this.#host.wake();
      }
      return this.#intervalMs;
    }
    if (code === ErrorCode.UNKNOWN_MEMBER_ID || code === ErrorCode.FENCED_MEMBER_EPOCH) {
      this.#host.cluster.logger.warn("fenced by the group coordinator; rejoining", {
        group: this.#link.groupId,
        error: code,
      });
      this.#state = "fenced";
      this.#target = null;
      this.#host.wake();
      return this.#intervalMs;
    }
    if (RETRIABLE.has(code)) {
      if (code === ErrorCode.NOT_COORDINATOR || code === ErrorCode.COORDINATOR_NOT_AVAILABLE)
        this.#link.invalidate();
      this.#failures++;
      return backoffMs(this.#failures, config.retryBackoffMs, config.retryBackoffMaxMs);
    }
    this.#fatal = brokerError(code, `ConsumerGroupHeartbeat for group ${this.#link.groupId}`, {
      message: response.errorMessage,
    });
    this.#host.wake();
    return this.#intervalMs;
  }

  /** Moves from the owned partitions to the target: revoke first (after a commit), then assign, then tell the coordinator. */
  async #reconcile(): Promise<void> {
    const target = this.#target;
    if (target === null) return;
    const metadata = this.#host.cluster.metadata;
    const names = new Map<string, string>();
    for (const t of metadata.topics.values()) names.set(t.topicId, t.name);
    const unknown = target.topicPartitions.filter((t) => !names.has(t.topicId));
    if (unknown.length > 0) {
      // Topic ids we cannot name yet: fresh metadata first, then try again.
      this.#host.cluster.refreshMetadata().then(
        () => this.#host.wake(),
        () => setTimeout(() => this.#host.wake(), this.#host.config.retryBackoffMs).unref(),
      );
      return;
    }
    this.#target = null;
    this.#reconciling = true;
    try {
      const assigned = target.topicPartitions
        .flatMap((t) => t.partitions.map((partition) => ({ topic: names.get(t.topicId)!, partition })))
        .sort(compareTopicPartitions);
      const keys = new Set(assigned.map((tp) => tpKey(tp.topic, tp.partition)));
      const owned = this.#host.subscriptions.assignment();
      const ownedKeys = new Set(owned.map((tp) => tpKey(tp.topic, tp.partition)));
      const revoked = owned.filter((tp) => !keys.has(tpKey(tp.topic, tp.partition)));
      const added = assigned.filter((tp) => !ownedKeys.has(tpKey(tp.topic, tp.partition)));
      if (revoked.length > 0) {
        await this.#host.commitBeforeRebalance();
        await this.#host.revoke(revoked, false);
      }
      if (added.length > 0 || revoked.length > 0) await this.#host.assign(assigned, added);
      this.rebalances++;
      this.#host.cluster.logger.info("reconciled the assignment", {
        group: this.#link.groupId,
        epoch: this.#epoch,
        partitions: assigned.length,
      });
    } finally {
      this.#reconciling = false;
    }
    // Tell the coordinator what we own now.
    if (this.#inFlight) this.#ackPending = true;
    else if (this.#state === "stable") this.#heartbeatSoon(0);
  }
}
