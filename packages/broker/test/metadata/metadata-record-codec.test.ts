import assert from "node:assert/strict";
import { test } from "node:test";
import { Reader, Writer } from "@weir/protocol";
import { MetadataError } from "../../src/metadata/metadata-error.js";
import {
  decodeBatch,
  decodeRecord,
  encodeBatch,
  encodeRecord,
} from "../../src/metadata/metadata-record-codec.js";
import type { MetadataRecord } from "../../src/metadata/metadata-records.js";

const TOPIC_ID = "q1Sh-9_ISia_zwGINzRvyQ";

const SAMPLE_RECORDS: readonly MetadataRecord[] = [
  {
    type: "RegisterBroker",
    nodeId: 1,
    incarnationId: "AAECAwQFBgcICQoLDA0ODw",
    brokerEpoch: 12n,
    endpoints: [
      { name: "PLAINTEXT", host: "localhost", port: 9092, securityProtocol: "PLAINTEXT" },
      { name: "SECURE", host: "::1", port: 9093, securityProtocol: "SASL_SSL" },
    ],
    rack: "r1",
    fenced: false,
  },
  {
    type: "RegisterBroker",
    nodeId: 2,
    incarnationId: TOPIC_ID,
    brokerEpoch: 0n,
    endpoints: [],
    rack: null,
    fenced: true,
  },
  { type: "Topic", name: "orders.v1", topicId: TOPIC_ID },
  {
    type: "Partition",
    topicId: TOPIC_ID,
    partitionId: 3,
    replicas: [1, 2, 3],
    isr: [1, 3],
    leader: 1,
    leaderEpoch: 4,
    partitionEpoch: 9,
  },
  { type: "PartitionChange", topicId: TOPIC_ID, partitionId: 3, leader: null, isr: [1] },
  { type: "PartitionChange", topicId: TOPIC_ID, partitionId: 0, leader: -1, isr: null },
  { type: "RemoveTopic", topicId: TOPIC_ID },
  { type: "Config", resourceType: "topic", resourceName: "orders.v1", name: "retention.ms", value: "1000" },
  { type: "Config", resourceType: "broker", resourceName: "", name: "log.retention.ms", value: null },
  { type: "FeatureLevel", name: "metadata.version", featureLevel: 21 },
  { type: "ProducerIds", brokerId: 1, brokerEpoch: 5n, nextProducerId: 9_007_199_254_740_993n },
];

test("every record type round-trips", () => {
  for (const record of SAMPLE_RECORDS) {
    const w = new Writer();
    encodeRecord(w, record);
    const r = new Reader(w.toBuffer());
    assert.deepEqual(decodeRecord(r), record);
    assert.equal(r.remaining(), 0);
  }
});

test("a batch round-trips with its base offset", () => {
  const bytes = encodeBatch(41, SAMPLE_RECORDS);
  const batch = decodeBatch(bytes);
  assert.equal(batch.baseOffset, 41);
  assert.deepEqual(batch.records, SAMPLE_RECORDS);
});

test("unknown types, versions and truncated batches are MetadataErrors", () => {
  assert.throws(
    () => decodeRecord(new Reader(Buffer.from([99, 0]))),
    (e: unknown) => e instanceof MetadataError && e.code === "UNKNOWN_RECORD",
  );
  assert.throws(
    () => decodeRecord(new Reader(Buffer.from([2, 7]))),
    (e: unknown) => e instanceof MetadataError && e.code === "UNKNOWN_RECORD",
  );
  const bytes = encodeBatch(0, SAMPLE_RECORDS);
  for (const cut of [0, 5, 12, 13, bytes.length - 1]) {
    assert.throws(
      () => decodeBatch(bytes.subarray(0, cut)),
      (e: unknown) => e instanceof MetadataError && e.code === "CORRUPT_METADATA_LOG",
      `cut at ${cut}`,
    );
  }
});
