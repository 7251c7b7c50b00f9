import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { closedPort } from "../support/fake-broker.js";

const SCRIPT = fileURLToPath(new URL("../support/pending-operation.js", import.meta.url));

interface Exit {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly ms: number;
}

/** Runs the pending-operation script with a scenario; fails the test if it does not exit in 20 s. */
function runScript(scenario: string, bootstrap?: string): Promise<Exit> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [SCRIPT, scenario, ...(bootstrap === undefined ? [] : [bootstrap])],
      {
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`${scenario} did not exit within 20 s (stdout: ${stdout}, stderr: ${stderr})`));
    }, 20_000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, ms: Date.now() - started });
    });
  });
}

async function deadBroker(): Promise<string> {
  return `127.0.0.1:${await closedPort()}`;
}

describe("A pending operation keeps the process alive until it settles", () => {
  const cases: [scenario: string, error: RegExp][] = [
    [
      "admin-create-topics",
      /^REQUEST_TIMED_OUT: CreateTopics did not complete within 1500 ms; last error: could not connect to any broker/m,
    ],
    [
      "producer-connect",
      /^NETWORK_EXCEPTION: could not connect to any broker .*gave up retrying connecting to the cluster/m,
    ],
    [
      "producer-send",
      /^NETWORK_EXCEPTION: could not get metadata for topic t within max.block.ms \(1500 ms\)/m,
    ],
    ["consumer-committed", /^NETWORK_EXCEPTION: could not connect to any broker .*gave up retrying/m],
  ];
  for (const [scenario, error] of cases) {
    it(`${scenario} against a dead broker exits non-zero with its typed error once its time is up`, async () => {
      const exit = await runScript(scenario, await deadBroker());
      assert.match(exit.stderr, error, `stdout: ${exit.stdout}`);
      assert.equal(exit.code, 1, "the failure is what ended the process");
    });
  }

  it("a record whose leader went away fails after delivery.timeout.ms, and the process exits", async () => {
    const exit = await runScript("leader-gone");
    assert.match(
      exit.stderr,
      /^REQUEST_TIMED_OUT: Expiring 1 record\(s\) for t-0: \d+ ms has passed since batch creation/m,
      `stdout: ${exit.stdout}`,
    );
    assert.equal(exit.code, 1);
  });

  it("idle clients that were never closed do not hold the process open", async () => {
    const exit = await runScript("idle-clients", await deadBroker());
    assert.equal(exit.stderr, "");
    assert.match(exit.stdout, /^resolved "idle"/);
    assert.equal(exit.code, 0);
    assert.ok(exit.ms < 10_000, `exited in ${exit.ms} ms`);
  });
});
