import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { describe, it } from "node:test";
import { ErrorCode } from "@weir/protocol";
import type { Logger, ProducerOptions } from "../../src/config/options-table.js";
import { RecordTooLargeError } from "../../src/errors.js";
import { Kafka } from "../../src/kafka.js";
import { brokerFixture } from "../support/broker-fixture.js";
import { failOnUnhandledRejections } from "../support/guards.js";
import { readPartition } from "../support/read-partition.js";

failOnUnhandledRejections();

const cluster = brokerFixture();

/** A topic whose batches may be at most 2000 bytes (max.message.bytes). */
async function smallBatchTopic(name: string): Promise<string> {
  await cluster.admin.createTopics([{ name, numPartitions: 1, configs: { "max.message.bytes": "2000" } }]);
  return name;
}

/** A producer with batches far larger than the topic accepts; counts its batch splits. */
function bigBatchProducer(options: ProducerOptions): {
  producer: ReturnType<Kafka["producer"]>;
  splits: () => number;
} {
  let splits = 0;
  const logger: Logger = {
    debug() {},
    info() {},
    warn(message) {
      if (message === "splitting a batch the broker refused as too large") splits++;
    },
    error() {},
  };
  const kafka = new Kafka({ bootstrapServers: [cluster.broker.bootstrap], logger });
  return {
    producer: kafka.producer({ batchSize: 64 * 1024, lingerMs: 20, ...options }),
    splits: () => splits,
  };
}

/** A 300-byte value that names its record (random filler, so compression cannot shrink it). */
function value300(i: number): Buffer {
  const label = Buffer.from(`record-${String(i).padStart(4, "0")}:`);
  return Buffer.concat([label, randomBytes(300 - label.length)]);
}

describe("MESSAGE_TOO_LARGE for a batch of several records", () => {
  const variants: [string, ProducerOptions][] = [
    ["idempotent", {}],
    ["idempotent, lz4", { compression: "lz4" }],
    // Without idempotence only one request in flight keeps order across retries, as in Kafka.
    ["not idempotent, one request in flight", { acks: 1, maxInFlightRequestsPerConnection: 1 }],
  ];
  for (const [name, options] of variants) {
    it(`splits it and delivers every record once, in order (${name})`, async () => {
      const topic = await smallBatchTopic(`split-${name.replace(/[^a-z0-9]+/g, "-")}`);
      const { producer, splits } = bigBatchProducer(options);
      try {
        const values = Array.from({ length: 300 }, (_, i) => value300(i));
        const results = await Promise.all(values.map((value) => producer.send({ topic, value })));
        assert.ok(splits() > 0, "batches were split");
        assert.deepEqual(
          results.map((r) => r.offset),
          values.map((_, i) => i),
          "offsets in send order",
        );
        const records = await readPartition(cluster.reader, topic, 0);
        assert.equal(records.length, values.length, "each record once");
        for (const [i, r] of records.entries()) assert.deepEqual(r.value, values[i], `record ${i}`);
      } finally {
        await producer.close();
      }
    });
  }

  it("fails a single record that is too large with RecordTooLargeError; the records around it are delivered in order", async () => {
    const topic = await smallBatchTopic("split-one-too-large");
    const { producer } = bigBatchProducer({});
    try {
      const values = Array.from({ length: 80 }, (_, i) =>
        i === 40 ? Buffer.concat([Buffer.from("huge:"), randomBytes(5000)]) : value300(i),
      );
      const outcomes = await Promise.allSettled(values.map((value) => producer.send({ topic, value })));
      for (const [i, o] of outcomes.entries()) {
        assert.equal(o.status, i === 40 ? "rejected" : "fulfilled", `record ${i}`);
      }
      const err = (outcomes[40] as PromiseRejectedResult).reason;
      assert.ok(err instanceof RecordTooLargeError, String(err));
      assert.equal(err.name, "MESSAGE_TOO_LARGE");
      assert.equal(err.code, ErrorCode.MESSAGE_TOO_LARGE);
      assert.equal(err.retriable, false);
      assert.equal(err.topic, topic);
      assert.equal(err.partition, 0);
      assert.match(
        err.message,
        /too large for split-one-too-large-0 .*MESSAGE_TOO_LARGE for a batch of 1 record\(s\)/,
      );
      const records = await readPartition(cluster.reader, topic, 0);
      assert.deepEqual(
        records.map((r) => r.value),
        values.filter((_, i) => i !== 40),
        "every other record once, in send order",
      );
    } finally {
      await producer.close();
    }
  });
});
