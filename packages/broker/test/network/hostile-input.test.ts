import assert from "node:assert/strict";
import { connect as netConnect } from "node:net";
import { after, afterEach, before, describe, test } from "node:test";
import {
  ApiKey,
  type ApiKeyValue,
  type ApiMessages,
  BatchOffsets,
  buildRecordBatch,
  crc32c,
  decodeRequestHeader,
  ErrorCode,
  encodeRequestBody,
  encodeRequestHeader,
  RECORD_BATCH_OVERHEAD,
  Reader,
  readRecordBatches,
  requestHeaderVersion,
  Writer,
  ZERO_UUID,
} from "@weir/protocol";
import { RawKafkaClient } from "../support/raw-kafka-client.js";
import { startTestBroker, type TestBroker } from "../support/test-broker.js";
import {
  brokerCloses,
  EARLIEST,
  ensureTopic,
  expectServing,
  fetchedPartition,
  fetchRequest,
  LATEST,
  listOffset,
  produce,
  supportsApi,
  within,
} from "./kafka-probes.js";

const MAX_REQUEST_BYTES = 1024 * 1024;
const MAX_MESSAGE_BYTES = 64 * 1024;
const TOPIC = "hostile";

let broker: TestBroker;
const clients: RawKafkaClient[] = [];

async function connect(): Promise<RawKafkaClient> {
  const client = await RawKafkaClient.connect(broker.bootstrap);
  clients.push(client);
  return client;
}

function sizePrefixed(frame: Buffer): Buffer {
  const size = Buffer.alloc(4);
  size.writeInt32BE(frame.length, 0);
  return Buffer.concat([size, frame]);
}

function int32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n, 0);
  return b;
}

/** A request header v1 (non-flexible) for any api key and version, with no body. */
function headerOnly(apiKey: number, apiVersion: number, correlationId: number): Buffer {
  const w = new Writer();
  encodeRequestHeader(w, 1, {
    requestApiKey: apiKey as never,
    requestApiVersion: apiVersion,
    correlationId,
    clientId: "hostile",
  });
  return w.toBuffer();
}

function requestFrame<K extends ApiKeyValue>(
  apiKey: K,
  version: number,
  correlationId: number,
  body: ApiMessages[K]["request"],
): Buffer {
  const w = new Writer();
  encodeRequestHeader(w, requestHeaderVersion(apiKey, version), {
    requestApiKey: apiKey,
    requestApiVersion: version,
    correlationId,
    clientId: "hostile",
  });
  encodeRequestBody(apiKey, version, w, body);
  return w.toBuffer();
}

/**
 * Writes `bytes` in one write on a new connection and collects every response frame until the
 * broker closes the connection.
 */
async function exchange(bytes: Buffer): Promise<{ correlationId: number; frame: Buffer }[]> {
  const [host, port] = broker.bootstrap.split(":");
  const socket = netConnect(Number(port), host);
  const received: Buffer[] = [];
  socket.on("data", (chunk: Buffer) => received.push(chunk));
  socket.on("error", () => {});
  socket.write(bytes);
  await within(
    new Promise((resolve) => socket.once("close", resolve)),
    10_000,
    "the broker did not close the connection",
  );
  let all = Buffer.concat(received);
  const answers: { correlationId: number; frame: Buffer }[] = [];
  while (all.length >= 4) {
    const size = all.readInt32BE(0);
    assert.ok(all.length >= 4 + size, "a whole response frame");
    const frame = all.subarray(4, 4 + size);
    answers.push({ correlationId: frame.readInt32BE(0), frame });
    all = all.subarray(4 + size);
  }
  assert.equal(all.length, 0, "no partial response");
  return answers;
}

function batch(count: number, valueBytes = 16, timestamp = Date.now()): Buffer {
  const records = [];
  for (let i = 0; i < count; i++) {
    records.push({ key: Buffer.from(`k${i}`), value: Buffer.alloc(valueBytes, 0x61 + (i % 26)), timestamp });
  }
  return buildRecordBatch(records);
}

before(async () => {
  broker = await startTestBroker({
    // Every closed connection logs a warning; only errors are worth reading here.
    logLevel: "error",
    config: {
      "socket.request.max.bytes": String(MAX_REQUEST_BYTES),
      "message.max.bytes": String(MAX_MESSAGE_BYTES),
    },
  });
  const client = await connect();
  await ensureTopic(client, TOPIC);
});

after(async () => {
  for (const c of clients) c.close();
  await broker?.destroy();
});

describe("hostile input on one connection does not stop the broker", () => {
  afterEach(async () => {
    for (const c of clients.splice(0)) c.close();
    await expectServing(broker.bootstrap);
  });

  test("a frame announcing more than socket.request.max.bytes closes the connection", async () => {
    const client = await connect();
    client.writeRaw(Buffer.concat([int32(MAX_REQUEST_BYTES + 1), headerOnly(ApiKey.ApiVersions, 3, 1)]));
    await brokerCloses(client, "oversized frame");
  });

  test("a frame of exactly socket.request.max.bytes is read (and then judged on its content)", async () => {
    // The limit is inclusive, as in Kafka; the content here is a Metadata v0 header followed by
    // junk, which does not decode: the connection is closed, but only after the whole frame.
    const client = await connect();
    const frame = Buffer.alloc(MAX_REQUEST_BYTES, 0xee);
    headerOnly(ApiKey.Metadata, 0, 1).copy(frame);
    client.writeRaw(sizePrefixed(frame));
    await brokerCloses(client, "junk frame at the size limit");
  });

  test("a negative frame size closes the connection", async () => {
    const client = await connect();
    client.writeRaw(Buffer.concat([int32(-1), headerOnly(ApiKey.ApiVersions, 3, 1)]));
    await brokerCloses(client, "negative size");
  });

  test("the most negative frame size closes the connection", async () => {
    const client = await connect();
    client.writeRaw(int32(-0x80000000));
    await brokerCloses(client, "int32 min size");
  });

  test("a truncated frame followed by the client closing is dropped quietly", async () => {
    const client = await connect();
    const frame = headerOnly(ApiKey.ApiVersions, 3, 1);
    client.writeRaw(Buffer.concat([int32(frame.length + 100), frame]));
    // Let the partial frame reach the broker, then go away mid-frame.
    await new Promise((r) => setTimeout(r, 20));
    client.close();
    await client.waitForClose();
  });

  test("a truncated size prefix followed by the client closing is dropped quietly", async () => {
    const client = await connect();
    client.writeRaw(Buffer.from([0, 0]));
    await new Promise((r) => setTimeout(r, 20));
    client.close();
    await client.waitForClose();
  });

  test("an HTTP request (garbage as a Kafka frame) closes the connection", async () => {
    const client = await connect();
    client.writeRaw(Buffer.from("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n"));
    await brokerCloses(client, "HTTP request");
  });

  test("a well-sized frame of garbage closes the connection", async () => {
    const client = await connect();
    client.writeRaw(sizePrefixed(Buffer.alloc(64, 0xff)));
    await brokerCloses(client, "0xff frame");
  });

  test("a frame shorter than a request header closes the connection", async () => {
    const client = await connect();
    client.writeRaw(sizePrefixed(Buffer.from([0, 18, 0, 3])));
    await brokerCloses(client, "4-byte frame");
  });

  test("an empty frame closes the connection", async () => {
    const client = await connect();
    client.writeRaw(int32(0));
    await brokerCloses(client, "0-byte frame");
  });

  test("a valid header with a body that does not decode closes the connection", async () => {
    const client = await connect();
    // Metadata v12 with a compact array length claiming 2^28 topics.
    const w = new Writer();
    encodeRequestHeader(w, requestHeaderVersion(ApiKey.Metadata, 12), {
      requestApiKey: ApiKey.Metadata,
      requestApiVersion: 12,
      correlationId: 7,
      clientId: "hostile",
    });
    const frame = Buffer.concat([w.toBuffer(), Buffer.from([0x80, 0x80, 0x80, 0x80, 0x01])]);
    await assert.rejects(client.sendFrame(frame, 7, ApiKey.Metadata, 12));
    await brokerCloses(client, "undecodable body");
  });

  test("an unknown api key closes the connection", async () => {
    const client = await connect();
    await assert.rejects(client.sendFrame(headerOnly(9999, 0, 1), 1, ApiKey.ApiVersions, 0));
    await brokerCloses(client, "api key 9999");
  });

  test("a negative api key closes the connection", async () => {
    const client = await connect();
    await assert.rejects(client.sendFrame(headerOnly(-1, 0, 1), 1, ApiKey.ApiVersions, 0));
    await brokerCloses(client, "api key -1");
  });

  test("a known api key the broker does not serve closes the connection", async () => {
    const client = await connect();
    assert.equal(await supportsApi(client, ApiKey.DescribeDelegationToken), false);
    await assert.rejects(
      client.sendFrame(headerOnly(ApiKey.DescribeDelegationToken, 0, 2), 2, ApiKey.ApiVersions, 0),
    );
    await brokerCloses(client, "DescribeDelegationToken");
  });

  test("ApiVersions at an unsupported version gets a v0 UNSUPPORTED_VERSION answer with the api list (KIP-511)", async () => {
    const client = await connect();
    // What a newer client sends: a flexible header (v2) and a body this broker cannot know.
    const w = new Writer();
    w.int16(ApiKey.ApiVersions).int16(99).int32(42).string("future");
    const frame = Buffer.concat([w.toBuffer(), Buffer.from([0x00, 0x07, 0x01, 0x02, 0x03, 0x00])]);
    const response = (await client.sendFrame(frame, 42, ApiKey.ApiVersions, 0)) as {
      errorCode: number;
      apiKeys: { apiKey: number; minVersion: number; maxVersion: number }[];
    };
    assert.equal(response.errorCode, ErrorCode.UNSUPPORTED_VERSION);
    const apiVersions = response.apiKeys.find((k) => k.apiKey === ApiKey.ApiVersions);
    assert.ok(apiVersions, "the list names ApiVersions itself");
    assert.ok(apiVersions.maxVersion >= 3);
    for (const key of [ApiKey.Produce, ApiKey.Fetch, ApiKey.Metadata, ApiKey.ListOffsets]) {
      assert.ok(
        response.apiKeys.some((k) => k.apiKey === key),
        `api ${key} listed`,
      );
    }
    // The connection stays usable: the client retries with a version from the list.
    const retry = await client.send(ApiKey.ApiVersions, apiVersions.maxVersion, {
      clientSoftwareName: "weir-test",
      clientSoftwareVersion: "1",
    });
    assert.equal(retry.errorCode, 0);
  });

  test("ApiVersions at a negative version also gets the KIP-511 answer", async () => {
    const client = await connect();
    const response = (await client.sendFrame(
      headerOnly(ApiKey.ApiVersions, -1, 5),
      5,
      ApiKey.ApiVersions,
      0,
    )) as {
      errorCode: number;
      apiKeys: unknown[];
    };
    assert.equal(response.errorCode, ErrorCode.UNSUPPORTED_VERSION);
    assert.ok(response.apiKeys.length > 0);
  });

  for (const [name, apiKey, version] of [
    ["Produce v12", ApiKey.Produce, 12],
    ["Fetch v18", ApiKey.Fetch, 18],
    ["Metadata v99", ApiKey.Metadata, 99],
  ] as const) {
    test(`${name}, a version the broker does not implement, closes the connection`, async () => {
      const client = await connect();
      // Encoded as the client would (the codec knows every version Kafka defines), or as a bare
      // header for versions that do not exist at all.
      let frame: Buffer;
      if (version <= 11) {
        const w = new Writer();
        encodeRequestHeader(w, requestHeaderVersion(apiKey, version), {
          requestApiKey: apiKey,
          requestApiVersion: version,
          correlationId: 3,
          clientId: "hostile",
        });
        if (apiKey === ApiKey.Produce) {
          encodeRequestBody(ApiKey.Produce, version, w, {
            acks: -1,
            timeoutMs: 1000,
            topicData: [{ name: TOPIC, partitionData: [{ index: 0, records: Buffer.alloc(0) }] }],
          });
        } else {
          encodeRequestBody(ApiKey.Fetch, version, w, {
            replicaId: -1,
            maxWaitMs: 0,
            minBytes: 1,
            maxBytes: 1024,
            topics: [
              { topic: TOPIC, partitions: [{ partition: 0, fetchOffset: 0n, partitionMaxBytes: 1024 }] },
            ],
          });
        }
        frame = w.toBuffer();
        // Sanity: the header we built is what we meant.
        const header = decodeRequestHeader(new Reader(frame), 1);
        assert.equal(header.requestApiVersion, version);
      } else {
        frame = headerOnly(apiKey, version, 3);
      }
      await assert.rejects(client.sendFrame(frame, 3, apiKey, 0));
      await brokerCloses(client, name);
    });
  }

  test("requests pipelined before a bad frame are answered before the connection closes", async () => {
    const client = await connect();
    const before = await listOffset(client, TOPIC, 0, LATEST);
    // One write: a produce (answered only after its fsync), then a frame of garbage. Kafka reads
    // one request at a time, so the produce is answered before the garbage is even read.
    const produceFrame = requestFrame(ApiKey.Produce, 9, 501, {
      transactionalId: null,
      acks: -1,
      timeoutMs: 30_000,
      topicData: [{ name: TOPIC, partitionData: [{ index: 0, records: batch(3) }] }],
    });
    const answers = await exchange(
      Buffer.concat([sizePrefixed(produceFrame), sizePrefixed(Buffer.alloc(16, 0xff))]),
    );
    assert.deepEqual(
      answers.map((a) => a.correlationId),
      [501],
      "the produce is answered, then the connection closes",
    );
    assert.equal(await listOffset(client, TOPIC, 0, LATEST), before + 3n);
  });

  test("a request pipelined before an oversized frame is answered before the connection closes", async () => {
    const versions = requestFrame(ApiKey.ApiVersions, 3, 77, {
      clientSoftwareName: "x",
      clientSoftwareVersion: "1",
    });
    const answers = await exchange(Buffer.concat([sizePrefixed(versions), int32(MAX_REQUEST_BYTES + 1)]));
    assert.deepEqual(
      answers.map((a) => a.correlationId),
      [77],
    );
  });

  test("a produce batch with a bad CRC gets CORRUPT_MESSAGE and nothing is appended", async () => {
    const client = await connect();
    const before = await listOffset(client, TOPIC, 0, LATEST);
    const records = batch(5);
    records[records.length - 1] ^= 0x01; // flip a bit in the last record: the CRC no longer matches
    const answer = await produce(client, TOPIC, 0, records);
    assert.equal(answer.errorCode, ErrorCode.CORRUPT_MESSAGE);
    assert.equal(await listOffset(client, TOPIC, 0, LATEST), before);
    // The connection is still good, and so is the partition.
    const ok = await produce(client, TOPIC, 0, batch(2));
    assert.equal(ok.errorCode, 0);
    assert.equal(ok.baseOffset, before);
    assert.equal(await listOffset(client, TOPIC, 0, LATEST), before + 2n);
  });

  test("a produce batch whose length field disagrees with the bytes gets CORRUPT_MESSAGE, nothing appended", async () => {
    const client = await connect();
    const before = await listOffset(client, TOPIC, 0, LATEST);
    const records = batch(3);
    records.writeInt32BE(records.readInt32BE(8) - 5, 8); // batchLength 5 bytes short
    const answer = await produce(client, TOPIC, 0, records);
    assert.equal(answer.errorCode, ErrorCode.CORRUPT_MESSAGE);
    assert.equal(await listOffset(client, TOPIC, 0, LATEST), before);
  });

  // Kafka's LogValidator walks every record of a v2 batch (decompressing compressed ones) and
  // refuses one whose records do not match its header, so no consumer ever trips over it.
  test("a batch with a valid CRC but records that do not match its header is refused, nothing appended", async () => {
    const client = await connect();
    const before = await listOffset(client, TOPIC, 0, LATEST);
    const records = batch(3);
    // The first record's length varint (zigzag) now claims 63 bytes more than it has: the
    // records overrun the batch, though the header (count, deltas, sizes) is consistent.
    records[RECORD_BATCH_OVERHEAD] = 0x7e;
    records.writeUInt32BE(crc32c(records.subarray(BatchOffsets.attributes)), BatchOffsets.crc);
    assert.throws(
      () => [...readRecordBatches(records)].map((b) => [...b.records()]),
      "the batch is malformed",
    );
    const answer = await produce(client, TOPIC, 0, records);
    assert.ok(
      answer.errorCode === ErrorCode.CORRUPT_MESSAGE || answer.errorCode === ErrorCode.INVALID_RECORD,
      `error ${answer.errorCode}`,
    );
    assert.equal(await listOffset(client, TOPIC, 0, LATEST), before);
  });

  test("a produce batch over max.message.bytes gets MESSAGE_TOO_LARGE and nothing is appended", async () => {
    const client = await connect();
    const before = await listOffset(client, TOPIC, 0, LATEST);
    const records = batch(4, MAX_MESSAGE_BYTES / 2);
    assert.ok(records.length > MAX_MESSAGE_BYTES && records.length < MAX_REQUEST_BYTES);
    const answer = await produce(client, TOPIC, 0, records);
    assert.equal(answer.errorCode, ErrorCode.MESSAGE_TOO_LARGE);
    assert.equal(await listOffset(client, TOPIC, 0, LATEST), before);
    assert.equal(await listOffset(client, TOPIC, 0, EARLIEST), 0n);
  });

  test("Metadata for an invalid topic name answers INVALID_TOPIC_EXCEPTION and creates nothing", async () => {
    const client = await connect();
    for (const name of ["bad/name", "..", "x".repeat(250), "spaces are invalid"]) {
      const response = await client.send(ApiKey.Metadata, 12, {
        topics: [{ name, topicId: ZERO_UUID }],
        allowAutoTopicCreation: true,
        includeTopicAuthorizedOperations: false,
      });
      assert.equal(response.topics[0]?.errorCode, ErrorCode.INVALID_TOPIC_EXCEPTION, name);
    }
    const all = await client.send(ApiKey.Metadata, 12, {
      topics: null,
      allowAutoTopicCreation: false,
      includeTopicAuthorizedOperations: false,
    });
    assert.deepEqual(
      all.topics.map((t) => t.name).filter((n) => n !== TOPIC && n !== "pipeline" && !n?.startsWith("__")),
      [],
    );
  });

  // Kafka (KafkaApis.getTopicMetadata) validates the name even when it does not auto-create.
  test("Metadata without auto-creation also answers INVALID_TOPIC_EXCEPTION for an invalid name (as Kafka)", async () => {
    const client = await connect();
    const response = await client.send(ApiKey.Metadata, 12, {
      topics: [{ name: "bad/name", topicId: ZERO_UUID }],
      allowAutoTopicCreation: false,
      includeTopicAuthorizedOperations: false,
    });
    assert.equal(response.topics[0]?.errorCode, ErrorCode.INVALID_TOPIC_EXCEPTION);
  });

  test("CreateTopics with an invalid topic name answers INVALID_TOPIC_EXCEPTION", async (t) => {
    const client = await connect();
    if (!(await supportsApi(client, ApiKey.CreateTopics))) {
      t.skip("CreateTopics is not served by this broker yet");
      return;
    }
    const response = await client.send(ApiKey.CreateTopics, 5, {
      topics: [
        { name: "bad/name", numPartitions: 1, replicationFactor: -1, assignments: [], configs: [] },
        { name: "", numPartitions: 1, replicationFactor: -1, assignments: [], configs: [] },
      ],
      timeoutMs: 10_000,
      validateOnly: false,
    });
    assert.deepEqual(
      response.topics.map((r) => [r.name, r.errorCode]),
      [
        ["bad/name", ErrorCode.INVALID_TOPIC_EXCEPTION],
        ["", ErrorCode.INVALID_TOPIC_EXCEPTION],
      ],
    );
  });
});

describe("pipelined requests are answered in request order", () => {
  const PIPELINE = "pipeline";

  before(async () => {
    await ensureTopic(await connect(), PIPELINE);
  });

  afterEach(async () => {
    for (const c of clients.splice(0)) c.close();
    await expectServing(broker.bootstrap);
  });

  test("many pipelined requests of mixed apis come back in order", async () => {
    const client = await connect();
    const order: string[] = [];
    const pending: Promise<unknown>[] = [];
    for (let i = 0; i < 50; i++) {
      const tag = `${i}`;
      const p =
        i % 3 === 0
          ? client.send(ApiKey.ApiVersions, 3, { clientSoftwareName: "x", clientSoftwareVersion: "1" })
          : i % 3 === 1
            ? client.send(ApiKey.Metadata, 12, {
                topics: [{ name: PIPELINE, topicId: ZERO_UUID }],
                allowAutoTopicCreation: false,
                includeTopicAuthorizedOperations: false,
              })
            : client.send(ApiKey.ListOffsets, 7, {
                replicaId: -1,
                isolationLevel: 0,
                topics: [
                  {
                    name: PIPELINE,
                    partitions: [{ partitionIndex: 0, currentLeaderEpoch: -1, timestamp: -1n }],
                  },
                ],
              });
      pending.push(p.then(() => order.push(tag)));
    }
    await Promise.all(pending);
    assert.deepEqual(
      order,
      Array.from({ length: 50 }, (_, i) => `${i}`),
    );
  });

  test("a long-poll Fetch that times out is answered before the ApiVersions sent after it", async () => {
    const client = await connect();
    const end = await listOffset(client, PIPELINE, 0, LATEST);
    const order: string[] = [];
    // Order is observed on the raw send promises: each settles when its response is read.
    const fetched = client
      .send(ApiKey.Fetch, 12, fetchRequest(PIPELINE, 0, end, { maxWaitMs: 500 }))
      .then((r) => {
        order.push("fetch");
        return fetchedPartition(r);
      });
    const versions = client
      .send(ApiKey.ApiVersions, 3, { clientSoftwareName: "x", clientSoftwareVersion: "1" })
      .then(() => order.push("apiVersions"));
    const data = await within(fetched, 15_000, "long-poll fetch");
    await versions;
    assert.deepEqual(order, ["fetch", "apiVersions"]);
    assert.equal(data.errorCode, 0);
    assert.equal(data.records?.length ?? 0, 0);
  });

  test("while a Fetch waits, its connection holds later answers and another connection is served", async () => {
    const waiting = await connect();
    const other = await connect();
    const producer = await connect();
    const end = await listOffset(waiting, PIPELINE, 0, LATEST);
    const order: string[] = [];
    // A wait far longer than the test: it ends because data arrives, not because time passes.
    const fetched = waiting
      .send(ApiKey.Fetch, 12, fetchRequest(PIPELINE, 0, end, { maxWaitMs: 60_000 }))
      .then((r) => {
        order.push("fetch");
        return fetchedPartition(r);
      });
    const versions = waiting
      .send(ApiKey.ApiVersions, 3, { clientSoftwareName: "x", clientSoftwareVersion: "1" })
      .then(() => order.push("apiVersions"));
    const metadata = await within(
      other.send(ApiKey.Metadata, 12, {
        topics: [{ name: PIPELINE, topicId: ZERO_UUID }],
        allowAutoTopicCreation: false,
        includeTopicAuthorizedOperations: false,
      }),
      10_000,
      "Metadata on another connection while a fetch waits",
    );
    order.push("metadata");
    assert.equal(metadata.topics[0]?.errorCode, 0);
    assert.deepEqual(order, ["metadata"], "the waiting connection answered nothing yet");
    // Data wakes the fetch; the ApiVersions answer then follows it.
    const produced = await produce(producer, PIPELINE, 0, batch(1));
    assert.equal(produced.errorCode, 0);
    const data = await within(fetched, 15_000, "fetch woken by produce");
    await versions;
    assert.deepEqual(order, ["metadata", "fetch", "apiVersions"]);
    assert.ok((data.records?.length ?? 0) > 0, "the fetch returns the new batch");
  });
});

describe("shutdown with hostile connections open", () => {
  test("close() finishes while a fetch long-polls, a frame is half sent and a client does not read", async () => {
    const own = await startTestBroker({ logLevel: "error" });
    try {
      const setup = await RawKafkaClient.connect(own.bootstrap);
      await ensureTopic(setup, "shutdown");
      const end = await listOffset(setup, "shutdown", 0, LATEST);
      setup.close();

      const polling = await RawKafkaClient.connect(own.bootstrap);
      clients.push(polling);
      const fetched = polling.send(
        ApiKey.Fetch,
        12,
        fetchRequest("shutdown", 0, end, { maxWaitMs: 120_000 }),
      );
      fetched.catch(() => {});
      const halfFrame = await RawKafkaClient.connect(own.bootstrap);
      clients.push(halfFrame);
      halfFrame.writeRaw(Buffer.concat([int32(1000), Buffer.alloc(10)]));
      // A client that asks for a lot and never reads the answers.
      const [host, port] = own.bootstrap.split(":");
      const deaf = netConnect(Number(port), host);
      deaf.pause();
      deaf.on("error", () => {});
      const metadata = requestFrame(ApiKey.Metadata, 12, 1, {
        topics: null,
        allowAutoTopicCreation: false,
        includeTopicAuthorizedOperations: false,
      });
      deaf.write(Buffer.concat(Array.from({ length: 2000 }, () => sizePrefixed(metadata))));
      await new Promise((r) => setTimeout(r, 100));

      await within(own.close(), 15_000, "broker close() with hostile connections open");
      await assert.rejects(fetched);
      await brokerCloses(halfFrame, "half-sent frame at shutdown");
      deaf.destroy();
    } finally {
      await own.destroy();
    }
  });
});
