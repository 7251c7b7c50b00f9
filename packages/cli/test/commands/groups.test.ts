import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { runWeir } from "../support/run-weir.js";
import { startTestBroker, type TestBroker } from "../support/test-broker.js";

interface LagRow {
  topic: string;
  partition: number;
  committedOffset: number;
  logEndOffset: number;
  lag: number | null;
}

interface Described {
  groupId: string;
  state: string;
  members: unknown[];
  lag: LagRow[];
}

describe("weir groups", () => {
  let broker: TestBroker;
  let b: string[];
  before(async () => {
    broker = await startTestBroker({ "group.initial.rebalance.delay.ms": "0" });
    b = ["--bootstrap-server", broker.bootstrap];
  });
  after(() => broker.destroy());

  const describeJson = async (group: string): Promise<Described> => {
    const r = await runWeir(["groups", "describe", group, "--output", "json", ...b]);
    assert.equal(r.code, 0, r.stderr);
    const [d] = JSON.parse(r.stdout) as Described[];
    return d;
  };
  const totalLag = (d: Described) => d.lag.reduce((sum, p) => sum + (p.lag ?? 0), 0);

  test("list, describe with lag, reset offsets (dry run, then --execute), delete", async () => {
    const created = await runWeir(["topics", "create", "events", "-p", "2", ...b]);
    assert.equal(created.code, 0, created.stderr);
    const produced = await runWeir(["produce", "events", ...b], { input: "1\n2\n3\n4\n5\n6\n" });
    assert.equal(produced.code, 0, produced.stderr);
    const consumed = await runWeir([
      "consume",
      "events",
      "-g",
      "billing",
      "--from",
      "beginning",
      "-n",
      "4",
      ...b,
    ]);
    assert.equal(consumed.code, 0, consumed.stderr);

    const listed = await runWeir(["groups", "list", ...b]);
    assert.equal(listed.code, 0, listed.stderr);
    assert.match(listed.stdout, /^GROUP\s+TYPE\s+PROTOCOL\s+STATE$/m);
    assert.match(listed.stdout, /^billing\s+\S+\s+consumer\s+Empty$/m);
    const stable = await runWeir(["groups", "list", "--state", "Stable", "--output", "json", ...b]);
    assert.equal(stable.code, 0, stable.stderr);
    assert.deepEqual(JSON.parse(stable.stdout), []);

    const described = await runWeir(["groups", "describe", "billing", ...b]);
    assert.equal(described.code, 0, described.stderr);
    assert.match(described.stdout, /^state\s+Empty$/m);
    assert.match(described.stdout, /^total lag\s+2$/m);
    assert.match(
      described.stdout,
      /^TOPIC\s+PARTITION\s+CURRENT-OFFSET\s+LOG-END-OFFSET\s+LAG\s+CONSUMER-ID/m,
    );
    const before = await describeJson("billing");
    assert.equal(before.state, "Empty");
    assert.equal(
      before.lag.reduce((sum, p) => sum + p.committedOffset, 0),
      4,
    );
    assert.equal(
      before.lag.reduce((sum, p) => sum + p.logEndOffset, 0),
      6,
    );
    assert.equal(totalLag(before), 2);

    const dryRun = await runWeir([
      "groups",
      "reset-offsets",
      "billing",
      "--topic",
      "events",
      "--to-earliest",
      ...b,
    ]);
    assert.equal(dryRun.code, 0, dryRun.stderr);
    assert.match(dryRun.stdout, /^GROUP\s+TOPIC\s+PARTITION\s+CURRENT-OFFSET\s+NEW-OFFSET$/m);
    assert.match(dryRun.stdout, /^billing\s+events\s+0\s+(\d+|-)\s+0$/m);
    assert.match(dryRun.stdout, /^billing\s+events\s+1\s+(\d+|-)\s+0$/m);
    assert.match(dryRun.stderr, /Dry run: nothing changed/);
    assert.equal(totalLag(await describeJson("billing")), 2);

    const executed = await runWeir([
      "groups",
      "reset-offsets",
      "billing",
      "--topic",
      "events",
      "--to-earliest",
      "--execute",
      "--output",
      "json",
      ...b,
    ]);
    assert.equal(executed.code, 0, executed.stderr);
    const result = JSON.parse(executed.stdout) as {
      group: string;
      executed: boolean;
      offsets: { topic: string; partition: number; newOffset: number }[];
    };
    assert.equal(result.executed, true);
    assert.deepEqual(
      result.offsets.map((o) => [o.topic, o.partition, o.newOffset]),
      [
        ["events", 0, 0],
        ["events", 1, 0],
      ],
    );
    const reset = await describeJson("billing");
    assert.ok(reset.lag.every((p) => p.committedOffset === 0));
    assert.equal(totalLag(reset), 6);

    const shifted = await runWeir([
      "groups",
      "reset-offsets",
      "billing",
      "--topic",
      "events:0",
      "--shift-by",
      "1",
      "--execute",
      "--output",
      "json",
      ...b,
    ]);
    assert.equal(shifted.code, 0, shifted.stderr);
    const endOf0 = reset.lag.find((p) => p.partition === 0)?.logEndOffset ?? 0;
    assert.deepEqual(
      (JSON.parse(shifted.stdout) as { offsets: { partition: number; newOffset: number }[] }).offsets.map(
        (o) => [o.partition, o.newOffset],
      ),
      [[0, Math.min(1, endOf0)]],
    );

    const deleted = await runWeir(["groups", "delete", "billing", ...b]);
    assert.equal(deleted.code, 0, deleted.stderr);
    assert.match(deleted.stdout, /Deleted group billing\./);
    const afterDelete = await runWeir(["groups", "list", "--output", "json", ...b]);
    assert.equal(afterDelete.code, 0, afterDelete.stderr);
    assert.ok(
      !(JSON.parse(afterDelete.stdout) as { groupId: string }[]).some((g) => g.groupId === "billing"),
    );
  });

  test("reset-offsets refuses while the group has members: exit 1 naming NON_EMPTY_GROUP", async () => {
    const created = await runWeir(["topics", "create", "live-feed", "-p", "1", ...b]);
    assert.equal(created.code, 0, created.stderr);
    // A member that stays in the group for a few seconds (it exits on its own when idle).
    const member = runWeir(["consume", "live-feed", "-g", "live", "--idle-timeout", "4000", ...b]);
    let stable = false;
    for (let i = 0; i < 40 && !stable; i++) {
      const r = await runWeir(["groups", "list", "--state", "Stable", "--output", "json", ...b]);
      stable = (JSON.parse(r.stdout || "[]") as { groupId: string }[]).some((g) => g.groupId === "live");
      if (!stable) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.ok(stable, "the consumer joined the group");
    const refused = await runWeir([
      "groups",
      "reset-offsets",
      "live",
      "-t",
      "live-feed",
      "--to-latest",
      "--execute",
      ...b,
    ]);
    assert.equal(refused.code, 1, refused.stderr);
    assert.match(refused.stderr, /NON_EMPTY_GROUP/);
    assert.match(refused.stderr, /^hint: stop the group's consumers first/m);
    const described = await runWeir(["groups", "describe", "live", ...b]);
    assert.equal(described.code, 0, described.stderr);
    assert.match(described.stdout, /^state\s+Stable$/m);
    assert.match(described.stdout, /^members\s+1$/m);
    assert.match(described.stdout, /^live-feed\s+0\s+-\s+0\s+-\s+\S+\s+\S+\s+weir-cli/m);
    assert.equal((await member).code, 0);
  });

  test("describing an unknown group exits 1 naming GROUP_ID_NOT_FOUND, with a hint", async () => {
    const r = await runWeir(["groups", "describe", "no-such-group", ...b]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /GROUP_ID_NOT_FOUND/);
    assert.match(r.stderr, /^hint: .*weir groups list/m);
  });

  test("usage errors exit 2", async () => {
    for (const [args, message] of [
      [["groups", "reset-offsets", "g", "--topic", "t"], /give exactly one of --to-earliest/],
      [["groups", "reset-offsets", "g", "--to-latest"], /--topic or --all-topics/],
      [["groups", "reset-offsets", "g", "-t", "t", "--to-earliest", "--to-latest"], /got 2/],
      [["groups", "reset-offsets", "g", "-t", "t", "--to-datetime", "soon"], /--to-datetime must be/],
      [["groups", "reset-offsets", "g", "-t", "t:x", "--to-earliest"], /partition must be an integer/],
      [["groups", "describe"], /missing group id/],
      [["groups", "nope"], /unknown command 'weir groups nope'/],
    ] as const) {
      const r = await runWeir([...args, ...b]);
      assert.equal(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
      assert.match(r.stderr, message);
    }
  });
});
