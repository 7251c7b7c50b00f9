// End-to-end latency, consuming side: long-polls one partition (Fetch, max wait 100 ms, min 1
// byte) from offset 0 until `expected` records arrived. For every batch it reads the send time
// stamped in the first record's value; each record of the batch counts as one sample of
// (arrival of the Fetch response - send time); batches the producer flagged as warm-up are left
// out. Prints p50/p99/p99.9/max in milliseconds.
//
// params: { port, topic, expected, timeoutMs = 120000 }
import { connect } from "node:net";
import { ApiKey } from "@weir/protocol";
import { weightedPercentile } from "../lib/stats.mjs";
import { decodeResponse, FrameReader, fetchRequestTemplate, walkBatches } from "../lib/wire.mjs";

const p = JSON.parse(process.argv[2]);
const request = fetchRequestTemplate(p.topic, 0, {
  maxWaitMs: 100,
  minBytes: 1,
  partitionMaxBytes: 4_194_304,
});
const latencies = [];
const weights = [];
let offset = 0;
let received = 0;

/** Reads a zigzag varint at pos: [value, next position]. */
function varint(buf, pos) {
  let raw = 0;
  let shift = 0;
  for (;;) {
    const b = buf[pos++];
    raw += (b & 0x7f) * 2 ** shift;
    if ((b & 0x80) === 0) break;
    shift += 7;
  }
  return [raw % 2 === 0 ? raw / 2 : -(raw + 1) / 2, pos];
}

/** Offset of the first record's value in a batch starting at `start` (uncompressed batches). */
function firstValueAt(buf, start) {
  let pos = start + 61;
  [, pos] = varint(buf, pos); // record length
  pos += 1; // attributes
  [, pos] = varint(buf, pos); // timestamp delta
  [, pos] = varint(buf, pos); // offset delta
  const [keyLength, afterKeyLength] = varint(buf, pos);
  pos = afterKeyLength + Math.max(0, keyLength);
  [, pos] = varint(buf, pos); // value length
  return pos;
}

const socket = connect({ port: p.port, host: "127.0.0.1" });
socket.setNoDelay(true);
const frames = new FrameReader();

function send() {
  request.setOffset(offset);
  socket.write(request.frame);
}

function finish() {
  const ms = (q) => weightedPercentile(latencies, weights, q) / 1e6;
  socket.destroy();
  console.log(
    JSON.stringify({
      received,
      samples: weights.reduce((a, b) => a + b, 0),
      p50: ms(50),
      p99: ms(99),
      p999: ms(99.9),
      max: ms(100),
    }),
  );
  process.exit(0);
}

socket.on("data", (chunk) => {
  try {
    frames.push(chunk, (frame) => {
      const now = process.hrtime.bigint();
      const { body } = decodeResponse(ApiKey.Fetch, request.version, frame);
      const part = body.responses[0].partitions[0];
      if (part.errorCode !== 0) throw new Error(`fetch error ${part.errorCode}`);
      const records = part.records ?? Buffer.alloc(0);
      const walked = walkBatches(records, (buf, start) => {
        const at = firstValueAt(buf, start);
        if (buf[at + 8] !== 1) return;
        latencies.push(Number(now - buf.readBigInt64BE(at)));
        weights.push(buf.readInt32BE(start + 57));
      });
      if (walked.nextOffset >= 0) {
        offset = walked.nextOffset;
        received += walked.records;
      }
      if (received >= p.expected) finish();
      else send();
    });
  } catch (err) {
    console.error(err.message);
    process.exit(1);
  }
});
socket.on("error", (err) => {
  console.error(`latency consumer: ${err.message}`);
  process.exit(1);
});
socket.once("connect", send);
setTimeout(() => {
  console.error(
    `latency consumer: only ${received} of ${p.expected} records after ${p.timeoutMs ?? 120000} ms`,
  );
  process.exit(1);
}, p.timeoutMs ?? 120_000).unref();
