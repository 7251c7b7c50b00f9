#!/usr/bin/env node
// Captures the request frames that real Kafka clients send, as golden fixtures for golden.test.ts.
// It plays a one-broker cluster on a local port, answering with the generated codecs: ApiVersions
// (advertising ApiVersions 0-3, Metadata 0-12, Produce 3-9 and Fetch 4-11, which librdkafka
// needs to see before it writes record batch v2), Metadata (this broker leads "golden"
// partition 0) and Produce, so the clients go all the way to producing.
//
// usage, from the repository root after `npm run build`:
//   node packages/protocol/test/golden/capture.mjs
// writes packages/protocol/test/golden/frames/<client>-<nn>-<Api>-v<version>.bin (one request
// frame each, without its 4-byte size prefix). Needs kcat on the PATH and kafkajs installed.
import { spawn } from "node:child_process";
import { mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import kafkajs from "kafkajs";
import {
  API_SPECS,
  ApiKey,
  apiSpec,
  decodeRequestBody,
  decodeRequestHeader,
  encodeResponseBody,
  encodeResponseHeader,
  Reader,
  requestHeaderVersion,
  responseHeaderVersion,
  Writer,
} from "../../dist/src/index.js";

const FRAMES_DIR = fileURLToPath(new URL("./frames/", import.meta.url));
const TOPIC = "golden";
const TOPIC_ID = Buffer.from("6f6c64656e2d746f7069632d69642121", "hex").toString("base64url");
const ADVERTISED = [
  { apiKey: ApiKey.Produce, minVersion: 3, maxVersion: 9 },
  { apiKey: ApiKey.Fetch, minVersion: 4, maxVersion: 11 },
  { apiKey: ApiKey.Metadata, minVersion: 0, maxVersion: 12 },
  { apiKey: ApiKey.ApiVersions, minVersion: 0, maxVersion: 3 },
];

/** A fake broker that records every request frame and answers the few APIs it advertises. */
function startBroker(record) {
  const server = createServer((socket) => {
    let pending = Buffer.alloc(0);
    socket.on("error", () => {});
    socket.on("data", (chunk) => {
      pending = Buffer.concat([pending, chunk]);
      while (pending.length >= 4) {
        const size = pending.readInt32BE(0);
        if (pending.length < 4 + size) break;
        const frame = pending.subarray(4, 4 + size);
        pending = pending.subarray(4 + size);
        const reply = handle(frame, server.address().port, record);
        if (reply) socket.write(reply);
      }
    });
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

function handle(frame, port, record) {
  const apiKey = frame.readInt16BE(0);
  const version = frame.readInt16BE(2);
  record(apiKey, version, Buffer.from(frame));
  const r = new Reader(frame);
  const header = decodeRequestHeader(r, requestHeaderVersion(apiKey, version));
  const advertised = ADVERTISED.find((a) => a.apiKey === apiKey);
  let responseVersion = version;
  let body;
  if (apiKey === ApiKey.ApiVersions) {
    if (version > 3) {
      // Kafka answers an ApiVersions version it does not know with v0 and UNSUPPORTED_VERSION.
      responseVersion = 0;
      body = { errorCode: 35, apiKeys: ADVERTISED };
    } else {
      body = { errorCode: 0, apiKeys: ADVERTISED, throttleTimeMs: 0 };
    }
  } else if (!advertised || version < advertised.minVersion || version > advertised.maxVersion) {
    console.error(`unexpected request ${apiSpec(apiKey)?.name ?? apiKey} v${version}; closing`);
    return undefined;
  } else if (apiKey === ApiKey.Metadata) {
    body = metadataResponse(decodeRequestBody(apiKey, version, r), port);
  } else if (apiKey === ApiKey.Produce) {
    const request = decodeRequestBody(apiKey, version, r);
    if (request.acks === 0) return undefined;
    body = {
      responses: request.topicData.map((t) => ({
        name: t.name,
        partitionResponses: t.partitionData.map((p) => ({ index: p.index, errorCode: 0, baseOffset: 0n })),
      })),
      throttleTimeMs: 0,
    };
  }
  const w = new Writer();
  w.int32(0);
  encodeResponseHeader(w, responseHeaderVersion(apiKey, responseVersion), {
    correlationId: header.correlationId,
  });
  encodeResponseBody(apiKey, responseVersion, w, body);
  const out = w.toBuffer();
  out.writeInt32BE(out.length - 4, 0);
  return out;
}

function metadataResponse(request, port) {
  const names =
    request.topics === null || request.topics.length === 0 ? [TOPIC] : request.topics.map((t) => t.name);
  return {
    throttleTimeMs: 0,
    brokers: [{ nodeId: 1, host: "127.0.0.1", port, rack: null }],
    clusterId: "golden-cluster",
    controllerId: 1,
    topics: names.map((name) => {
      const known = name === TOPIC;
      return {
        errorCode: known ? 0 : 3,
        name,
        topicId: TOPIC_ID,
        isInternal: false,
        partitions: known
          ? [
              {
                errorCode: 0,
                partitionIndex: 0,
                leaderId: 1,
                leaderEpoch: 0,
                replicaNodes: [1],
                isrNodes: [1],
              },
            ]
          : [],
      };
    }),
  };
}

function recorder(client) {
  let seq = 0;
  return (apiKey, version, frame) => {
    seq++;
    const name = `${client}-${String(seq).padStart(2, "0")}-${apiSpec(apiKey)?.name ?? apiKey}-v${version}.bin`;
    writeFileSync(join(FRAMES_DIR, name), frame);
    console.log(`captured ${name} (${frame.length} bytes)`);
  };
}

async function captureKcat() {
  const server = await startBroker(recorder("kcat"));
  const { port } = server.address();
  await new Promise((resolve, reject) => {
    const kcat = spawn("kcat", ["-P", "-b", `127.0.0.1:${port}`, "-t", TOPIC, "-p", "0", "-K", ":"], {
      stdio: ["pipe", "inherit", "inherit"],
    });
    const timer = setTimeout(() => kcat.kill(), 20000);
    kcat.on("error", reject);
    kcat.on("exit", (code) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else reject(new Error(`kcat exited with ${code}`));
    });
    kcat.stdin.end("key1:hello\nkey2:world\n");
  });
  server.close();
}

async function captureKafkajs() {
  const server = await startBroker(recorder("kafkajs"));
  const { port } = server.address();
  const kafka = new kafkajs.Kafka({
    clientId: "golden-kafkajs",
    brokers: [`127.0.0.1:${port}`],
    logLevel: kafkajs.logLevel.NOTHING,
  });
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({ topic: TOPIC, acks: -1, messages: [{ partition: 0, key: "k", value: "hello" }] });
  await producer.disconnect();
  server.close();
}

mkdirSync(FRAMES_DIR, { recursive: true });
for (const f of readdirSync(FRAMES_DIR)) if (f.endsWith(".bin")) rmSync(join(FRAMES_DIR, f));
await captureKcat();
await captureKafkajs();
console.log(`done; ${API_SPECS.length} APIs known to the codecs`);
