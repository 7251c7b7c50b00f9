// kafkajs (a root devDependency) in the client benchmark.
// Produce: producer.send() of a fixed number of messages per call (kafkajs has no batching of its
// own: one call is one Produce request), a fixed number of calls outstanding; acks=-1, no
// compression, kafkajs's defaults otherwise (not idempotent, its default partitioner).
// Consume: a group member with eachBatch, fromBeginning, counting records and value bytes.
import { createRequire } from "node:module";
import kafkajs from "kafkajs";
import { makeValues } from "../../lib/values.mjs";
import { ConsumeCounter } from "../consume-counter.mjs";
import { CALLS_OUTSTANDING, MESSAGES_PER_CALL, windowedCalls } from "../windowed-calls.mjs";

const { Kafka, logLevel, CompressionTypes } = kafkajs;
const values = makeValues(1000);
const clientId = "kafkajs-client-bench";
const version = createRequire(import.meta.url)("kafkajs/package.json").version;

export const name = "kafkajs";

export function settings() {
  return {
    version: `kafkajs ${version}`,
    produce: `producer.send() of ${MESSAGES_PER_CALL} messages per call (keyless), ${CALLS_OUTSTANDING} calls outstanding; acks=-1, compression none; defaults otherwise (idempotent off, maxInFlightRequests unlimited)`,
    consume:
      "group consumer, fromBeginning, eachBatch (eachBatchAutoResolve); defaults: maxBytesPerPartition 1 MiB, maxBytes 10 MiB",
  };
}

function client(bootstrap) {
  return new Kafka({ brokers: [bootstrap], clientId, logLevel: logLevel.NOTHING });
}

export async function produce({ bootstrap, topic, messages }, timer) {
  const producer = client(bootstrap).producer();
  await producer.connect();
  const chunk = (from, n) => {
    const list = new Array(n);
    for (let i = 0; i < n; i++) list[i] = { value: values[(from + i) % values.length] };
    return list;
  };
  timer.start();
  await windowedCalls(messages, (from, n) =>
    producer.send({ topic, acks: -1, compression: CompressionTypes.None, messages: chunk(from, n) }),
  );
  timer.stop();
  await producer.disconnect();
  return { messagesPerCall: MESSAGES_PER_CALL, callsOutstanding: CALLS_OUTSTANDING };
}

export async function consume({ bootstrap, topic, messages, groupId }, timer) {
  const consumer = client(bootstrap).consumer({ groupId });
  await consumer.connect();
  const counter = new ConsumeCounter(messages, timer);
  timer.start();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  await consumer.run({
    eachBatch: async ({ batch }) => {
      let bytes = 0;
      for (const message of batch.messages) bytes += message.value.length;
      counter.add(batch.messages.length, bytes);
    },
  });
  await counter.done;
  await consumer.disconnect();
  return counter.result();
}
