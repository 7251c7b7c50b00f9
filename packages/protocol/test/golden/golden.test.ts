import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import {
  type AnyRequest,
  ApiKey,
  decodeRequestBody,
  decodeRequestHeader,
  encodeRequestBody,
  encodeRequestHeader,
  isApiKey,
  isRecordBatchCrcValid,
  LOG_OVERHEAD,
  Reader,
  type RequestHeader,
  readRecordBatchHeader,
  requestHeaderVersion,
  Writer,
  ZERO_UUID,
} from "../../src/index.js";
import { REPO_ROOT } from "../generated/paths.js";

/** Frames captured from kcat and kafkajs by capture.mjs (see README.md). */
const FRAMES_DIR = join(REPO_ROOT, "packages/protocol/test/golden/frames");

function decodeFrame(file: string): { header: RequestHeader; request: AnyRequest } {
  const frame = readFileSync(join(FRAMES_DIR, file));
  const apiKey = frame.readInt16BE(0);
  const version = frame.readInt16BE(2);
  assert.ok(isApiKey(apiKey), `${file}: unknown api key ${apiKey}`);
  const r = new Reader(frame);
  const header = decodeRequestHeader(r, requestHeaderVersion(apiKey, version));
  const body = decodeRequestBody(apiKey, version, r);
  assert.equal(r.remaining(), 0, `${file}: ${r.remaining()} bytes left after the body`);
  assert.equal(header.requestApiKey, apiKey);
  assert.equal(header.requestApiVersion, version);
  return { header, request: { apiKey, version, body } as AnyRequest };
}

test("every captured frame decodes completely and re-encodes to the same bytes", () => {
  const files = readdirSync(FRAMES_DIR).filter((f) => f.endsWith(".bin"));
  assert.ok(files.length >= 6, "expected the kcat and kafkajs captures");
  for (const f of files) {
    const { header, request } = decodeFrame(f);
    const w = new Writer();
    encodeRequestHeader(w, requestHeaderVersion(request.apiKey, request.version), header);
    encodeRequestBody(request.apiKey, request.version, w, request.body);
    assert.ok(w.toBuffer().equals(readFileSync(join(FRAMES_DIR, f))), `${f}: re-encoding differs`);
  }
});

test("kcat ApiVersions v3: flexible header v2, client software name and version", () => {
  const { header, request } = decodeFrame("kcat-01-ApiVersions-v3.bin");
  assert.equal(header.clientId, "rdkafka");
  assert.equal(header.correlationId, 1);
  assert.equal(request.apiKey, ApiKey.ApiVersions);
  assert.equal(request.version, 3);
  if (request.apiKey !== ApiKey.ApiVersions) return;
  assert.deepEqual(request.body, { clientSoftwareName: "librdkafka", clientSoftwareVersion: "2.0.2" });
});

test("kcat Metadata v4: the topic it was told to produce to, auto-creation allowed", () => {
  const { header, request } = decodeFrame("kcat-02-Metadata-v4.bin");
  assert.equal(header.clientId, "rdkafka");
  assert.equal(header.correlationId, 2);
  assert.equal(request.apiKey, ApiKey.Metadata);
  if (request.apiKey !== ApiKey.Metadata) return;
  assert.equal(request.version, 4);
  assert.deepEqual(request.body.topics, [{ topicId: ZERO_UUID, name: "golden" }]);
  assert.equal(request.body.allowAutoTopicCreation, true);
});

test("kcat Produce v7: acks=all, one batch of two records for golden/0", () => {
  const { header, request } = decodeFrame("kcat-03-Produce-v7.bin");
  assert.equal(header.clientId, "rdkafka");
  assert.equal(request.apiKey, ApiKey.Produce);
  if (request.apiKey !== ApiKey.Produce) return;
  assert.equal(request.version, 7);
  const body = request.body;
  assert.equal(body.transactionalId, null);
  assert.equal(body.acks, -1);
  assert.equal(body.timeoutMs, 30000);
  assert.equal(body.topicData.length, 1);
  assert.equal(body.topicData[0].name, "golden");
  assert.equal(body.topicData[0].partitionData.length, 1);
  assert.equal(body.topicData[0].partitionData[0].index, 0);
  checkBatch(body.topicData[0].partitionData[0].records, 2);
});

test("kafkajs ApiVersions v2: classic header with the configured client id, empty body", () => {
  const { header, request } = decodeFrame("kafkajs-01-ApiVersions-v2.bin");
  assert.equal(header.clientId, "golden-kafkajs");
  assert.equal(header.correlationId, 0);
  assert.equal(request.apiKey, ApiKey.ApiVersions);
  if (request.apiKey !== ApiKey.ApiVersions) return;
  assert.equal(request.version, 2);
  assert.deepEqual(request.body, { clientSoftwareName: "", clientSoftwareVersion: "" });
});

test("kafkajs Metadata v6: the topic being produced to", () => {
  const { header, request } = decodeFrame("kafkajs-02-Metadata-v6.bin");
  assert.equal(header.clientId, "golden-kafkajs");
  assert.equal(header.correlationId, 1);
  assert.equal(request.apiKey, ApiKey.Metadata);
  if (request.apiKey !== ApiKey.Metadata) return;
  assert.equal(request.version, 6);
  assert.deepEqual(request.body.topics, [{ topicId: ZERO_UUID, name: "golden" }]);
  assert.equal(request.body.allowAutoTopicCreation, true);
});

test("kafkajs Produce v7: acks=all, one record for golden/0", () => {
  const { header, request } = decodeFrame("kafkajs-03-Produce-v7.bin");
  assert.equal(header.clientId, "golden-kafkajs");
  assert.equal(header.correlationId, 2);
  assert.equal(request.apiKey, ApiKey.Produce);
  if (request.apiKey !== ApiKey.Produce) return;
  assert.equal(request.version, 7);
  assert.equal(request.body.transactionalId, null);
  assert.equal(request.body.acks, -1);
  assert.equal(request.body.timeoutMs, 30000);
  assert.deepEqual(
    request.body.topicData.map((t) => [t.name, t.partitionData.map((p) => p.index)]),
    [["golden", [0]]],
  );
  checkBatch(request.body.topicData[0].partitionData[0].records, 1);
});

/** The records field holds exactly one record batch v2 with a valid CRC. */
function checkBatch(records: Buffer | null, count: number): void {
  assert.ok(records !== null);
  const batch = readRecordBatchHeader(records);
  assert.equal(batch.magic, 2);
  assert.equal(batch.baseOffset, 0);
  assert.equal(batch.recordsCount, count);
  assert.equal(batch.producerId, -1);
  assert.equal(LOG_OVERHEAD + batch.batchLength, records.length);
  assert.ok(isRecordBatchCrcValid(records, 0, batch.batchLength));
}
