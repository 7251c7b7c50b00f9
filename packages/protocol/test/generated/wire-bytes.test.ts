import assert from "node:assert/strict";
import { test } from "node:test";
import {
  ApiKey,
  decodeApiVersionsRequest,
  decodeApiVersionsResponse,
  decodeDescribeTopicPartitionsRequest,
  decodeMetadataRequest,
  decodeProduceRequest,
  decodeRequestBody,
  decodeRequestHeader,
  ErrorCode,
  encodeApiVersionsRequest,
  encodeApiVersionsResponse,
  encodeDescribeTopicPartitionsRequest,
  encodeFetchRequest,
  encodeMetadataRequest,
  encodeProduceRequest,
  encodeRequestHeader,
  encodeResponseBody,
  encodeResponseHeader,
  errorName,
  isRetriable,
  ProtocolError,
  Reader,
  requestHeaderVersion,
  responseHeaderVersion,
  Writer,
  ZERO_UUID,
} from "../../src/index.js";

/** Hand-checked wire layouts, byte for byte, per Kafka's protocol guide and KIP-482. */

function hex(s: string): Buffer {
  return Buffer.from(s.replace(/\s+/g, ""), "hex");
}

function bytesOf(write: (w: Writer) => void): string {
  const w = new Writer();
  write(w);
  return w.toBuffer().toString("hex");
}

test("request header v1 and v2: classic nullable client id, then tagged fields in v2", () => {
  const header = { requestApiKey: 18, requestApiVersion: 3, correlationId: 1, clientId: "rdkafka" };
  // int16 api key, int16 version, int32 correlation id, int16-length string (never compact).
  assert.equal(
    bytesOf((w) => encodeRequestHeader(w, 1, header)),
    "0012 0003 00000001 0007 72646b61666b61".replace(/ /g, ""),
  );
  assert.equal(
    bytesOf((w) => encodeRequestHeader(w, 2, header)),
    "0012000300000001000772646b61666b6100",
  );
  assert.equal(
    bytesOf((w) => encodeRequestHeader(w, 1, { ...header, clientId: null })),
    "0012000300000001ffff",
  );
  // Version 0 (ControlledShutdown v0 only) has no client id.
  assert.equal(
    bytesOf((w) => encodeRequestHeader(w, 0, header)),
    "0012000300000001",
  );
  const decoded = decodeRequestHeader(new Reader(hex("0012000300000001000772646b61666b6100")), 2);
  assert.deepEqual(decoded, header);
});

test("response header v1 adds an empty tagged-field section", () => {
  assert.equal(
    bytesOf((w) => encodeResponseHeader(w, 0, { correlationId: 7 })),
    "00000007",
  );
  assert.equal(
    bytesOf((w) => encodeResponseHeader(w, 1, { correlationId: 7 })),
    "0000000700",
  );
});

test("ApiVersionsRequest v3: compact strings (length + 1 as unsigned varint) and tagged fields", () => {
  const body = { clientSoftwareName: "kcat", clientSoftwareVersion: "1.7.1" };
  const expected = "05 6b636174 06 312e372e31 00".replace(/ /g, "");
  assert.equal(
    bytesOf((w) => encodeApiVersionsRequest(w, 3, body)),
    expected,
  );
  assert.deepEqual(decodeApiVersionsRequest(new Reader(hex(expected)), 3), body);
  // v0-v2 have an empty body; the v3 fields decode as their defaults.
  assert.equal(
    bytesOf((w) => encodeApiVersionsRequest(w, 2, body)),
    "",
  );
  assert.deepEqual(decodeApiVersionsRequest(new Reader(Buffer.alloc(0)), 0), {
    clientSoftwareName: "",
    clientSoftwareVersion: "",
  });
});

test("MetadataRequest v0: int32 array count, int16-length strings", () => {
  const bytes = "00000002 0001 61 0002 6263".replace(/ /g, "");
  const msg = { topics: [{ name: "a" }, { name: "bc" }] };
  assert.equal(
    bytesOf((w) => encodeMetadataRequest(w, 0, msg)),
    bytes,
  );
  const decoded = decodeMetadataRequest(new Reader(hex(bytes)), 0);
  assert.deepEqual(decoded, {
    topics: [
      { topicId: ZERO_UUID, name: "a" },
      { topicId: ZERO_UUID, name: "bc" },
    ],
    allowAutoTopicCreation: true,
    includeClusterAuthorizedOperations: false,
    includeTopicAuthorizedOperations: false,
  });
  // Null topics ("all topics") only exists from v1.
  assert.throws(() => encodeMetadataRequest(new Writer(), 0, { topics: null }), RangeError);
  assert.equal(
    bytesOf((w) => encodeMetadataRequest(w, 1, { topics: null })),
    "ffffffff",
  );
  assert.throws(() => decodeMetadataRequest(new Reader(hex("ffffffff")), 0), ProtocolError);
});

test("MetadataRequest v12: compact arrays, uuid topic ids, compact nullable names", () => {
  const topicId = Buffer.from("000102030405060708090a0b0c0d0e0f", "hex").toString("base64url");
  const msg = {
    topics: [{ topicId, name: "golden" }],
    allowAutoTopicCreation: false,
    includeTopicAuthorizedOperations: true,
  };
  const expected = [
    "02",
    "000102030405060708090a0b0c0d0e0f",
    "07",
    Buffer.from("golden").toString("hex"),
    "00",
    "00",
    "01",
    "00",
  ];
  assert.equal(
    bytesOf((w) => encodeMetadataRequest(w, 12, msg)),
    expected.join(""),
  );
  // Compact null array = varint 0; a null topic name (lookup by id) = varint 0.
  assert.equal(
    bytesOf((w) => encodeMetadataRequest(w, 12, { topics: null })),
    "00010000",
  );
  const byId = bytesOf((w) => encodeMetadataRequest(w, 12, { topics: [{ topicId, name: null }] }));
  assert.equal(byId, `02${"000102030405060708090a0b0c0d0e0f"}0000010000`);
});

test("ApiVersionsResponse v3: tagged fields written only when not default, by ascending tag", () => {
  const base = { errorCode: 0, apiKeys: [{ apiKey: 18, minVersion: 0, maxVersion: 3 }], throttleTimeMs: 0 };
  const body = "0000 02 0012 0000 0003 00 00000000".replace(/ /g, "");
  assert.equal(
    bytesOf((w) => encodeApiVersionsResponse(w, 3, base)),
    `${body}00`,
  );
  // FinalizedFeaturesEpoch (tag 1, int64, default -1) set: count 1, tag 1, size 8, value.
  const withEpoch = { ...base, finalizedFeaturesEpoch: 5n };
  const epochBytes = `${body}01 01 08 0000000000000005`.replace(/ /g, "");
  assert.equal(
    bytesOf((w) => encodeApiVersionsResponse(w, 3, withEpoch)),
    epochBytes,
  );
  // SupportedFeatures (tag 0) comes first; its size counts its compact encoding.
  const feature = { name: "x", minVersion: 1, maxVersion: 2 };
  const both = bytesOf((w) =>
    encodeApiVersionsResponse(w, 3, { ...withEpoch, supportedFeatures: [feature] }),
  );
  assert.equal(both, `${body}02 00 08 02 0278 0001 0002 00 01 08 0000000000000005`.replace(/ /g, ""));
  const decoded = decodeApiVersionsResponse(new Reader(hex(both)), 3);
  assert.deepEqual(decoded.supportedFeatures, [feature]);
  assert.equal(decoded.finalizedFeaturesEpoch, 5n);
  assert.equal(decoded.zkMigrationReady, false);
  // An unknown tag (9, three bytes) is skipped; the known one after it is still read.
  const unknown = `${body}02 01 08 0000000000000007 09 03 aabbcc`.replace(/ /g, "");
  assert.equal(decodeApiVersionsResponse(new Reader(hex(unknown)), 3).finalizedFeaturesEpoch, 7n);
  // v0 has neither throttle time nor tagged fields.
  assert.equal(
    bytesOf((w) => encodeApiVersionsResponse(w, 0, withEpoch)),
    "0000 00000001 0012 0000 0003".replace(/ /g, ""),
  );
});

test("FetchRequest v12: a tagged nullable string (ClusterId, tag 0) after the regular fields", () => {
  const msg = { maxWaitMs: 500, minBytes: 1, topics: [], clusterId: "c" };
  const expected = [
    "ffffffff", // ReplicaId (default -1, v0-14)
    "000001f4", // MaxWaitMs
    "00000001", // MinBytes
    "7fffffff", // MaxBytes (default 0x7fffffff)
    "00", // IsolationLevel
    "00000000", // SessionId
    "ffffffff", // SessionEpoch (default -1)
    "01", // Topics: empty compact array
    "01", // ForgottenTopicsData: empty compact array
    "01", // RackId: "" as compact string
    "01 00 02 0263", // one tagged field: tag 0, size 2, compact string "c"
  ];
  assert.equal(
    bytesOf((w) => encodeFetchRequest(w, 12, msg)),
    expected.join("").replace(/ /g, ""),
  );
});

test("nullable structs carry a presence byte: -1 for null, 1 then the struct", () => {
  const none = { topics: [{ name: "t" }], responsePartitionLimit: 2000, cursor: null };
  assert.equal(
    bytesOf((w) => encodeDescribeTopicPartitionsRequest(w, 0, none)),
    "02027400000007d0ff00",
  );
  const some = { ...none, cursor: { topicName: "t", partitionIndex: 3 } };
  const bytes = "02027400000007d0 01 0274 00000003 00 00".replace(/ /g, "");
  assert.equal(
    bytesOf((w) => encodeDescribeTopicPartitionsRequest(w, 0, some)),
    bytes,
  );
  assert.deepEqual(decodeDescribeTopicPartitionsRequest(new Reader(hex(bytes)), 0), some);
});

test("records are read zero-copy as slices of the frame", () => {
  const records = Buffer.from("0123456789abcdef", "hex");
  const msg = {
    acks: -1,
    timeoutMs: 1000,
    topicData: [{ name: "t", partitionData: [{ index: 0, records }] }],
  };
  const w = new Writer();
  encodeProduceRequest(w, 9, msg);
  const frame = w.toBuffer();
  const decoded = decodeProduceRequest(new Reader(frame), 9);
  const got = decoded.topicData[0].partitionData[0].records!;
  assert.ok(got.equals(records));
  assert.equal(got.buffer, frame.buffer, "records must share the frame's memory");
  assert.equal(decoded.transactionalId, null);
});

test("header versions follow the flexible versions, with Kafka's two exceptions", () => {
  assert.equal(requestHeaderVersion(ApiKey.ApiVersions, 3), 2);
  assert.equal(requestHeaderVersion(ApiKey.ApiVersions, 2), 1);
  assert.equal(requestHeaderVersion(ApiKey.ControlledShutdown, 0), 0);
  assert.equal(requestHeaderVersion(ApiKey.ControlledShutdown, 1), 1);
  assert.equal(requestHeaderVersion(ApiKey.Metadata, 9), 2);
  assert.equal(responseHeaderVersion(ApiKey.Metadata, 9), 1);
  assert.equal(responseHeaderVersion(ApiKey.Metadata, 8), 0);
  assert.equal(responseHeaderVersion(ApiKey.ApiVersions, 3), 0);
  assert.throws(() => requestHeaderVersion(9999, 0), ProtocolError);
});

test("the registry dispatches by api key", () => {
  const bytes = hex("00000002000161000262 63".replace(/ /g, ""));
  assert.deepEqual(
    decodeRequestBody(ApiKey.Metadata, 0, new Reader(bytes)),
    decodeMetadataRequest(new Reader(bytes), 0),
  );
  const w = new Writer();
  encodeResponseBody(ApiKey.ApiVersions, 0, w, { errorCode: 35, apiKeys: [] });
  assert.equal(w.toBuffer().toString("hex"), "002300000000");
  assert.throws(() => decodeRequestBody(9999 as typeof ApiKey.Produce, 0, new Reader(bytes)), ProtocolError);
});

test("error codes come from errors.tsv", () => {
  assert.equal(ErrorCode.NONE, 0);
  assert.equal(ErrorCode.UNKNOWN_SERVER_ERROR, -1);
  assert.equal(ErrorCode.NOT_LEADER_OR_FOLLOWER, 6);
  assert.equal(errorName(6), "NOT_LEADER_OR_FOLLOWER");
  assert.equal(errorName(12345), "UNKNOWN(12345)");
  assert.equal(isRetriable(ErrorCode.NOT_LEADER_OR_FOLLOWER), true);
  assert.equal(isRetriable(ErrorCode.MESSAGE_TOO_LARGE), false);
});
