// The Weir client (@weir/client, packages/client/dist) in the client benchmark.
// Produce: one send() per record, the way the client's README produces an unbounded stream
// (batching underneath with the client's defaults: batch.size 1,000,000, linger.ms 5; idempotent,
// acks=all), waiting for buffer memory when the client says so, then flush().
// Consume: a group member with run({ eachBatch }) (or `for await` with --weir-consume for-await),
// from the earliest offset, counting records and value bytes until the last one.
import { Kafka } from "@weir/client";
import { makeValues } from "../../lib/values.mjs";
import { ConsumeCounter } from "../consume-counter.mjs";

const values = makeValues(1000);
const clientId = "weir-client-bench";

export const name = "Weir";

export function settings({ weirConsume = "eachBatch", weirBatchSize } = {}) {
  const batchSize =
    weirBatchSize === undefined ? "batch.size 1000000 (default)" : `batch.size ${weirBatchSize}`;
  return {
    version: "@weir/client (packages/client/dist)",
    produce: `producer.send() per record (keyless), then flush(); ${batchSize}; defaults: linger.ms 5, max.in.flight 5, idempotent; acks=all, compression none`,
    consume: `group consumer, auto.offset.reset=earliest, ${weirConsume === "for-await" ? "for await (const record of consumer)" : "run({ eachBatch })"}; defaults: max.partition.fetch.bytes 1 MiB, fetch.max.bytes 50 MiB, max.poll.records 500`,
  };
}

export async function produce({ bootstrap, topic, messages, weirBatchSize }, timer) {
  const kafka = new Kafka({ bootstrapServers: [bootstrap], clientId });
  const producer = kafka.producer({
    acks: "all",
    compression: "none",
    ...(weirBatchSize === undefined ? {} : { batchSize: weirBatchSize }),
  });
  await producer.connect();
  let failure = null;
  const fail = (err) => {
    failure ??= err;
  };
  timer.start();
  for (let i = 0; i < messages; i++) {
    producer.send({ topic, value: values[i % values.length] }).catch(fail);
    if (producer.waitingRecords > 0) await producer.bufferAvailable();
  }
  await producer.flush();
  timer.stop();
  await producer.close();
  if (failure !== null) throw failure;
  return { messagesPerCall: 1 };
}

export async function consume({ bootstrap, topic, messages, groupId, weirConsume = "eachBatch" }, timer) {
  const kafka = new Kafka({ bootstrapServers: [bootstrap], clientId });
  const consumer = kafka.consumer({ groupId, autoOffsetReset: "earliest" });
  const counter = new ConsumeCounter(messages, timer);
  timer.start();
  consumer.subscribe([topic]);
  if (weirConsume === "for-await") {
    for await (const record of consumer) {
      if (counter.add(1, record.value.length)) break;
    }
  } else {
    await consumer.run({
      eachBatch: async ({ records }) => {
        let bytes = 0;
        for (const record of records) bytes += record.value.length;
        if (counter.add(records.length, bytes)) consumer.stop();
      },
    });
  }
  await consumer.close();
  return counter.result();
}
