// A minimal Kafka wire client for the suite's own use (admin requests, load generators), built on
// @weir/protocol's generated codecs. Not a general client: one connection, responses in order.
import { connect } from "node:net";
import {
  ApiKey,
  decodeResponseBody,
  decodeResponseHeader,
  encodeRequestBody,
  encodeRequestHeader,
  Reader,
  requestHeaderVersion,
  responseHeaderVersion,
  Writer,
} from "@weir/protocol";

export const CLIENT_ID = "weir-bench";

/** One request frame, size prefix included. */
export function encodeRequest(apiKey, version, correlationId, body) {
  const w = new Writer(1024);
  w.int32(0);
  encodeRequestHeader(w, requestHeaderVersion(apiKey, version), {
    requestApiKey: apiKey,
    requestApiVersion: version,
    correlationId,
    clientId: CLIENT_ID,
  });
  encodeRequestBody(apiKey, version, w, body);
  const frame = w.toBuffer();
  frame.writeInt32BE(frame.length - 4, 0);
  return frame;
}

/** Decodes a response frame (without its size prefix): { correlationId, body }. */
export function decodeResponse(apiKey, version, frame) {
  const r = new Reader(frame);
  const header = decodeResponseHeader(r, responseHeaderVersion(apiKey, version));
  return { correlationId: header.correlationId, body: decodeResponseBody(apiKey, version, r) };
}

/**
 * Splits a byte stream into length-prefixed frames. Frames inside one chunk are zero-copy slices;
 * a frame spanning chunks is assembled into its own buffer.
 */
export class FrameReader {
  #pending = null;
  #partial = null;
  #partialFilled = 0;

  /** Calls onFrame(frame) for every complete frame in `chunk`. */
  push(chunk, onFrame) {
    let buf = chunk;
    if (this.#partial !== null) {
      const need = this.#partial.length - this.#partialFilled;
      const take = Math.min(need, buf.length);
      buf.copy(this.#partial, this.#partialFilled, 0, take);
      this.#partialFilled += take;
      buf = buf.subarray(take);
      if (this.#partialFilled < this.#partial.length) return;
      const frame = this.#partial;
      this.#partial = null;
      onFrame(frame);
    }
    if (this.#pending !== null) {
      buf = Buffer.concat([this.#pending, buf]);
      this.#pending = null;
    }
    let pos = 0;
    while (buf.length - pos >= 4) {
      const size = buf.readInt32BE(pos);
      if (size < 0) throw new Error(`bad frame size ${size}`);
      if (buf.length - pos - 4 >= size) {
        onFrame(buf.subarray(pos + 4, pos + 4 + size));
        pos += 4 + size;
      } else {
        this.#partial = Buffer.allocUnsafe(size);
        buf.copy(this.#partial, 0, pos + 4);
        this.#partialFilled = buf.length - pos - 4;
        return;
      }
    }
    if (pos < buf.length) this.#pending = Buffer.from(buf.subarray(pos));
  }
}

/** One connection to a broker; `request` resolves with the decoded response body. */
export class WireConnection {
  #socket;
  #frames = new FrameReader();
  #waiting = [];
  #correlation = 1;
  #error = null;

  constructor(socket) {
    this.#socket = socket;
    socket.setNoDelay(true);
    socket.on("data", (chunk) => {
      try {
        this.#frames.push(chunk, (frame) => this.#onFrame(frame));
      } catch (err) {
        this.#failAll(err);
        socket.destroy();
      }
    });
    socket.on("error", (err) => this.#failAll(err));
    socket.on("close", () => this.#failAll(new Error("connection closed")));
  }

  static open(port, host = "127.0.0.1", timeoutMs = 5000) {
    return new Promise((resolve, reject) => {
      const socket = connect({ port, host });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new Error(`connect to ${host}:${port} timed out`));
      }, timeoutMs);
      socket.once("connect", () => {
        clearTimeout(timer);
        socket.removeAllListeners("error");
        resolve(new WireConnection(socket));
      });
      socket.once("error", (err) => {
        clearTimeout(timer);
        reject(err);
      });
    });
  }

  #onFrame(frame) {
    const next = this.#waiting.shift();
    if (next === undefined) return;
    try {
      const { correlationId, body } = decodeResponse(next.apiKey, next.version, frame);
      if (correlationId !== next.correlationId) {
        throw new Error(`correlation id ${correlationId}, expected ${next.correlationId}`);
      }
      next.resolve(body);
    } catch (err) {
      next.reject(err);
    }
  }

  #failAll(err) {
    this.#error ??= err;
    const waiting = this.#waiting;
    this.#waiting = [];
    for (const w of waiting) w.reject(err);
  }

  request(apiKey, version, body) {
    if (this.#error !== null) return Promise.reject(this.#error);
    const correlationId = this.#correlation++;
    return new Promise((resolve, reject) => {
      this.#waiting.push({ apiKey, version, correlationId, resolve, reject });
      this.#socket.write(encodeRequest(apiKey, version, correlationId, body));
    });
  }

  close() {
    this.#socket.destroy();
  }
}

export async function createTopics(conn, topics, timeoutMs = 120_000) {
  const response = await conn.request(ApiKey.CreateTopics, 4, {
    topics: topics.map(({ name, partitions = 1, configs = {} }) => ({
      name,
      numPartitions: partitions,
      replicationFactor: 1,
      assignments: [],
      configs: Object.entries(configs).map(([k, v]) => ({ name: k, value: String(v) })),
    })),
    timeoutMs,
    validateOnly: false,
  });
  for (const t of response.topics) {
    if (t.errorCode !== 0)
      throw new Error(`CreateTopics ${t.name}: error ${t.errorCode} ${t.errorMessage ?? ""}`);
  }
}

export async function deleteTopics(conn, names, timeoutMs = 60_000) {
  const response = await conn.request(ApiKey.DeleteTopics, 3, { topicNames: names, timeoutMs });
  for (const t of response.responses) {
    if (t.errorCode !== 0) throw new Error(`DeleteTopics ${t.name}: error ${t.errorCode}`);
  }
}

/** Metadata for the given topics (null: all): [{ name, errorCode, partitions: [{ index, errorCode }] }]. */
export async function metadata(conn, names) {
  const response = await conn.request(ApiKey.Metadata, 8, {
    topics: names === null ? null : names.map((name) => ({ name })),
    allowAutoTopicCreation: false,
    includeClusterAuthorizedOperations: false,
    includeTopicAuthorizedOperations: false,
  });
  return response.topics.map((t) => ({
    name: t.name,
    errorCode: t.errorCode,
    partitions: t.partitions.map((p) => ({ index: p.partitionIndex, errorCode: p.errorCode })),
  }));
}

/** The log end offset (ListOffsets latest) of one partition. */
export async function endOffset(conn, topic, partition) {
  const response = await conn.request(ApiKey.ListOffsets, 5, {
    replicaId: -1,
    isolationLevel: 0,
    topics: [
      { name: topic, partitions: [{ partitionIndex: partition, currentLeaderEpoch: -1, timestamp: -1n }] },
    ],
  });
  const p = response.topics[0].partitions[0];
  if (p.errorCode !== 0) throw new Error(`ListOffsets ${topic}-${partition}: error ${p.errorCode}`);
  return Number(p.offset);
}

/**
 * A Fetch request (v11: topic names, no session) for one partition, pre-encoded once. Returns
 * { frame, setOffset(offset) }: setOffset rewrites the fetch offset in place (the frame must not
 * be in a socket's write queue when that happens).
 */
export function fetchRequestTemplate(
  topic,
  partition,
  {
    maxWaitMs = 500,
    minBytes = 1,
    maxBytes = 52_428_800,
    partitionMaxBytes = 1_048_576,
    correlationId = 1,
  } = {},
) {
  const SENTINEL = 0x0badc0ffee1234n;
  const frame = encodeRequest(ApiKey.Fetch, 11, correlationId, {
    replicaId: -1,
    maxWaitMs,
    minBytes,
    maxBytes,
    isolationLevel: 0,
    sessionId: 0,
    sessionEpoch: -1,
    topics: [
      {
        topic,
        partitions: [
          {
            partition,
            currentLeaderEpoch: -1,
            fetchOffset: SENTINEL,
            lastFetchedEpoch: -1,
            logStartOffset: -1n,
            partitionMaxBytes,
          },
        ],
      },
    ],
    forgottenTopicsData: [],
    rackId: "",
  });
  const marker = Buffer.alloc(8);
  marker.writeBigInt64BE(SENTINEL);
  const at = frame.indexOf(marker);
  return {
    frame,
    version: 11,
    setOffset(offset) {
      frame.writeBigInt64BE(BigInt(offset), at);
    },
  };
}

/**
 * Walks the whole record batches in `records` (a Fetch response's bytes). Calls
 * onBatch(buffer, start, end) for each; returns { nextOffset, records } (nextOffset: one past the
 * last offset seen, or -1 when there was no whole batch).
 */
export function walkBatches(records, onBatch) {
  let pos = 0;
  let nextOffset = -1;
  let count = 0;
  while (records.length - pos >= 61) {
    const end = pos + 12 + records.readInt32BE(pos + 8);
    if (end > records.length) break;
    nextOffset = Number(records.readBigInt64BE(pos)) + records.readInt32BE(pos + 23) + 1;
    count += records.readInt32BE(pos + 57);
    onBatch?.(records, pos, end);
    pos = end;
  }
  return { nextOffset, records: count };
}
