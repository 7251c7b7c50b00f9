import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { runWeir } from "../support/run-weir.js";
import { startTestBroker, type TestBroker } from "../support/test-broker.js";

describe("weir cluster", () => {
  let broker: TestBroker;
  before(async () => {
    broker = await startTestBroker();
  });
  after(() => broker.destroy());

  test("shows the cluster id, the controller and the broker, as a table and as JSON", async () => {
    // The address comes from the environment this time.
    const env = { WEIR_BOOTSTRAP_SERVER: broker.bootstrap };
    const table = await runWeir(["cluster"], { env });
    assert.equal(table.code, 0, table.stderr);
    assert.match(table.stdout, new RegExp(`^cluster id\\s+${broker.clusterId}$`, "m"));
    assert.match(table.stdout, new RegExp(`^controller\\s+${broker.nodeId}$`, "m"));
    assert.match(table.stdout, /^ID\s+HOST\s+PORT\s+RACK$/m);
    assert.match(
      table.stdout,
      new RegExp(`^\\s*${broker.nodeId}\\s+${broker.host}\\s+${broker.port}\\s+-$`, "m"),
    );

    const json = await runWeir(["cluster", "--output", "json"], { env });
    assert.equal(json.code, 0, json.stderr);
    assert.deepEqual(JSON.parse(json.stdout), {
      clusterId: broker.clusterId,
      controllerId: broker.nodeId,
      brokers: [{ nodeId: broker.nodeId, host: broker.host, port: broker.port, rack: null }],
    });
  });
});
