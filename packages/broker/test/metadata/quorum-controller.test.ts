import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { ZERO_UUID } from "@weir/protocol";
import type { MetadataImage } from "../../src/metadata/metadata-image.js";
import { decodeBatch, encodeBatch } from "../../src/metadata/metadata-record-codec.js";
import type { MetadataRecord } from "../../src/metadata/metadata-records.js";
import { seededRandom } from "../../src/metadata/ports.js";
import type { QuorumController } from "../../src/metadata/quorum-controller.js";
import type { CreatableTopic } from "../../src/metadata/replication-control.js";
import { commit, imageWithBrokers, testConfig, testController } from "./fixtures.js";

const topic = (name: string, extra: Partial<CreatableTopic> = {}): CreatableTopic => ({
  name,
  numPartitions: -1,
  replicationFactor: -1,
  ...extra,
});

function setup(overrides: Record<string, string> = {}, brokers: readonly number[] = [1]) {
  const controller = testController(overrides);
  return { controller, image: imageWithBrokers(controller, brokers) };
}

function create(controller: QuorumController, image: MetadataImage, ...topics: CreatableTopic[]) {
  return commit(image, controller.createTopics(image, { topics }));
}

function createError(controller: QuorumController, image: MetadataImage, t: CreatableTopic) {
  const result = controller.createTopics(image, { topics: [t] });
  const [r] = result.response.topics;
  assert.deepEqual(result.records, [], `no records for failed ${t.name}`);
  assert.equal(r!.topicId, ZERO_UUID);
  assert.equal(r!.numPartitions, -1);
  return [r!.error, r!.errorMessage] as const;
}

describe("registerBroker", () => {
  test("registration records the broker epoch (its log offset); a retry by the same incarnation is a no-op", () => {
    const controller = testController();
    const image = imageWithBrokers(controller, []);
    const request = {
      nodeId: 1,
      incarnationId: "AAECAwQFBgcICQoLDA0ODw",
      endpoints: testConfig().advertisedListeners,
      rack: null,
    };
    const first = controller.registerBroker(image, request);
    assert.equal(first.response.brokerEpoch, BigInt(image.offset + 1));
    assert.equal(first.records.length, 1);
    const registered = image.replayAll(first.records);
    assert.equal(registered.broker(1)?.fenced, false);
    assert.equal(registered.broker(1)?.brokerEpoch, first.response.brokerEpoch);
    const retry = controller.registerBroker(registered, request);
    assert.deepEqual(retry.records, []);
    assert.equal(retry.response.brokerEpoch, first.response.brokerEpoch);
    const restart = controller.registerBroker(registered, {
      ...request,
      incarnationId: "AQECAwQFBgcICQoLDA0ODw",
    });
    assert.equal(restart.response.brokerEpoch, BigInt(registered.offset + 1));
    assert.equal(
      controller.registerBroker(image, { ...request, nodeId: -1 }).response.error,
      "INVALID_REQUEST",
    );
  });
});

describe("createTopics", () => {
  test("defaults: num.partitions, one replica on node 1, leader epoch 0, effective configs in the response", () => {
    const { controller, image } = setup({ "num.partitions": "3" });
    const { image: after, response } = create(
      controller,
      image,
      topic("orders", { configs: [{ name: "cleanup.policy", value: "compact" }] }),
    );
    const [r] = response.topics;
    assert.equal(r!.error, "NONE");
    assert.equal(r!.errorMessage, null);
    assert.match(r!.topicId, /^[A-Za-z0-9_-]{22}$/);
    assert.notEqual(r!.topicId, ZERO_UUID);
    assert.equal(r!.numPartitions, 3);
    assert.equal(r!.replicationFactor, 1);
    const cleanup = r!.configs.find((c) => c.name === "cleanup.policy")!;
    assert.deepEqual(
      [cleanup.value, cleanup.source, cleanup.sourceId],
      ["compact", "DYNAMIC_TOPIC_CONFIG", 1],
    );
    assert.equal(r!.configs.find((c) => c.name === "retention.ms")!.source, "DEFAULT_CONFIG");
    const t = after.topic("orders")!;
    assert.equal(t.id, r!.topicId);
    assert.deepEqual(
      t.partitions.map((p) => [p.partitionId, p.replicas, p.isr, p.leader, p.leaderEpoch, p.partitionEpoch]),
      [
        [0, [1], [1], 1, 0, 0],
        [1, [1], [1], 1, 0, 0],
        [2, [1], [1], 1, 0, 0],
      ],
    );
    assert.equal(after.topicConfig("orders").get("cleanup.policy"), "compact");
    assert.deepEqual(
      controller.createTopics(image, { topics: [topic("orders")] }).records.map((x) => x.type),
      ["Topic", "Partition", "Partition", "Partition"],
    );
  });

  test("the same seed gives the same topic ids (ids come from the injected random)", () => {
    const a = setup();
    const b = setup();
    const idA = a.controller.createTopics(a.image, { topics: [topic("t")] }).response.topics[0]!.topicId;
    const idB = b.controller.createTopics(b.image, { topics: [topic("t")] }).response.topics[0]!.topicId;
    assert.equal(idA, idB);
  });

  test("explicit partitions and replication factor; several brokers spread replicas", () => {
    const { controller, image } = setup({}, [1, 2, 3]);
    const { image: after, response } = create(
      controller,
      image,
      topic("t", { numPartitions: 6, replicationFactor: 3 }),
    );
    assert.equal(response.topics[0]!.replicationFactor, 3);
    const parts = after.topic("t")!.partitions;
    assert.equal(parts.length, 6);
    for (const p of parts) {
      assert.deepEqual([...p.replicas].sort(), [1, 2, 3]);
      assert.equal(p.leader, p.replicas[0]);
    }
    assert.deepEqual(new Set(parts.map((p) => p.leader)), new Set([1, 2, 3]));
  });

  test("INVALID_TOPIC_EXCEPTION for invalid names (Kafka's rules)", () => {
    const { controller, image } = setup();
    for (const name of ["", ".", "..", "a".repeat(250), "has space", "ümlaut", "a/b", "a:b"]) {
      const [error, message] = createError(controller, image, topic(name));
      assert.equal(error, "INVALID_TOPIC_EXCEPTION", name);
      assert.match(message!, /^Topic name is invalid: /);
    }
    assert.equal(
      controller.createTopics(image, { topics: [topic("a".repeat(249))] }).response.topics[0]!.error,
      "NONE",
    );
    assert.equal(
      controller.createTopics(image, { topics: [topic("Az09._-")] }).response.topics[0]!.error,
      "NONE",
    );
  });

  test("'.' and '_' collisions are INVALID_TOPIC_EXCEPTION, with existing topics and within one request", () => {
    const { controller, image } = setup();
    const { image: withDot } = create(controller, image, topic("metrics.cpu"));
    const [error, message] = createError(controller, withDot, topic("metrics_cpu"));
    assert.equal(error, "INVALID_TOPIC_EXCEPTION");
    assert.equal(message, "Topic 'metrics_cpu' collides with existing topic: metrics.cpu");
    // the same name is TOPIC_ALREADY_EXISTS, not a collision
    assert.deepEqual(createError(controller, withDot, topic("metrics.cpu")), [
      "TOPIC_ALREADY_EXISTS",
      "Topic 'metrics.cpu' already exists.",
    ]);
    const both = controller.createTopics(image, { topics: [topic("x.y"), topic("x_y")] });
    assert.deepEqual(
      both.response.topics.map((t) => t.error),
      ["NONE", "INVALID_TOPIC_EXCEPTION"],
    );
    assert.equal(both.records.filter((r) => r.type === "Topic").length, 1);
  });

  test("INVALID_PARTITIONS and INVALID_REPLICATION_FACTOR", () => {
    const { controller, image } = setup();
    for (const n of [0, -2]) {
      assert.deepEqual(createError(controller, image, topic("t", { numPartitions: n })), [
        "INVALID_PARTITIONS",
        "Number of partitions was set to an invalid non-positive value.",
      ]);
    }
    for (const rf of [0, -2]) {
      assert.deepEqual(createError(controller, image, topic("t", { replicationFactor: rf })), [
        "INVALID_REPLICATION_FACTOR",
        "Replication factor must be larger than 0, or -1 to use the default value.",
      ]);
    }
    assert.deepEqual(createError(controller, image, topic("t", { replicationFactor: 3 })), [
      "INVALID_REPLICATION_FACTOR",
      "Unable to replicate the partition 3 time(s): The target replication factor of 3 cannot be reached because only 1 broker(s) are registered.",
    ]);
    const noBrokers = imageWithBrokers(controller, []);
    assert.equal(createError(controller, noBrokers, topic("t"))[0], "INVALID_REPLICATION_FACTOR");
    const highDefault = setup({ "default.replication.factor": "2" });
    assert.equal(
      createError(highDefault.controller, highDefault.image, topic("t"))[0],
      "INVALID_REPLICATION_FACTOR",
    );
  });

  test("INVALID_CONFIG for unknown names, bad values and null values", () => {
    const { controller, image } = setup();
    const cases: [string, string | null, RegExp][] = [
      ["retention.mss", "1", /Unknown topic config name: retention\.mss/],
      ["retention.ms", "forever", /Invalid value forever for configuration retention\.ms/],
      ["cleanup.policy", "compact,forever", /cleanup\.policy/],
      ["retention.ms", null, /Null value not supported for topic configs: retention\.ms/],
    ];
    for (const [name, value, pattern] of cases) {
      const [error, message] = createError(controller, image, topic("t", { configs: [{ name, value }] }));
      assert.equal(error, "INVALID_CONFIG");
      assert.match(message!, pattern);
    }
  });

  test("manual assignments: accepted when consistent, INVALID_REPLICA_ASSIGNMENT / INVALID_REQUEST otherwise", () => {
    const { controller, image } = setup({}, [1, 2]);
    const ok = create(
      controller,
      image,
      topic("m", {
        assignments: [
          { partitionIndex: 1, brokerIds: [1, 2] },
          { partitionIndex: 0, brokerIds: [2, 1] },
        ],
      }),
    );
    assert.equal(ok.response.topics[0]!.error, "NONE");
    assert.deepEqual(
      ok.image.topic("m")!.partitions.map((p) => [p.replicas, p.leader]),
      [
        [[2, 1], 2],
        [[1, 2], 1],
      ],
    );
    const bad: [CreatableTopic["assignments"], Partial<CreatableTopic>, string, RegExp][] = [
      [
        [{ partitionIndex: 0, brokerIds: [9] }],
        {},
        "INVALID_REPLICA_ASSIGNMENT",
        /broker 9, but no such broker is registered/,
      ],
      [
        [{ partitionIndex: 0, brokerIds: [1, 1] }],
        {},
        "INVALID_REPLICA_ASSIGNMENT",
        /broker 1 more than once/,
      ],
      [[{ partitionIndex: 0, brokerIds: [] }], {}, "INVALID_REPLICA_ASSIGNMENT", /empty replica list/],
      [[{ partitionIndex: 1, brokerIds: [1] }], {}, "INVALID_REPLICA_ASSIGNMENT", /consecutive 0-based/],
      [
        [
          { partitionIndex: 0, brokerIds: [1] },
          { partitionIndex: 1, brokerIds: [1, 2] },
        ],
        {},
        "INVALID_REPLICA_ASSIGNMENT",
        /not consistent with previous partitions/,
      ],
      [
        [
          { partitionIndex: 0, brokerIds: [1] },
          { partitionIndex: 0, brokerIds: [2] },
        ],
        {},
        "INVALID_REPLICA_ASSIGNMENT",
        /multiple manual partition assignments for partition 0/,
      ],
      [
        [{ partitionIndex: 0, brokerIds: [1] }],
        { replicationFactor: 1 },
        "INVALID_REQUEST",
        /replication factor was not set to -1/,
      ],
      [
        [{ partitionIndex: 0, brokerIds: [1] }],
        { numPartitions: 1 },
        "INVALID_REQUEST",
        /numPartitions was not set to -1/,
      ],
    ];
    for (const [assignments, extra, error, pattern] of bad) {
      const [e, message] = createError(controller, image, topic("m", { assignments, ...extra }));
      assert.equal(e, error, JSON.stringify(assignments));
      assert.match(message!, pattern);
    }
  });

  test("duplicate names in one request, the metadata topic's name, and excessive batches", () => {
    const { controller, image } = setup();
    const dup = controller.createTopics(image, { topics: [topic("d"), topic("d"), topic("e")] });
    assert.deepEqual(
      dup.response.topics.map((t) => [t.name, t.error, t.errorMessage]),
      [
        ["d", "INVALID_REQUEST", "Duplicate topic name."],
        ["e", "NONE", null],
      ],
    );
    assert.deepEqual(createError(controller, image, topic("__cluster_metadata")), [
      "INVALID_REQUEST",
      "Creation of internal topic __cluster_metadata is prohibited.",
    ]);
    const huge = controller.createTopics(image, {
      topics: [topic("small"), topic("huge", { numPartitions: 20_000 })],
    });
    assert.deepEqual(huge.records, []);
    assert.deepEqual(
      huge.response.topics.map((t) => t.error),
      ["POLICY_VIOLATION", "POLICY_VIOLATION"],
    );
  });

  test("validateOnly answers like a real create but writes no records", () => {
    const { controller, image } = setup();
    const result = controller.createTopics(image, {
      topics: [
        topic("v", { numPartitions: 2, configs: [{ name: "retention.ms", value: "10" }] }),
        topic("bad name"),
      ],
      validateOnly: true,
    });
    assert.deepEqual(result.records, []);
    assert.deepEqual(
      result.response.topics.map((t) => [t.error, t.numPartitions]),
      [
        ["NONE", 2],
        ["INVALID_TOPIC_EXCEPTION", -1],
      ],
    );
  });
});

describe("deleteTopics", () => {
  function withTopics() {
    const { controller, image } = setup();
    const created = create(
      controller,
      image,
      topic("a", { configs: [{ name: "retention.ms", value: "5" }] }),
      topic("b"),
      topic("__consumer_offsets"),
    );
    return { controller, image: created.image };
  }

  test("by name and by id; the topic, its partitions and its configs are gone", () => {
    const { controller, image } = withTopics();
    const idB = image.topic("b")!.id;
    const { image: after, response } = commit(
      image,
      controller.deleteTopics(image, { topics: [{ name: "a" }, { topicId: idB }] }),
    );
    assert.deepEqual(
      response.map((r) => [r.name, r.topicId, r.error]),
      [
        ["a", image.topic("a")!.id, "NONE"],
        ["b", idB, "NONE"],
      ],
    );
    assert.equal(after.topic("a"), undefined);
    assert.equal(after.topicById(idB), undefined);
    assert.equal(after.topicConfig("a").size, 0);
  });

  test("unknown names and ids, both or neither given, duplicates", () => {
    const { controller, image } = withTopics();
    const idA = image.topic("a")!.id;
    const result = controller.deleteTopics(image, {
      topics: [
        { name: "missing" },
        { topicId: "AAAAAAAAAAAAAAAAAAAAZA" },
        { name: "a", topicId: idA },
        {},
        { name: "b" },
        { name: "b" },
      ],
    });
    assert.deepEqual(result.records, []);
    assert.deepEqual(
      result.response.map((r) => [r.name, r.error, r.errorMessage]),
      [
        ["missing", "UNKNOWN_TOPIC_OR_PARTITION", "This server does not host this topic-partition."],
        [null, "UNKNOWN_TOPIC_ID", "This server does not host this topic ID."],
        ["a", "INVALID_REQUEST", "You may not specify both topic name and topic id."],
        [null, "INVALID_REQUEST", "Neither topic name nor id were specified."],
        ["b", "INVALID_REQUEST", "Duplicate topic name."],
      ],
    );
    const sameTwice = controller.deleteTopics(image, { topics: [{ name: "a" }, { topicId: idA }] });
    assert.deepEqual(sameTwice.records, []);
    assert.deepEqual(
      sameTwice.response.map((r) => r.error),
      ["INVALID_REQUEST", "INVALID_REQUEST"],
    );
  });

  test("delete.topic.enable=false answers TOPIC_DELETION_DISABLED", () => {
    const controller = testController({ "delete.topic.enable": "false" });
    const { image } = create(controller, imageWithBrokers(controller), topic("a"));
    const result = controller.deleteTopics(image, { topics: [{ name: "a" }] });
    assert.deepEqual(result.records, []);
    assert.equal(result.response[0]!.error, "TOPIC_DELETION_DISABLED");
  });

  test("internal topics can be deleted, as in Kafka (only kafka-topics.sh refuses, client-side)", () => {
    const { controller, image } = withTopics();
    const result = controller.deleteTopics(image, { topics: [{ name: "__consumer_offsets" }] });
    assert.equal(result.response[0]!.error, "NONE");
    assert.equal(result.records.length, 1);
  });
});

describe("createPartitions", () => {
  test("increase only; new partitions keep the replication factor", () => {
    const { controller, image: base } = setup();
    const { image } = create(controller, base, topic("t"));
    const { image: after, response } = commit(
      image,
      controller.createPartitions(image, { topics: [{ name: "t", count: 3, assignments: null }] }),
    );
    assert.deepEqual(response, [{ name: "t", error: "NONE", errorMessage: null }]);
    assert.deepEqual(
      after.topic("t")!.partitions.map((p) => [p.partitionId, p.replicas, p.leader]),
      [
        [0, [1], 1],
        [1, [1], 1],
        [2, [1], 1],
      ],
    );
    const errors = controller.createPartitions(after, {
      topics: [
        { name: "t", count: 3, assignments: null },
        { name: "missing", count: 3, assignments: null },
      ],
    });
    assert.deepEqual(
      errors.response.map((r) => [r.error, r.errorMessage]),
      [
        ["INVALID_PARTITIONS", "Topic already has 3 partition(s)."],
        ["UNKNOWN_TOPIC_OR_PARTITION", null],
      ],
    );
    assert.deepEqual(
      controller.createPartitions(after, { topics: [{ name: "t", count: 2, assignments: null }] }).response,
      [
        {
          name: "t",
          error: "INVALID_PARTITIONS",
          errorMessage: "The topic t currently has 3 partition(s); 2 would not be an increase.",
        },
      ],
    );
  });

  test("manual assignments, duplicates and validateOnly", () => {
    const { controller, image: base } = setup();
    const { image } = create(controller, base, topic("t"));
    const mismatch = controller.createPartitions(image, {
      topics: [{ name: "t", count: 3, assignments: [[1]] }],
    });
    assert.equal(mismatch.response[0]!.error, "INVALID_REPLICA_ASSIGNMENT");
    assert.match(
      mismatch.response[0]!.errorMessage!,
      /add 2 additional partition\(s\), but only 1 assignment/,
    );
    const unknownBroker = controller.createPartitions(image, {
      topics: [{ name: "t", count: 2, assignments: [[5]] }],
    });
    assert.equal(unknownBroker.response[0]!.error, "INVALID_REPLICA_ASSIGNMENT");
    const manual = controller.createPartitions(image, {
      topics: [{ name: "t", count: 2, assignments: [[1]] }],
    });
    assert.equal(manual.records.length, 1);
    const dup = controller.createPartitions(image, {
      topics: [
        { name: "t", count: 2, assignments: null },
        { name: "t", count: 3, assignments: null },
      ],
    });
    assert.deepEqual(dup.response, [
      { name: "t", error: "INVALID_REQUEST", errorMessage: "Duplicate topic name." },
    ]);
    const dry = controller.createPartitions(image, {
      topics: [{ name: "t", count: 4, assignments: null }],
      validateOnly: true,
    });
    assert.deepEqual(dry.records, []);
    assert.equal(dry.response[0]!.error, "NONE");
  });
});

describe("allocateProducerIds", () => {
  test("hands out consecutive blocks of 1000 and checks the broker epoch", () => {
    const { controller, image: base } = setup();
    const epoch = base.broker(1)!.brokerEpoch;
    const first = commit(base, controller.allocateProducerIds(base, { brokerId: 1, brokerEpoch: epoch }));
    assert.deepEqual(first.response, {
      error: "NONE",
      errorMessage: null,
      producerIdStart: 0n,
      producerIdLen: 1000,
    });
    const second = commit(
      first.image,
      controller.allocateProducerIds(first.image, { brokerId: 1, brokerEpoch: epoch }),
    );
    assert.equal(second.response.producerIdStart, 1000n);
    assert.equal(second.image.producerIds.nextProducerId, 2000n);
    const stale = controller.allocateProducerIds(second.image, { brokerId: 1, brokerEpoch: epoch + 5n });
    assert.equal(stale.response.error, "STALE_BROKER_EPOCH");
    assert.deepEqual(stale.records, []);
    assert.equal(
      controller.allocateProducerIds(second.image, { brokerId: 9, brokerEpoch: 0n }).response.error,
      "STALE_BROKER_EPOCH",
    );
  });
});

describe("autoCreateTopics", () => {
  test("regular topics with broker defaults when enabled; existing topics unchanged", () => {
    const { controller, image } = setup({ "num.partitions": "2" });
    const { image: after, response } = commit(
      image,
      controller.autoCreateTopics(image, ["auto", "auto", "bad name"]),
    );
    assert.deepEqual(
      response.map((r) => [r.name, r.error, r.created]),
      [
        ["auto", "NONE", true],
        ["bad name", "INVALID_TOPIC_EXCEPTION", false],
      ],
    );
    assert.equal(after.topic("auto")!.partitions.length, 2);
    const again = controller.autoCreateTopics(after, ["auto"]);
    assert.deepEqual(again.records, []);
    assert.deepEqual(again.response[0], {
      name: "auto",
      error: "NONE",
      errorMessage: null,
      topicId: after.topic("auto")!.id,
      created: false,
    });
  });

  test("disabled: UNKNOWN_TOPIC_OR_PARTITION, but internal topics are still created with their settings", () => {
    const { controller, image } = setup({
      "auto.create.topics.enable": "false",
      "offsets.topic.num.partitions": "5",
      "transaction.state.log.num.partitions": "3",
    });
    const { image: after, response } = commit(
      image,
      controller.autoCreateTopics(image, ["regular", "__consumer_offsets", "__transaction_state"]),
    );
    assert.deepEqual(
      response.map((r) => [r.name, r.error]),
      [
        ["regular", "UNKNOWN_TOPIC_OR_PARTITION"],
        ["__consumer_offsets", "NONE"],
        ["__transaction_state", "NONE"],
      ],
    );
    assert.equal(after.topic("__consumer_offsets")!.partitions.length, 5);
    assert.deepEqual(Object.fromEntries(after.topicConfig("__consumer_offsets")), {
      "cleanup.policy": "compact",
      "compression.type": "producer",
      "segment.bytes": "104857600",
    });
    assert.equal(after.topic("__transaction_state")!.partitions.length, 3);
    assert.equal(after.topicConfig("__transaction_state").get("min.insync.replicas"), "1");
    assert.equal(after.topicConfig("__transaction_state").get("compression.type"), "uncompressed");
  });
});

describe("replay of controller output", () => {
  test("a seeded random workload: replaying every record from scratch (through the codec) gives the same image", () => {
    const controller = testController({}, 9);
    let image = imageWithBrokers(controller, [1]);
    const all: MetadataRecord[] = [];
    const random = seededRandom(2024);
    const names = ["a", "b", "c.d", "c_d", "e"];
    const run = <R>(result: { records: readonly MetadataRecord[]; response: R }) => {
      all.push(...result.records);
      image = image.replayAll(result.records);
    };
    const start = image;
    for (let step = 0; step < 300; step++) {
      const name = names[random.nextInt(names.length)]!;
      switch (random.nextInt(5)) {
        case 0:
          run(
            controller.createTopics(image, {
              topics: [topic(name, { numPartitions: 1 + random.nextInt(3) })],
            }),
          );
          break;
        case 1:
          run(controller.deleteTopics(image, { topics: [{ name }] }));
          break;
        case 2:
          run(
            controller.createPartitions(image, {
              topics: [{ name, count: (image.topic(name)?.partitions.length ?? 0) + 1, assignments: null }],
            }),
          );
          break;
        case 3:
          run(
            controller.incrementalAlterConfigs(image, {
              resources: [
                {
                  resourceType: "topic",
                  resourceName: name,
                  configs: [
                    {
                      name: "cleanup.policy",
                      op: random.nextInt(2) === 0 ? "APPEND" : "SUBTRACT",
                      value: "compact",
                    },
                  ],
                },
              ],
            }),
          );
          break;
        default:
          run(
            controller.allocateProducerIds(image, { brokerId: 1, brokerEpoch: image.broker(1)!.brokerEpoch }),
          );
      }
    }
    assert.ok(all.length > 100);
    const decoded = decodeBatch(encodeBatch(start.offset + 1, all)).records;
    assert.deepEqual(start.replayAll(decoded), image);
  });
});
