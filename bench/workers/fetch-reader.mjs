// Fetch reader, in its own process: reads one partition from `startOffset` to `endOffset` with a
// pre-encoded Fetch request (only the offset is rewritten), one request in flight as a Kafka
// consumer has per broker. So that the reader is not what limits the figure, it does not copy or
// decode the records: it parses each response as it streams in (the fixed fields before the
// records, then only the 61-byte header of every batch), and sends the next Fetch the moment the
// last byte of a response arrives. The first response is also decoded in full with the generated
// codec, to check the streaming parser. Prints one JSON line.
//
// params: { port, topic, partition = 0, startOffset = 0, endOffset, maxBytes, partitionMaxBytes }
import { connect } from "node:net";
import { ApiKey } from "@weir/protocol";
import { decodeResponse, fetchRequestTemplate, walkBatches } from "../lib/wire.mjs";

const p = JSON.parse(process.argv[2]);
const request = fetchRequestTemplate(p.topic, p.partition ?? 0, {
  maxWaitMs: 500,
  minBytes: 1,
  maxBytes: p.maxBytes ?? 52_428_800,
  partitionMaxBytes: p.partitionMaxBytes ?? 1_048_576,
});
const HEADER = 61;

let offset = p.startOffset ?? 0;
let bytes = 0;
let records = 0;
let fetches = 0;
let started = 0n;
let cpuAtStart = process.cpuUsage();

/**
 * The fields of a Fetch v11 response (after its 4-byte size) up to its records, for one topic and
 * one partition; null while `len` bytes are not enough.
 */
function parsePrefix(buf, len) {
  let at = 4 + 4; // correlation id, throttle time
  if (len < at + 2 + 4 + 4 + 2) return null;
  const errorCode = buf.readInt16BE(at);
  at += 2 + 4; // error code, session id
  if (buf.readInt32BE(at) !== 1) throw new Error("expected one topic in the response");
  at += 4;
  at += 2 + buf.readInt16BE(at); // topic name
  if (len < at + 4 + 4 + 2 + 24 + 4) return null;
  if (buf.readInt32BE(at) !== 1) throw new Error("expected one partition in the response");
  at += 4 + 4; // partition count, index
  const partitionError = buf.readInt16BE(at);
  at += 2 + 24; // error code, high watermark, last stable offset, log start offset
  const aborted = buf.readInt32BE(at);
  at += 4 + Math.max(0, aborted) * 16;
  if (len < at + 4 + 4) return null;
  at += 4; // preferred read replica
  const recordsLength = buf.readInt32BE(at);
  at += 4;
  return { errorCode, partitionError, recordsStart: at, recordsEnd: at + Math.max(0, recordsLength) };
}

// Streaming state of the response being read.
const sizeBuf = Buffer.alloc(4);
let sizeFilled = 0;
let frameSize = -1;
let pos = 0; // bytes of the frame seen so far
const prefix = Buffer.alloc(65_536);
let prefixFilled = 0;
let parsed = null;
let nextBatch = 0;
const header = Buffer.alloc(HEADER);
let headerFilled = 0;
let frameNext = -1;
let frameRecords = 0;
let frameBytes = 0;
// The first response, kept whole to check the streaming parser against the generated decoder.
let check = [];

function startFrame(size) {
  frameSize = size;
  pos = 0;
  prefixFilled = 0;
  parsed = null;
  headerFilled = 0;
  frameNext = -1;
  frameRecords = 0;
  frameBytes = 0;
}

/** Walks the batch headers inside `slice`, which holds frame bytes [base, base + slice.length). */
function walk(slice, base) {
  const { recordsStart, recordsEnd } = parsed;
  while (nextBatch + HEADER <= recordsEnd) {
    const from = nextBatch + headerFilled - base;
    if (from >= slice.length) return;
    const n = Math.min(HEADER - headerFilled, slice.length - from);
    slice.copy(header, headerFilled, from, from + n);
    headerFilled += n;
    if (headerFilled < HEADER) return;
    headerFilled = 0;
    const end = nextBatch + 12 + header.readInt32BE(8);
    if (end > recordsEnd) break; // a partial batch at the end of the response
    frameNext = Number(header.readBigInt64BE(0)) + header.readInt32BE(23) + 1;
    frameRecords += header.readInt32BE(57);
    frameBytes = end - recordsStart;
    nextBatch = end;
  }
  nextBatch = recordsEnd;
}

function onSlice(slice) {
  const base = pos;
  if (check !== null) check.push(Buffer.from(slice)); // the read buffer is reused
  if (parsed === null) {
    const n = Math.min(slice.length, prefix.length - prefixFilled);
    slice.copy(prefix, prefixFilled, 0, n);
    prefixFilled += n;
    parsed = parsePrefix(prefix, prefixFilled);
    if (parsed === null && prefixFilled === prefix.length) throw new Error("response prefix too long");
    if (parsed !== null) nextBatch = parsed.recordsStart;
  }
  if (parsed !== null) walk(slice, base);
  pos += slice.length;
}

function endFrame() {
  if (parsed === null) throw new Error("truncated response");
  if (parsed.errorCode !== 0) throw new Error(`fetch error ${parsed.errorCode}`);
  if (parsed.partitionError !== 0) throw new Error(`fetch ${p.topic}: error ${parsed.partitionError}`);
  if (check !== null) {
    const frame = Buffer.concat(check);
    check = null;
    const { body } = decodeResponse(ApiKey.Fetch, request.version, frame);
    const walked = walkBatches(body.responses[0].partitions[0].records ?? Buffer.alloc(0));
    if (walked.nextOffset !== frameNext || walked.records !== frameRecords) {
      throw new Error(
        `streaming parser disagrees with the decoder: ${frameNext}/${frameRecords} vs ${walked.nextOffset}/${walked.records}`,
      );
    }
  }
  if (frameNext >= 0) {
    offset = frameNext;
    records += frameRecords;
    bytes += frameBytes;
  }
  if (offset >= p.endOffset) {
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const cpu = process.cpuUsage(cpuAtStart);
    const clientCpu = (cpu.user + cpu.system) / 1e6 / seconds;
    socket.destroy();
    console.log(
      JSON.stringify({
        bytes,
        records,
        fetches,
        seconds,
        MBps: bytes / seconds / 1e6,
        recordsPerSecond: records / seconds,
        clientCpu,
      }),
    );
    process.exit(0);
  }
  send();
}

// Reads go into one reusable 1 MiB buffer (net's onread): no Buffer per socket read, so the
// reader's own garbage collection (driven by external memory) does not limit the figure.
const socket = connect({
  port: p.port,
  host: "127.0.0.1",
  onread: { buffer: Buffer.allocUnsafe(1 << 20), callback: (n, buf) => onChunk(buf.subarray(0, n)) },
});
socket.setNoDelay(true);

function send() {
  request.setOffset(offset);
  socket.write(request.frame);
  fetches++;
}

function onChunk(chunk) {
  try {
    let i = 0;
    while (i < chunk.length) {
      if (frameSize < 0) {
        const n = Math.min(4 - sizeFilled, chunk.length - i);
        chunk.copy(sizeBuf, sizeFilled, i, i + n);
        sizeFilled += n;
        i += n;
        if (sizeFilled === 4) {
          sizeFilled = 0;
          startFrame(sizeBuf.readInt32BE(0));
        }
        continue;
      }
      const n = Math.min(chunk.length - i, frameSize - pos);
      onSlice(chunk.subarray(i, i + n));
      i += n;
      if (pos === frameSize) {
        frameSize = -1;
        endFrame();
      }
    }
  } catch (err) {
    console.error(err.message);
    process.exit(1);
  }
}
socket.on("error", (err) => {
  console.error(`fetch reader: ${err.message}`);
  process.exit(1);
});
socket.once("connect", () => {
  started = process.hrtime.bigint();
  cpuAtStart = process.cpuUsage();
  send();
});
