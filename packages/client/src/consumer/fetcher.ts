import {
  ApiKey,
  ErrorCode,
  type FetchRequest,
  type FetchResponse,
  type FetchResponsePartitionData,
  ZERO_UUID,
} from "@weir/protocol";
import { backoffMs } from "../cluster/backoff.js";
import type { Cluster } from "../cluster/cluster.js";
import { DeadlineTimer } from "../cluster/deadline-timer.js";
import { staleMetadataErrors } from "../cluster/metadata-errors.js";
import { NodeBackoff } from "../cluster/node-backoff.js";
import type { ConsumerConfig } from "../config/options-table.js";
import { brokerError, ClientClosedError, KafkaError } from "../errors.js";
import { type AbortedTransaction, CompletedFetch } from "./completed-fetch.js";
import type { ConsumerRecord } from "./consumer-types.js";
import { type FetchPartition, type FetchRequestPlan, FetchSession } from "./fetch-session.js";
import type { PartitionState, SubscriptionState } from "./subscription-state.js";

/** Responses buffered per partition before it stops being fetched: one being handed out, one ahead. */
const MAX_BUFFERED_FETCHES = 2;

/** Partition errors after which fresh metadata (a new leader) is needed. */
const METADATA_ERRORS = staleMetadataErrors(
  ErrorCode.REPLICA_NOT_AVAILABLE,
  ErrorCode.INCONSISTENT_TOPIC_ID,
  ErrorCode.OFFSET_NOT_AVAILABLE,
);

interface Wanted extends FetchPartition {
  readonly state: PartitionState;
  readonly generation: number;
}

/**
 * Fetches records for the assigned partitions: at most one Fetch in flight per broker (a fetch
 * session allows no more), sent again as soon as its response is in, for every partition that
 * has a position, is not paused and has fewer than two responses waiting to be handed out. So
 * the next response is on its way while the application works through the current one, and
 * fetching stops while the application is behind (bounded also by fetch.max.bytes of buffered
 * data). Records leave through `nextRecord()` / `takeBatch()` in the order responses arrived,
 * one partition's response at a time.
 */
export class Fetcher {
  readonly #cluster: Cluster;
  readonly #config: ConsumerConfig;
  readonly #subscriptions: SubscriptionState;
  readonly #onData: () => void;
  readonly #sessions = new Map<number, FetchSession>();
  readonly #inFlight = new Set<number>();
  /** Leaders whose last fetch failed, left alone for a backoff. */
  readonly #nodeBackoff: NodeBackoff;
  #ready: PartitionState[] = [];
  #readyHead = 0;
  #current: PartitionState | undefined;
  #scheduled = false;
  /** Wakes the fetcher when the next backoff ends. */
  readonly #timer = new DeadlineTimer(() => this.#sendFetches());
  #closed = false;
  /** Fetch requests sent, for tests and metrics. */
  fetchRequests = 0;

  constructor(
    cluster: Cluster,
    config: ConsumerConfig,
    subscriptions: SubscriptionState,
    onData: () => void,
  ) {
    this.#cluster = cluster;
    this.#config = config;
    this.#subscriptions = subscriptions;
    this.#onData = onData;
    this.#nodeBackoff = new NodeBackoff(config);
  }

  /** Sends fetches soon (coalesced): after a position was set, records were taken, a partition resumed … */
  schedule(): void {
    if (this.#scheduled || this.#closed) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      this.#sendFetches();
    });
  }

  /** The fetch session with a broker, for tests. */
  session(nodeId: number): FetchSession | undefined {
    return this.#sessions.get(nodeId);
  }

  /** Whether records (or an error) are waiting to be handed out. */
  get hasBuffered(): boolean {
    if (this.#current !== undefined && this.#current.fetches.length > 0 && !this.#current.paused) return true;
    for (let i = this.#readyHead; i < this.#ready.length; i++) {
      const s = this.#ready[i];
      if (s.assigned && !s.paused && s.fetches.length > 0) return true;
    }
    return false;
  }

  /**
   * The next record in line, or undefined when nothing is buffered. Advances its partition's
   * position. Throws the KafkaError of a response that cannot be read (the position stays).
   */
  nextRecord(): ConsumerRecord | undefined {
    for (;;) {
      const state = this.#current ?? this.#nextReady();
      if (state === undefined) return undefined;
      const cf = state.fetches[0];
      if (!state.assigned || state.paused || cf === undefined) {
        this.#current = undefined;
        state.ready = false;
        continue;
      }
      this.#current = state;
      let record: ConsumerRecord | null;
      try {
        record = cf.next();
      } catch (err) {
        this.#failPartition(state, err as KafkaError);
        throw err;
      }
      if (record !== null) {
        state.position = record.offset + 1;
        state.positionEpoch = record.leaderEpoch;
        return record;
      }
      this.#finish(state, cf);
    }
  }

  /** Up to `max` records of one partition (the one in line), or undefined when nothing is buffered. */
  takeBatch(max: number): { state: PartitionState; records: ConsumerRecord[] } | undefined {
    const first = this.nextRecord();
    if (first === undefined) return undefined;
    const state = this.#current!;
    const records = [first];
    while (records.length < max && this.#current === state) {
      const cf = state.fetches[0];
      if (cf === undefined) break;
      let record: ConsumerRecord | null;
      try {
        record = cf.next();
      } catch (err) {
        // Hand out what decoded; the error comes with the next call.
        this.#failPartition(state, err as KafkaError, true);
        break;
      }
      if (record === null) {
        this.#finish(state, cf);
        break;
      }
      state.position = record.offset + 1;
      state.positionEpoch = record.leaderEpoch;
      records.push(record);
    }
    return { state, records };
  }

  /** Up to `max` records, across partitions. */
  take(max: number): ConsumerRecord[] {
    const out: ConsumerRecord[] = [];
    while (out.length < max) {
      const record = out.length === 0 ? this.nextRecord() : this.#nextQuiet();
      if (record === undefined) break;
      out.push(record);
    }
    return out;
  }

  /** nextRecord() that leaves an error for the next call instead of throwing it after records were taken. */
  #nextQuiet(): ConsumerRecord | undefined {
    try {
      return this.nextRecord();
    } catch (err) {
      this.#subscriptions.errors.push(err as KafkaError);
      return undefined;
    }
  }

  /** A partition was paused, resumed, seeked or revoked: re-queue what it has buffered. */
  requeue(state: PartitionState): void {
    if (this.#current === state && (state.paused || !state.assigned)) this.#current = undefined;
    if (
      state.assigned &&
      !state.paused &&
      state.fetches.length > 0 &&
      !state.ready &&
      this.#current !== state
    ) {
      state.ready = true;
      this.#ready.push(state);
      this.#onData();
    }
    this.schedule();
  }

  /** Closes the fetch sessions (best effort, without waiting long) and stops fetching. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#timer.clear();
    const closes: Promise<unknown>[] = [];
    for (const [nodeId, session] of this.#sessions) {
      const plan = session.closePlan();
      const connection = this.#cluster.readyConnection(nodeId);
      if (plan === null || connection === undefined || this.#inFlight.has(nodeId)) continue;
      try {
        const version = connection.version(ApiKey.Fetch, 7, 17);
        closes.push(
          connection
            .send(
              ApiKey.Fetch,
              version,
              {
                replicaId: -1,
                maxWaitMs: 0,
                minBytes: 0,
                maxBytes: 0,
                isolationLevel: 0,
                sessionId: plan.sessionId,
                sessionEpoch: plan.epoch,
                topics: [],
                forgottenTopicsData: [],
                rackId: this.#config.clientRack,
              },
              { timeoutMs: Math.min(this.#config.requestTimeoutMs, 1_000) },
            )
            .catch(() => undefined),
        );
      } catch {
        // no session-capable version: nothing to close
      }
    }
    this.#sessions.clear();
    await Promise.all(closes);
  }

  #nextReady(): PartitionState | undefined {
    while (this.#readyHead < this.#ready.length) {
      const state = this.#ready[this.#readyHead++];
      if (this.#readyHead > 1024 && this.#readyHead * 2 > this.#ready.length) {
        this.#ready = this.#ready.slice(this.#readyHead);
        this.#readyHead = 0;
      }
      state.ready = false;
      if (state.assigned && !state.paused && state.fetches.length > 0) return state;
    }
    return undefined;
  }

  /** A response is used up: the position moves to its end; the partition goes to the back of the line. */
  #finish(state: PartitionState, cf: CompletedFetch): void {
    state.fetches.shift();
    if (state.position < cf.nextFetchOffset) state.position = cf.nextFetchOffset;
    this.#current = undefined;
    if (state.fetches.length > 0 && !state.ready) {
      state.ready = true;
      this.#ready.push(state);
    }
    // At once, not on the next turn of the event loop: an application that takes records without
    // waiting for anything never lets the loop turn until the buffer is empty, and the next
    // response should be on its way by then.
    this.#sendFetches();
  }

  /** A response that cannot be read: drop what is buffered and fetch again from the position later. */
  #failPartition(state: PartitionState, err: KafkaError, keepError = false): void {
    const position = state.position;
    state.invalidate();
    state.fetchOffset = position;
    this.#current = undefined;
    this.#backOff(state);
    if (keepError) this.#subscriptions.errors.push(err);
  }

  #backOff(state: PartitionState): void {
    state.failures++;
    state.retryAt =
      Date.now() + backoffMs(state.failures, this.#config.retryBackoffMs, this.#config.retryBackoffMaxMs);
    this.#armTimer(state.retryAt);
  }

  #armTimer(at: number): void {
    if (!this.#closed) this.#timer.arm(at);
  }

  /** A fetch from `node` failed: back off from it (and wake when that ends). */
  #nodeFailed(node: number): void {
    this.#armTimer(this.#nodeBackoff.failed(node));
  }

  #sendFetches(): void {
    if (this.#closed || this.#cluster.closed) return;
    const now = Date.now();
    const metadata = this.#cluster.metadata;
    let buffered = 0;
    for (const state of this.#subscriptions.assigned.values()) {
      for (const cf of state.fetches) buffered += cf.bytes;
    }
    if (buffered >= this.#config.fetchMaxBytes && this.#config.fetchMaxBytes > 0) return;
    const byNode = new Map<number, Wanted[]>();
    /** Leaders of partitions left out for a full buffer that have more to read: they will ask again soon. */
    const waiting = new Set<number>();
    let needMetadata = false;
    let wakeAt = Number.POSITIVE_INFINITY;
    for (const state of this.#subscriptions.assigned.values()) {
      if (!state.hasValidPosition || state.paused || state.fetchInFlight) continue;
      const topic = metadata.topic(state.topic);
      const info = topic?.partitions[state.partition];
      if (state.fetches.length >= MAX_BUFFERED_FETCHES) {
        if (info !== undefined && !this.#caughtUp(state)) waiting.add(info.leader);
        continue;
      }
      if (state.retryAt > now) {
        wakeAt = Math.min(wakeAt, state.retryAt);
        continue;
      }
      if (topic === undefined || info === undefined || info.leader < 0) {
        needMetadata = true;
        this.#cluster.addInterest(state.topic);
        continue;
      }
      const node = info.leader;
      if (this.#inFlight.has(node)) continue;
      const nodeRetryAt = this.#nodeBackoff.retryAt(node);
      if (nodeRetryAt > now) {
        wakeAt = Math.min(wakeAt, nodeRetryAt);
        continue;
      }
      if (state.fetchOffset < 0) state.fetchOffset = state.position;
      let list = byNode.get(node);
      if (list === undefined) {
        list = [];
        byNode.set(node, list);
      }
      list.push({
        key: state.key,
        topic: state.topic,
        topicId: topic.topicId,
        partition: state.partition,
        fetchOffset: state.fetchOffset,
        maxBytes: this.#config.maxPartitionFetchBytes,
        leaderEpoch: info.leaderEpoch,
        state,
        generation: state.generation,
      });
    }
    if (needMetadata) this.#cluster.requestUpdate();
    if (wakeAt < Number.POSITIVE_INFINITY) this.#armTimer(wakeAt);
    for (const [node, wanted] of byNode) {
      // A fetch of caught-up partitions only would hold the broker's one fetch slot for up to
      // fetch.max.wait.ms, and a partition left out for its full buffer would run dry behind it:
      // such partitions go with the fetch that partition asks for next.
      if (waiting.has(node) && wanted.every((w) => this.#caughtUp(w.state))) continue;
      this.#send(node, wanted);
    }
  }

  /** Whether a partition's next fetch starts at its end as the last response saw it (nothing new to read). */
  #caughtUp(state: PartitionState): boolean {
    const end =
      this.#config.isolationLevel === "read_committed" ? state.lastStableOffset : state.highWatermark;
    return end >= 0 && state.fetchOffset >= end;
  }

  #send(node: number, wanted: Wanted[]): void {
    this.#inFlight.add(node);
    for (const w of wanted) w.state.fetchInFlight = true;
    let session = this.#sessions.get(node);
    if (session === undefined) {
      session = new FetchSession();
      this.#sessions.set(node, session);
    }
    const s = session;
    this.fetchRequests++;
    const run = async () => {
      let plan: FetchRequestPlan | undefined;
      try {
        // An open connection is used without an await, so the request is written before the
        // caller goes on (handing out records, for instance).
        const connection = this.#cluster.readyConnection(node) ?? (await this.#cluster.connection(node));
        const idsKnown = wanted.every((w) => w.topicId !== ZERO_UUID);
        const version = connection.version(ApiKey.Fetch, 4, idsKnown ? 17 : 12);
        plan = s.plan(wanted, version >= 7, version >= 13);
        const response = await connection.send(ApiKey.Fetch, version, this.#request(plan, version), {
          timeoutMs: this.#config.requestTimeoutMs + this.#config.fetchMaxWaitMs,
        });
        this.#nodeBackoff.succeeded(node);
        this.#onResponse(node, s, plan, wanted, version, response);
      } catch (err) {
        s.onError();
        if (this.#closed || err instanceof ClientClosedError) return;
        if (err instanceof KafkaError && !err.retriable) {
          // An unsupported broker, for instance: the application has to know.
          this.#subscriptions.errors.push(err);
          this.#onData();
        }
        this.#nodeFailed(node);
        this.#cluster.requestUpdate();
        this.#cluster.logger.debug("fetch failed", { broker: node, error: (err as Error).message });
      } finally {
        this.#inFlight.delete(node);
        for (const w of wanted) w.state.fetchInFlight = false;
        // The next fetch goes out now, before the application works through this response: with
        // one fetch in flight per broker, every delay here is time the connection stands idle.
        this.#sendFetches();
      }
    };
    void run();
  }

  #request(plan: FetchRequestPlan, version: number): FetchRequest {
    const useIds = version >= 13;
    const topics: NonNullable<FetchRequest["topics"]> = [];
    let last: (typeof topics)[number] | undefined;
    for (const p of plan.toSend) {
      if (last === undefined || last.topic !== p.topic) {
        // The name is encoded up to v12, the id from v13.
        last = { topic: p.topic, topicId: useIds ? p.topicId : ZERO_UUID, partitions: [] };
        topics.push(last);
      }
      last.partitions.push({
        partition: p.partition,
        currentLeaderEpoch: p.leaderEpoch,
        fetchOffset: BigInt(p.fetchOffset),
        lastFetchedEpoch: -1,
        logStartOffset: -1n,
        partitionMaxBytes: p.maxBytes,
      });
    }
    const forgotten = new Map<string, { topic: string; topicId: string; partitions: number[] }>();
    for (const p of plan.toForget) {
      const entry = forgotten.get(p.topic) ?? { topic: p.topic, topicId: p.topicId, partitions: [] };
      entry.partitions.push(p.partition);
      forgotten.set(p.topic, entry);
    }
    return {
      replicaId: -1,
      maxWaitMs: this.#config.fetchMaxWaitMs,
      minBytes: this.#config.fetchMinBytes,
      maxBytes: this.#config.fetchMaxBytes,
      isolationLevel: this.#config.isolationLevel === "read_committed" ? 1 : 0,
      sessionId: plan.sessionId,
      sessionEpoch: plan.epoch,
      topics,
      forgottenTopicsData: [...forgotten.values()],
      rackId: this.#config.clientRack,
    };
  }

  #onResponse(
    node: number,
    session: FetchSession,
    plan: FetchRequestPlan,
    wanted: readonly Wanted[],
    version: number,
    response: FetchResponse,
  ): void {
    if (this.#closed) return;
    const errorCode = response.errorCode ?? ErrorCode.NONE;
    if (!session.onResponse(plan, errorCode, response.sessionId ?? 0)) {
      const sessionError =
        errorCode === ErrorCode.FETCH_SESSION_ID_NOT_FOUND ||
        errorCode === ErrorCode.INVALID_FETCH_SESSION_EPOCH ||
        errorCode === ErrorCode.FETCH_SESSION_TOPIC_ID_ERROR;
      this.#cluster.logger.debug("fetch session error", { broker: node, error: errorCode });
      if (!sessionError) this.#nodeFailed(node);
      return;
    }
    const byKey = new Map<string, Wanted>();
    const nameById = new Map<string, string>();
    for (const w of wanted) {
      byKey.set(`${w.topic}\u0000${w.partition}`, w);
      nameById.set(w.topicId, w.topic);
    }
    let added = false;
    for (const topic of response.responses) {
      const name = version >= 13 ? nameById.get(topic.topicId ?? ZERO_UUID) : topic.topic;
      if (name === undefined) continue;
      for (const p of topic.partitions) {
        const w = byKey.get(`${name}\u0000${p.partitionIndex}`);
        if (w === undefined) continue;
        const state = w.state;
        if (!state.assigned || state.generation !== w.generation) continue;
        if (this.#onPartition(state, w, p)) added = true;
      }
    }
    if (added) this.#onData();
  }

  /** Takes in one partition's data; returns true when records were queued. */
  #onPartition(state: PartitionState, w: Wanted, p: FetchResponsePartitionData): boolean {
    const code = p.errorCode;
    if (code === ErrorCode.NONE) {
      state.highWatermark = Number(p.highWatermark);
      state.lastStableOffset =
        p.lastStableOffset !== undefined && p.lastStableOffset >= 0n ? Number(p.lastStableOffset) : -1;
      if (p.logStartOffset !== undefined && p.logStartOffset >= 0n)
        state.logStartOffset = Number(p.logStartOffset);
      state.failures = 0;
      const records = p.records;
      if (records === null || records.length === 0) return false;
      const aborted: AbortedTransaction[] | null =
        this.#config.isolationLevel === "read_committed"
          ? (p.abortedTransactions ?? []).map((t) => ({
              producerId: Number(t.producerId),
              firstOffset: Number(t.firstOffset),
            }))
          : null;
      const cf = new CompletedFetch(
        state,
        w.fetchOffset,
        records,
        state.highWatermark,
        state.lastStableOffset,
        aborted,
        this.#config.checkCrcs,
      );
      if (cf.batches.length > 0) state.fetchOffset = cf.nextFetchOffset;
      if (cf.isEmpty) return false;
      state.fetches.push(cf);
      if (!state.ready && this.#current !== state && !state.paused) {
        state.ready = true;
        this.#ready.push(state);
      }
      return true;
    }
    const where = { topic: state.topic, partition: state.partition };
    if (code === ErrorCode.OFFSET_OUT_OF_RANGE) {
      if (w.fetchOffset !== state.position) {
        // A fetch ahead of the position: try again once the buffered records are handed out.
        this.#backOff(state);
        return false;
      }
      if (this.#config.autoOffsetReset === "none") {
        this.#subscriptions.errors.push(
          new KafkaError(
            code,
            `offset ${w.fetchOffset} of ${state.topic}-${state.partition} is out of range and auto.offset.reset is none; seek to go on`,
            { ...where, retriable: false },
          ),
        );
        this.#backOff(state);
        return true;
      }
      this.#cluster.logger.info("fetch offset out of range, resetting", {
        ...where,
        offset: w.fetchOffset,
        reset: this.#config.autoOffsetReset,
      });
      state.reset = this.#config.autoOffsetReset;
      state.invalidate();
      return true; // wakes the poll, which starts the reset
    }
    if (METADATA_ERRORS.has(code)) {
      const leader = p.currentLeader;
      if (leader !== undefined && leader.leaderId >= 0) {
        this.#cluster.updateLeader(state.topic, state.partition, leader.leaderId, leader.leaderEpoch);
      }
      this.#cluster.requestUpdate();
      this.#backOff(state);
      return false;
    }
    const err = brokerError(code, `fetching ${state.topic}-${state.partition}`, where);
    this.#backOff(state);
    if (err.retriable) return false;
    this.#subscriptions.errors.push(err);
    return true;
  }
}
