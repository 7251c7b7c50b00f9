import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import {
  ApiKey,
  buildLegacyMessageSet,
  buildRecordBatch,
  CompressionType,
  crc32,
  ErrorCode,
  type FetchResponsePartitionData,
  type LegacyMagic,
  type LegacyMessage,
  type LegacyMessageInput,
  NO_TIMESTAMP,
  readLegacyMessageSet,
  TimestampType,
} from "@weir/protocol";
import { ensureTopic, produce, readPartition } from "../network/kafka-probes.js";
import { RawKafkaClient } from "../support/raw-kafka-client.js";
import { startTestBroker, type TestBroker } from "../support/test-broker.js";

/*
 * Produce v0–v2 and Fetch v0–v3 over TCP: legacy message sets (magic 0 and 1) go in, are stored
 * as record batch v2, and come back out as message sets of the magic the fetch version reads —
 * and as v2 batches to Fetch v4+.
 */

let broker: TestBroker;
let client: RawKafkaClient;

before(async () => {
  // "error": the acks=0 test closes a connection on purpose, which the broker logs as a warning.
  broker = await startTestBroker({ logLevel: "error" });
  client = await RawKafkaClient.connect(broker.bootstrap);
});

after(async () => {
  client?.close();
  await broker?.destroy();
});

const now = () => Date.now();

function messages(count: number, tag: string, withTimestamps = true): LegacyMessageInput[] {
  return Array.from({ length: count }, (_, i) => ({
    key: i % 4 === 0 ? null : Buffer.from(`${tag}-key-${i}`),
    value: i % 7 === 3 ? null : Buffer.from(`${tag} value ${i} ${"v".repeat(i % 50)}`),
    timestamp: withTimestamps ? now() - 1000 + i : undefined,
  }));
}

async function produceLegacy(version: number, topic: string, records: Buffer, partition = 0, acks = -1) {
  const response = await client.send(ApiKey.Produce, version, {
    acks,
    timeoutMs: 30_000,
    topicData: [{ name: topic, partitionData: [{ index: partition, records }] }],
  });
  const answer = response.responses[0]?.partitionResponses[0];
  assert.ok(answer, "produce response names the partition");
  return answer;
}

async function fetchLegacy(
  version: number,
  topic: string,
  fetchOffset: number,
  partitionMaxBytes = 1024 * 1024,
  maxBytes = 8 * 1024 * 1024,
  partitions: number[] = [0],
): Promise<FetchResponsePartitionData[]> {
  const response = await client.send(ApiKey.Fetch, version, {
    replicaId: -1,
    maxWaitMs: 0,
    minBytes: 1,
    maxBytes,
    topics: [
      {
        topic,
        partitions: partitions.map((partition) => ({
          partition,
          fetchOffset: BigInt(fetchOffset),
          partitionMaxBytes,
        })),
      },
    ],
  });
  assert.equal(response.responses.length, 1);
  assert.equal(response.responses[0].topic, topic);
  return response.responses[0].partitions;
}

/** The magic a fetch version reads. */
const magicOf = (version: number): LegacyMagic => (version <= 1 ? 0 : 1);

/** Reads a partition from `from` to its high watermark with Fetch `version`, checking every message set. */
async function readLegacy(
  version: number,
  topic: string,
  from = 0,
  partitionMaxBytes = 1024 * 1024,
): Promise<{ messages: LegacyMessage[]; fetches: number }> {
  const out: LegacyMessage[] = [];
  let offset = from;
  let fetches = 0;
  for (;;) {
    const [data] = await fetchLegacy(version, topic, offset, partitionMaxBytes);
    fetches++;
    assert.equal(data.errorCode, ErrorCode.NONE, `fetch v${version} ${topic} at ${offset}`);
    if (offset >= Number(data.highWatermark)) {
      assert.equal(data.records?.length ?? 0, 0);
      return { messages: out, fetches };
    }
    const set = readLegacyMessageSet(data.records ?? Buffer.alloc(0));
    assert.equal(set.partialTail, false, "whole messages only");
    assert.ok(set.messages.length > 0, `fetch v${version} at ${offset} made progress`);
    for (const m of set.messages) {
      assert.equal(m.magic, magicOf(version), `fetch v${version} reads magic ${magicOf(version)}`);
      assert.equal(m.offset, offset, "offsets are consecutive from the fetch offset");
      out.push({ ...m, key: copy(m.key), value: copy(m.value) });
      offset++;
    }
  }
}

function copy(b: Buffer | null): Buffer | null {
  return b === null ? null : Buffer.from(b);
}

const bytesOf = (b: Uint8Array | null | undefined) => (b == null ? null : Buffer.from(b));

describe("Produce v0–v2 with legacy message sets", () => {
  const cases: { version: number; magic: LegacyMagic; compression: CompressionType }[] = [
    { version: 0, magic: 0, compression: CompressionType.None },
    { version: 0, magic: 0, compression: CompressionType.Gzip },
    { version: 1, magic: 0, compression: CompressionType.Snappy },
    { version: 1, magic: 0, compression: CompressionType.Lz4 },
    { version: 2, magic: 1, compression: CompressionType.None },
    { version: 2, magic: 1, compression: CompressionType.Gzip },
    { version: 2, magic: 1, compression: CompressionType.Snappy },
    { version: 2, magic: 1, compression: CompressionType.Lz4 },
  ];

  for (const { version, magic, compression } of cases) {
    const topic = `legacy-p${version}-m${magic}-${CompressionType[compression].toLowerCase()}`;
    test(`Produce v${version}, magic ${magic}, ${CompressionType[compression]}: read back by Fetch v0–v3 and v4+`, async () => {
      await ensureTopic(client, topic, 1);
      const first = messages(30, "a", magic === 1);
      const second = messages(20, "b", magic === 1);
      const a = await produceLegacy(version, topic, buildLegacyMessageSet(first, { magic, compression }));
      assert.equal(a.errorCode, ErrorCode.NONE);
      assert.equal(a.baseOffset, 0n);
      if (version >= 2) assert.equal(a.logAppendTimeMs, -1n, "CreateTime topic");
      // Offsets in a produced set are the broker's to assign, whatever the producer wrote.
      const b = await produceLegacy(
        version,
        topic,
        buildLegacyMessageSet(second, { magic, compression, baseOffset: 9999 }),
      );
      assert.equal(b.errorCode, ErrorCode.NONE);
      assert.equal(b.baseOffset, 30n);
      const all = [...first, ...second];

      for (const fetchVersion of [0, 1, 2, 3]) {
        const { messages: read } = await readLegacy(fetchVersion, topic);
        assert.equal(read.length, all.length, `fetch v${fetchVersion}`);
        read.forEach((m, i) => {
          assert.deepEqual(m.key, bytesOf(all[i].key));
          assert.deepEqual(m.value, bytesOf(all[i].value));
          const expected = magicOf(fetchVersion) === 0 || magic === 0 ? NO_TIMESTAMP : all[i].timestamp;
          assert.equal(m.timestamp, expected, `fetch v${fetchVersion} timestamp of ${i}`);
        });
      }
      const records = await readPartition(client, topic, 0);
      assert.equal(records.length, all.length);
      records.forEach((r, i) => {
        assert.equal(r.offset, i);
        assert.deepEqual(r.key, bytesOf(all[i].key));
        assert.deepEqual(r.value, bytesOf(all[i].value));
        assert.equal(r.timestamp, magic === 0 ? NO_TIMESTAMP : all[i].timestamp);
        assert.deepEqual(r.headers, []);
      });
    });
  }

  test("a legacy set keeps its codec in the stored batch and a down-converted wrapper", async () => {
    const topic = "legacy-codec-kept";
    await ensureTopic(client, topic, 1);
    const set = buildLegacyMessageSet(messages(10, "c"), { magic: 1, compression: CompressionType.Gzip });
    assert.equal((await produceLegacy(2, topic, set)).errorCode, ErrorCode.NONE);
    const [v12] = (
      await client.send(ApiKey.Fetch, 4, {
        replicaId: -1,
        maxWaitMs: 0,
        minBytes: 1,
        maxBytes: 1 << 20,
        isolationLevel: 0,
        topics: [{ topic, partitions: [{ partition: 0, fetchOffset: 0n, partitionMaxBytes: 1 << 20 }] }],
      })
    ).responses[0].partitions;
    assert.equal(v12.records![21 + 1] & 7, CompressionType.Gzip, "the v2 batch is gzip");
    const [v2] = await fetchLegacy(2, topic, 0);
    const read = readLegacyMessageSet(v2.records!);
    assert.equal(read.compression, CompressionType.Gzip);
    assert.equal(v2.records!.readInt32BE(8) + 12, v2.records!.length, "one wrapper");
  });

  test("Produce v0–v2 also accept a record batch v2 (as Kafka does)", async () => {
    const topic = "legacy-produce-v2-batch";
    await ensureTopic(client, topic, 1);
    for (const version of [0, 1, 2]) {
      const batch = buildRecordBatch([{ value: Buffer.from(`v${version}`), timestamp: now() }]);
      const answer = await produceLegacy(version, topic, batch);
      assert.equal(answer.errorCode, ErrorCode.NONE);
      assert.equal(answer.baseOffset, BigInt(version));
    }
    const { messages: read } = await readLegacy(1, topic);
    assert.deepEqual(
      read.map((m) => m.value?.toString()),
      ["v0", "v1", "v2"],
    );
  });

  test("broken message sets get error codes, and nothing is appended", async () => {
    const topic = "legacy-produce-errors";
    await ensureTopic(client, topic, 1);
    const good = buildLegacyMessageSet(messages(3, "e"), { magic: 1 });
    const badCrc = Buffer.from(good);
    badCrc[badCrc.length - 1] ^= 1;
    assert.equal((await produceLegacy(2, topic, badCrc)).errorCode, ErrorCode.CORRUPT_MESSAGE);
    assert.equal(
      (await produceLegacy(1, topic, good.subarray(0, good.length - 5))).errorCode,
      ErrorCode.CORRUPT_MESSAGE,
    );
    // zstd (compression id 4) needs magic 2.
    const zstd = buildLegacyMessageSet([{ value: Buffer.from("z") }], { magic: 1 });
    zstd[17] = 4;
    zstd.writeUInt32BE(crc32(zstd.subarray(16)), 12);
    assert.equal((await produceLegacy(2, topic, zstd)).errorCode, ErrorCode.UNSUPPORTED_COMPRESSION_TYPE);
    // A wrapper around nothing.
    const empty = buildLegacyMessageSet([{ value: Buffer.alloc(0) }], { magic: 0 });
    empty[17] = CompressionType.Gzip;
    empty.writeUInt32BE(crc32(empty.subarray(16)), 12);
    assert.equal((await produceLegacy(0, topic, empty)).errorCode, ErrorCode.CORRUPT_MESSAGE);
    const [data] = await fetchLegacy(0, topic, 0);
    assert.equal(data.highWatermark, 0n);
    // The connection is still usable.
    assert.equal((await produceLegacy(2, topic, good)).errorCode, ErrorCode.NONE);
  });

  test("a message larger than max.message.bytes is MESSAGE_TOO_LARGE", async () => {
    const topic = "legacy-too-large";
    await ensureTopic(client, topic, 1);
    const set = buildLegacyMessageSet([{ value: Buffer.alloc(1_100_000, 1) }], { magic: 0 });
    assert.equal((await produceLegacy(0, topic, set)).errorCode, ErrorCode.MESSAGE_TOO_LARGE);
  });

  test("a LogAppendTime topic: Produce v2 answers the append time, Fetch v2 reports it", async () => {
    const topic = "legacy-log-append-time";
    const created = await client.send(ApiKey.CreateTopics, 5, {
      topics: [
        {
          name: topic,
          numPartitions: 1,
          replicationFactor: -1,
          assignments: [],
          configs: [{ name: "message.timestamp.type", value: "LogAppendTime" }],
        },
      ],
      timeoutMs: 30_000,
      validateOnly: false,
    });
    assert.equal(created.topics[0].errorCode, ErrorCode.NONE);
    await ensureTopic(client, topic, 1);
    const before = now();
    const answer = await produceLegacy(
      2,
      topic,
      buildLegacyMessageSet(messages(4, "t", false), { magic: 0 }),
    );
    assert.equal(answer.errorCode, ErrorCode.NONE);
    const appendTime = Number(answer.logAppendTimeMs);
    assert.ok(appendTime >= before && appendTime <= now(), `log append time ${appendTime}`);
    for (const version of [2, 3]) {
      const { messages: read } = await readLegacy(version, topic);
      assert.equal(read.length, 4);
      for (const m of read) {
        assert.equal(m.timestampType, TimestampType.LogAppendTime);
        assert.equal(m.timestamp, appendTime);
      }
    }
  });

  test("acks=0 with a broken set closes the connection", async () => {
    const topic = "legacy-acks0";
    await ensureTopic(client, topic, 1);
    const other = await RawKafkaClient.connect(broker.bootstrap);
    try {
      const bad = buildLegacyMessageSet([{ value: Buffer.from("x") }], { magic: 0 });
      bad[bad.length - 1] ^= 1;
      const w = other.waitForClose();
      other
        .send(ApiKey.Produce, 0, {
          acks: 0,
          timeoutMs: 1000,
          topicData: [{ name: topic, partitionData: [{ index: 0, records: bad }] }],
        })
        .catch(() => {});
      await w;
    } finally {
      other.close();
    }
  });
});

describe("Fetch v0–v3 of record batches v2", () => {
  const topic = "legacy-fetch-of-v2";
  const records = Array.from({ length: 60 }, (_, i) => ({
    key: i % 5 === 0 ? null : Buffer.from(`k${i}`),
    value: Buffer.from(`v2 record ${i} ${"w".repeat(i)}`),
    headers: [{ key: "h", value: Buffer.from("dropped") }],
    timestamp: now() - 500 + i,
  }));
  const codecs = [
    CompressionType.None,
    CompressionType.Gzip,
    CompressionType.Snappy,
    CompressionType.Lz4,
    CompressionType.Zstd,
    CompressionType.None,
  ];

  before(async () => {
    await ensureTopic(client, topic, 1);
    // Ten records per batch, each batch with another codec, through Produce v9.
    for (let i = 0; i < codecs.length; i++) {
      const batch = buildRecordBatch(records.slice(i * 10, i * 10 + 10), { compression: codecs[i] });
      const answer = await produce(client, topic, 0, batch);
      assert.equal(answer.errorCode, ErrorCode.NONE);
      assert.equal(answer.baseOffset, BigInt(i * 10));
    }
  });

  for (const version of [0, 1, 2, 3]) {
    test(`Fetch v${version} returns every record as magic ${magicOf(version)} messages`, async () => {
      const { messages: read } = await readLegacy(version, topic);
      assert.equal(read.length, records.length);
      read.forEach((m, i) => {
        assert.equal(m.offset, i);
        assert.deepEqual(m.key, records[i].key);
        assert.deepEqual(m.value, records[i].value);
        assert.equal(m.timestamp, magicOf(version) === 0 ? NO_TIMESTAMP : records[i].timestamp);
      });
    });
  }

  test("batches keep their codec as wrappers; zstd ones come uncompressed", async () => {
    const [data] = await fetchLegacy(3, topic, 0);
    const codecsSeen: number[] = [];
    const set = data.records!;
    for (let pos = 0; pos < set.length; pos += 12 + set.readInt32BE(pos + 8))
      codecsSeen.push(set[pos + 17] & 7);
    assert.deepEqual(codecsSeen, [
      ...Array(10).fill(0),
      CompressionType.Gzip,
      CompressionType.Snappy,
      CompressionType.Lz4,
      ...Array(20).fill(0),
    ]);
  });

  test("a fetch offset inside a batch starts the messages at that offset", async () => {
    for (const offset of [3, 14, 47]) {
      for (const version of [0, 2]) {
        const [data] = await fetchLegacy(version, topic, offset);
        const read = readLegacyMessageSet(data.records!);
        assert.equal(read.messages[0].offset, offset, `v${version} at ${offset}`);
        assert.equal(read.messages.length, records.length - offset);
      }
    }
  });

  test("partitionMaxBytes: whole messages only, at least one, and every offset reached", async () => {
    for (const version of [0, 1, 2, 3]) {
      for (const limit of [1, 60, 300]) {
        const { messages: read, fetches } = await readLegacy(version, topic, 0, limit);
        assert.deepEqual(
          read.map((m) => m.offset),
          records.map((_, i) => i),
          `v${version}, limit ${limit}`,
        );
        assert.ok(fetches > 5, `v${version}, limit ${limit}: ${fetches} fetches`);
      }
    }
  });

  test("Fetch v3 maxBytes applies across partitions; the first partition gets at least one message", async () => {
    const two = "legacy-fetch-two-partitions";
    await ensureTopic(client, two, 2);
    for (const partition of [0, 1]) {
      const set = buildLegacyMessageSet(messages(20, `p${partition}`), { magic: 1 });
      assert.equal((await produceLegacy(2, two, set, partition)).errorCode, ErrorCode.NONE);
    }
    const all = await fetchLegacy(3, two, 0, 1 << 20, 1 << 20, [0, 1]);
    const sizes = all.map((p) => p.records!.length);
    assert.ok(sizes[0] > 0 && sizes[1] > 0);
    const limited = await fetchLegacy(3, two, 0, 1 << 20, sizes[0] + 10, [0, 1]);
    assert.equal(limited[0].records!.length, sizes[0]);
    assert.ok(limited[1].records!.length <= 10);
    assert.equal(readLegacyMessageSet(limited[1].records!).partialTail, false);
    const tiny = await fetchLegacy(3, two, 0, 1 << 20, 1, [0, 1]);
    assert.equal(readLegacyMessageSet(tiny[0].records!).messages.length, 1);
    assert.equal(tiny[1].records!.length, 0);
  });

  test("errors and offsets out of range are answered per partition", async () => {
    const [beyond] = await fetchLegacy(1, topic, 1000);
    assert.equal(beyond.errorCode, ErrorCode.OFFSET_OUT_OF_RANGE);
    const response = await client.send(ApiKey.Fetch, 0, {
      replicaId: -1,
      maxWaitMs: 0,
      minBytes: 1,
      topics: [
        {
          topic: "legacy-no-such-topic",
          partitions: [{ partition: 0, fetchOffset: 0n, partitionMaxBytes: 100 }],
        },
      ],
    });
    assert.equal(response.responses[0].partitions[0].errorCode, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  });

  test("a long-polling Fetch v1 is woken by a Produce v0", async () => {
    const poll = "legacy-long-poll";
    await ensureTopic(client, poll, 1);
    const other = await RawKafkaClient.connect(broker.bootstrap);
    try {
      const fetch = other.send(ApiKey.Fetch, 1, {
        replicaId: -1,
        maxWaitMs: 10_000,
        minBytes: 1,
        topics: [
          { topic: poll, partitions: [{ partition: 0, fetchOffset: 0n, partitionMaxBytes: 1 << 20 }] },
        ],
      });
      await new Promise((r) => setTimeout(r, 100));
      const started = now();
      await produceLegacy(0, poll, buildLegacyMessageSet([{ value: Buffer.from("wake") }], { magic: 0 }));
      const data = (await fetch).responses[0].partitions[0];
      assert.ok(now() - started < 5000);
      assert.deepEqual(
        readLegacyMessageSet(data.records!).messages.map((m) => m.value?.toString()),
        ["wake"],
      );
    } finally {
      other.close();
    }
  });
});
