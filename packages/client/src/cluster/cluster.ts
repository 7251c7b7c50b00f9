import {
  ApiKey,
  type ApiKeyValue,
  ErrorCode,
  type MetadataResponse,
  type RequestBody,
  type ResponseBody,
} from "@weir/protocol";
import { type ClientConfig, type Logger, parseHostPort } from "../config/options-table.js";
import { asKafkaError, brokerError, ClientClosedError, type KafkaError, NetworkError } from "../errors.js";
import { SILENT_LOGGER } from "../logger.js";
import { Connection, type RequestOptions } from "../network/connection.js";
import { backoffMs } from "./backoff.js";
import { ClusterMetadata } from "./cluster-metadata.js";
import { KeepAlive } from "./keep-alive.js";
import { withRetries } from "./retry.js";

/** Where a request goes: a node id, the controller, or whichever broker is least busy. */
export type Target = number | "any" | "controller";

export interface VersionRange {
  readonly min?: number;
  readonly max?: number;
}

export interface SendResult<K extends ApiKeyValue> {
  readonly version: number;
  readonly response: ResponseBody<K>;
  readonly connection: Connection;
}

/** Coordinator key types of FindCoordinator. */
export const CoordinatorType = { Group: 0, Transaction: 1 } as const;

interface ConnectionSlot {
  readonly address: string;
  readonly host: string;
  readonly port: number;
  connection: Connection | undefined;
  connecting: Promise<Connection> | undefined;
  failures: number;
  retryAt: number;
  lastError: string | undefined;
}

/**
 * What every client (producer, admin, later the consumer) stands on: one pipelined connection
 * per broker, opened on demand and reopened with backoff after failures, and the cluster
 * metadata, refreshed on an interval (metadata.max.age.ms), on demand after errors and when a
 * caller needs a topic it does not know. Requests go to a node, to the controller or to the
 * least loaded broker, at the highest version both sides support.
 */
export class Cluster {
  readonly config: ClientConfig;
  readonly logger: Logger;
  /** Holds the process open while the owner's operations are pending (timers here are unref'd). */
  readonly keepAlive = new KeepAlive();
  #metadata = ClusterMetadata.EMPTY;
  #slots = new Map<string, ConnectionSlot>();
  /** Topics the owner cares about: every refresh asks for them. */
  #interest = new Set<string>();
  #allowAutoTopicCreation: boolean;
  #refreshing: Promise<ClusterMetadata> | undefined;
  #updateTimer: NodeJS.Timeout | undefined;
  #updateRequested = false;
  #refreshFailures = 0;
  #maxAgeTimer: NodeJS.Timeout;
  #listeners: ((metadata: ClusterMetadata) => void)[] = [];
  #coordinators = new Map<string, number>();
  #topicErrors = new Map<string, number>();
  #lastRefreshError: KafkaError | undefined;
  #closed = false;

  constructor(config: ClientConfig, options: { logger?: Logger; allowAutoTopicCreation?: boolean } = {}) {
    this.config = config;
    this.logger = options.logger ?? SILENT_LOGGER;
    this.#allowAutoTopicCreation = options.allowAutoTopicCreation ?? false;
    this.#maxAgeTimer = setInterval(
      () => {
        if (this.#metadata.updatedAt > 0) this.requestUpdate();
      },
      Math.max(config.metadataMaxAgeMs, 1),
    );
    this.#maxAgeTimer.unref();
  }

  get metadata(): ClusterMetadata {
    return this.#metadata;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Called after every metadata refresh (the producer re-drains, leaders may have moved). */
  onMetadata(listener: (metadata: ClusterMetadata) => void): void {
    this.#listeners.push(listener);
  }

  /** The error code the last Metadata response gave for a topic (undefined: none). */
  topicError(topic: string): number | undefined {
    return this.#topicErrors.get(topic);
  }

  /** Why the last metadata refresh failed, undefined after a success. */
  get lastRefreshError(): KafkaError | undefined {
    return this.#lastRefreshError;
  }

  /** Adds topics to those every refresh asks about; returns true when one was new. */
  addInterest(topic: string): boolean {
    if (this.#interest.has(topic)) return false;
    this.#interest.add(topic);
    return true;
  }

  removeInterest(topic: string): void {
    this.#interest.delete(topic);
  }

  /**
   * Refreshes the metadata of the topics of interest (or `topics`; null asks for every topic).
   * Concurrent refreshes of the topics of interest share one request.
   */
  refreshMetadata(topics?: readonly string[] | null): Promise<ClusterMetadata> {
    if (topics !== undefined) return this.#fetchMetadata(topics);
    if (this.#refreshing === undefined) {
      this.#refreshing = this.#fetchMetadata([...this.#interest])
        .then(
          (metadata) => {
            this.#lastRefreshError = undefined;
            return metadata;
          },
          (err: unknown) => {
            this.#lastRefreshError = asKafkaError(err, "metadata refresh");
            throw err;
          },
        )
        .finally(() => {
          this.#refreshing = undefined;
        });
    }
    return this.#refreshing;
  }

  /**
   * Refreshes the metadata of the topics of interest, retrying retriable failures for up to
   * `timeoutMs`: the clients' connect(), and whoever cannot go on without metadata.
   */
  loadMetadata(timeoutMs: number, what = "connecting to the cluster"): Promise<ClusterMetadata> {
    return withRetries(() => this.refreshMetadata(), {
      deadline: Date.now() + timeoutMs,
      backoffMs: this.config.retryBackoffMs,
      backoffMaxMs: this.config.retryBackoffMaxMs,
      what,
    });
  }

  /**
   * Asks for a refresh soon, after an error that suggests stale metadata (a leader moved, a
   * broker went away). Requests are coalesced and spaced by the retry backoff.
   */
  requestUpdate(): void {
    if (this.#closed || this.#updateRequested) return;
    this.#updateRequested = true;
    const delay =
      this.#refreshFailures === 0
        ? Math.max(0, this.#metadata.updatedAt + this.config.retryBackoffMs - Date.now())
        : backoffMs(this.#refreshFailures, this.config.retryBackoffMs, this.config.retryBackoffMaxMs);
    this.#updateTimer = setTimeout(() => {
      this.#updateTimer = undefined;
      this.#updateRequested = false;
      this.refreshMetadata().then(
        () => {
          this.#refreshFailures = 0;
        },
        (err: unknown) => {
          if (this.#closed) return;
          this.#refreshFailures++;
          this.logger.warn("metadata refresh failed", { error: (err as Error).message });
          this.requestUpdate();
        },
      );
    }, delay);
    this.#updateTimer.unref();
  }

  async #fetchMetadata(topics: readonly string[] | null): Promise<ClusterMetadata> {
    const requested = topics === null ? null : [...topics];
    const { response } = await this.send(
      "any",
      ApiKey.Metadata,
      () => ({
        topics: requested === null ? null : requested.map((name) => ({ name })),
        allowAutoTopicCreation: this.#allowAutoTopicCreation,
        includeTopicAuthorizedOperations: false,
        includeClusterAuthorizedOperations: false,
      }),
      { min: 1 },
    );
    return this.#applyMetadata(response, requested).metadata;
  }

  /** Merges a Metadata response into the cache and tells the listeners. */
  #applyMetadata(response: MetadataResponse, requested: readonly string[] | null) {
    const merged = this.#metadata.merge(response, requested, Date.now());
    this.#metadata = merged.metadata;
    for (const t of response.topics) if (t.name !== null) this.#topicErrors.delete(t.name);
    for (const [topic, code] of merged.topicErrors) {
      this.#topicErrors.set(topic, code);
      if (code !== ErrorCode.UNKNOWN_TOPIC_OR_PARTITION && code !== ErrorCode.LEADER_NOT_AVAILABLE) {
        this.logger.warn("metadata error for topic", { topic, error: code });
      }
    }
    this.#dropStaleSlots();
    for (const listener of this.#listeners) listener(this.#metadata);
    return merged;
  }

  /** Sends a Metadata request for `topics` and returns the response and the merged view. */
  async describeTopics(
    topics: readonly string[] | null,
  ): Promise<{ response: MetadataResponse; metadata: ClusterMetadata; topicErrors: Map<string, number> }> {
    const { response } = await this.send(
      "any",
      ApiKey.Metadata,
      () => ({
        topics: topics === null ? null : topics.map((name) => ({ name })),
        allowAutoTopicCreation: false,
        includeTopicAuthorizedOperations: false,
        includeClusterAuthorizedOperations: false,
      }),
      { min: 1 },
    );
    const merged = this.#applyMetadata(response, topics);
    return { response, ...merged };
  }

  /** Applies a leader a response told us about (KIP-951), without waiting for a refresh. */
  updateLeader(topic: string, partition: number, leader: number, leaderEpoch: number): void {
    if (leader < 0 || !this.#metadata.brokers.has(leader)) return;
    this.#metadata = this.#metadata.withLeader(topic, partition, leader, leaderEpoch);
  }

  /**
   * Sends a request to `target` at the highest version both sides support within `range` and
   * resolves with the response. `build` makes the body for the chosen version. Fails with the
   * connection's errors (NetworkError, TimeoutError, MalformedResponseError,
   * UnsupportedVersionError); error codes inside the response are the caller's to read.
   */
  async send<K extends ApiKeyValue>(
    target: Target,
    apiKey: K,
    build: (version: number) => RequestBody<K>,
    range: VersionRange = {},
    options: RequestOptions = {},
  ): Promise<SendResult<K>> {
    const connection = await this.connection(target);
    const version = connection.version(apiKey, range.min, range.max);
    const response = await connection.send(apiKey, version, build(version), options);
    return { version, response, connection };
  }

  /** A ready connection to `target`, connecting (after any reconnect backoff) when needed. */
  async connection(target: Target): Promise<Connection> {
    this.#checkOpen();
    if (target === "any") return this.#leastLoaded();
    let nodeId = target;
    if (target === "controller") {
      if (this.#metadata.updatedAt === 0) await this.refreshMetadata();
      nodeId = this.#metadata.controllerId;
      if (nodeId < 0) return this.#leastLoaded();
    }
    const broker = this.#metadata.brokers.get(nodeId as number);
    if (broker === undefined) {
      this.requestUpdate();
      throw new NetworkError(`broker ${nodeId} is not in the cluster metadata`, { broker: `node ${nodeId}` });
    }
    return this.#connect(
      this.#slot(broker.host, broker.port),
      `broker ${nodeId} (${broker.host}:${broker.port})`,
    );
  }

  /** The open connection to a node, or undefined (then `connection(nodeId)` makes one). */
  readyConnection(nodeId: number): Connection | undefined {
    const broker = this.#metadata.brokers.get(nodeId);
    if (broker === undefined) return undefined;
    const connection = this.#slots.get(`${broker.host}:${broker.port}`)?.connection;
    return connection === undefined || connection.closed ? undefined : connection;
  }

  /**
   * The node coordinating a group or transactional id (FindCoordinator), cached until
   * `invalidateCoordinator`. Retries retriable errors until `deadline`.
   */
  async findCoordinator(type: number, key: string, deadline: number): Promise<number> {
    const cacheKey = `${type}:${key}`;
    const cached = this.#coordinators.get(cacheKey);
    if (cached !== undefined && this.#metadata.brokers.has(cached)) return cached;
    const nodeId = await withRetries(
      async () => {
        const { version, response } = await this.send("any", ApiKey.FindCoordinator, (v) =>
          v >= 4 ? { keyType: type, coordinatorKeys: [key] } : { key, keyType: type },
        );
        const entry =
          version >= 4
            ? response.coordinators?.[0]
            : {
                errorCode: response.errorCode ?? 0,
                errorMessage: response.errorMessage ?? null,
                nodeId: response.nodeId ?? -1,
              };
        if (entry === undefined) throw new NetworkError("FindCoordinator response without coordinators");
        if (entry.errorCode !== ErrorCode.NONE) {
          throw brokerError(entry.errorCode, `FindCoordinator for ${key}`, { message: entry.errorMessage });
        }
        if (!this.#metadata.brokers.has(entry.nodeId)) await this.refreshMetadata();
        return entry.nodeId;
      },
      {
        deadline,
        backoffMs: this.config.retryBackoffMs,
        backoffMaxMs: this.config.retryBackoffMaxMs,
        what: `FindCoordinator for ${key}`,
        aborted: () => this.#closedError(),
      },
    );
    this.#coordinators.set(cacheKey, nodeId);
    return nodeId;
  }

  invalidateCoordinator(type: number, key: string): void {
    this.#coordinators.delete(`${type}:${key}`);
  }

  /** Closes every connection; requests still in flight fail with ClientClosedError. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#maxAgeTimer);
    clearTimeout(this.#updateTimer);
    for (const slot of this.#slots.values()) slot.connection?.close();
    this.#slots.clear();
  }

  #checkOpen(): void {
    const err = this.#closedError();
    if (err !== undefined) throw err;
  }

  #closedError(): KafkaError | undefined {
    return this.#closed ? new ClientClosedError("the client is closed") : undefined;
  }

  #slot(host: string, port: number): ConnectionSlot {
    const address = `${host}:${port}`;
    let slot = this.#slots.get(address);
    if (slot === undefined) {
      slot = {
        address,
        host,
        port,
        connection: undefined,
        connecting: undefined,
        failures: 0,
        retryAt: 0,
        lastError: undefined,
      };
      this.#slots.set(address, slot);
    }
    return slot;
  }

  /** Forgets idle slots of addresses that are neither brokers nor bootstrap servers any more. */
  #dropStaleSlots(): void {
    const keep = new Set(this.config.bootstrapServers);
    for (const b of this.#metadata.brokers.values()) keep.add(`${b.host}:${b.port}`);
    for (const [address, slot] of this.#slots) {
      if (keep.has(address) || slot.connecting !== undefined) continue;
      if (slot.connection !== undefined && slot.connection.inFlight + slot.connection.queued > 0) continue;
      slot.connection?.close();
      this.#slots.delete(address);
    }
  }

  /**
   * The slot's connection, opening one if needed. While the address is backing off after a
   * failure (reconnect.backoff.ms, doubling up to reconnect.backoff.max.ms) this fails at once
   * with NetworkError; callers retry on their own schedule and within their own time budget.
   */
  async #connect(slot: ConnectionSlot, label: string): Promise<Connection> {
    if (slot.connection !== undefined && !slot.connection.closed) return slot.connection;
    if (slot.connecting !== undefined) return slot.connecting;
    const wait = slot.retryAt - Date.now();
    if (wait > 0) {
      throw new NetworkError(
        `not reconnecting to ${label} for another ${wait} ms (reconnect backoff) after: ${slot.lastError ?? "a failure"}`,
        { broker: label },
      );
    }
    slot.connecting = (async () => {
      try {
        const connection = await Connection.open({
          host: slot.host,
          port: slot.port,
          label,
          clientId: this.config.clientId,
          connectionTimeoutMs: this.config.connectionTimeoutMs,
          requestTimeoutMs: this.config.requestTimeoutMs,
          maxInFlight: this.config.maxInFlightRequestsPerConnection,
          logger: this.logger,
        });
        if (this.#closed) {
          connection.close();
          throw new ClientClosedError("the client is closed");
        }
        slot.failures = 0;
        slot.lastError = undefined;
        slot.connection = connection;
        connection.onClose((err) => {
          if (slot.connection === connection) slot.connection = undefined;
          if (err instanceof ClientClosedError) return;
          // A broken connection backs off like a failed connect, and metadata may be stale.
          this.#backOff(slot, err);
          this.requestUpdate();
        });
        return connection;
      } catch (err) {
        this.#backOff(slot, err);
        throw err;
      } finally {
        slot.connecting = undefined;
      }
    })();
    return slot.connecting;
  }

  #backOff(slot: ConnectionSlot, err: unknown): void {
    slot.failures++;
    slot.lastError = err instanceof Error ? err.message : String(err);
    slot.retryAt =
      Date.now() +
      backoffMs(slot.failures, this.config.reconnectBackoffMs, this.config.reconnectBackoffMaxMs);
  }

  /**
   * The least busy open connection; without one, tries known brokers and the bootstrap servers
   * (in random order, those not backing off first) until one connects.
   */
  async #leastLoaded(): Promise<Connection> {
    let best: Connection | undefined;
    for (const slot of this.#slots.values()) {
      const c = slot.connection;
      if (c === undefined || c.closed) continue;
      if (best === undefined || c.inFlight + c.queued < best.inFlight + best.queued) best = c;
    }
    if (best !== undefined) return best;
    const candidates = new Map<string, string>();
    for (const b of this.#metadata.brokers.values())
      candidates.set(`${b.host}:${b.port}`, `broker ${b.nodeId} (${b.host}:${b.port})`);
    for (const address of this.config.bootstrapServers) {
      if (!candidates.has(address)) candidates.set(address, `bootstrap server ${address}`);
    }
    const slots = shuffle([...candidates]).map(([address, label]) => {
      const hp = parseHostPort(address)!;
      return { slot: this.#slot(hp.host, hp.port), label };
    });
    const now = Date.now();
    slots.sort((a, b) => Number(a.slot.retryAt > now) - Number(b.slot.retryAt > now));
    const failures: string[] = [];
    let lastError: unknown;
    for (const { slot, label } of slots) {
      try {
        return await this.#connect(slot, label);
      } catch (err) {
        if (err instanceof ClientClosedError) throw err;
        lastError = err;
        failures.push(`${slot.address}: ${(err as Error).message}`);
      }
    }
    throw new NetworkError(`could not connect to any broker (${failures.join("; ")})`, { cause: lastError });
  }
}

function shuffle<T>(items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [items[i], items[j]] = [items[j], items[i]];
  }
  return items;
}
