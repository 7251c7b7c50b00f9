import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { describeBrokerConfigs, describeTopicConfigs } from "../../src/metadata/config-layers.js";
import type { MetadataImage } from "../../src/metadata/metadata-image.js";
import type { QuorumController } from "../../src/metadata/quorum-controller.js";
import type { CreatableTopic } from "../../src/metadata/replication-control.js";
import { commit, imageWithBrokers, testController } from "./fixtures.js";

const topic = (name: string, extra: Partial<CreatableTopic> = {}): CreatableTopic => ({
  name,
  numPartitions: -1,
  replicationFactor: -1,
  ...extra,
});

function setup(overrides: Record<string, string> = {}) {
  const controller = testController(overrides);
  return { controller, image: imageWithBrokers(controller, [1]) };
}

function create(controller: QuorumController, image: MetadataImage, ...topics: CreatableTopic[]) {
  return commit(image, controller.createTopics(image, { topics }));
}

describe("alterConfigs (legacy, full replace)", () => {
  test("topic overrides are replaced as a whole; unchanged keys write nothing", () => {
    const { controller, image: base } = setup();
    let { image } = create(
      controller,
      base,
      topic("t", { configs: [{ name: "retention.ms", value: "1000" }] }),
    );
    const result = controller.alterConfigs(image, {
      resources: [
        { resourceType: "topic", resourceName: "t", configs: [{ name: "segment.ms", value: "5000" }] },
      ],
    });
    assert.deepEqual(result.response, [
      { resourceType: "topic", resourceName: "t", error: "NONE", errorMessage: null },
    ]);
    assert.deepEqual(result.records, [
      { type: "Config", resourceType: "topic", resourceName: "t", name: "retention.ms", value: null },
      { type: "Config", resourceType: "topic", resourceName: "t", name: "segment.ms", value: "5000" },
    ]);
    image = image.replayAll(result.records);
    assert.deepEqual([...image.topicConfig("t")], [["segment.ms", "5000"]]);
    const same = controller.alterConfigs(image, {
      resources: [
        { resourceType: "topic", resourceName: "t", configs: [{ name: "segment.ms", value: "5000" }] },
      ],
    });
    assert.deepEqual(same.records, []);
  });

  test("errors per resource", () => {
    const { controller, image: base } = setup();
    const { image } = create(controller, base, topic("t"));
    const result = controller.alterConfigs(image, {
      resources: [
        { resourceType: "topic", resourceName: "missing", configs: [] },
        { resourceType: "topic", resourceName: "", configs: [] },
        { resourceType: "topic", resourceName: "t", configs: [{ name: "retention.ms", value: "x" }] },
        { resourceType: "topic", resourceName: "t", configs: [] },
        { resourceType: "broker", resourceName: "2", configs: [] },
        { resourceType: "broker", resourceName: "one", configs: [] },
        { resourceType: "broker", resourceName: "1", configs: [{ name: "num.partitions", value: "4" }] },
        {
          resourceType: "broker",
          resourceName: "",
          configs: [
            { name: "a", value: "1" },
            { name: "a", value: "2" },
          ],
        },
        { resourceType: "broker", resourceName: "-1", configs: [] },
      ],
    });
    assert.deepEqual(result.records, []);
    assert.deepEqual(
      result.response.map((r) => [r.resourceName, r.error, r.errorMessage]),
      [
        ["missing", "UNKNOWN_TOPIC_OR_PARTITION", "The topic 'missing' does not exist."],
        ["", "INVALID_REQUEST", "Default topic resources are not allowed."],
        ["t", "INVALID_REQUEST", "Each resource must appear at most once."],
        ["t", "INVALID_REQUEST", "Each resource must appear at most once."],
        ["2", "INVALID_REQUEST", "Unexpected broker id, expected 1, but received 2"],
        ["one", "INVALID_REQUEST", "Unable to parse broker name as a base 10 number."],
        ["1", "INVALID_REQUEST", "Cannot update these configs dynamically: num.partitions"],
        ["", "INVALID_REQUEST", "Error due to duplicate config keys"],
        ["-1", "INVALID_REQUEST", "Invalid negative broker ID."],
      ],
    );
    const invalid = controller.alterConfigs(image, {
      resources: [
        { resourceType: "topic", resourceName: "t", configs: [{ name: "retention.ms", value: "x" }] },
      ],
    });
    assert.equal(invalid.response[0]!.error, "INVALID_CONFIG");
    const unknownName = controller.alterConfigs(image, {
      resources: [{ resourceType: "topic", resourceName: "t", configs: [{ name: "nope", value: "x" }] }],
    });
    assert.deepEqual(unknownName.response[0]!.errorMessage, "Unknown topic config name: nope");
  });

  test("dynamic broker configs feed the effective topic configs with their sources", () => {
    const controller = testController({ "log.retention.hours": "1" });
    const { image: base } = create(controller, imageWithBrokers(controller), topic("t"));
    const config = controller.config;
    const source = (img: MetadataImage, name: string) => {
      const e = describeTopicConfigs(img, config, "t", [name])[0]!;
      return [e.value, e.source];
    };
    assert.deepEqual(source(base, "retention.ms"), ["3600000", "STATIC_BROKER_CONFIG"]);
    const { image } = commit(
      base,
      controller.alterConfigs(base, {
        resources: [
          {
            resourceType: "broker",
            resourceName: "",
            configs: [{ name: "log.retention.ms", value: "60000" }],
          },
          {
            resourceType: "broker",
            resourceName: "1",
            configs: [{ name: "message.max.bytes", value: "2000" }],
          },
        ],
      }),
    );
    assert.deepEqual(source(image, "retention.ms"), ["60000", "DYNAMIC_DEFAULT_BROKER_CONFIG"]);
    assert.deepEqual(source(image, "max.message.bytes"), ["2000", "DYNAMIC_BROKER_CONFIG"]);
    const clusterDefaults = describeBrokerConfigs(image, config, "");
    assert.deepEqual(
      clusterDefaults.map((e) => [e.name, e.value, e.source]),
      [["log.retention.ms", "60000", "DYNAMIC_DEFAULT_BROKER_CONFIG"]],
    );
    const node = describeBrokerConfigs(image, config, "1", [
      "message.max.bytes",
      "log.retention.hours",
      "num.partitions",
    ]);
    assert.deepEqual(
      node.map((e) => [e.name, e.value, e.source, e.readOnly]),
      [
        ["log.retention.hours", "1", "STATIC_BROKER_CONFIG", true],
        ["message.max.bytes", "2000", "DYNAMIC_BROKER_CONFIG", false],
        ["num.partitions", "1", "DEFAULT_CONFIG", true],
      ],
    );
    // broker resources re-emit unchanged keys, as Kafka does (brokers reload them)
    const again = controller.alterConfigs(image, {
      resources: [
        {
          resourceType: "broker",
          resourceName: "1",
          configs: [{ name: "message.max.bytes", value: "2000" }],
        },
      ],
    });
    assert.equal(again.records.length, 1);
  });

  test("validateOnly writes nothing", () => {
    const { controller, image: base } = setup();
    const { image } = create(controller, base, topic("t"));
    const result = controller.alterConfigs(image, {
      resources: [
        { resourceType: "topic", resourceName: "t", configs: [{ name: "retention.ms", value: "1" }] },
      ],
      validateOnly: true,
    });
    assert.deepEqual(result.records, []);
    assert.equal(result.response[0]!.error, "NONE");
  });
});

describe("incrementalAlterConfigs", () => {
  test("SET, DELETE, APPEND and SUBTRACT on a topic", () => {
    const { controller, image: base } = setup();
    let { image } = create(controller, base, topic("t"));
    const alter = (
      configs: Parameters<typeof controller.incrementalAlterConfigs>[1]["resources"][0]["configs"],
    ) => {
      const result = controller.incrementalAlterConfigs(image, {
        resources: [{ resourceType: "topic", resourceName: "t", configs }],
      });
      image = image.replayAll(result.records);
      return result;
    };
    alter([
      { name: "cleanup.policy", op: "APPEND", value: "compact" },
      { name: "retention.ms", op: "SET", value: "100" },
    ]);
    assert.deepEqual(Object.fromEntries(image.topicConfig("t")), {
      "cleanup.policy": "delete,compact",
      "retention.ms": "100",
    });
    alter([{ name: "cleanup.policy", op: "SUBTRACT", value: "delete" }]);
    assert.equal(image.topicConfig("t").get("cleanup.policy"), "compact");
    alter([
      { name: "cleanup.policy", op: "DELETE", value: null },
      { name: "retention.ms", op: "DELETE", value: null },
    ]);
    assert.equal(image.topicConfig("t").size, 0);
    const noop = alter([{ name: "segment.ms", op: "DELETE", value: null }]);
    assert.deepEqual(noop.records, []);
    const e = describeTopicConfigs(image, controller.config, "t", ["cleanup.policy"])[0]!;
    assert.deepEqual([e.value, e.source], ["delete", "DEFAULT_CONFIG"]);
  });

  test("errors: APPEND to a non-list, invalid results, unknown topics; validateOnly", () => {
    const { controller, image: base } = setup();
    const { image } = create(controller, base, topic("t"));
    const result = controller.incrementalAlterConfigs(image, {
      resources: [
        {
          resourceType: "topic",
          resourceName: "t",
          configs: [{ name: "retention.ms", op: "APPEND", value: "1" }],
        },
      ],
    });
    assert.deepEqual(
      result.response[0]!.errorMessage,
      "Can't APPEND to key retention.ms because its type is not LIST.",
    );
    assert.equal(result.response[0]!.error, "INVALID_CONFIG");
    const invalid = controller.incrementalAlterConfigs(image, {
      resources: [
        {
          resourceType: "topic",
          resourceName: "t",
          configs: [{ name: "cleanup.policy", op: "APPEND", value: "forever" }],
        },
        {
          resourceType: "topic",
          resourceName: "nope",
          configs: [{ name: "retention.ms", op: "SET", value: "1" }],
        },
      ],
    });
    assert.deepEqual(
      invalid.response.map((r) => r.error),
      ["INVALID_CONFIG", "UNKNOWN_TOPIC_OR_PARTITION"],
    );
    assert.deepEqual(invalid.records, []);
    const dry = controller.incrementalAlterConfigs(image, {
      resources: [
        {
          resourceType: "topic",
          resourceName: "t",
          configs: [{ name: "retention.ms", op: "SET", value: "1" }],
        },
      ],
      validateOnly: true,
    });
    assert.deepEqual(dry.records, []);
    assert.equal(dry.response[0]!.error, "NONE");
    const broker = controller.incrementalAlterConfigs(image, {
      resources: [
        {
          resourceType: "broker",
          resourceName: "",
          configs: [{ name: "log.cleanup.policy", op: "APPEND", value: "compact" }],
        },
      ],
    });
    assert.deepEqual(broker.records, [
      {
        type: "Config",
        resourceType: "broker",
        resourceName: "",
        name: "log.cleanup.policy",
        value: "delete,compact",
      },
    ]);
  });
});
