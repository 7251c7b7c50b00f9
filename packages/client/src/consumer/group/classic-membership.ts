import { ApiKey, ErrorCode, type JoinGroupResponse } from "@weir/protocol";
import { backoffMs, sleep } from "../../cluster/backoff.js";
import { asKafkaError, brokerError, ClientClosedError, KafkaError } from "../../errors.js";
import { compareTopicPartitions, type TopicPartition, tpKey } from "../consumer-types.js";
import { type PartitionAssignor, type RebalanceProtocol, rebalanceProtocol } from "./assignors.js";
import {
  decodeAssignment,
  encodeAssignment,
  encodeSubscription,
  memberSubscription,
} from "./consumer-protocol.js";
import type { CoordinatorLink } from "./coordinator-link.js";
import { type MemberIdentity, NO_MEMBER } from "./group-offsets.js";
import type { GroupMembership, MembershipHost } from "./membership.js";

type State = "unjoined" | "joining" | "stable";

/** Join and sync errors after which trying again (after a backoff) can help. */
const RETRY_JOIN: ReadonlySet<number> = new Set([
  ErrorCode.COORDINATOR_LOAD_IN_PROGRESS,
  ErrorCode.COORDINATOR_NOT_AVAILABLE,
  ErrorCode.NOT_COORDINATOR,
  ErrorCode.REBALANCE_IN_PROGRESS,
  ErrorCode.UNKNOWN_MEMBER_ID,
  ErrorCode.ILLEGAL_GENERATION,
  ErrorCode.MEMBER_ID_REQUIRED,
  ErrorCode.UNRELEASED_INSTANCE_ID,
  ErrorCode.REQUEST_TIMED_OUT,
]);

class RejoinError extends Error {
  constructor(
    readonly code: number,
    readonly backoff: boolean,
  ) {
    super(`rejoin (${code})`);
  }
}

/**
 * Membership of a classic consumer group: JoinGroup (with the MEMBER_ID_REQUIRED round trip of
 * KIP-394), the leader's client-side assignment, SyncGroup, Heartbeat every
 * heartbeat.interval.ms, LeaveGroup. Rebalances run inside the consumer's poll, as in Kafka's
 * Java client, so rebalance listeners never run while the application handles records; the
 * heartbeat runs on its own timer and only flags that a rejoin is needed.
 *
 * With eager assignors every partition is revoked before joining; with cooperative ones
 * (KIP-429) only partitions that change owner are revoked, after the assignment, followed by
 * another rebalance that hands them to their new owner. Static members (group.instance.id,
 * KIP-345) keep their assignment across restarts within session.timeout.ms and do not leave the
 * group on close.
 */
export class ClassicMembership implements GroupMembership {
  readonly #host: MembershipHost;
  readonly #link: CoordinatorLink;
  readonly #assignors: readonly PartitionAssignor[];
  readonly #protocol: RebalanceProtocol;
  #memberId = "";
  #generationId = -1;
  #state: State = "unjoined";
  #rejoinNeeded = true;
  #prepared = false;
  #joining: Promise<void> | undefined;
  #fatal: KafkaError | undefined;
  #closed = false;
  #heartbeatTimer: NodeJS.Timeout | undefined;
  #heartbeatInFlight = false;
  #lastHeartbeatAck = 0;
  /** Topics this member joined with. */
  #joinedTopics = "";
  /** Leader only: partition counts of the group's topics when it assigned them. */
  #assignmentSnapshot: Map<string, number> | undefined;
  /** Rebalances completed, for tests. */
  rebalances = 0;

  constructor(host: MembershipHost, link: CoordinatorLink) {
    this.#host = host;
    this.#link = link;
    this.#assignors = host.config.partitionAssignmentStrategy;
    this.#protocol = rebalanceProtocol(this.#assignors);
    host.cluster.onMetadata((metadata) => {
      const snapshot = this.#assignmentSnapshot;
      if (snapshot === undefined || this.#state !== "stable") return;
      for (const [topic, count] of snapshot) {
        const now = metadata.topic(topic)?.partitions.length;
        if (now !== undefined && now !== count) {
          this.#requestRejoin(`the partition count of ${topic} changed from ${count} to ${now}`);
          return;
        }
      }
    });
  }

  get memberId(): string {
    return this.#memberId;
  }

  get generationId(): number {
    return this.#generationId;
  }

  get stable(): boolean {
    return this.#state === "stable" && !this.#rejoinNeeded;
  }

  /** The rebalance protocol in use: eager or cooperative. */
  get protocol(): RebalanceProtocol {
    return this.#protocol;
  }

  get needsPoll(): boolean {
    return this.#fatal !== undefined || this.#rejoinNeeded || this.#state !== "stable";
  }

  identity(): MemberIdentity {
    if (this.#generationId < 0) return NO_MEMBER;
    return {
      generationId: this.#generationId,
      memberId: this.#memberId,
      groupInstanceId: this.#host.config.groupInstanceId,
    };
  }

  subscriptionChanged(): void {
    if (this.#topicsKey() !== this.#joinedTopics) this.#requestRejoin("the subscription changed");
  }

  /** Called from every poll: joins when needed. */
  async poll(): Promise<void> {
    if (this.#fatal !== undefined) throw this.#fatal;
    if (this.#closed) throw new ClientClosedError("the consumer is closed");
    if (!this.needsPoll) return;
    this.#joining ??= this.#joinUntilStable().finally(() => {
      this.#joining = undefined;
    });
    await this.#joining;
  }

  fenced(code: number): void {
    if (code !== ErrorCode.UNKNOWN_MEMBER_ID && code !== ErrorCode.ILLEGAL_GENERATION) return;
    this.#resetGeneration(code === ErrorCode.UNKNOWN_MEMBER_ID);
    this.#requestRejoin("a commit found this member fenced");
  }

  async leave(reason: string, force = false): Promise<void> {
    this.#stopHeartbeat();
    const dynamic = this.#host.config.groupInstanceId === null;
    const memberId = this.#memberId;
    if (memberId !== "" && (dynamic || force) && this.#state !== "unjoined") {
      try {
        await this.#link.send(
          ApiKey.LeaveGroup,
          (v) =>
            v >= 3
              ? {
                  groupId: this.#link.groupId,
                  members: [{ memberId, groupInstanceId: this.#host.config.groupInstanceId, reason }],
                }
              : { groupId: this.#link.groupId, memberId },
          Date.now() + this.#host.config.requestTimeoutMs,
        );
      } catch (err) {
        this.#host.cluster.logger.info("LeaveGroup failed", { error: (err as Error).message });
      }
    }
    this.#resetGeneration(true);
    this.#state = "unjoined";
    this.#rejoinNeeded = true;
    this.#assignmentSnapshot = undefined;
  }

  close(): void {
    this.#closed = true;
    this.#stopHeartbeat();
  }

  #topicsKey(): string {
    return [...this.#host.subscriptions.topics].sort().join(",");
  }

  #requestRejoin(reason: string): void {
    if (this.#rejoinNeeded) return;
    this.#host.cluster.logger.info("rejoining the group", { group: this.#link.groupId, reason });
    this.#rejoinNeeded = true;
    this.#host.wake();
  }

  #resetGeneration(resetMemberId: boolean): void {
    this.#generationId = -1;
    if (resetMemberId) this.#memberId = "";
  }

  async #joinUntilStable(): Promise<void> {
    let attempt = 0;
    while (this.needsPoll) {
      if (this.#closed) throw new ClientClosedError("the consumer is closed");
      if (this.#fatal !== undefined) throw this.#fatal;
      try {
        await this.#link.node(Number.POSITIVE_INFINITY);
        if (!this.#prepared) {
          await this.#onJoinPrepare();
          this.#prepared = true;
        }
        this.#state = "joining";
        this.#stopHeartbeat();
        const join = await this.#joinGroup();
        const assignments = join.leader === this.#memberId ? await this.#assign(join) : [];
        const assignment = await this.#syncGroup(join, assignments);
        this.#prepared = false;
        this.#rejoinNeeded = false;
        this.#state = "stable";
        this.rebalances++;
        attempt = 0;
        this.#lastHeartbeatAck = Date.now();
        this.#scheduleHeartbeat();
        await this.#onJoinComplete(assignment);
      } catch (err) {
        if (this.#closed) throw new ClientClosedError("the consumer is closed");
        if (err instanceof RejoinError) {
          if (err.backoff)
            await sleep(
              backoffMs(++attempt, this.#host.config.retryBackoffMs, this.#host.config.retryBackoffMaxMs),
            );
          continue;
        }
        const error = asKafkaError(err, "joining the group");
        if (!error.retriable) {
          this.#state = "unjoined";
          throw error;
        }
        this.#host.cluster.logger.info("joining the group failed, retrying", { error: error.message });
        await sleep(
          backoffMs(++attempt, this.#host.config.retryBackoffMs, this.#host.config.retryBackoffMaxMs),
        );
      }
    }
  }

  /** Before (re)joining: commit, then revoke (eager: everything; cooperative: what left the subscription). */
  async #onJoinPrepare(): Promise<void> {
    const owned = this.#host.subscriptions.assignment();
    if (this.#generationId >= 0) {
      await this.#host.commitBeforeRebalance();
    }
    if (owned.length === 0) return;
    if (this.#generationId < 0) {
      await this.#host.revoke(owned, true);
    } else if (this.#protocol === "eager") {
      await this.#host.revoke(owned, false);
    } else {
      const gone = owned.filter((tp) => !this.#host.subscriptions.isSubscribed(tp.topic));
      if (gone.length > 0) await this.#host.revoke(gone, false);
    }
  }

  async #joinGroup(): Promise<JoinGroupResponse> {
    const config = this.#host.config;
    const topics = [...this.#host.subscriptions.topics].sort();
    const owned = this.#protocol === "cooperative" ? this.#host.subscriptions.assignment() : [];
    const metadata = encodeSubscription({
      topics,
      userData: null,
      ownedPartitions: owned,
      generationId: this.#generationId,
      rackId: config.clientRack === "" ? null : config.clientRack,
    });
    const rebalanceTimeoutMs = config.maxPollIntervalMs;
    for (;;) {
      const { response } = await this.#link.send(
        ApiKey.JoinGroup,
        () => ({
          groupId: this.#link.groupId,
          sessionTimeoutMs: config.sessionTimeoutMs,
          rebalanceTimeoutMs,
          memberId: this.#memberId,
          groupInstanceId: config.groupInstanceId,
          protocolType: "consumer",
          protocols: this.#assignors.map((a) => ({ name: a.name, metadata })),
          reason: null,
        }),
        Number.POSITIVE_INFINITY,
        { min: config.groupInstanceId !== null ? 5 : 0 },
        { timeoutMs: Math.max(config.requestTimeoutMs, rebalanceTimeoutMs + 5_000) },
      );
      const code = response.errorCode;
      if (code === ErrorCode.NONE) {
        this.#memberId = response.memberId;
        this.#generationId = response.generationId;
        this.#joinedTopics = topics.join(",");
        return response;
      }
      if (code === ErrorCode.MEMBER_ID_REQUIRED) {
        // KIP-394: the coordinator named us; join again with that id, at once.
        this.#memberId = response.memberId;
        continue;
      }
      this.#onGroupError(code, "JoinGroup");
    }
  }

  /** Reacts to a join/sync/heartbeat error: rejoin (RejoinError) or fail (KafkaError). */
  #onGroupError(code: number, what: string): never {
    switch (code) {
      case ErrorCode.UNKNOWN_MEMBER_ID:
        this.#resetGeneration(true);
        throw new RejoinError(code, false);
      case ErrorCode.ILLEGAL_GENERATION:
        this.#resetGeneration(false);
        throw new RejoinError(code, false);
      case ErrorCode.REBALANCE_IN_PROGRESS:
        throw new RejoinError(code, false);
      case ErrorCode.COORDINATOR_NOT_AVAILABLE:
      case ErrorCode.NOT_COORDINATOR:
        this.#link.invalidate();
        throw new RejoinError(code, true);
      default:
        if (RETRY_JOIN.has(code)) throw new RejoinError(code, true);
        throw brokerError(code, `${what} for group ${this.#link.groupId}`);
    }
  }

  /** The leader's part: run the chosen assignor over every member's subscription. */
  async #assign(join: JoinGroupResponse): Promise<{ memberId: string; assignment: Buffer }[]> {
    if (join.skipAssignment === true) return []; // a static leader rejoining: the coordinator keeps the assignment
    const assignor = this.#assignors.find((a) => a.name === join.protocolName);
    if (assignor === undefined) {
      throw new KafkaError(
        ErrorCode.INCONSISTENT_GROUP_PROTOCOL,
        `the group chose assignor ${join.protocolName}, which this member does not have`,
        { retriable: false },
      );
    }
    const members = join.members.map((m) =>
      memberSubscription(m.memberId, m.groupInstanceId ?? null, m.metadata),
    );
    const topics = [...new Set(members.flatMap((m) => m.topics))].sort();
    const cluster = this.#host.cluster;
    for (const t of topics) cluster.addInterest(t);
    const metadata = await cluster.loadMetadata(
      this.#host.config.defaultApiTimeoutMs,
      "loading metadata for the assignment",
    );
    const partitionsPerTopic = new Map<string, number>();
    for (const t of topics) {
      const info = metadata.topic(t);
      if (info !== undefined) partitionsPerTopic.set(t, info.partitions.length);
    }
    const result = assignor.assign(partitionsPerTopic, members);
    // Topics not in the cluster yet count as 0 partitions, so their creation triggers a rebalance.
    this.#assignmentSnapshot = new Map(topics.map((t) => [t, partitionsPerTopic.get(t) ?? 0]));
    this.#host.cluster.logger.info("assigned partitions as group leader", {
      group: this.#link.groupId,
      generation: join.generationId,
      assignor: assignor.name,
      members: members.length,
    });
    return members.map((m) => ({
      memberId: m.memberId,
      assignment: encodeAssignment({ partitions: result.get(m.memberId) ?? [], userData: null }),
    }));
  }

  async #syncGroup(
    join: JoinGroupResponse,
    assignments: { memberId: string; assignment: Buffer }[],
  ): Promise<TopicPartition[]> {
    const config = this.#host.config;
    const { response } = await this.#link.send(
      ApiKey.SyncGroup,
      () => ({
        groupId: this.#link.groupId,
        generationId: this.#generationId,
        memberId: this.#memberId,
        groupInstanceId: config.groupInstanceId,
        protocolType: "consumer",
        protocolName: join.protocolName,
        assignments,
      }),
      Number.POSITIVE_INFINITY,
      {},
      { timeoutMs: Math.max(config.requestTimeoutMs, config.maxPollIntervalMs + 5_000) },
    );
    if (response.errorCode !== ErrorCode.NONE) this.#onGroupError(response.errorCode, "SyncGroup");
    if (join.leader !== this.#memberId) this.#assignmentSnapshot = undefined;
    return [...decodeAssignment(response.assignment).partitions].sort(compareTopicPartitions);
  }

  async #onJoinComplete(assigned: TopicPartition[]): Promise<void> {
    const subscriptions = this.#host.subscriptions;
    const owned = new Set(subscriptions.assignment().map((tp) => tpKey(tp.topic, tp.partition)));
    const assignedKeys = new Set(assigned.map((tp) => tpKey(tp.topic, tp.partition)));
    const added = assigned.filter((tp) => !owned.has(tpKey(tp.topic, tp.partition)));
    this.#host.cluster.logger.info("joined the group", {
      group: this.#link.groupId,
      generation: this.#generationId,
      memberId: this.#memberId,
      partitions: assigned.length,
    });
    if (this.#protocol === "cooperative") {
      const revoked = subscriptions
        .assignment()
        .filter((tp) => !assignedKeys.has(tpKey(tp.topic, tp.partition)));
      if (revoked.length > 0) {
        await this.#host.revoke(revoked, false);
        this.#requestRejoin("partitions were revoked for another member");
      }
    }
    await this.#host.assign(assigned, added);
    // Topics that joined the subscription while we were joining need another round.
    if (this.#topicsKey() !== this.#joinedTopics)
      this.#requestRejoin("the subscription changed while joining");
  }

  #scheduleHeartbeat(): void {
    if (this.#closed || this.#heartbeatTimer !== undefined) return;
    this.#heartbeatTimer = setTimeout(() => {
      this.#heartbeatTimer = undefined;
      void this.#heartbeat();
    }, this.#host.config.heartbeatIntervalMs);
    this.#heartbeatTimer.unref();
  }

  #stopHeartbeat(): void {
    clearTimeout(this.#heartbeatTimer);
    this.#heartbeatTimer = undefined;
  }

  async #heartbeat(): Promise<void> {
    if (this.#closed || this.#state !== "stable" || this.#heartbeatInFlight) return;
    const config = this.#host.config;
    const now = Date.now();
    if (now - this.#host.lastPollAt() > config.maxPollIntervalMs) {
      // The application stopped polling: leave so the group can move on (Kafka's poll timeout).
      this.#host.cluster.logger.warn(
        "no poll within max.poll.interval.ms; leaving the group (process records faster, lower max.poll.records or raise max.poll.interval.ms)",
        { group: this.#link.groupId, maxPollIntervalMs: config.maxPollIntervalMs },
      );
      await this.leave("consumer poll timeout expired", false);
      this.#host.wake();
      return;
    }
    this.#heartbeatInFlight = true;
    const generationId = this.#generationId;
    try {
      const { response } = await this.#link.send(
        ApiKey.Heartbeat,
        () => ({
          groupId: this.#link.groupId,
          generationId,
          memberId: this.#memberId,
          groupInstanceId: config.groupInstanceId,
        }),
        Date.now() + config.requestTimeoutMs,
      );
      if (this.#generationId !== generationId || this.#state !== "stable") return;
      const code = response.errorCode;
      if (code === ErrorCode.NONE) {
        this.#lastHeartbeatAck = Date.now();
      } else if (code === ErrorCode.REBALANCE_IN_PROGRESS) {
        this.#lastHeartbeatAck = Date.now();
        this.#requestRejoin("the group is rebalancing");
      } else if (code === ErrorCode.ILLEGAL_GENERATION || code === ErrorCode.UNKNOWN_MEMBER_ID) {
        this.#host.cluster.logger.warn("heartbeat: no longer a member of the generation", {
          group: this.#link.groupId,
          error: code,
        });
        this.#resetGeneration(code === ErrorCode.UNKNOWN_MEMBER_ID);
        this.#requestRejoin("fenced by the coordinator");
      } else if (code === ErrorCode.COORDINATOR_NOT_AVAILABLE || code === ErrorCode.NOT_COORDINATOR) {
        this.#link.invalidate();
      } else if (code === ErrorCode.FENCED_INSTANCE_ID || code === ErrorCode.GROUP_AUTHORIZATION_FAILED) {
        this.#fatal = brokerError(code, `Heartbeat for group ${this.#link.groupId}`);
        this.#host.wake();
      }
    } catch (err) {
      this.#host.cluster.logger.debug("heartbeat failed", { error: (err as Error).message });
    } finally {
      this.#heartbeatInFlight = false;
    }
    if (this.#state === "stable" && Date.now() - this.#lastHeartbeatAck > config.sessionTimeoutMs) {
      this.#host.cluster.logger.warn(
        "no heartbeat answered within session.timeout.ms; looking for the coordinator again",
        {
          group: this.#link.groupId,
        },
      );
      this.#link.invalidate();
    }
    if (this.#state === "stable") this.#scheduleHeartbeat();
  }
}
