import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import {
  ApiKey,
  type ApiMessages,
  type FetchResponsePartitionData,
  isRecordBatchCrcValid,
  LOG_OVERHEAD,
  type ProduceResponsePartitionProduceResponse,
  RECORD_BATCH_OVERHEAD,
  type Record,
  readRecordBatches,
  readRecordBatchHeader,
  ZERO_UUID,
} from "@weir/protocol";
import { RawKafkaClient } from "../support/raw-kafka-client.js";

/**
 * Small request helpers shared by the network and server tests: each sends one request at a
 * modern version with RawKafkaClient and returns the interesting part of the answer.
 */

export const LATEST = -1n;
export const EARLIEST = -2n;

/** Rejects with `what` when `promise` does not settle within `ms` (a hang detector, not a timing check). */
export async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: nothing after ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Waits until the broker closes `client`'s connection (fails the test if it never does). */
export function brokerCloses(client: RawKafkaClient, what: string, ms = 10_000): Promise<void> {
  return within(client.waitForClose(), ms, `${what}: the broker did not close the connection`);
}

/** A fresh connection gets an ApiVersions and a Metadata answer: the broker is still serving. */
export async function expectServing(bootstrap: string): Promise<void> {
  const client = await within(RawKafkaClient.connect(bootstrap), 10_000, "connect");
  try {
    const versions = await within(
      client.send(ApiKey.ApiVersions, 3, { clientSoftwareName: "weir-test", clientSoftwareVersion: "1" }),
      10_000,
      "ApiVersions on a healthy connection",
    );
    assert.equal(versions.errorCode, 0);
    assert.ok(versions.apiKeys.some((k) => k.apiKey === ApiKey.Metadata));
    const metadata = await within(
      client.send(ApiKey.Metadata, 12, {
        topics: null,
        allowAutoTopicCreation: false,
        includeTopicAuthorizedOperations: false,
      }),
      10_000,
      "Metadata on a healthy connection",
    );
    assert.equal(metadata.brokers.length, 1);
  } finally {
    client.close();
  }
}

/** Whether the broker advertises `apiKey` in ApiVersions. */
export async function supportsApi(client: RawKafkaClient, apiKey: number): Promise<boolean> {
  const versions = await client.send(ApiKey.ApiVersions, 3, {
    clientSoftwareName: "weir-test",
    clientSoftwareVersion: "1",
  });
  return versions.apiKeys.some((k) => k.apiKey === apiKey);
}

/**
 * Makes sure `topic` exists with a leader for every partition: CreateTopics when the broker
 * serves it, otherwise Metadata auto-creation (with the broker's num.partitions). Returns the
 * partition count.
 */
export async function ensureTopic(client: RawKafkaClient, topic: string, partitions = -1): Promise<number> {
  if (await supportsApi(client, ApiKey.CreateTopics)) {
    const created = await client.send(ApiKey.CreateTopics, 5, {
      topics: [
        { name: topic, numPartitions: partitions, replicationFactor: -1, assignments: [], configs: [] },
      ],
      timeoutMs: 30_000,
      validateOnly: false,
    });
    const code = created.topics[0]?.errorCode;
    assert.ok(code === 0 || code === 36, `CreateTopics ${topic}: error ${code}`); // 36 TOPIC_ALREADY_EXISTS
  }
  for (let attempt = 0; attempt < 100; attempt++) {
    const metadata = await client.send(ApiKey.Metadata, 12, {
      topics: [{ name: topic, topicId: ZERO_UUID }],
      allowAutoTopicCreation: true,
      includeTopicAuthorizedOperations: false,
    });
    const t = metadata.topics[0];
    if (t !== undefined && t.errorCode === 0 && t.partitions.every((p) => p.leaderId >= 0)) {
      return t.partitions.length;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`topic ${topic} has no leader`);
}

/** Produces one record batch (v2 bytes) to one partition and returns the partition's answer. */
export async function produce(
  client: RawKafkaClient,
  topic: string,
  partition: number,
  records: Buffer,
  acks = -1,
): Promise<ProduceResponsePartitionProduceResponse> {
  const response = await client.send(ApiKey.Produce, 9, {
    transactionalId: null,
    acks,
    timeoutMs: 30_000,
    topicData: [{ name: topic, partitionData: [{ index: partition, records }] }],
  });
  const answer = response.responses[0]?.partitionResponses[0];
  assert.ok(answer, "produce response names the partition");
  return answer;
}

/** ListOffsets for one partition: LATEST (the high watermark), EARLIEST (the log start offset) or a time. */
export async function listOffset(
  client: RawKafkaClient,
  topic: string,
  partition: number,
  timestamp: bigint,
): Promise<bigint> {
  const response = await client.send(ApiKey.ListOffsets, 7, {
    replicaId: -1,
    isolationLevel: 0,
    topics: [{ name: topic, partitions: [{ partitionIndex: partition, currentLeaderEpoch: -1, timestamp }] }],
  });
  const answer = response.topics[0]?.partitions[0];
  assert.ok(answer, "list offsets response names the partition");
  assert.equal(answer.errorCode, 0, `ListOffsets ${topic}-${partition} ${timestamp}`);
  return answer.offset ?? -1n;
}

/** The body of a Fetch v12 of one partition (no session). */
export function fetchRequest(
  topic: string,
  partition: number,
  fetchOffset: bigint,
  options: { maxWaitMs?: number; minBytes?: number; maxBytes?: number } = {},
): ApiMessages[typeof ApiKey.Fetch]["request"] {
  const maxBytes = options.maxBytes ?? 8 * 1024 * 1024;
  return {
    replicaId: -1,
    maxWaitMs: options.maxWaitMs ?? 0,
    minBytes: options.minBytes ?? 1,
    maxBytes,
    isolationLevel: 0,
    sessionId: 0,
    sessionEpoch: -1,
    topics: [
      {
        topic,
        partitions: [
          {
            partition,
            currentLeaderEpoch: -1,
            fetchOffset,
            lastFetchedEpoch: -1,
            logStartOffset: -1n,
            partitionMaxBytes: maxBytes,
          },
        ],
      },
    ],
    forgottenTopicsData: [],
    rackId: "",
  };
}

/** The one partition of a fetch response (failing on a top-level error). */
export function fetchedPartition(
  response: ApiMessages[typeof ApiKey.Fetch]["response"],
): FetchResponsePartitionData {
  assert.equal(response.errorCode ?? 0, 0, "fetch top-level error");
  const data = response.responses[0]?.partitions[0];
  assert.ok(data, "fetch response names the partition");
  return data;
}

/** One Fetch v12 of one partition (no session). */
export async function fetchOnce(
  client: RawKafkaClient,
  topic: string,
  partition: number,
  fetchOffset: bigint,
  options: { maxWaitMs?: number; minBytes?: number; maxBytes?: number } = {},
): Promise<FetchResponsePartitionData> {
  const response = await client.send(ApiKey.Fetch, 12, fetchRequest(topic, partition, fetchOffset, options));
  return fetchedPartition(response);
}

/**
 * Reads a partition from `from` up to its high watermark with repeated fetches and decodes every
 * record (checking each batch's CRC). Fails on a fetch error or when a fetch makes no progress.
 */
export async function readPartition(
  client: RawKafkaClient,
  topic: string,
  partition: number,
  from = 0n,
): Promise<Record[]> {
  const records: Record[] = [];
  let offset = from;
  for (;;) {
    const data = await fetchOnce(client, topic, partition, offset);
    assert.equal(data.errorCode, 0, `fetch ${topic}-${partition} at ${offset}: error ${data.errorCode}`);
    if (offset >= data.highWatermark) return records;
    const before = offset;
    for (const batch of readRecordBatches(data.records ?? Buffer.alloc(0))) {
      for (const record of batch.records()) {
        if (record.offset < offset) continue; // a batch starting before the fetch offset
        if (record.offset >= Number(data.highWatermark)) break;
        records.push({ ...record, key: copy(record.key), value: copy(record.value) });
      }
      if (batch.nextOffset > Number(offset)) offset = BigInt(batch.nextOffset);
    }
    assert.ok(offset > before, `fetch ${topic}-${partition} at ${before} made no progress`);
  }
}

function copy(b: Buffer | null): Buffer | null {
  return b === null ? null : Buffer.from(b);
}

/** What `checkLogDir` found in one partition directory. */
export interface PartitionLogSummary {
  readonly dir: string;
  readonly segments: number;
  readonly batches: number;
  /** The offset after the last batch (the log end offset), or -1 without batches. */
  readonly nextOffset: number;
}

/**
 * Reads every segment file (`*.log`) of one partition directory and checks that it holds only
 * whole v2 batches with valid CRCs, their offsets increasing without gaps or overlaps across
 * segments, each segment's first batch at or after the offset in its file name, and no bytes after
 * the last batch. Fails the test with the file and byte position otherwise.
 */
export function checkLogDir(dir: string): PartitionLogSummary {
  const files = readdirSync(dir)
    .filter((f) => /^\d{20}\.log$/.test(f))
    .sort();
  let batches = 0;
  let expected = -1;
  for (const file of files) {
    const bytes = readFileSync(join(dir, file));
    const segmentBase = Number(file.slice(0, 20));
    let pos = 0;
    while (pos < bytes.length) {
      const where = `${join(dir, file)} at byte ${pos}`;
      assert.ok(bytes.length - pos >= RECORD_BATCH_OVERHEAD, `${where}: a partial batch header`);
      const header = readRecordBatchHeader(bytes, pos);
      assert.equal(header.magic, 2, `${where}: magic`);
      assert.ok(header.batchLength >= RECORD_BATCH_OVERHEAD - LOG_OVERHEAD, `${where}: batch length`);
      assert.ok(
        pos + LOG_OVERHEAD + header.batchLength <= bytes.length,
        `${where}: a half-written batch (${header.batchLength} bytes announced, ${bytes.length - pos - LOG_OVERHEAD} there)`,
      );
      assert.ok(isRecordBatchCrcValid(bytes, pos, header.batchLength), `${where}: CRC32C mismatch`);
      assert.ok(
        header.baseOffset >= segmentBase,
        `${where}: batch offset ${header.baseOffset} below the segment's`,
      );
      if (expected >= 0) {
        assert.equal(header.baseOffset, expected, `${where}: offsets not contiguous`);
      }
      expected = header.baseOffset + header.lastOffsetDelta + 1;
      batches++;
      pos += LOG_OVERHEAD + header.batchLength;
    }
  }
  return { dir, segments: files.length, batches, nextOffset: expected };
}
