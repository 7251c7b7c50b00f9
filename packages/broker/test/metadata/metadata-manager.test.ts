import assert from "node:assert/strict";
import { readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import { META_PROPERTIES_FILE } from "../../src/metadata/meta-properties.js";
import type { MetadataChanges } from "../../src/metadata/metadata-delta.js";
import { MetadataError } from "../../src/metadata/metadata-error.js";
import type { MetadataImage } from "../../src/metadata/metadata-image.js";
import { METADATA_LOG_DIR_NAME, METADATA_LOG_FILE_NAME } from "../../src/metadata/metadata-log.js";
import { MetadataManager } from "../../src/metadata/metadata-manager.js";
import { seededRandom } from "../../src/metadata/ports.js";
import { testConfig, withTempDir } from "./fixtures.js";

const open = (dir: string, overrides: Record<string, string> = {}, seed = 1) =>
  MetadataManager.open({ config: testConfig({ "log.dirs": dir, ...overrides }), random: seededRandom(seed) });

test("first start: meta.properties, bootstrap records, local broker registration", async () => {
  await withTempDir(async (dir) => {
    const manager = await open(dir);
    assert.match(manager.clusterId, /^[A-Za-z0-9_-]{22}$/);
    assert.match(await readFile(join(dir, META_PROPERTIES_FILE), "utf8"), new RegExp(manager.clusterId));
    assert.equal(manager.image.featureLevel("metadata.version"), 21);
    const registration = await manager.registerLocalBroker();
    assert.equal(registration.error, "NONE");
    assert.equal(registration.brokerEpoch, 1n);
    assert.deepEqual(manager.image.broker(1)?.endpoints, [
      { name: "PLAINTEXT", host: "localhost", port: 9092, securityProtocol: "PLAINTEXT" },
    ]);
    await manager.close();
  });
});

test("operations are durable: close, reopen, same image and same cluster id", async () => {
  await withTempDir(async (dir) => {
    const manager = await open(dir);
    await manager.registerLocalBroker();
    const created = await manager.submit((image, c) =>
      c.createTopics(image, {
        topics: [
          {
            name: "t",
            numPartitions: 2,
            replicationFactor: -1,
            configs: [{ name: "retention.ms", value: "9" }],
          },
        ],
      }),
    );
    assert.equal(created.topics[0]!.error, "NONE");
    const epoch = manager.image.broker(1)!.brokerEpoch;
    await manager.submit((image, c) => c.allocateProducerIds(image, { brokerId: 1, brokerEpoch: epoch }));
    const before = manager.image;
    await manager.close();

    const again = await open(dir, {}, 2);
    assert.equal(again.clusterId, manager.clusterId);
    assert.deepEqual(again.image, before);
    assert.equal(again.recovery.truncatedBytes, 0);
    assert.equal(again.image.topic("t")?.id, created.topics[0]!.topicId);
    assert.equal(again.image.topicConfig("t").get("retention.ms"), "9");
    assert.equal(again.image.producerIds.nextProducerId, 1000n);
    await again.close();
  });
});

test("validateOnly and failed operations write nothing to the log", async () => {
  await withTempDir(async (dir) => {
    const manager = await open(dir);
    await manager.registerLocalBroker();
    const path = join(dir, METADATA_LOG_DIR_NAME, METADATA_LOG_FILE_NAME);
    const size = (await stat(path)).size;
    const offset = manager.image.offset;
    const dry = await manager.submit((image, c) =>
      c.createTopics(image, {
        topics: [{ name: "t", numPartitions: 1, replicationFactor: 1 }],
        validateOnly: true,
      }),
    );
    assert.equal(dry.topics[0]!.error, "NONE");
    const bad = await manager.submit((image, c) =>
      c.createTopics(image, { topics: [{ name: "t", numPartitions: 1, replicationFactor: 5 }] }),
    );
    assert.equal(bad.topics[0]!.error, "INVALID_REPLICATION_FACTOR");
    assert.equal((await stat(path)).size, size);
    assert.equal(manager.image.offset, offset);
    assert.equal(manager.image.topic("t"), undefined);
    await manager.close();
  });
});

test("publishers see the current image at subscribe time, then every committed change", async () => {
  await withTempDir(async (dir) => {
    const manager = await open(dir);
    await manager.registerLocalBroker();
    await manager.submit((image, c) =>
      c.createTopics(image, { topics: [{ name: "old", numPartitions: 1, replicationFactor: 1 }] }),
    );
    const seen: [MetadataImage, MetadataChanges][] = [];
    const unsubscribe = manager.subscribe({
      name: "test",
      onImage: (image, changes) => seen.push([image, changes]),
    });
    manager.subscribe({
      name: "broken",
      onImage: () => {
        throw new Error("boom");
      },
    });
    assert.equal(seen.length, 1);
    assert.deepEqual(
      seen[0]![1].createdTopics.map((t) => t.name),
      ["old"],
    );
    await manager.submit((image, c) =>
      c.createTopics(image, { topics: [{ name: "new", numPartitions: 2, replicationFactor: 1 }] }),
    );
    await manager.submit((image, c) =>
      c.createPartitions(image, { topics: [{ name: "new", count: 3, assignments: null }] }),
    );
    await manager.submit((image, c) => c.deleteTopics(image, { topics: [{ name: "old" }] }));
    assert.equal(seen.length, 4);
    assert.deepEqual(
      seen[1]![1].createdTopics.map((t) => [t.name, t.partitions.length]),
      [["new", 2]],
    );
    assert.deepEqual([...seen[2]![1].addedPartitions.values()], [[2]]);
    assert.deepEqual(
      seen[3]![1].deletedTopics.map((t) => t.name),
      ["old"],
    );
    assert.equal(seen[3]![0], manager.image);
    unsubscribe();
    await manager.submit((image, c) => c.deleteTopics(image, { topics: [{ name: "new" }] }));
    assert.equal(seen.length, 4);
    await manager.close();
  });
});

test("operations run one at a time against the latest image", async () => {
  await withTempDir(async (dir) => {
    const manager = await open(dir);
    await manager.registerLocalBroker();
    const create = () =>
      manager.submit((image, c) =>
        c.createTopics(image, { topics: [{ name: "race", numPartitions: 1, replicationFactor: 1 }] }),
      );
    const results = await Promise.all([create(), create(), create()]);
    assert.deepEqual(
      results.map((r) => r.topics[0]!.error),
      ["NONE", "TOPIC_ALREADY_EXISTS", "TOPIC_ALREADY_EXISTS"],
    );
    await manager.close();
    await assert.rejects(create(), (e: unknown) => e instanceof MetadataError && e.code === "CLOSED");
  });
});

test("a different node.id on the same data is refused at open", async () => {
  await withTempDir(async (dir) => {
    const manager = await open(dir);
    await manager.close();
    await assert.rejects(
      open(dir, { "node.id": "7" }),
      /Stored node id 1 doesn't match the configured node\.id 7/,
    );
  });
});
