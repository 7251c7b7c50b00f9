import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { runWeir } from "../support/run-weir.js";
import { startTestBroker, type TestBroker } from "../support/test-broker.js";

interface RecordJson {
  topic: string;
  partition: number;
  offset: number;
  timestamp: number;
  timestampType: string;
  key: string | null;
  value: string | null;
  headers: { key: string; value: string | null }[];
}

describe("weir consume", () => {
  let broker: TestBroker;
  let b: string[];
  let between: number;

  const produce = async (partition: number, lines: string) => {
    const r = await runWeir(["produce", "feed", "-K", ":", "-H", "src=test", "-p", String(partition), ...b], {
      input: lines,
    });
    assert.equal(r.code, 0, r.stderr);
  };

  before(async () => {
    broker = await startTestBroker({ "group.initial.rebalance.delay.ms": "0" });
    b = ["--bootstrap-server", broker.bootstrap];
    const r = await runWeir(["topics", "create", "feed", "-p", "2", ...b]);
    assert.equal(r.code, 0, r.stderr);
    await produce(0, "a:1\nb:2\n");
    await produce(1, "c:3\n");
    between = Date.now();
    await new Promise((resolve) => setTimeout(resolve, 20));
    await produce(0, "d:4\n");
    await produce(1, "e:5\n");
  });
  after(() => broker.destroy());

  test("every partition from the beginning to the end, printed with a format template", async () => {
    const r = await runWeir([
      "consume",
      "feed",
      "--from",
      "beginning",
      "--exit-at-end",
      "-F",
      "{partition}:{offset}\\t{key}={value} {headers} {header:src}",
      ...b,
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(r.stdout.trim().split("\n").sort(), [
      "0:0\ta=1 src=test test",
      "0:1\tb=2 src=test test",
      "0:2\td=4 src=test test",
      "1:0\tc=3 src=test test",
      "1:1\te=5 src=test test",
    ]);
    assert.match(r.stderr, /Consumed 5 records\./);
  });

  test("--output json prints one object per record; --max-messages stops", async () => {
    const r = await runWeir([
      "consume",
      "feed",
      "--partition",
      "0",
      "--from",
      "beginning",
      "-n",
      "2",
      "--output",
      "json",
      ...b,
    ]);
    assert.equal(r.code, 0, r.stderr);
    const records = r.stdout
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as RecordJson);
    assert.deepEqual(
      records.map((x) => [x.topic, x.partition, x.offset, x.key, x.value, x.timestampType]),
      [
        ["feed", 0, 0, "a", "1", "CreateTime"],
        ["feed", 0, 1, "b", "2", "CreateTime"],
      ],
    );
    assert.deepEqual(records[0].headers, [{ key: "src", value: "test" }]);
    assert.ok(records[0].timestamp <= between);
  });

  test("--from an offset, the last n records, or a time", async () => {
    const offset = await runWeir(["consume", "feed", "-p", "0", "--from", "1", "-e", "-F", "{offset}", ...b]);
    assert.equal(offset.code, 0, offset.stderr);
    assert.equal(offset.stdout, "1\n2\n");

    const last = await runWeir(["consume", "feed", "--from=-1", "-e", "-F", "{value}", ...b]);
    assert.equal(last.code, 0, last.stderr);
    assert.deepEqual(last.stdout.trim().split("\n").sort(), ["4", "5"]);

    const since = await runWeir(["consume", "feed", "--from", `@${between}`, "-e", "-F", "{key}", ...b]);
    assert.equal(since.code, 0, since.stderr);
    assert.deepEqual(since.stdout.trim().split("\n").sort(), ["d", "e"]);

    const hex = await runWeir([
      "consume",
      "feed",
      "-p",
      "1",
      "--from",
      "0",
      "-n",
      "1",
      "--encoding",
      "hex",
      "-F",
      "{key}",
      ...b,
    ]);
    assert.equal(hex.stdout, "63\n");
  });

  test("in a group, the printed records are committed and the next run goes on from there", async () => {
    const first = await runWeir([
      "consume",
      "feed",
      "-g",
      "readers",
      "--from",
      "beginning",
      "-n",
      "3",
      "-F",
      "{value}",
      ...b,
    ]);
    assert.equal(first.code, 0, first.stderr);
    const firstValues = first.stdout.trim().split("\n");
    assert.equal(firstValues.length, 3);

    const rest = await runWeir([
      "consume",
      "feed",
      "-g",
      "readers",
      "--from",
      "beginning",
      "-e",
      "-F",
      "{value}",
      ...b,
    ]);
    assert.equal(rest.code, 0, rest.stderr);
    const restValues = rest.stdout.trim().split("\n");
    assert.deepEqual([...firstValues, ...restValues].sort(), ["1", "2", "3", "4", "5"]);
    assert.match(rest.stderr, /Consumed 2 records\./);
  });

  test("mistakes: usage errors exit 2, an unknown topic exits 1", async () => {
    const cases: [string[], RegExp][] = [
      [["consume", "feed", "-g", "x", "-p", "0"], /--partition reads one partition without a group/],
      [["consume", "feed", "--from", "yesterday"], /--from must be beginning, end/],
      [["consume", "feed", "-F", "{colour}"], /unknown placeholder \{colour\}/],
      [["consume", "feed", "--encoding", "rot13"], /--encoding must be one of utf8, hex, base64/],
    ];
    for (const [args, message] of cases) {
      const r = await runWeir([...args, ...b]);
      assert.equal(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
      assert.match(r.stderr, message);
    }
    const unknown = await runWeir(["consume", "nothing-here", "-e", ...b]);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /UNKNOWN_TOPIC_OR_PARTITION/);
  });
});
