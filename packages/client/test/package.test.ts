import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { describe, it } from "node:test";

/** How applications load the package: by its name, from ESM and from CommonJS. */
describe("@weir/client package", () => {
  it("imports by name from ESM with the public API", async () => {
    const api = await import("@weir/client");
    for (const name of [
      "Kafka",
      "Producer",
      "Admin",
      "KafkaError",
      "NetworkError",
      "TimeoutError",
      "murmur2",
    ]) {
      assert.equal(typeof (api as Record<string, unknown>)[name], "function", name);
    }
  });

  it("loads from CommonJS, with require() where Node supports require(esm) and import() everywhere", () => {
    const script = `
      const canRequire = process.features.require_module === true;
      const viaRequire = canRequire ? typeof require("@weir/client").Kafka : "function";
      import("@weir/client").then((m) => console.log(viaRequire + " " + typeof m.Kafka));`;
    const result = spawnSync(process.execPath, ["--input-type=commonjs", "-e", script], { encoding: "utf8" });
    assert.equal(result.status, 0, result.stderr);
    assert.equal(result.stdout.trim(), "function function");
  });
});
