import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { connectionSettings } from "../../src/args/common-options.js";
import { CliError } from "../../src/cli-error.js";

test("bootstrap servers: the flag, else the properties, else the environment, else localhost:9092", () => {
  const env = { WEIR_BOOTSTRAP_SERVER: "env:9092" };
  assert.equal(connectionSettings({}, {}).bootstrapServers, "localhost:9092");
  assert.equal(connectionSettings({}, env).bootstrapServers, "env:9092");
  assert.equal(
    connectionSettings({ "command-property": ["bootstrap.servers=prop:9092"] }, env).bootstrapServers,
    "prop:9092",
  );
  assert.equal(
    connectionSettings(
      { "bootstrap-server": "flag:9092", "command-property": ["bootstrap.servers=p:1"] },
      env,
    ).bootstrapServers,
    "flag:9092",
  );
});

test("-X wins over --command-config; bootstrap.servers is not passed on as a client property", () => {
  const dir = mkdtempSync(join(tmpdir(), "weir-cli-props-"));
  try {
    const file = join(dir, "client.properties");
    writeFileSync(file, "client.id=from-file\nlinger.ms=5\nbootstrap.servers=x:1\n");
    const s = connectionSettings({ "command-config": file, "command-property": ["linger.ms=50"] }, {});
    assert.deepEqual(s.properties, { "client.id": "from-file", "linger.ms": "50" });
    assert.equal(s.bootstrapServers, "x:1");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("output, timeouts and their defaults; bad values and non-PLAINTEXT security are usage errors", () => {
  const s = connectionSettings({}, {});
  assert.deepEqual([s.output, s.timeoutMs, s.connectTimeoutMs], ["table", 30_000, 5_000]);
  const custom = connectionSettings({ output: "json", timeout: "1000", "connect-timeout": "200" }, {});
  assert.deepEqual([custom.output, custom.timeoutMs, custom.connectTimeoutMs], ["json", 1000, 200]);
  // default.api.timeout.ms given as a property is left to the client.
  assert.equal(
    connectionSettings({ "command-property": ["default.api.timeout.ms=5"] }, {}).timeoutMs,
    undefined,
  );
  const usage = (values: Parameters<typeof connectionSettings>[0]) =>
    assert.throws(
      () => connectionSettings(values, {}),
      (err: unknown) => err instanceof CliError && err.exitCode === 2,
    );
  usage({ output: "yaml" });
  usage({ timeout: "soon" });
  usage({ "command-property": ["novalue"] });
  usage({ "command-property": ["security.protocol=SASL_SSL"] });
  usage({ "command-config": "/nonexistent/weir.properties" });
});
