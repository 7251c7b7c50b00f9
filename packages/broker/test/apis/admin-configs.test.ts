import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import {
  ApiKey,
  type DescribeConfigsResponseDescribeConfigsResult,
  ErrorCode,
  type IncrementalAlterConfigsRequestAlterableConfig,
} from "@weir/protocol";
import { RawKafkaClient } from "../support/raw-kafka-client.js";
import { startTestBroker, type TestBroker } from "../support/test-broker.js";

/** DescribeConfigs, AlterConfigs and IncrementalAlterConfigs over TCP against a real broker. */

const TOPIC = 2;
const BROKER = 4;
const BROKER_LOGGER = 8;
const SET = 0;
const DELETE = 1;
const APPEND = 2;
const SUBTRACT = 3;
const DYNAMIC_TOPIC_CONFIG = 1;
const DYNAMIC_DEFAULT_BROKER_CONFIG = 3;
const STATIC_BROKER_CONFIG = 4;
const DEFAULT_CONFIG = 5;

let broker: TestBroker;
let client: RawKafkaClient;
let nodeId: string;

before(async () => {
  broker = await startTestBroker({ config: { "num.partitions": "3" } });
  client = await RawKafkaClient.connect(broker.bootstrap);
  nodeId = String(broker.nodeId);
});

after(async () => {
  client.close();
  await broker.destroy();
});

async function createTopic(name: string): Promise<void> {
  const response = await client.send(ApiKey.CreateTopics, 7, {
    topics: [{ name, numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] }],
    timeoutMs: 5000,
  });
  assert.equal(response.topics[0]?.errorCode, ErrorCode.NONE);
}

async function describe1(
  version: number,
  resourceType: number,
  resourceName: string,
  configurationKeys: string[] | null = null,
  options: { includeSynonyms?: boolean; includeDocumentation?: boolean } = {},
): Promise<DescribeConfigsResponseDescribeConfigsResult> {
  const response = await client.send(ApiKey.DescribeConfigs, version, {
    resources: [{ resourceType, resourceName, configurationKeys }],
    ...options,
  });
  assert.equal(response.results.length, 1);
  return response.results[0]!;
}

async function configOf(resourceType: number, resourceName: string, key: string) {
  const result = await describe1(4, resourceType, resourceName, [key]);
  assert.equal(result.errorCode, ErrorCode.NONE);
  return result.configs.find((c) => c.name === key);
}

async function incremental(
  version: number,
  resourceType: number,
  resourceName: string,
  configs: IncrementalAlterConfigsRequestAlterableConfig[],
  validateOnly = false,
) {
  const response = await client.send(ApiKey.IncrementalAlterConfigs, version, {
    resources: [{ resourceType, resourceName, configs }],
    validateOnly,
  });
  assert.equal(response.responses.length, 1);
  return response.responses[0]!;
}

async function legacyAlter(
  version: number,
  resourceType: number,
  resourceName: string,
  configs: { name: string; value: string | null }[],
  validateOnly = false,
) {
  const response = await client.send(ApiKey.AlterConfigs, version, {
    resources: [{ resourceType, resourceName, configs }],
    validateOnly,
  });
  assert.equal(response.responses.length, 1);
  return response.responses[0]!;
}

describe("DescribeConfigs", () => {
  before(() => createTopic("dc-topic"));

  it("v0 describes every config of a topic with isDefault", async () => {
    const result = await describe1(0, TOPIC, "dc-topic");
    assert.equal(result.errorCode, ErrorCode.NONE);
    assert.equal(result.resourceType, TOPIC);
    assert.equal(result.resourceName, "dc-topic");
    const configs = new Map(result.configs.map((c) => [c.name, c]));
    assert.ok(configs.size > 20);
    const policy = configs.get("cleanup.policy");
    assert.equal(policy?.value, "delete");
    assert.equal(policy?.isDefault, true);
    assert.equal(policy?.readOnly, false);
    assert.equal(policy?.isSensitive, false);
  });

  it("v4 filters keys and adds synonyms, type and documentation on request", async () => {
    const result = await describe1(4, TOPIC, "dc-topic", ["cleanup.policy", "retention.ms", "no.such.key"], {
      includeSynonyms: true,
      includeDocumentation: true,
    });
    assert.equal(result.errorCode, ErrorCode.NONE);
    assert.deepEqual(
      result.configs.map((c) => c.name),
      ["cleanup.policy", "retention.ms"],
    );
    const policy = result.configs[0]!;
    assert.equal(policy.configSource, DEFAULT_CONFIG);
    assert.equal(policy.configType, 7, "LIST");
    assert.ok((policy.documentation ?? "").length > 0);
    assert.deepEqual(policy.synonyms, [
      { name: "log.cleanup.policy", value: "delete", source: DEFAULT_CONFIG },
    ]);
    assert.equal(result.configs[1]!.configType, 5, "LONG");
  });

  it("without includeSynonyms / includeDocumentation those are left out", async () => {
    const result = await describe1(4, TOPIC, "dc-topic", ["cleanup.policy"]);
    assert.deepEqual(result.configs[0]!.synonyms, []);
    assert.equal(result.configs[0]!.documentation, null);
    // An empty key list means every config, as null does.
    assert.ok((await describe1(4, TOPIC, "dc-topic", [])).configs.length > 20);
  });

  it("UNKNOWN_TOPIC_OR_PARTITION for a missing topic, INVALID_TOPIC_EXCEPTION for a bad name", async () => {
    const missing = await describe1(4, TOPIC, "dc-missing");
    assert.equal(missing.errorCode, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    assert.deepEqual(missing.configs, []);
    assert.equal((await describe1(0, TOPIC, "dc-missing")).errorCode, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    const bad = await describe1(4, TOPIC, "bad name!");
    assert.equal(bad.errorCode, ErrorCode.INVALID_TOPIC_EXCEPTION);
    assert.ok(bad.errorMessage);
  });

  it("describes this broker: static values, read-only flags, defaults", async () => {
    const result = await describe1(4, BROKER, nodeId, null, { includeSynonyms: true });
    assert.equal(result.errorCode, ErrorCode.NONE);
    const configs = new Map(result.configs.map((c) => [c.name, c]));
    const partitions = configs.get("num.partitions");
    assert.equal(partitions?.value, "3");
    assert.equal(partitions?.configSource, STATIC_BROKER_CONFIG);
    assert.deepEqual(
      partitions?.synonyms?.map((s) => s.source),
      [STATIC_BROKER_CONFIG, DEFAULT_CONFIG],
    );
    assert.equal(configs.get("log.dirs")?.readOnly, true);
    assert.equal(configs.get("log.retention.ms")?.readOnly, false);
  });

  it("the cluster-default broker resource lists only what is set at that level", async () => {
    const result = await describe1(1, BROKER, "");
    assert.equal(result.errorCode, ErrorCode.NONE);
    assert.deepEqual(result.configs, []);
  });

  it("INVALID_REQUEST for another broker id, a non-numeric id and unsupported resource types", async () => {
    assert.equal((await describe1(4, BROKER, "99")).errorCode, ErrorCode.INVALID_REQUEST);
    assert.equal((await describe1(0, BROKER, "abc")).errorCode, ErrorCode.INVALID_REQUEST);
    for (const type of [0, 16, 99]) {
      const result = await describe1(4, type, "x");
      assert.equal(result.errorCode, ErrorCode.INVALID_REQUEST, `type ${type}`);
      assert.equal(result.resourceType, type);
    }
  });

  it("BROKER_LOGGER: this node's root logger; INVALID_REQUEST for other names", async () => {
    const result = await describe1(4, BROKER_LOGGER, nodeId);
    assert.equal(result.errorCode, ErrorCode.NONE);
    assert.deepEqual(
      result.configs.map((c) => [c.name, c.value]),
      [["root", "WARN"]],
    );
    assert.deepEqual((await describe1(4, BROKER_LOGGER, nodeId, ["kafka.server"])).configs, []);
    assert.equal((await describe1(4, BROKER_LOGGER, "")).errorCode, ErrorCode.INVALID_REQUEST);
    assert.equal((await describe1(4, BROKER_LOGGER, "99")).errorCode, ErrorCode.INVALID_REQUEST);
  });

  it("answers several resources in request order, each with its own error", async () => {
    const response = await client.send(ApiKey.DescribeConfigs, 2, {
      resources: [
        { resourceType: TOPIC, resourceName: "dc-missing", configurationKeys: null },
        { resourceType: TOPIC, resourceName: "dc-topic", configurationKeys: ["retention.ms"] },
        { resourceType: BROKER, resourceName: nodeId, configurationKeys: ["num.partitions"] },
      ],
      includeSynonyms: false,
    });
    assert.deepEqual(
      response.results.map((r) => [r.resourceName, r.errorCode, r.configs.length]),
      [
        ["dc-missing", ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, 0],
        ["dc-topic", ErrorCode.NONE, 1],
        [nodeId, ErrorCode.NONE, 1],
      ],
    );
  });
});

describe("AlterConfigs", () => {
  before(() => createTopic("ac-topic"));

  it("v0 sets topic overrides; DescribeConfigs shows DYNAMIC_TOPIC_CONFIG", async () => {
    const result = await legacyAlter(0, TOPIC, "ac-topic", [{ name: "retention.ms", value: "3600000" }]);
    assert.equal(result.errorCode, ErrorCode.NONE);
    assert.equal(result.resourceType, TOPIC);
    assert.equal(result.resourceName, "ac-topic");
    const entry = await configOf(TOPIC, "ac-topic", "retention.ms");
    assert.equal(entry?.value, "3600000");
    assert.equal(entry?.configSource, DYNAMIC_TOPIC_CONFIG);
  });

  it("v2 replaces the whole override set", async () => {
    const result = await legacyAlter(2, TOPIC, "ac-topic", [{ name: "segment.ms", value: "60000" }]);
    assert.equal(result.errorCode, ErrorCode.NONE);
    assert.equal((await configOf(TOPIC, "ac-topic", "segment.ms"))?.configSource, DYNAMIC_TOPIC_CONFIG);
    const retention = await configOf(TOPIC, "ac-topic", "retention.ms");
    assert.equal(retention?.configSource, DEFAULT_CONFIG);
    assert.equal(retention?.value, "604800000");
  });

  it("validateOnly changes nothing", async () => {
    const result = await legacyAlter(1, TOPIC, "ac-topic", [{ name: "retention.ms", value: "1000" }], true);
    assert.equal(result.errorCode, ErrorCode.NONE);
    assert.equal((await configOf(TOPIC, "ac-topic", "retention.ms"))?.value, "604800000");
  });

  it("INVALID_CONFIG for unknown or invalid topic configs", async () => {
    const unknown = await legacyAlter(2, TOPIC, "ac-topic", [{ name: "no.such.config", value: "1" }]);
    assert.equal(unknown.errorCode, ErrorCode.INVALID_CONFIG);
    assert.ok(unknown.errorMessage);
    const bad = await legacyAlter(0, TOPIC, "ac-topic", [{ name: "min.insync.replicas", value: "zero" }]);
    assert.equal(bad.errorCode, ErrorCode.INVALID_CONFIG);
    assert.equal((await configOf(TOPIC, "ac-topic", "segment.ms"))?.value, "60000", "unchanged");
  });

  it("UNKNOWN_TOPIC_OR_PARTITION for a missing topic", async () => {
    const result = await legacyAlter(2, TOPIC, "ac-missing", [{ name: "retention.ms", value: "1" }]);
    assert.equal(result.errorCode, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  });

  it("INVALID_REQUEST for bad resource types, other broker ids, duplicates, read-only broker configs", async () => {
    for (const type of [BROKER_LOGGER, 0, 99]) {
      const result = await legacyAlter(2, type, nodeId, [{ name: "root", value: "DEBUG" }]);
      assert.equal(result.errorCode, ErrorCode.INVALID_REQUEST, `type ${type}`);
      assert.equal(result.resourceType, type);
    }
    const other = await legacyAlter(2, BROKER, "99", [{ name: "log.retention.ms", value: "1000" }]);
    assert.equal(other.errorCode, ErrorCode.INVALID_REQUEST);
    const readOnly = await legacyAlter(2, BROKER, nodeId, [{ name: "log.dirs", value: "/tmp/elsewhere" }]);
    assert.equal(readOnly.errorCode, ErrorCode.INVALID_REQUEST);
    const dup = await client.send(ApiKey.AlterConfigs, 2, {
      resources: [
        { resourceType: TOPIC, resourceName: "ac-topic", configs: [{ name: "retention.ms", value: "1" }] },
        { resourceType: TOPIC, resourceName: "ac-topic", configs: [{ name: "retention.ms", value: "2" }] },
      ],
      validateOnly: false,
    });
    assert.deepEqual(
      dup.responses.map((r) => r.errorCode),
      [ErrorCode.INVALID_REQUEST, ErrorCode.INVALID_REQUEST],
    );
  });

  it("a broker resource of this node and the cluster default", async () => {
    const own = await legacyAlter(2, BROKER, nodeId, [{ name: "log.retention.ms", value: "7200000" }]);
    assert.equal(own.errorCode, ErrorCode.NONE);
    const entry = await configOf(BROKER, nodeId, "log.retention.ms");
    assert.equal(entry?.value, "7200000");
    assert.equal(entry?.configSource, 2, "DYNAMIC_BROKER_CONFIG");

    const cluster = await legacyAlter(0, BROKER, "", [{ name: "log.segment.bytes", value: "2097152" }]);
    assert.equal(cluster.errorCode, ErrorCode.NONE);
    const defaults = await describe1(4, BROKER, "", null, { includeSynonyms: true });
    assert.deepEqual(
      defaults.configs.map((c) => [c.name, c.value, c.configSource, c.synonyms?.length]),
      [["log.segment.bytes", "2097152", DYNAMIC_DEFAULT_BROKER_CONFIG, 1]],
    );
    // Topics without an override follow the broker layers.
    const segment = await configOf(TOPIC, "ac-topic", "segment.bytes");
    assert.equal(segment?.value, "2097152");
    assert.equal(segment?.configSource, DYNAMIC_DEFAULT_BROKER_CONFIG);

    // Reset both resources for the tests that follow.
    assert.equal((await legacyAlter(2, BROKER, nodeId, [])).errorCode, ErrorCode.NONE);
    assert.equal((await legacyAlter(2, BROKER, "", [])).errorCode, ErrorCode.NONE);
    assert.deepEqual((await describe1(4, BROKER, "")).configs, []);
  });
});

describe("IncrementalAlterConfigs", () => {
  before(() => createTopic("iac-topic"));

  it("v0 SET then DELETE a topic config", async () => {
    const set = await incremental(0, TOPIC, "iac-topic", [
      { name: "retention.ms", configOperation: SET, value: "1000" },
    ]);
    assert.equal(set.errorCode, ErrorCode.NONE);
    const entry = await configOf(TOPIC, "iac-topic", "retention.ms");
    assert.equal(entry?.value, "1000");
    assert.equal(entry?.configSource, DYNAMIC_TOPIC_CONFIG);
    const del = await incremental(0, TOPIC, "iac-topic", [
      { name: "retention.ms", configOperation: DELETE, value: null },
    ]);
    assert.equal(del.errorCode, ErrorCode.NONE);
    assert.equal((await configOf(TOPIC, "iac-topic", "retention.ms"))?.configSource, DEFAULT_CONFIG);
  });

  it("v1 APPEND and SUBTRACT on cleanup.policy", async () => {
    const append = await incremental(1, TOPIC, "iac-topic", [
      { name: "cleanup.policy", configOperation: APPEND, value: "compact" },
    ]);
    assert.equal(append.errorCode, ErrorCode.NONE);
    let policy = await configOf(TOPIC, "iac-topic", "cleanup.policy");
    assert.equal(policy?.value, "delete,compact");
    assert.equal(policy?.configSource, DYNAMIC_TOPIC_CONFIG);
    const subtract = await incremental(1, TOPIC, "iac-topic", [
      { name: "cleanup.policy", configOperation: SUBTRACT, value: "delete" },
    ]);
    assert.equal(subtract.errorCode, ErrorCode.NONE);
    policy = await configOf(TOPIC, "iac-topic", "cleanup.policy");
    assert.equal(policy?.value, "compact");
  });

  it("validateOnly changes nothing", async () => {
    const result = await incremental(
      1,
      TOPIC,
      "iac-topic",
      [{ name: "cleanup.policy", configOperation: SET, value: "delete" }],
      true,
    );
    assert.equal(result.errorCode, ErrorCode.NONE);
    assert.equal((await configOf(TOPIC, "iac-topic", "cleanup.policy"))?.value, "compact");
  });

  it("INVALID_CONFIG for APPEND on a non-list, unknown keys and invalid values", async () => {
    const append = await incremental(1, TOPIC, "iac-topic", [
      { name: "retention.ms", configOperation: APPEND, value: "1" },
    ]);
    assert.equal(append.errorCode, ErrorCode.INVALID_CONFIG);
    const unknown = await incremental(1, TOPIC, "iac-topic", [
      { name: "no.such.config", configOperation: SET, value: "1" },
    ]);
    assert.equal(unknown.errorCode, ErrorCode.INVALID_CONFIG);
    const bad = await incremental(0, TOPIC, "iac-topic", [
      { name: "cleanup.policy", configOperation: APPEND, value: "shred" },
    ]);
    assert.equal(bad.errorCode, ErrorCode.INVALID_CONFIG);
  });

  it("INVALID_REQUEST for unknown operations, duplicate keys, other broker ids, bad resource types", async () => {
    const op = await incremental(1, TOPIC, "iac-topic", [
      { name: "retention.ms", configOperation: 7, value: "1" },
    ]);
    assert.equal(op.errorCode, ErrorCode.INVALID_REQUEST);
    const dupKeys = await incremental(1, TOPIC, "iac-topic", [
      { name: "retention.ms", configOperation: SET, value: "1" },
      { name: "retention.ms", configOperation: DELETE, value: null },
    ]);
    assert.equal(dupKeys.errorCode, ErrorCode.INVALID_REQUEST);
    const other = await incremental(1, BROKER, "99", [
      { name: "log.retention.ms", configOperation: SET, value: "1000" },
    ]);
    assert.equal(other.errorCode, ErrorCode.INVALID_REQUEST);
    const notNumber = await incremental(1, BROKER, "one", [
      { name: "log.retention.ms", configOperation: SET, value: "1000" },
    ]);
    assert.equal(notNumber.errorCode, ErrorCode.INVALID_REQUEST);
    for (const type of [0, 16, 99]) {
      const result = await incremental(1, type, "x", [{ name: "a", configOperation: SET, value: "1" }]);
      assert.equal(result.errorCode, ErrorCode.INVALID_REQUEST, `type ${type}`);
    }
    const missing = await incremental(1, TOPIC, "iac-missing", [
      { name: "retention.ms", configOperation: SET, value: "1" },
    ]);
    assert.equal(missing.errorCode, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  });

  it("broker resources: SET and DELETE on this node and the cluster default", async () => {
    const own = await incremental(1, BROKER, nodeId, [
      { name: "log.retention.ms", configOperation: SET, value: "5000" },
    ]);
    assert.equal(own.errorCode, ErrorCode.NONE);
    assert.equal((await configOf(BROKER, nodeId, "log.retention.ms"))?.value, "5000");
    const cluster = await incremental(0, BROKER, "", [
      { name: "log.retention.ms", configOperation: SET, value: "6000" },
    ]);
    assert.equal(cluster.errorCode, ErrorCode.NONE);
    // This node's own value wins over the cluster default.
    assert.equal((await configOf(TOPIC, "iac-topic", "retention.ms"))?.value, "5000");
    await incremental(1, BROKER, nodeId, [
      { name: "log.retention.ms", configOperation: DELETE, value: null },
    ]);
    assert.equal((await configOf(TOPIC, "iac-topic", "retention.ms"))?.value, "6000");
    await incremental(1, BROKER, "", [{ name: "log.retention.ms", configOperation: DELETE, value: null }]);
    assert.equal((await configOf(TOPIC, "iac-topic", "retention.ms"))?.value, "604800000");
    const readOnly = await incremental(1, BROKER, nodeId, [
      { name: "node.id", configOperation: SET, value: "5" },
    ]);
    assert.equal(readOnly.errorCode, ErrorCode.INVALID_REQUEST);
  });

  it("BROKER_LOGGER: SET the root logger's level; Kafka's errors otherwise", async () => {
    const validate = await incremental(
      1,
      BROKER_LOGGER,
      nodeId,
      [{ name: "root", configOperation: SET, value: "ERROR" }],
      true,
    );
    assert.equal(validate.errorCode, ErrorCode.NONE);
    assert.equal((await configOf(BROKER_LOGGER, nodeId, "root"))?.value, "WARN", "validateOnly");
    const set = await incremental(1, BROKER_LOGGER, nodeId, [
      { name: "root", configOperation: SET, value: "ERROR" },
    ]);
    assert.equal(set.errorCode, ErrorCode.NONE);
    assert.equal((await configOf(BROKER_LOGGER, nodeId, "root"))?.value, "ERROR");

    const level = await incremental(1, BROKER_LOGGER, nodeId, [
      { name: "root", configOperation: SET, value: "LOUD" },
    ]);
    assert.equal(level.errorCode, ErrorCode.INVALID_CONFIG);
    const logger = await incremental(0, BROKER_LOGGER, nodeId, [
      { name: "kafka.server", configOperation: SET, value: "INFO" },
    ]);
    assert.equal(logger.errorCode, ErrorCode.INVALID_CONFIG);
    const del = await incremental(1, BROKER_LOGGER, nodeId, [
      { name: "root", configOperation: DELETE, value: null },
    ]);
    assert.equal(del.errorCode, ErrorCode.INVALID_REQUEST);
    const append = await incremental(1, BROKER_LOGGER, nodeId, [
      { name: "root", configOperation: APPEND, value: "INFO" },
    ]);
    assert.equal(append.errorCode, ErrorCode.INVALID_REQUEST);
    const other = await incremental(1, BROKER_LOGGER, "99", [
      { name: "root", configOperation: SET, value: "INFO" },
    ]);
    assert.equal(other.errorCode, ErrorCode.INVALID_REQUEST);
    const empty = await incremental(1, BROKER_LOGGER, "", [
      { name: "root", configOperation: SET, value: "INFO" },
    ]);
    assert.equal(empty.errorCode, ErrorCode.INVALID_REQUEST);

    assert.equal(
      (await incremental(1, BROKER_LOGGER, nodeId, [{ name: "root", configOperation: SET, value: "WARN" }]))
        .errorCode,
      ErrorCode.NONE,
    );
  });
});
