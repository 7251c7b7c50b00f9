import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { CompressionName } from "../../src/config/options-table.js";
import type { ConsumerRecord } from "../../src/consumer/consumer-types.js";
import { Kafka } from "../../src/kafka.js";
import { failOnUnhandledRejections } from "../support/guards.js";
import { startTestBroker, type TestBroker } from "../support/test-broker.js";

failOnUnhandledRejections();

let broker: TestBroker;
let kafka: Kafka;

before(async () => {
  broker = await startTestBroker({ config: { "auto.create.topics.enable": "false" } });
  kafka = new Kafka({ bootstrapServers: [broker.bootstrap], clientId: "consumer-test" });
});

after(async () => {
  await kafka.close();
  await broker.destroy();
});

async function createTopic(name: string, partitions: number): Promise<void> {
  const admin = kafka.admin();
  await admin.createTopics([{ name, numPartitions: partitions }]);
  await admin.close();
}

/** Reads from the iterator until `count` records came. */
async function collect(iterable: AsyncIterable<ConsumerRecord>, count: number): Promise<ConsumerRecord[]> {
  const out: ConsumerRecord[] = [];
  if (count === 0) return out;
  for await (const record of iterable) {
    out.push(record);
    if (out.length >= count) break;
  }
  return out;
}

function value(r: ConsumerRecord): string | null {
  return r.value === null ? null : r.value.toString();
}

describe("assign() without a group", () => {
  for (const codec of ["none", "gzip", "snappy", "lz4", "zstd"] as CompressionName[]) {
    it(`reads back every record, headers and timestamps included (${codec})`, async () => {
      const topic = `assign-${codec}`;
      await createTopic(topic, 2);
      const producer = kafka.producer({ compression: codec, lingerMs: 20, batchSize: 64 * 1024 });
      const base = 1_700_000_000_000;
      const sent = Array.from({ length: 600 }, (_, i) => ({
        topic,
        partition: i % 2,
        key: i % 7 === 0 ? null : `k${i}`,
        value: i % 11 === 0 ? null : `value ${i} ${"x".repeat(i % 50)}`,
        headers:
          i % 3 === 0
            ? [
                { key: "h", value: `${i}` },
                { key: "h", value: null },
              ]
            : undefined,
        timestamp: base + i,
      }));
      await producer.sendBatch(sent);
      await producer.close();

      const consumer = kafka.consumer({ autoOffsetReset: "earliest" });
      consumer.assign([
        { topic, partition: 0 },
        { topic, partition: 1 },
      ]);
      const got = await collect(consumer, sent.length);
      await consumer.close();
      for (const partition of [0, 1]) {
        const mine = got.filter((r) => r.partition === partition);
        const theirs = sent.filter((r) => r.partition === partition);
        assert.equal(mine.length, theirs.length);
        mine.forEach((r, i) => {
          const s = theirs[i];
          assert.equal(r.topic, topic);
          assert.equal(r.offset, i);
          assert.equal(r.key?.toString() ?? null, s.key);
          assert.equal(value(r), s.value);
          assert.equal(r.timestamp, s.timestamp);
          assert.equal(r.timestampType, "CreateTime");
          assert.deepEqual(
            r.headers.map((h) => [h.key, h.value?.toString() ?? null]),
            (s.headers ?? []).map((h) => [h.key, h.value]),
          );
        });
      }
    });
  }

  it("starts at the end with auto.offset.reset=latest and sees only new records", async () => {
    const topic = "assign-latest";
    await createTopic(topic, 1);
    const producer = kafka.producer();
    await producer.sendBatch(Array.from({ length: 10 }, (_, i) => ({ topic, value: `old ${i}` })));
    const consumer = kafka.consumer();
    consumer.assign([{ topic, partition: 0 }]);
    assert.equal(await consumer.position({ topic, partition: 0 }), 10);
    await producer.send({ topic, value: "new" });
    const [record] = await collect(consumer, 1);
    assert.equal(record.offset, 10);
    assert.equal(value(record), "new");
    await producer.close();
    await consumer.close();
  });

  it("poll() returns at most max.poll.records and an empty array after its timeout", async () => {
    const topic = "assign-poll";
    await createTopic(topic, 1);
    const producer = kafka.producer();
    await producer.sendBatch(Array.from({ length: 25 }, (_, i) => ({ topic, value: `${i}` })));
    await producer.close();
    const consumer = kafka.consumer({ autoOffsetReset: "earliest", maxPollRecords: 10 });
    consumer.assign([{ topic, partition: 0 }]);
    const seen: number[] = [];
    while (seen.length < 25) {
      const records = await consumer.poll(5_000);
      assert.ok(records.length > 0 && records.length <= 10, `poll returned ${records.length}`);
      seen.push(...records.map((r) => r.offset));
    }
    assert.deepEqual(
      seen,
      Array.from({ length: 25 }, (_, i) => i),
    );
    const started = Date.now();
    assert.deepEqual(await consumer.poll(300), []);
    assert.ok(Date.now() - started >= 250);
    await consumer.close();
  });

  it("seeks, seeks to the beginning, the end and a timestamp", async () => {
    const topic = "assign-seek";
    await createTopic(topic, 1);
    const producer = kafka.producer();
    const base = 1_720_000_000_000;
    await producer.sendBatch(
      Array.from({ length: 100 }, (_, i) => ({ topic, value: `${i}`, timestamp: base + i * 10 })),
    );
    const consumer = kafka.consumer({ autoOffsetReset: "earliest" });
    const tp = { topic, partition: 0 };
    consumer.assign([tp]);
    assert.deepEqual(
      (await collect(consumer, 3)).map((r) => r.offset),
      [0, 1, 2],
    );
    consumer.seek({ ...tp, offset: 50 });
    assert.deepEqual(
      (await collect(consumer, 2)).map((r) => r.offset),
      [50, 51],
    );
    consumer.seekToBeginning();
    assert.equal((await collect(consumer, 1))[0].offset, 0);
    consumer.seekToTimestamp(base + 425);
    assert.equal((await collect(consumer, 1))[0].offset, 43);
    consumer.seekToEnd([tp]);
    assert.equal(await consumer.position(tp), 100);
    assert.equal(consumer.currentLag(tp), 0);
    await producer.send({ topic, value: "after" });
    const [last] = await collect(consumer, 1);
    assert.equal(last.offset, 100);
    assert.throws(() => consumer.seek({ topic, partition: 7, offset: 0 }), { name: "ILLEGAL_STATE" });
    assert.throws(() => consumer.seek({ ...tp, offset: -1 }), { name: "ILLEGAL_ARGUMENT" });
    await producer.close();
    await consumer.close();
  });

  it("pauses and resumes partitions", async () => {
    const topic = "assign-pause";
    await createTopic(topic, 2);
    const producer = kafka.producer();
    await producer.sendBatch(
      Array.from({ length: 40 }, (_, i) => ({ topic, partition: i % 2, value: `${i}` })),
    );
    const consumer = kafka.consumer({ autoOffsetReset: "earliest" });
    const p0 = { topic, partition: 0 };
    const p1 = { topic, partition: 1 };
    consumer.assign([p0, p1]);
    consumer.pause([p0]);
    assert.deepEqual(consumer.paused(), [p0]);
    const first = await collect(consumer, 20);
    assert.ok(first.every((r) => r.partition === 1));
    assert.deepEqual(await consumer.poll(300), [], "nothing while partition 0 is paused");
    consumer.resume([p0]);
    assert.deepEqual(consumer.paused(), []);
    const rest = await collect(consumer, 20);
    assert.ok(rest.every((r) => r.partition === 0));
    assert.deepEqual(
      rest.map((r) => r.offset),
      Array.from({ length: 20 }, (_, i) => i),
    );
    // Pausing in the middle of a buffered response keeps its records for later.
    await producer.sendBatch(
      Array.from({ length: 10 }, (_, i) => ({ topic, partition: 1, value: `more ${i}` })),
    );
    const [one] = await collect(consumer, 1);
    assert.equal(one.offset, 20);
    consumer.pause([p1]);
    assert.deepEqual(await consumer.poll(200), []);
    consumer.resume([p1]);
    const after = await collect(consumer, 9);
    assert.deepEqual(
      after.map((r) => r.offset),
      Array.from({ length: 9 }, (_, i) => 21 + i),
    );
    await producer.close();
    await consumer.close();
  });

  it("run() hands out batches and goes back to a failed batch", async () => {
    const topic = "assign-run";
    await createTopic(topic, 1);
    const producer = kafka.producer();
    await producer.sendBatch(Array.from({ length: 30 }, (_, i) => ({ topic, value: `${i}` })));
    await producer.close();
    const consumer = kafka.consumer({ autoOffsetReset: "earliest", maxPollRecords: 8 });
    consumer.assign([{ topic, partition: 0 }]);
    const seen: number[] = [];
    let failed = false;
    await assert.rejects(
      consumer.run({
        eachBatch: async (batch) => {
          assert.ok(batch.records.length <= 8);
          if (!failed && batch.records.some((r) => r.offset === 12)) {
            failed = true;
            throw new Error("handler failed");
          }
          seen.push(...batch.records.map((r) => r.offset));
        },
      }),
      /handler failed/,
    );
    const run = consumer.run({
      eachMessage: async (record) => {
        seen.push(record.offset);
        if (seen.length === 30) consumer.stop();
      },
    });
    await run;
    assert.deepEqual(
      seen,
      Array.from({ length: 30 }, (_, i) => i),
    );
    await consumer.close();
  });

  it("does not leave buffered partitions waiting behind a long poll of caught-up ones", {
    timeout: 15_000,
  }, async () => {
    // One fetch at a time per broker (fetch session): a fetch naming only partition 0, which has
    // nothing new, would hold the connection for fetch.max.wait.ms while partition 1's buffered
    // records run out. With a 60 s wait, such a stall fails this test by its timeout.
    const topic = "assign-caught-up";
    await createTopic(topic, 2);
    const producer = kafka.producer();
    for (let b = 0; b < 12; b++) {
      await producer.sendBatch(
        Array.from({ length: 5 }, (_, i) => ({ topic, partition: 1, value: `${b}-${i}` })),
      );
    }
    await producer.close();
    // max.partition.fetch.bytes 1: each response carries one batch of partition 1.
    const consumer = kafka.consumer({
      autoOffsetReset: "earliest",
      fetchMaxWaitMs: 60_000,
      maxPartitionFetchBytes: 1,
    });
    consumer.assign([
      { topic, partition: 0 },
      { topic, partition: 1 },
    ]);
    const records: ConsumerRecord[] = [];
    for await (const record of consumer) {
      records.push(record);
      // A slow first record lets partition 1's responses fill its buffer meanwhile.
      if (records.length === 1) await new Promise((resolve) => setTimeout(resolve, 300));
      if (records.length === 60) break;
    }
    assert.deepEqual(
      records.map((r) => r.offset),
      Array.from({ length: 60 }, (_, i) => i),
    );
    await consumer.close();
  });

  it("lets the event loop turn once per max.poll.records records handed out", async () => {
    // Buffered records go out through microtasks only; socket reads (the next fetch response,
    // heartbeats) and the application's own timers need the loop to turn now and then.
    const topic = "assign-turns";
    await createTopic(topic, 1);
    const producer = kafka.producer();
    await producer.sendBatch(Array.from({ length: 300 }, (_, i) => ({ topic, value: `${i}` })));
    await producer.close();
    const readers: [
      string,
      (consumer: ReturnType<Kafka["consumer"]>, onRecord: () => void) => Promise<void>,
    ][] = [
      [
        "iterator",
        async (consumer, onRecord) => {
          let n = 0;
          for await (const _ of consumer) {
            onRecord();
            if (++n === 300) break;
          }
        },
      ],
      [
        "run",
        (consumer, onRecord) => {
          let n = 0;
          return consumer.run({
            eachBatch: async ({ records }) => {
              for (const _ of records) onRecord();
              n += records.length;
              if (n >= 300) consumer.stop();
            },
          });
        },
      ],
    ];
    for (const [name, read] of readers) {
      const consumer = kafka.consumer({ autoOffsetReset: "earliest", maxPollRecords: 50 });
      consumer.assign([{ topic, partition: 0 }]);
      let seen = 0;
      let turnedAt: number | undefined;
      await read(consumer, () => {
        if (seen++ === 0) setImmediate(() => (turnedAt = seen));
      });
      await consumer.close();
      assert.equal(seen, 300, name);
      assert.ok(
        turnedAt !== undefined && turnedAt <= 50,
        `${name}: the loop first turned after ${turnedAt} records`,
      );
    }
  });

  it("ends a waiting loop when the consumer is closed, and rejects misuse", async () => {
    const topic = "assign-close";
    await createTopic(topic, 1);
    const consumer = kafka.consumer();
    await assert.rejects(consumer.poll(10), { name: "ILLEGAL_STATE" });
    assert.throws(() => consumer.subscribe(["x"]), { name: "INVALID_GROUP_ID" });
    consumer.assign([{ topic, partition: 0 }]);
    const loop = collect(consumer, 1);
    setTimeout(() => void consumer.close(), 200);
    assert.deepEqual(await loop, []);
    assert.throws(() => consumer.assign([{ topic, partition: 0 }]), { name: "CLIENT_CLOSED" });
  });
});
