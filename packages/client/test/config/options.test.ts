import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { CompressionType } from "@weir/protocol";
import { ALL_OPTIONS } from "../../src/config/options-table.js";
import {
  clientLayer,
  resolveAdminConfig,
  resolveClientConfig,
  resolveProducerConfig,
} from "../../src/config/resolve-config.js";
import { ConfigError } from "../../src/errors.js";
import { Kafka } from "../../src/kafka.js";

const client = clientLayer({ bootstrapServers: ["localhost:9092"] });

describe("options", () => {
  it("fills in Kafka's defaults", () => {
    const c = resolveProducerConfig(client);
    assert.deepEqual(c.bootstrapServers, ["localhost:9092"]);
    assert.equal(c.acks, -1);
    assert.equal(c.lingerMs, 5);
    assert.equal(c.batchSize, 1_000_000);
    assert.equal(c.bufferMemory, 33554432);
    assert.equal(c.idempotent, true);
    assert.equal(c.compression, CompressionType.None);
    assert.equal(c.deliveryTimeoutMs, 120000);
    assert.equal(c.maxInFlightRequestsPerConnection, 5);
    assert.equal(resolveAdminConfig(client).defaultApiTimeoutMs, 60000);
  });

  it("takes Kafka property names, as strings too, and typed options win over them", () => {
    const c = resolveProducerConfig(
      clientLayer({ bootstrapServers: "a:1, b:2", properties: { "request.timeout.ms": "500" } }),
      {
        properties: {
          "linger.ms": "20",
          acks: "1",
          "compression.type": "zstd",
          "enable.idempotence": "false",
        },
        lingerMs: 30,
      },
    );
    assert.deepEqual(c.bootstrapServers, ["a:1", "b:2"]);
    assert.equal(c.requestTimeoutMs, 500);
    assert.equal(c.lingerMs, 30);
    assert.equal(c.acks, 1);
    assert.equal(c.compression, CompressionType.Zstd);
    assert.equal(c.idempotent, false);
  });

  it("names both spellings of a bad option", () => {
    assert.throws(
      () => resolveProducerConfig(client, { lingerMs: -1 }),
      (err) => {
        assert.ok(err instanceof ConfigError);
        assert.equal(err.name, "INVALID_CONFIG");
        assert.match(err.message, /lingerMs \(linger\.ms\) must be between 0 and/);
        return true;
      },
    );
    assert.throws(
      () => resolveProducerConfig(client, { properties: { "linger.mss": 1 } }),
      /unknown property "linger.mss"/,
    );
    assert.throws(() => resolveProducerConfig(client, { lingerMS: 1 } as never), /unknown option "lingerMS"/);
    assert.throws(
      () => resolveProducerConfig(client, { compression: "brotli" as never }),
      /one of none, gzip/,
    );
    assert.throws(() => new Kafka({ bootstrapServers: [] }), /must name at least one host:port/);
    assert.throws(() => new Kafka({ bootstrapServers: ["nohost"] }), /invalid entry "nohost"/);
    assert.throws(
      () => resolveClientConfig({} as never),
      /bootstrapServers \(bootstrap.servers\) is required/,
    );
  });

  it("turns idempotence off quietly for acks other than all, unless it was asked for", () => {
    assert.equal(resolveProducerConfig(client, { acks: 1 }).idempotent, false);
    assert.throws(() => resolveProducerConfig(client, { acks: 1, idempotent: true }), /acks must be "all"/);
    assert.throws(
      () => resolveProducerConfig(client, { idempotent: true, maxInFlightRequestsPerConnection: 6 }),
      /at most 5/,
    );
    assert.equal(resolveProducerConfig(client, { maxInFlightRequestsPerConnection: 10 }).idempotent, false);
  });

  it("checks delivery.timeout.ms against linger.ms + request.timeout.ms as Kafka does", () => {
    const tooShort =
      /deliveryTimeoutMs \(delivery.timeout.ms\) 1000 must be at least linger.ms \+ request.timeout.ms \(2005\)/;
    // Set too low by hand, in either spelling or on the Kafka instance: an error.
    assert.throws(
      () => resolveProducerConfig(client, { deliveryTimeoutMs: 1000, requestTimeoutMs: 2000 }),
      (err) => err instanceof ConfigError && tooShort.test(err.message),
    );
    assert.throws(
      () =>
        resolveProducerConfig(client, {
          properties: { "delivery.timeout.ms": "1000", "request.timeout.ms": "2000" },
        }),
      tooShort,
    );
    assert.throws(
      () =>
        resolveProducerConfig(
          clientLayer({ bootstrapServers: ["localhost:9092"], properties: { "delivery.timeout.ms": 1000 } }),
          { requestTimeoutMs: 2000 },
        ),
      tooShort,
    );
    // Left at its default: raised to the sum, with a warning.
    const warnings: unknown[] = [];
    const logger = {
      debug() {},
      info() {},
      warn: (m: string, c?: object) => warnings.push([m, c]),
      error() {},
    };
    const raised = resolveProducerConfig(client, { requestTimeoutMs: 200_000, lingerMs: 50 }, logger);
    assert.equal(raised.deliveryTimeoutMs, 200_050);
    assert.deepEqual(warnings, [
      ["delivery.timeout.ms raised to linger.ms + request.timeout.ms", { from: 120_000, to: 200_050 }],
    ]);
    assert.equal(
      resolveProducerConfig(client, { deliveryTimeoutMs: 2005, requestTimeoutMs: 2000 }).deliveryTimeoutMs,
      2005,
    );
  });

  it("are all documented in README.md with the defaults the code uses", () => {
    const readme = readFileSync(new URL("../../../README.md", import.meta.url), "utf8");
    for (const [name, spec] of Object.entries(ALL_OPTIONS)) {
      const row = readme.split("\n").find((line) => line.startsWith(`| \`${spec.key}\` | \`${name}\` |`));
      assert.ok(row, `README.md has no row for ${spec.key} (${name})`);
      let cell = row.split("|")[3].trim().replaceAll("`", "");
      if (cell === '""') cell = "";
      if (spec.default === undefined) {
        assert.equal(cell, "required", spec.key);
      } else if (spec.default === null) {
        assert.equal(cell, "null", spec.key);
      } else {
        // Digit groups may be written 33_554_432.
        assert.deepEqual(
          spec.parse(cell.replace(/(?<=\d)_(?=\d)/g, "")),
          spec.default,
          `default of ${spec.key}`,
        );
      }
    }
  });
});
