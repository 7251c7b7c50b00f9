import assert from "node:assert/strict";
import { createServer, type Server } from "node:net";
import { describe, test } from "node:test";
import { runWeir } from "./support/run-weir.js";

describe("weir (command line)", () => {
  test("--help lists the commands and documents the exit codes", async () => {
    const r = await runWeir(["--help"]);
    assert.equal(r.code, 0);
    for (const command of ["start", "topics", "produce", "consume", "configs", "cluster", "perf produce"]) {
      assert.match(r.stdout, new RegExp(`^  ${command}\\b`, "m"));
    }
    for (const code of ["0", "1", "2", "3"]) assert.match(r.stdout, new RegExp(`^  ${code}\\s+\\w`, "m"));
    assert.match(r.stdout, /UNKNOWN_TOPIC_OR_PARTITION/);
  });

  test("every command has --help with its options and the connection options", async () => {
    for (const words of [
      ["topics", "create"],
      ["topics", "list"],
      ["topics", "describe"],
      ["topics", "alter"],
      ["topics", "delete"],
      ["produce"],
      ["consume"],
      ["configs", "describe"],
      ["configs", "alter"],
      ["cluster"],
      ["perf", "produce"],
      ["perf", "consume"],
    ]) {
      const r = await runWeir([...words, "--help"]);
      assert.equal(r.code, 0, `${words.join(" ")}: ${r.stderr}`);
      assert.match(r.stdout, new RegExp(`^Usage: weir ${words.join(" ")}`, "m"));
      assert.match(r.stdout, /--bootstrap-server/);
    }
    const group = await runWeir(["topics", "--help"]);
    assert.equal(group.code, 0);
    assert.match(group.stdout, /^ {2}describe\s+show partitions/m);
  });

  test("usage errors exit 2 and show how to use the command", async () => {
    const cases: [string[], RegExp][] = [
      [[], /no command given/],
      [["frobnicate"], /unknown command 'frobnicate'/],
      [["topics"], /'weir topics' needs a command/],
      [["topics", "explode"], /unknown command 'weir topics explode'/],
      [["topics", "create"], /missing topic name/],
      [["topics", "create", "t", "--colour", "red"], /unknown option '--colour'/],
      [["topics", "create", "t", "--partitions"], /option '-p, --partitions <value>' needs a value/],
      [
        ["topics", "create", "t", "--partitions", "many"],
        /--partitions must be an integer from 1 to 2147483647, got 'many'/,
      ],
      [["topics", "list", "extra"], /unexpected argument 'extra'/],
      [["topics", "list", "--output", "xml"], /--output must be one of table, json; got 'xml'/],
      [["cluster", "-X", "novalue"], /-X\/--command-property expects key=value, got 'novalue'/],
      [["cluster", "--command-config", "/nonexistent/client.properties"], /cannot read --command-config/],
    ];
    for (const [args, message] of cases) {
      const r = await runWeir(args);
      assert.equal(r.code, 2, `weir ${args.join(" ")}: ${r.stderr}`);
      assert.match(r.stderr, message, `weir ${args.join(" ")}`);
      assert.match(r.stderr, /Usage: weir/, `weir ${args.join(" ")}`);
      assert.equal(r.stdout, "");
    }
  });

  // The timeouts asked for show in the messages; the test's own timeout catches a hang.
  test("an unreachable bootstrap server exits 3 after the connect timeout with a clear message", {
    timeout: 60_000,
  }, async () => {
    // A port that refuses connections: bound once, then closed.
    const port = await new Promise<number>((resolve) => {
      const server: Server = createServer().listen(0, "127.0.0.1", () => {
        const { port } = server.address() as { port: number };
        server.close(() => resolve(port));
      });
    });
    const r = await runWeir(["topics", "list", "--bootstrap-server", `127.0.0.1:${port}`]);
    assert.equal(r.code, 3, r.stderr);
    assert.match(
      r.stderr,
      new RegExp(`^weir: cannot reach the cluster at 127\\.0\\.0\\.1:${port} \\(tried for 5000 ms\\)`, "m"),
    );
    assert.match(r.stderr, /^hint: is a broker running there\?/m);

    const quick = await runWeir(["cluster", "--connect-timeout", "500"], {
      env: { WEIR_BOOTSTRAP_SERVER: `127.0.0.1:${port}` },
    });
    assert.equal(quick.code, 3);
    assert.match(quick.stderr, /\(tried for 500 ms\)/);

    // Connection options may come before the command, as with git or kubectl.
    const first = await runWeir(["-b", `127.0.0.1:${port}`, "--connect-timeout", "500", "topics", "list"]);
    assert.equal(first.code, 3, first.stderr);
    assert.match(
      first.stderr,
      new RegExp(`cannot reach the cluster at 127\\.0\\.0\\.1:${port} \\(tried for 500 ms\\)`),
    );
  });

  test("a malformed bootstrap address is a usage error", async () => {
    const r = await runWeir(["cluster", "--bootstrap-server", "no-port-here"]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /invalid entry "no-port-here"/);
  });
});
