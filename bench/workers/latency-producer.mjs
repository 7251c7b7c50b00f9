// End-to-end latency, producing side: sends `rate` records per second (open loop: on schedule,
// whatever the broker does) for `durationMs`, in Produce requests of at most 16 records. Each
// request's first record carries the send time (process.hrtime, CLOCK_MONOTONIC, which the
// consumer process shares) in its first 8 bytes, stamped just before the write; the batch CRC is
// recomputed. The first `warmupMs` are sent the same way but flagged (byte 8 of the value), and the
// consumer leaves them out of the figures. Prints one JSON line.
//
// params: { port, topic, rate, durationMs, warmupMs = 1000, acks = 1, valueSize = 1024 }
import { connect } from "node:net";
import { ApiKey, buildRecordBatch, crc32c } from "@weir/protocol";
import { makeValues } from "../lib/values.mjs";
import { decodeResponse, encodeRequest, FrameReader } from "../lib/wire.mjs";

const p = JSON.parse(process.argv[2]);
const MAX_RECORDS = 16;
const VERSION = 9;
const warmupMs = p.warmupMs ?? 1000;
const total = Math.round((p.rate * (warmupMs + p.durationMs)) / 1000);
const warmupRecords = Math.round((p.rate * warmupMs) / 1000);
const values = makeValues(MAX_RECORDS, p.valueSize ?? 1024);
const STAMP = Buffer.from("5e5e5e5e5e5e5e5e", "hex");
values[0] = Buffer.concat([STAMP, values[0].subarray(8)]);

// templates[c]: a Produce request with one batch of c records, and where its stamp and batch are.
const templates = [null];
for (let c = 1; c <= MAX_RECORDS; c++) {
  const batch = buildRecordBatch(
    values.slice(0, c).map((value) => ({ key: null, value, timestamp: Date.now() })),
    {},
  );
  const frame = encodeRequest(ApiKey.Produce, VERSION, c, {
    transactionalId: null,
    acks: p.acks ?? 1,
    timeoutMs: 30_000,
    topicData: [{ name: p.topic, partitionData: [{ index: 0, records: batch }] }],
  });
  const batchStart = frame.indexOf(batch.subarray(0, 61));
  templates.push({ frame, batchStart, batchEnd: batchStart + batch.length, stamp: frame.indexOf(STAMP) });
}

const socket = connect({ port: p.port, host: "127.0.0.1" });
socket.setNoDelay(true);
const frames = new FrameReader();
let scheduled = 0;
let requests = 0;
let acked = 0;
let lateMs = 0;
let t0 = 0;
// Send times of the requests awaiting their acknowledgement (responses come in order).
const pending = [];
const ackLatencies = [];

function tick() {
  const now = performance.now();
  const due = Math.min(total, Math.floor(((now - t0) / 1000) * p.rate)) - scheduled;
  if (due > 0) {
    // How far behind schedule the oldest record of this tick is (timer jitter, a busy machine).
    if (scheduled >= warmupRecords) lateMs = Math.max(lateMs, now - t0 - (scheduled / p.rate) * 1000);
    let left = due;
    while (left > 0) {
      const c = Math.min(left, MAX_RECORDS);
      const t = templates[c];
      const frame = Buffer.from(t.frame);
      frame.writeBigInt64BE(process.hrtime.bigint(), t.stamp);
      frame[t.stamp + 8] = scheduled >= warmupRecords ? 1 : 0;
      frame.writeUInt32BE(crc32c(frame.subarray(t.batchStart + 21, t.batchEnd)), t.batchStart + 17);
      socket.write(frame);
      pending.push(scheduled >= warmupRecords ? performance.now() : -1);
      requests++;
      left -= c;
    }
    scheduled += due;
  }
  if (scheduled < total) setTimeout(tick, 1);
}

socket.on("data", (chunk) => {
  try {
    frames.push(chunk, (frame) => {
      const { body } = decodeResponse(ApiKey.Produce, VERSION, frame);
      const part = body.responses[0].partitionResponses[0];
      if (part.errorCode !== 0) throw new Error(`produce failed: error ${part.errorCode}`);
      const sentAt = pending.shift();
      if (sentAt >= 0) ackLatencies.push(performance.now() - sentAt);
      acked++;
    });
  } catch (err) {
    console.error(err.message);
    process.exit(1);
  }
  if (scheduled === total && acked === requests) {
    const seconds = (performance.now() - t0) / 1000;
    socket.destroy();
    ackLatencies.sort((a, b) => a - b);
    const ack = (q) =>
      ackLatencies[Math.min(ackLatencies.length - 1, Math.floor((q / 100) * ackLatencies.length))];
    console.log(
      JSON.stringify({
        records: total,
        warmupRecords,
        requests,
        seconds,
        lateMs,
        ackP50: ack(50),
        ackP99: ack(99),
      }),
    );
  }
});
socket.on("error", (err) => {
  console.error(`latency producer: ${err.message}`);
  process.exit(1);
});
socket.once("connect", () => {
  t0 = performance.now();
  tick();
});
