import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import {
  ApiKey,
  buildControlBatch,
  buildRecordBatch,
  ControlRecordType,
  type FetchRequest,
  readRecordBatchHeader,
} from "@weir/protocol";
import type { Consumer } from "../../src/consumer/consumer.js";
import type { ConsumerRecord } from "../../src/consumer/consumer-types.js";
import { type FetchPartition, FetchSession } from "../../src/consumer/fetch-session.js";
import { Kafka } from "../../src/kafka.js";
import { apiVersionsBody, FakeBroker, metadataBody } from "../support/fake-broker.js";
import { failOnUnhandledRejections } from "../support/guards.js";
import { KafkaProxy, type ProxiedRequest } from "../support/kafka-proxy.js";
import { startTestBroker, type TestBroker } from "../support/test-broker.js";

failOnUnhandledRejections();

let broker: TestBroker;
let proxy: KafkaProxy;
let kafka: Kafka;
const fetches: FetchRequest[] = [];

before(async () => {
  broker = await startTestBroker({ config: { "auto.create.topics.enable": "false" } });
  proxy = await KafkaProxy.inFrontOf(broker.port, {
    request(req) {
      if (req.apiKey === ApiKey.Fetch) fetches.push(req.body as FetchRequest);
      return undefined;
    },
  });
  kafka = new Kafka({ bootstrapServers: [proxy.address], clientId: "fetch-test" });
});

after(async () => {
  await kafka.close();
  await proxy.close();
  await broker.destroy();
});

async function createTopic(name: string, partitions: number): Promise<void> {
  const admin = kafka.admin();
  await admin.createTopics([{ name, numPartitions: partitions }]);
  await admin.close();
}

async function collect(consumer: Consumer, count: number): Promise<ConsumerRecord[]> {
  const out: ConsumerRecord[] = [];
  for await (const r of consumer) {
    out.push(r);
    if (out.length === count) break;
  }
  return out;
}

const part = (key: string, fetchOffset: number): FetchPartition => ({
  key,
  topic: key,
  topicId: "AAAAAAAAAAAAAAAAAAAAAA",
  partition: 0,
  fetchOffset,
  maxBytes: 100,
  leaderEpoch: 0,
});

describe("fetch sessions (KIP-227)", () => {
  it("plans a full fetch, then only changes, and starts over after an error", () => {
    const session = new FetchSession();
    const first = session.plan([part("a", 0), part("b", 0)], true, false);
    assert.equal(first.full, true);
    assert.deepEqual([first.sessionId, first.epoch], [0, 0]);
    assert.equal(session.onResponse(first, 0, 77), true);
    const second = session.plan([part("a", 5), part("b", 0), part("c", 0)], true, false);
    assert.equal(second.full, false);
    assert.deepEqual([second.sessionId, second.epoch], [77, 1]);
    assert.deepEqual(
      second.toSend.map((p) => p.key),
      ["a", "c"],
    );
    session.onResponse(second, 0, 77);
    const third = session.plan([part("c", 0)], true, false);
    assert.deepEqual([third.epoch, third.toSend.length], [2, 0]);
    assert.deepEqual(
      third.toForget.map((p) => p.key),
      ["a", "b"],
    );
    assert.equal(session.onResponse(third, 71 /* INVALID_FETCH_SESSION_EPOCH */, 0), false);
    const fourth = session.plan([part("c", 0)], true, false);
    assert.deepEqual([fourth.full, fourth.sessionId, fourth.epoch], [true, 0, 0]);
    session.onResponse(fourth, 0, 78);
    session.onError();
    const fifth = session.plan([part("c", 0)], true, false);
    assert.deepEqual(
      [fifth.full, fifth.sessionId, fifth.epoch],
      [true, 78, 0],
      "closes the old session, opens a new one",
    );
    assert.deepEqual(session.plan([part("c", 0)], false, false).epoch, -1, "sessionless before Fetch v7");
  });

  it("sends only partitions whose fetch offset changed once the session exists", async () => {
    const topic = "fetch-session";
    await createTopic(topic, 3);
    const producer = kafka.producer();
    await producer.sendBatch(Array.from({ length: 30 }, (_, i) => ({ topic, partition: 0, value: `${i}` })));
    const consumer = kafka.consumer({ autoOffsetReset: "earliest", fetchMaxWaitMs: 100 });
    consumer.assign([0, 1, 2].map((partition) => ({ topic, partition })));
    const start = fetches.length;
    await collect(consumer, 30);
    await producer.send({ topic, partition: 0, value: "late" });
    await collect(consumer, 1);
    await new Promise((r) => setTimeout(r, 300));
    const mine = fetches.slice(start);
    assert.ok(mine.length >= 3, `${mine.length} fetches`);
    assert.deepEqual(
      [mine[0].sessionId, mine[0].sessionEpoch, mine[0].topics[0].partitions.length],
      [0, 0, 3],
    );
    const sessionId = mine[1].sessionId;
    assert.ok(sessionId !== 0, "the broker opened a session");
    mine.slice(1).forEach((f, i) => {
      assert.equal(f.sessionId, sessionId);
      assert.equal(f.sessionEpoch, i + 1);
      const listed = f.topics.flatMap((t) => t.partitions.map((p) => p.partition));
      assert.ok(!listed.includes(1) && !listed.includes(2), `fetch ${i + 1} lists ${listed}`);
    });
    await producer.close();
    await consumer.close();
  });
});

describe("back-pressure", () => {
  it("stops fetching while the application is behind", async () => {
    const topic = "fetch-backpressure";
    await createTopic(topic, 1);
    const producer = kafka.producer({ batchSize: 16 * 1024, lingerMs: 5 });
    const value = Buffer.alloc(1024, 7);
    await producer.sendBatch(Array.from({ length: 3_000 }, () => ({ topic, value })));
    await producer.close();
    const consumer = kafka.consumer({ autoOffsetReset: "earliest", maxPartitionFetchBytes: 64 * 1024 });
    consumer.assign([{ topic, partition: 0 }]);
    const start = fetches.length;
    await collect(consumer, 1);
    await new Promise((r) => setTimeout(r, 500));
    const whileIdle = fetches.length - start;
    assert.ok(whileIdle <= 3, `${whileIdle} fetches while the application took nothing`);
    const rest = await collect(consumer, 2_999);
    assert.equal(rest[rest.length - 1].offset, 2_999);
    const total = fetches.length - start;
    assert.ok(total >= 3_000 / 64, `${total} fetches for 3 MB in 64 KiB responses`);
    await consumer.close();
  });

  it("resets an out-of-range position with auto.offset.reset", async () => {
    const topic = "fetch-out-of-range";
    await createTopic(topic, 1);
    const producer = kafka.producer();
    await producer.sendBatch(Array.from({ length: 5 }, (_, i) => ({ topic, value: `${i}` })));
    await producer.close();
    const consumer = kafka.consumer({ autoOffsetReset: "earliest" });
    const tp = { topic, partition: 0 };
    consumer.assign([tp]);
    consumer.seek({ ...tp, offset: 1_000 });
    assert.equal((await collect(consumer, 1))[0].offset, 0);
    await consumer.close();
    const strict = kafka.consumer({ autoOffsetReset: "none" });
    strict.assign([tp]);
    await assert.rejects(
      strict.poll(5_000),
      { name: "OFFSET_OUT_OF_RANGE" },
      "no committed offset, no reset",
    );
    strict.seek({ ...tp, offset: 1_000 });
    await assert.rejects(strict.poll(5_000), { name: "OFFSET_OUT_OF_RANGE" });
    strict.seek({ ...tp, offset: 3 });
    assert.deepEqual(
      (await strict.poll(5_000)).map((r) => r.offset),
      [3, 4],
    );
    await strict.close();
  });
});

/** A broker with one partition whose log is `log` (a buffer of batches), for cases the real broker cannot produce. */
async function fakeBroker(
  log: Buffer[],
  aborted: { producerId: bigint; firstOffset: bigint }[],
): Promise<FakeBroker> {
  const end = 7n;
  const fake: FakeBroker = await FakeBroker.start((req: ProxiedRequest) => {
    if (req.apiKey === ApiKey.ApiVersions) {
      return { body: apiVersionsBody({ 3: [1, 12], 18: [0, 4], 1: [4, 12], 2: [1, 7] }) };
    }
    if (req.apiKey === ApiKey.Metadata) {
      return {
        body: metadataBody(fake.port, [
          {
            errorCode: 0,
            name: "txn",
            isInternal: false,
            partitions: [
              {
                errorCode: 0,
                partitionIndex: 0,
                leaderId: 1,
                leaderEpoch: 0,
                replicaNodes: [1],
                isrNodes: [1],
                offlineReplicas: [],
              },
            ],
            topicAuthorizedOperations: -2147483648,
          },
        ]),
      };
    }
    if (req.apiKey === ApiKey.ListOffsets) {
      return {
        body: {
          throttleTimeMs: 0,
          topics: [
            {
              name: "txn",
              partitions: [{ partitionIndex: 0, errorCode: 0, timestamp: -1n, offset: 0n, leaderEpoch: 0 }],
            },
          ],
        },
      };
    }
    if (req.apiKey === ApiKey.Fetch) {
      const body = req.body as FetchRequest;
      const offset = body.topics[0]?.partitions[0]?.fetchOffset ?? end;
      const readCommitted = body.isolationLevel === 1;
      return {
        body: {
          throttleTimeMs: 0,
          errorCode: 0,
          sessionId: 0,
          responses: [
            {
              topic: "txn",
              partitions: [
                {
                  partitionIndex: 0,
                  errorCode: 0,
                  highWatermark: end,
                  lastStableOffset: end,
                  logStartOffset: 0n,
                  abortedTransactions: readCommitted ? aborted : null,
                  preferredReadReplica: -1,
                  // Like a broker: from the batch holding the fetch offset on.
                  records: Buffer.concat(
                    log.filter((b) => {
                      const h = readRecordBatchHeader(b);
                      return h.baseOffset + h.lastOffsetDelta >= Number(offset);
                    }),
                  ),
                },
              ],
            },
          ],
        },
      };
    }
    return undefined;
  });
  return fake;
}

describe("fetch responses the real broker does not produce", () => {
  const rec = (v: string) => ({ value: Buffer.from(v), timestamp: 1_000 });
  const transactionalLog = [
    buildRecordBatch([rec("committed-0"), rec("committed-1")], {
      baseOffset: 0,
      producerId: 1,
      producerEpoch: 0,
      baseSequence: 0,
      transactional: true,
    }),
    buildRecordBatch([rec("aborted-2"), rec("aborted-3")], {
      baseOffset: 2,
      producerId: 2,
      producerEpoch: 0,
      baseSequence: 0,
      transactional: true,
    }),
    buildControlBatch(
      { type: ControlRecordType.Abort, coordinatorEpoch: 0 },
      { producerId: 2, producerEpoch: 0, timestamp: 1_000, baseOffset: 4 },
    ),
    buildControlBatch(
      { type: ControlRecordType.Commit, coordinatorEpoch: 0 },
      { producerId: 1, producerEpoch: 0, timestamp: 1_000, baseOffset: 5 },
    ),
    buildRecordBatch([rec("plain-6")], { baseOffset: 6 }),
  ];

  for (const isolationLevel of ["read_committed", "read_uncommitted"] as const) {
    it(`skips control batches${isolationLevel === "read_committed" ? " and aborted transactions" : ""} (${isolationLevel})`, async () => {
      const fake = await fakeBroker(transactionalLog, [{ producerId: 2n, firstOffset: 2n }]);
      const client = new Kafka({ bootstrapServers: [`127.0.0.1:${fake.port}`] });
      const consumer = client.consumer({ isolationLevel, autoOffsetReset: "earliest" });
      consumer.assign([{ topic: "txn", partition: 0 }]);
      const expected =
        isolationLevel === "read_committed"
          ? ["committed-0", "committed-1", "plain-6"]
          : ["committed-0", "committed-1", "aborted-2", "aborted-3", "plain-6"];
      const got = await collect(consumer, expected.length);
      assert.deepEqual(
        got.map((r) => r.value?.toString()),
        expected,
      );
      assert.equal(await consumer.position({ topic: "txn", partition: 0 }), 7, "past the control batches");
      await consumer.close();
      await fake.close();
    });
  }

  it("reports a corrupt batch after the good ones, and goes on after a seek past it", async () => {
    const good = buildRecordBatch([rec("a"), rec("b")], { baseOffset: 0 });
    const bad = buildRecordBatch([rec("c")], { baseOffset: 2 });
    bad[bad.length - 1] ^= 0xff; // breaks the CRC32C
    const tail = buildRecordBatch([rec("d"), rec("e"), rec("f"), rec("g")], { baseOffset: 3 });
    const fake = await fakeBroker([good, bad, tail], []);
    const client = new Kafka({ bootstrapServers: [`127.0.0.1:${fake.port}`] });
    const consumer = client.consumer({ autoOffsetReset: "earliest" });
    const tp = { topic: "txn", partition: 0 };
    consumer.assign([tp]);
    assert.deepEqual(
      (await collect(consumer, 2)).map((r) => r.offset),
      [0, 1],
    );
    await assert.rejects(collect(consumer, 1), { name: "CORRUPT_MESSAGE" });
    assert.equal(await consumer.position(tp), 2);
    consumer.seek({ ...tp, offset: 3 });
    assert.deepEqual(
      (await collect(consumer, 4)).map((r) => r.value?.toString()),
      ["d", "e", "f", "g"],
    );
    await consumer.close();
    await fake.close();
  });
});
