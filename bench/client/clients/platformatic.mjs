// @platformatic/kafka (a root devDependency; needs Node >= 22.22) in the client benchmark.
// Produce: the producer's own batching, producer.asStream(): records are written to a Writable
// stream (waiting for 'drain' when it says so), which sends them in batches of `batchSize`
// records or after `batchTime` ms, one send() at a time; acks=-1, no compression, its defaults
// otherwise (not idempotent, round-robin over partitions for keyless records).
// Consume: the stream consumer, consumer.consume({ mode: "earliest" }), its 'data' events,
// counting records and value bytes.
import { readFileSync } from "node:fs";
import { Consumer, MessagesStreamModes, ProduceAcks, Producer } from "@platformatic/kafka";
import { makeValues } from "../../lib/values.mjs";
import { ConsumeCounter } from "../consume-counter.mjs";
import { CALLS_OUTSTANDING, MESSAGES_PER_CALL, windowedCalls } from "../windowed-calls.mjs";

/** The producer stream's batch (records per send) and its buffer (records). */
export const STREAM_BATCH_SIZE = 1000;
export const STREAM_HIGH_WATER_MARK = 2 * STREAM_BATCH_SIZE;
/** Kafka's default max.partition.fetch.bytes, as the other two clients use (its own default: 50 MiB). */
export const MAX_BYTES_PER_PARTITION = 1_048_576;

const values = makeValues(1000);
const clientId = "platformatic-client-bench";
// (its exports map hides package.json; dist/index.js sits one level below it)
const version = JSON.parse(
  readFileSync(new URL("../package.json", import.meta.resolve("@platformatic/kafka")), "utf8"),
).version;

export const name = "@platformatic/kafka";

export function settings({ platformaticProduce = "stream" } = {}) {
  return {
    version: `@platformatic/kafka ${version}`,
    produce:
      platformaticProduce === "send"
        ? `producer.send() of ${MESSAGES_PER_CALL} messages per call (keyless), ${CALLS_OUTSTANDING} calls outstanding; acks=-1, compression none; defaults otherwise (idempotent off, maxInflights 5)`
        : `producer.asStream({ batchSize: ${STREAM_BATCH_SIZE}, highWaterMark: ${STREAM_HIGH_WATER_MARK} }) (keyless records; batchTime default 10 ms, one send in flight); acks=-1, compression none; defaults otherwise (idempotent off)`,
    consume: `group consumer, consume({ mode: "earliest" }) stream, 'data' events; maxBytesPerPartition ${MAX_BYTES_PER_PARTITION} (like the others), defaults otherwise (maxBytes 50 MiB, highWaterMark 1024)`,
  };
}

/** Resolves at the stream's next 'drain' (or 'close', after an error), leaving no listener behind. */
function drained(stream) {
  return new Promise((resolve) => {
    const done = () => {
      stream.off("drain", done);
      stream.off("close", done);
      resolve();
    };
    stream.on("drain", done);
    stream.on("close", done);
  });
}

export async function produce({ bootstrap, topic, messages, platformaticProduce = "stream" }, timer) {
  const producer = new Producer({
    clientId,
    bootstrapBrokers: [bootstrap],
    acks: ProduceAcks.ALL,
    compression: "none",
  });
  if (platformaticProduce === "send") {
    timer.start();
    await windowedCalls(messages, (from, n) => {
      const list = new Array(n);
      for (let i = 0; i < n; i++) list[i] = { topic, value: values[(from + i) % values.length] };
      return producer.send({ messages: list });
    });
    timer.stop();
    await producer.close();
    return { messagesPerCall: MESSAGES_PER_CALL, callsOutstanding: CALLS_OUTSTANDING };
  }
  const stream = producer.asStream({ batchSize: STREAM_BATCH_SIZE, highWaterMark: STREAM_HIGH_WATER_MARK });
  let failure = null;
  stream.on("error", (err) => {
    failure ??= err;
  });
  timer.start();
  for (let i = 0; i < messages && failure === null; i++) {
    if (!stream.write({ topic, value: values[i % values.length] })) await drained(stream);
  }
  await stream.close();
  timer.stop();
  await producer.close();
  if (failure !== null) throw failure;
  return { messagesPerCall: STREAM_BATCH_SIZE };
}

export async function consume({ bootstrap, topic, messages, groupId }, timer) {
  const consumer = new Consumer({
    clientId,
    groupId,
    bootstrapBrokers: [bootstrap],
    maxBytesPerPartition: MAX_BYTES_PER_PARTITION,
  });
  const counter = new ConsumeCounter(messages, timer);
  timer.start();
  const stream = await consumer.consume({ topics: [topic], mode: MessagesStreamModes.EARLIEST });
  const failed = new Promise((_, reject) => stream.once("error", reject));
  failed.catch(() => {}); // reported through the race below, if it comes first
  stream.on("data", (message) => {
    counter.add(1, message.value.length);
  });
  await Promise.race([counter.done, failed]);
  await stream.close();
  await consumer.close();
  return counter.result();
}
