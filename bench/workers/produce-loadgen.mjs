// Produce load generator, in its own process so it never shares the broker's thread. It pre-encodes
// its requests once (Produce requests of 16-record batches of 1 KiB values, or the ceiling's bare
// length-framed batches) and keeps a bounded number in flight on one connection until the time or
// the count is up. Every response is decoded and checked. Prints one JSON line.
//
// params (JSON in argv[2]): { port, mode: "kafka" | "ceiling", topic, partitions = 1, acks = 1,
//   compression = "none" | "lz4", recordsPerBatch = 16, valueSize = 1024, inflight = 32,
//   durationMs | requests, version = 9 }
import { connect } from "node:net";
import { ApiKey, buildRecordBatch, CompressionType } from "@weir/protocol";
import { makeValues } from "../lib/values.mjs";
import { decodeResponse, encodeRequest, FrameReader } from "../lib/wire.mjs";

const p = JSON.parse(process.argv[2]);
const mode = p.mode ?? "kafka";
const partitions = p.partitions ?? 1;
const recordsPerBatch = p.recordsPerBatch ?? 16;
const valueSize = p.valueSize ?? 1024;
const inflight = p.inflight ?? 32;
const version = p.version ?? 9;
const compression = p.compression === "lz4" ? CompressionType.Lz4 : CompressionType.None;

const values = makeValues(recordsPerBatch, valueSize);
const now = Date.now();
const batch = buildRecordBatch(
  values.map((value) => ({ key: null, value, timestamp: now })),
  { compression },
);

// One pre-encoded request per in-flight slot; slot i always carries correlation id i, so the
// buffers are never modified after they are handed to the socket.
const slots = [];
let recordsPerRequest;
if (mode === "ceiling") {
  const frame = Buffer.allocUnsafe(4 + batch.length);
  frame.writeInt32BE(batch.length, 0);
  batch.copy(frame, 4);
  for (let i = 0; i < inflight; i++) slots.push(frame);
  recordsPerRequest = recordsPerBatch;
} else {
  const body = {
    transactionalId: null,
    acks: p.acks ?? 1,
    timeoutMs: 30_000,
    topicData: [
      {
        name: p.topic,
        partitionData: Array.from({ length: partitions }, (_, index) => ({ index, records: batch })),
      },
    ],
  };
  for (let i = 0; i < inflight; i++) slots.push(encodeRequest(ApiKey.Produce, version, i, body));
  recordsPerRequest = recordsPerBatch * partitions;
}
const requestBytes = slots[0].length;

const socket = connect({ port: p.port, host: "127.0.0.1" });
socket.setNoDelay(true);
const frames = new FrameReader();
let sent = 0;
let acked = 0;
let started = 0n;
let cpuAtStart = process.cpuUsage();
let deadline = Number.POSITIVE_INFINITY;
let finished = false;

function moreToSend() {
  if (p.requests !== undefined) return sent < p.requests;
  return performance.now() < deadline;
}

function pump() {
  while (sent - acked < inflight && moreToSend()) {
    socket.write(slots[sent % inflight]);
    sent++;
  }
  if (sent === acked && !moreToSend()) finish();
}

function finish() {
  if (finished) return;
  finished = true;
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const cpu = process.cpuUsage(cpuAtStart);
  const clientCpu = (cpu.user + cpu.system) / 1e6 / seconds;
  const records = acked * recordsPerRequest;
  socket.destroy();
  console.log(
    JSON.stringify({
      mode,
      requests: acked,
      records,
      seconds,
      recordsPerSecond: records / seconds,
      payloadMBps: (records * valueSize) / seconds / 1e6,
      wireMBps: (acked * requestBytes) / seconds / 1e6,
      requestBytes,
      batchBytes: batch.length,
      clientCpu,
    }),
  );
}

function onKafkaResponse(frame) {
  const { correlationId, body } = decodeResponse(ApiKey.Produce, version, frame);
  if (correlationId !== acked % inflight) throw new Error(`response ${correlationId} out of order`);
  for (const topic of body.responses) {
    for (const part of topic.partitionResponses) {
      if (part.errorCode !== 0) {
        throw new Error(`produce to ${topic.name}-${part.index} failed: error ${part.errorCode}`);
      }
    }
  }
  acked++;
}

let ackRemainder = 0;
socket.on("data", (chunk) => {
  try {
    if (mode === "ceiling") {
      // The bare server acknowledges every frame with 4 bytes.
      const total = ackRemainder + chunk.length;
      acked += Math.floor(total / 4);
      ackRemainder = total % 4;
    } else {
      frames.push(chunk, onKafkaResponse);
    }
    pump();
  } catch (err) {
    console.error(err.message);
    process.exit(1);
  }
});
socket.on("error", (err) => {
  console.error(`load generator: ${err.message}`);
  process.exit(1);
});
socket.on("close", () => {
  if (!finished) {
    console.error(`load generator: connection closed after ${acked} of ${sent} requests`);
    process.exit(1);
  }
});
socket.once("connect", () => {
  started = process.hrtime.bigint();
  cpuAtStart = process.cpuUsage();
  if (p.durationMs !== undefined) deadline = performance.now() + p.durationMs;
  pump();
});
