import assert from "node:assert/strict";
import { test } from "node:test";
import { BrokerConfig, loadBrokerConfig } from "../../src/config/broker-config.js";
import { ConfigError } from "../../src/config/config-error.js";

test("embedded defaults: node 1, localhost:9092, ./weir-data, both roles", () => {
  const { config, warnings } = loadBrokerConfig({ hostname: "box" });
  assert.deepEqual(warnings, []);
  assert.equal(config.nodeId, 1);
  assert.deepEqual(config.processRoles, ["broker", "controller"]);
  assert.deepEqual(config.logDirs, ["./weir-data"]);
  assert.equal(config.metadataLogDir, "./weir-data");
  assert.deepEqual(config.listeners, [
    { name: "PLAINTEXT", host: "localhost", port: 9092, securityProtocol: "PLAINTEXT" },
  ]);
  assert.deepEqual(config.advertisedListeners, config.listeners);
  assert.equal(config.get("num.partitions"), 1);
  assert.equal(config.get("default.replication.factor"), 1);
  assert.equal(config.get("auto.create.topics.enable"), true);
  assert.equal(config.get("delete.topic.enable"), true);
  assert.equal(config.get("message.max.bytes"), 1048588);
  assert.equal(config.get("socket.request.max.bytes"), 104857600);
  assert.equal(config.get("log.flush.interval.messages"), 1);
  assert.equal(config.get("log.retention.check.interval.ms"), 300000);
  assert.equal(config.get("offsets.topic.num.partitions"), 50);
  assert.equal(config.get("offsets.topic.replication.factor"), 1);
  assert.equal(config.get("offsets.retention.minutes"), 10080);
  assert.equal(config.get("group.initial.rebalance.delay.ms"), 3000);
  assert.equal(config.get("group.min.session.timeout.ms"), 6000);
  assert.equal(config.get("group.max.session.timeout.ms"), 1800000);
  assert.equal(config.get("producer.id.expiration.ms"), 86400000);
  assert.equal(config.get("log.retention.ms"), null);
  assert.equal(config.logRetentionMs, 168 * 3_600_000);
  assert.equal(config.logRollMs, 168 * 3_600_000);
  assert.equal(config.originals.size, 0);
  assert.deepEqual(BrokerConfig.defaults().listeners, config.listeners);
});

test("server.properties text with comments and whitespace, then --set overrides win", () => {
  const { config, warnings } = loadBrokerConfig({
    properties: [
      "# Weir server",
      "node.id = 3",
      "log.dirs=/data/a, /data/b",
      "num.partitions: 4",
      "log.retention.minutes=90",
      "listeners=PLAINTEXT://:9092,INTERNAL://10.0.0.1:19092",
      "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,INTERNAL:SSL",
    ].join("\n"),
    overrides: ["num.partitions=6", "auto.create.topics.enable=false"],
    hostname: "box",
  });
  assert.deepEqual(warnings, []);
  assert.equal(config.nodeId, 3);
  assert.deepEqual(config.logDirs, ["/data/a", "/data/b"]);
  assert.equal(config.metadataLogDir, "/data/a");
  assert.equal(config.get("num.partitions"), 6);
  assert.equal(config.get("auto.create.topics.enable"), false);
  assert.equal(config.logRetentionMs, 90 * 60_000);
  assert.deepEqual(
    config.listeners.map((l) => [l.name, l.host, l.port, l.securityProtocol]),
    [
      ["PLAINTEXT", "", 9092, "PLAINTEXT"],
      ["INTERNAL", "10.0.0.1", 19092, "SSL"],
    ],
  );
  // a listener on every interface advertises the host name
  assert.equal(config.advertisedListeners[0]!.host, "box");
  assert.equal(config.originals.get("num.partitions"), "6");
  assert.equal(config.raw("num.partitions"), "6");
  assert.equal(config.raw("message.max.bytes"), "1048588");
});

test("overrides may also be given as a map; log.retention.ms beats minutes and hours", () => {
  const { config } = loadBrokerConfig({
    overrides: { "log.retention.ms": "-1", "log.retention.hours": "1", "log.dir": "/x" },
  });
  assert.equal(config.logRetentionMs, -1);
  assert.deepEqual(config.logDirs, ["/x"]);
});

test("unknown keys are kept and reported as warnings, not errors", () => {
  const { config, warnings } = loadBrokerConfig({
    properties: "zookeeper.connect=localhost:2181\nnode.id=1\nlog.message.downconversion.enable=false",
  });
  assert.equal(config.unknown.get("zookeeper.connect"), "localhost:2181");
  assert.equal(config.originals.get("zookeeper.connect"), "localhost:2181");
  assert.ok(warnings.some((w) => w.includes("'zookeeper.connect' was supplied but isn't a known config")));
  assert.ok(
    warnings.some((w) => w.includes("log.message.downconversion.enable") && w.includes("deprecated")),
  );
});

test("invalid values fail with one error listing each key, value and expected type", () => {
  assert.throws(
    () =>
      loadBrokerConfig({
        properties: "num.partitions=lots\nlog.segment.bytes=10\nauto.create.topics.enable=maybe",
      }),
    (e: unknown) => {
      assert.ok(e instanceof ConfigError);
      assert.equal(e.code, "INVALID_CONFIG");
      assert.match(e.message, /Invalid value lots for configuration num\.partitions: .*\(expected INT\)/);
      assert.match(e.message, /log\.segment\.bytes: Value must be at least 1048576/);
      assert.match(e.message, /auto\.create\.topics\.enable: .*true or false.*\(expected BOOLEAN\)/);
      return true;
    },
  );
});

test("contradictory settings are refused", () => {
  const bad = (overrides: Record<string, string>, pattern: RegExp) =>
    assert.throws(
      () => loadBrokerConfig({ overrides }),
      (e: unknown) => e instanceof ConfigError && pattern.test(e.message),
    );
  bad({ "node.id": "2", "broker.id": "3" }, /broker\.id \(3\) must be equal to node\.id \(2\)/);
  bad({ listeners: "PLAINTEXT://localhost:9092,PLAINTEXT://localhost:9093" }, /different name/);
  bad({ listeners: "FOO://localhost:9092" }, /No security protocol defined for listener FOO/);
  bad({ listeners: "localhost:9092" }, /expected NAME:\/\/host:port/);
  bad({ listeners: "PLAINTEXT://localhost:70000" }, /port out of range/);
  bad({ "advertised.listeners": "PLAINTEXT://0.0.0.0:9092" }, /nonroutable meta-address 0\.0\.0\.0/);
  bad({ "advertised.listeners": "SSL://host:9093" }, /subset/);
  bad({ "log.dirs": "/a,/a" }, /duplicate directory/);
  bad({ "process.roles": "broker,broker" }, /duplicate role/);
  bad({ "process.roles": "" }, /Empty list not allowed/);
  bad({ "process.roles": "broker,observer" }, /process\.roles/);
  bad(
    { "group.min.session.timeout.ms": "10", "group.max.session.timeout.ms": "5" },
    /group\.min\.session\.timeout\.ms/,
  );
  bad({ "controller.quorum.voters": "1@host" }, /id@host:port/);
});

test("controller.quorum.voters, IPv6 listeners and with()", () => {
  const { config } = loadBrokerConfig({
    overrides: {
      "controller.quorum.voters": "1@localhost:9093,2@[::1]:9094",
      listeners: "PLAINTEXT://[::1]:9092",
    },
  });
  assert.deepEqual(config.quorumVoters, [
    { nodeId: 1, host: "localhost", port: 9093 },
    { nodeId: 2, host: "::1", port: 9094 },
  ]);
  assert.equal(config.listeners[0]!.host, "::1");
  const changed = config.with({ "num.partitions": "9" }).config;
  assert.equal(changed.get("num.partitions"), 9);
  assert.equal(config.get("num.partitions"), 1);
  assert.ok(Object.isFrozen(config));
});
