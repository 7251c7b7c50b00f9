import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { loadBrokerConfig } from "../../src/config/broker-config.js";
import { metricsUrl, parseMetricsListener } from "../../src/metrics/metrics-listener.js";
import { startTestBroker } from "../support/test-broker.js";

test("metrics.listener accepts http://host:port", () => {
  assert.deepEqual(parseMetricsListener("http://localhost:9404"), { host: "localhost", port: 9404 });
  assert.deepEqual(parseMetricsListener(" http://0.0.0.0:0/ "), { host: "0.0.0.0", port: 0 });
  assert.deepEqual(parseMetricsListener("http://127.0.0.1:9404/metrics"), { host: "127.0.0.1", port: 9404 });
  assert.deepEqual(parseMetricsListener("http://[::1]:9404"), { host: "::1", port: 9404 });
  assert.equal(metricsUrl("::1", 9404), "http://[::1]:9404/metrics");
  assert.equal(metricsUrl("localhost", 1234), "http://localhost:1234/metrics");
});

test("metrics.listener rejects anything else with a reason", () => {
  for (const bad of [
    "localhost:9404",
    "http://localhost",
    "http://:9404",
    "http://localhost:99999",
    "http://localhost:9404/other",
    "PLAINTEXT://localhost:9404",
  ]) {
    assert.match(String(parseMetricsListener(bad)), /expected http:\/\/host:port|out of range/, bad);
  }
  assert.match(String(parseMetricsListener("https://localhost:9404")), /only http:\/\//);
});

test("a bad metrics.listener is a config error naming the property", () => {
  assert.throws(
    () => loadBrokerConfig({ overrides: { "metrics.listener": "localhost:9404" } }),
    /metrics\.listener.*expected http:\/\/host:port/,
  );
  const ok = loadBrokerConfig({ overrides: { "metrics.listener": "http://localhost:9404" } });
  assert.equal(ok.config.get("metrics.listener"), "http://localhost:9404");
  assert.equal(loadBrokerConfig({}).config.get("metrics.listener"), null);
});

test("startBroker fails clearly on a bad URL or a taken metrics port", async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), "weir-test-"));
  t.after(() => rmSync(dataDir, { recursive: true, force: true }));
  await assert.rejects(
    startTestBroker({ dataDir, config: { "metrics.listener": "http://localhost:port" } }),
    /metrics\.listener/,
  );
  const taken = createServer();
  await new Promise<void>((resolve) => taken.listen(0, "127.0.0.1", resolve));
  const port = (taken.address() as { port: number }).port;
  try {
    await assert.rejects(
      startTestBroker({ dataDir, config: { "metrics.listener": `http://127.0.0.1:${port}` } }),
      new RegExp(`cannot listen on metrics.listener 127.0.0.1:${port}: port ${port} .* already in use`),
    );
  } finally {
    await new Promise((resolve) => taken.close(resolve));
  }
});
