import assert from "node:assert/strict";
import { test } from "node:test";
import { diffImages, isEmptyChange, MetadataDelta } from "../../src/metadata/metadata-delta.js";
import { MetadataError } from "../../src/metadata/metadata-error.js";
import { MetadataImage } from "../../src/metadata/metadata-image.js";
import type { MetadataRecord } from "../../src/metadata/metadata-records.js";

const A = "AAAAAAAAAAAAAAAAAAAAZA";
const B = "AAAAAAAAAAAAAAAAAAAAZQ";

const partition = (topicId: string, partitionId: number): MetadataRecord => ({
  type: "Partition",
  topicId,
  partitionId,
  replicas: [1],
  isr: [1],
  leader: 1,
  leaderEpoch: 0,
  partitionEpoch: 0,
});

const HISTORY: readonly MetadataRecord[] = [
  { type: "FeatureLevel", name: "metadata.version", featureLevel: 21 },
  {
    type: "RegisterBroker",
    nodeId: 1,
    incarnationId: "AAAAAAAAAAAAAAAAAAAAcQ",
    brokerEpoch: 1n,
    endpoints: [{ name: "PLAINTEXT", host: "localhost", port: 9092, securityProtocol: "PLAINTEXT" }],
    rack: null,
    fenced: false,
  },
  { type: "Topic", name: "a", topicId: A },
  { type: "Config", resourceType: "topic", resourceName: "a", name: "retention.ms", value: "1000" },
  partition(A, 0),
  partition(A, 1),
  { type: "Topic", name: "b", topicId: B },
  partition(B, 0),
  { type: "Config", resourceType: "broker", resourceName: "", name: "log.retention.ms", value: "5" },
  { type: "PartitionChange", topicId: A, partitionId: 1, leader: null, isr: [] },
  { type: "PartitionChange", topicId: A, partitionId: 1, leader: -1, isr: null },
  { type: "RemoveTopic", topicId: B },
  { type: "ProducerIds", brokerId: 1, brokerEpoch: 1n, nextProducerId: 1000n },
];

/** A canonical, comparable form of an image. */
function snapshot(image: MetadataImage): unknown {
  const sorted = <K, V>(m: ReadonlyMap<K, V>) => [...m].sort(([a], [b]) => (String(a) < String(b) ? -1 : 1));
  return {
    offset: image.offset,
    features: sorted(image.features),
    brokers: sorted(image.brokers),
    topicsById: sorted(image.topicsById),
    topicsByName: sorted(image.topicsByName),
    topicConfigs: sorted(image.topicConfigs).map(([k, v]) => [k, sorted(v)]),
    brokerConfigs: sorted(image.brokerConfigs).map(([k, v]) => [k, sorted(v)]),
    producerIds: image.producerIds,
  };
}

test("replay is deterministic: the same records give the same image, however they are grouped", () => {
  const all = MetadataImage.EMPTY.replayAll(HISTORY);
  const oneByOne = HISTORY.reduce((img, r) => img.replay(r), MetadataImage.EMPTY);
  const delta = new MetadataDelta(MetadataImage.EMPTY);
  for (const r of HISTORY.slice(0, 5)) delta.replay(r);
  const halves = delta.apply().replayAll(HISTORY.slice(5));
  assert.deepEqual(snapshot(all), snapshot(oneByOne));
  assert.deepEqual(snapshot(all), snapshot(halves));
  assert.deepEqual(snapshot(all), snapshot(MetadataImage.EMPTY.replayAll(HISTORY)));
});

test("the resulting image: topics, partitions and epochs, configs, producer ids", () => {
  const image = MetadataImage.EMPTY.replayAll(HISTORY);
  assert.equal(image.offset, HISTORY.length - 1);
  assert.equal(image.featureLevel("metadata.version"), 21);
  assert.equal(image.broker(1)?.endpoints[0]?.port, 9092);
  assert.deepEqual([...image.topicsByName.keys()], ["a"]);
  assert.equal(image.topicById(B), undefined);
  const a = image.topic("a")!;
  assert.equal(a.id, A);
  assert.equal(image.topicById(A), a);
  assert.equal(a.partitions.length, 2);
  const p1 = image.partition(A, 1)!;
  assert.deepEqual([p1.leader, p1.isr, p1.leaderEpoch, p1.partitionEpoch], [-1, [], 1, 2]);
  assert.deepEqual(image.partition(A, 0), {
    partitionId: 0,
    replicas: [1],
    isr: [1],
    leader: 1,
    leaderEpoch: 0,
    partitionEpoch: 0,
  });
  assert.equal(image.topicConfig("a").get("retention.ms"), "1000");
  assert.equal(image.topicConfig("b").size, 0);
  assert.equal(image.brokerConfig("").get("log.retention.ms"), "5");
  assert.equal(image.producerIds.nextProducerId, 1000n);
  assert.deepEqual(
    image.liveBrokers().map((b) => b.nodeId),
    [1],
  );
});

test("images are immutable: replay returns a new image and leaves the old one untouched", () => {
  const before = MetadataImage.EMPTY.replayAll(HISTORY.slice(0, 8));
  const frozen = snapshot(before);
  const after = before.replayAll(HISTORY.slice(8));
  assert.deepEqual(snapshot(before), frozen);
  assert.notDeepEqual(snapshot(after), frozen);
  assert.ok(Object.isFrozen(before));
  assert.ok(Object.isFrozen(before.topic("a")));
  assert.ok(Object.isFrozen(before.topic("a")!.partitions));
  assert.ok(Object.isFrozen(before.topic("a")!.partitions[0]));
  // unchanged parts are shared
  const configOnly = before.replay({
    type: "Config",
    resourceType: "broker",
    resourceName: "1",
    name: "x",
    value: "y",
  });
  assert.equal(configOnly.topicsById, before.topicsById);
  assert.equal(configOnly.brokers, before.brokers);
  assert.equal(MetadataImage.EMPTY.offset, -1);
});

test("deleting a topic removes its configs; a name can be reused with a new id", () => {
  let image = MetadataImage.EMPTY.replayAll(HISTORY);
  image = image.replayAll([{ type: "RemoveTopic", topicId: A }]);
  assert.equal(image.topic("a"), undefined);
  assert.equal(image.topicConfig("a").size, 0);
  image = image.replayAll([{ type: "Topic", name: "a", topicId: B }, partition(B, 0)]);
  assert.equal(image.topic("a")?.id, B);
  assert.equal(image.topicConfig("a").size, 0);
});

test("records that do not fit the image are rejected", () => {
  const base = MetadataImage.EMPTY.replayAll(HISTORY);
  const bad: MetadataRecord[] = [
    { type: "Topic", name: "a", topicId: B },
    { type: "Topic", name: "c", topicId: A },
    partition(B, 0),
    partition(A, 5),
    { type: "PartitionChange", topicId: A, partitionId: 7, leader: 1, isr: null },
    { type: "RemoveTopic", topicId: B },
    { type: "ProducerIds", brokerId: 1, brokerEpoch: 1n, nextProducerId: 1000n },
  ];
  for (const record of bad) {
    assert.throws(
      () => base.replay(record),
      (e: unknown) => e instanceof MetadataError && e.code === "INVALID_RECORD",
      JSON.stringify(record, (_, v) => (typeof v === "bigint" ? String(v) : v)),
    );
  }
});

test("diffImages reports what changed between two images", () => {
  const before = MetadataImage.EMPTY.replayAll(HISTORY.slice(0, 8)); // topics a (2 partitions) and b
  const after = before.replayAll([
    partition(A, 2),
    { type: "PartitionChange", topicId: A, partitionId: 0, leader: null, isr: [1] },
    { type: "RemoveTopic", topicId: B },
    { type: "Topic", name: "c", topicId: "AAAAAAAAAAAAAAAAAAAAZg" },
    { type: "Config", resourceType: "topic", resourceName: "a", name: "retention.ms", value: "2000" },
    { type: "Config", resourceType: "broker", resourceName: "1", name: "message.max.bytes", value: "10" },
    { type: "ProducerIds", brokerId: 1, brokerEpoch: 1n, nextProducerId: 1000n },
  ]);
  const changes = diffImages(before, after);
  assert.deepEqual(
    changes.createdTopics.map((t) => t.name),
    ["c"],
  );
  assert.deepEqual(
    changes.deletedTopics.map((t) => t.name),
    ["b"],
  );
  assert.deepEqual([...changes.addedPartitions], [[A, [2]]]);
  assert.deepEqual([...changes.changedPartitions], [[A, [0]]]);
  assert.deepEqual([...changes.changedTopicConfigs], ["a"]);
  assert.deepEqual([...changes.changedBrokerConfigs], ["1"]);
  assert.equal(changes.producerIdsChanged, true);
  assert.equal(isEmptyChange(changes), false);
  assert.equal(isEmptyChange(diffImages(after, after)), true);
  const fromEmpty = diffImages(MetadataImage.EMPTY, after);
  assert.deepEqual(fromEmpty.createdTopics.map((t) => t.name).sort(), ["a", "c"]);
});
