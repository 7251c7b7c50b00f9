import {
  ApiKey,
  ErrorCode,
  type FetchResponseFetchableTopicResponse,
  type FetchResponsePartitionData,
  ZERO_UUID,
} from "@weir/protocol";
import { DelayedFetch } from "../replication/delayed-fetch.js";
import type { FetchPartitionResult, FetchPartitionToRead } from "../replication/fetch-session-partition.js";
import type { Partition } from "../replication/partition.js";
import { storageErrorCode } from "../replication/partition.js";
import type { BrokerContext } from "../server/broker-context.js";
import type { ReadBufferPool } from "../storage/read-buffer-pool.js";
import { OffsetOutOfRangeError, StorageError } from "../storage/storage-error.js";
import { defineHandler } from "./api-handler.js";
import { leaderPartition } from "./leader-partition.js";
import { downConvertFetchResults, fetchMessageFormat } from "./message-format-conversion.js";

const EMPTY: Buffer = Buffer.alloc(0);
/** Requests before v3 have no response size limit; Kafka uses Int32.MAX. */
const NO_LIMIT = 0x7fffffff;

interface PartitionRead extends FetchPartitionResult {
  readonly records: Buffer;
}

function errorRead(errorCode: number, partition?: Partition): PartitionRead {
  return {
    errorCode,
    highWatermark: partition?.highWatermark ?? -1,
    lastStableOffset: partition?.highWatermark ?? -1,
    logStartOffset: partition?.log.logStartOffset ?? -1,
    recordsSizeInBytes: 0,
    records: EMPTY,
  };
}

/** Finds the partition a fetch names and checks the fetcher's view of it. */
function resolve(broker: BrokerContext, p: FetchPartitionToRead): Partition | number {
  if (p.topic === undefined) return ErrorCode.UNKNOWN_TOPIC_ID;
  const partition = leaderPartition(broker, p.topic, p.partition, p.currentLeaderEpoch);
  if (typeof partition !== "number" && p.topicId !== ZERO_UUID && p.topicId !== partition.topicId) {
    return ErrorCode.INCONSISTENT_TOPIC_ID;
  }
  return partition;
}

/** The pooled buffers one read of a fetch took, to give back when its bytes are no longer needed. */
class ReadLease {
  readonly #pooled: Buffer[] = [];

  constructor(readonly pool: ReadBufferPool) {}

  readonly allocate = (size: number): Buffer => {
    const { buffer, pooled } = this.pool.acquire(size);
    if (pooled) this.#pooled.push(buffer);
    return buffer;
  };

  release(): void {
    for (const buffer of this.#pooled.splice(0)) this.pool.release(buffer);
  }
}

interface ReadAllResult {
  results: Map<FetchPartitionToRead, PartitionRead>;
  bytes: number;
  errors: boolean;
  lease: ReadLease;
}

/**
 * Reads every partition of the fetch once, up to the high watermark and within the partition and
 * response byte limits. As in Kafka, the first partition that has data returns at least one whole
 * batch even past the limits, so a consumer can always get past a large batch. The records are
 * read into buffers of the result's lease.
 */
function readAll(
  broker: BrokerContext,
  toRead: Iterable<FetchPartitionToRead>,
  maxBytes: number,
): ReadAllResult {
  const lease = new ReadLease(broker.readBuffers);
  const results = new Map<FetchPartitionToRead, PartitionRead>();
  let bytes = 0;
  let errors = false;
  for (const p of toRead) {
    const partition = resolve(broker, p);
    if (typeof partition === "number") {
      results.set(p, errorRead(partition));
      errors = true;
      continue;
    }
    let records: Buffer = EMPTY;
    try {
      const limit = Math.min(p.maxBytes, Math.max(0, maxBytes - bytes));
      records = partition.log.read(
        p.fetchOffset,
        limit,
        partition.highWatermark,
        bytes === 0,
        lease.allocate,
      ).records;
    } catch (err) {
      if (!(err instanceof StorageError)) throw err;
      if (!(err instanceof OffsetOutOfRangeError)) {
        broker.logger.warn({ err, partition: partition.key }, "fetch could not read the log");
      }
      results.set(p, errorRead(storageErrorCode(err), partition));
      errors = true;
      continue;
    }
    bytes += records.length;
    results.set(p, {
      errorCode: ErrorCode.NONE,
      highWatermark: partition.highWatermark,
      lastStableOffset: partition.highWatermark,
      logStartOffset: partition.log.logStartOffset,
      recordsSizeInBytes: records.length,
      records,
    });
  }
  return { results, bytes, errors, lease };
}

/** Whether a parked fetch with `minBytes` <= 1 now has something to return. */
function hasNewData(broker: BrokerContext, toRead: readonly FetchPartitionToRead[]): boolean {
  for (const p of toRead) {
    const partition = resolve(broker, p);
    if (typeof partition === "number" || partition.highWatermark > p.fetchOffset) return true;
  }
  return false;
}

/** Counts every partition of a fetch once in the topic metrics: bytes returned, or a failure. */
function countFetch(broker: BrokerContext, results: Map<FetchPartitionToRead, PartitionRead>): void {
  const metrics = broker.metrics.topics;
  results.forEach((r, p) => {
    if (r.errorCode === ErrorCode.NONE && p.topic !== undefined) metrics.fetched(p.topic, r.records.length);
    else {
      const hosted = p.topic !== undefined && broker.replicaManager.getPartition(p.topic, p.partition);
      metrics.fetchFailed(hosted ? p.topic : undefined);
    }
  });
}

/**
 * Fetch v0–v17. Sessions follow KIP-227 (v0–v6 are sessionless); a fetch with too little data
 * waits up to maxWaitMs for min bytes, woken by produce through the purgatory. From v4 on,
 * records are sent exactly as stored, never re-encoded; v0–v3 read the legacy message formats,
 * so what was read is down-converted to magic 0 (v0–v1) or magic 1 (v2–v3) message sets.
 */
export const fetchHandler = defineHandler({
  apiKey: ApiKey.Fetch,
  minVersion: 0,
  maxVersion: 17,
  async handle(ctx, request) {
    const { broker } = ctx;
    const version = ctx.header.apiVersion;
    const image = broker.metadata.image;
    const context = broker.fetchSessions.newContext(
      { ...request, sessionId: request.sessionId ?? 0, sessionEpoch: request.sessionEpoch ?? -1 },
      {
        usesTopicIds: version >= 13,
        isFromFollower: false,
        topicName: (id) => image.topicById(id)?.name,
      },
      broker.now(),
    );
    if (typeof context === "string") {
      return {
        throttleTimeMs: 0,
        errorCode: ErrorCode[context],
        sessionId: 0,
        responses: [],
        nodeEndpoints: [],
      };
    }
    const toRead = [...context.partitionsToRead()];
    const maxBytes = request.maxBytes ?? NO_LIMIT;
    let read = readAll(broker, toRead, maxBytes);
    const minBytes = Math.max(1, request.minBytes);
    if (request.maxWaitMs > 0 && read.bytes < minBytes && !read.errors && toRead.length > 0) {
      const watched = toRead
        .map((p) => resolve(broker, p))
        .filter((p): p is Partition => typeof p !== "number");
      const satisfied =
        minBytes <= 1
          ? () => hasNewData(broker, toRead)
          : () => {
              const probe = readAll(broker, toRead, maxBytes);
              probe.lease.release();
              return probe.bytes >= minBytes;
            };
      const delayed = new DelayedFetch(
        watched,
        satisfied,
        request.maxWaitMs,
        broker.replicaManager.purgatory,
      );
      read.lease.release();
      await delayed.promise;
      read = readAll(broker, toRead, maxBytes);
    }
    const { lease } = read;
    ctx.afterResponse(() => lease.release());

    const format = fetchMessageFormat(version);
    if (format !== 2) downConvertFetchResults(broker, read.results, format, maxBytes);
    countFetch(broker, read.results);
    const response = context.buildResponse(read.results, broker.now());
    const responses: FetchResponseFetchableTopicResponse[] = [];
    let current: FetchResponseFetchableTopicResponse | undefined;
    for (const [p, r] of response.partitions) {
      if (current === undefined || current.topic !== (p.topic ?? "") || current.topicId !== p.topicId) {
        current = { topic: p.topic ?? "", topicId: p.topicId, partitions: [] };
        responses.push(current);
      }
      const data: FetchResponsePartitionData = {
        partitionIndex: p.partition,
        errorCode: r.errorCode,
        highWatermark: BigInt(r.highWatermark),
        lastStableOffset: BigInt(r.lastStableOffset),
        logStartOffset: BigInt(r.logStartOffset),
        abortedTransactions: request.isolationLevel === 1 ? [] : null,
        preferredReadReplica: -1,
        records: r.records,
      };
      current.partitions.push(data);
    }
    return {
      throttleTimeMs: 0,
      errorCode: response.errorCode,
      sessionId: response.sessionId,
      responses,
      nodeEndpoints: [],
    };
  },
});
