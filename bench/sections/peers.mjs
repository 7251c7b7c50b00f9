// 5. Peers on the same machine, same 1 KiB values: NATS JetStream with a file-backed stream
// (published to by a compiled Go client, bench/peers/nats-publisher.go) and Redis Streams XADD
// (redis-benchmark, pipelined) in memory and with the append-only file (a separate redis-server
// the suite starts on its own port and temp dir; the shared one is never reconfigured).
import { spawn, spawnSync } from "node:child_process";
import { connect } from "node:net";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { addFinalizer, makeTempDir, removeTempDir, track } from "../lib/cleanup.mjs";
import { ensure, hasGoNats } from "../lib/deps.mjs";
import { settle } from "../lib/machine.mjs";
import { freePort, runCommand, sleep } from "../lib/proc.mjs";
import { makeValues } from "../lib/values.mjs";

const NATS_SOURCE = fileURLToPath(new URL("../peers/nats-publisher.go", import.meta.url));
const REDIS_CLIENTS = 4;
const REDIS_PIPELINE = 32;

function reachable(port) {
  return new Promise((resolve) => {
    const s = connect({ port, host: "127.0.0.1" });
    s.setTimeout(1000, () => {
      s.destroy();
      resolve(false);
    });
    s.once("connect", () => {
      s.destroy();
      resolve(true);
    });
    s.once("error", () => resolve(false));
  });
}

async function waitReachable(port, what) {
  for (let i = 0; i < 200; i++) {
    if (await reachable(port)) return;
    await sleep(50);
  }
  throw new Error(`${what} did not start on port ${port}`);
}

/** A server process the suite owns: started in its own temp dir, killed and removed at the end. */
async function ownServer(command, args, port, dir, what) {
  const child = track(spawn(command, args, { cwd: dir, stdio: "ignore" }));
  await waitReachable(port, what);
  return {
    async stop() {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

async function runNats(suite, dir) {
  const { opts } = suite;
  const name = "NATS JetStream, file-backed stream, Go publisher (async, 4096 pending)";
  const missing = ensure(["go"], {
    install: opts.install,
    log: (m) => suite.log(m),
    extra: ["golang-github-nats-io-go-nats-dev"],
    check: hasGoNats,
  });
  if (missing !== null) return suite.skip("peers", name, missing);
  let port = 4222;
  let server = null;
  if (!(await reachable(port))) {
    const noServer = ensure(["nats-server"], { install: opts.install, log: (m) => suite.log(m) });
    if (noServer !== null)
      return suite.skip("peers", name, `no NATS server on 127.0.0.1:4222 and ${noServer}`);
    port = await freePort();
    const store = join(dir, "nats");
    suite.log(`  no NATS server on 127.0.0.1:4222: starting one on port ${port}`);
    server = await ownServer(
      "nats-server",
      ["-a", "127.0.0.1", "-p", String(port), "-js", "-sd", store],
      port,
      dir,
      "nats-server",
    );
  }
  try {
    const binary = join(dir, "nats-publisher");
    const env = {
      ...process.env,
      GO111MODULE: "off",
      GOPATH: "/usr/share/gocode",
      GOCACHE: join(dir, "gocache"),
    };
    const build = await runCommand("go", ["build", "-o", binary, NATS_SOURCE], { env, cwd: dir });
    if (build.code !== 0) return suite.skip("peers", name, `go build failed: ${build.stderr.slice(-300)}`);
    const stream = `WEIRBENCH_${process.pid}`;
    const url = `nats://127.0.0.1:${port}`;
    const deleteStream = () =>
      spawnSync(binary, ["-url", url, "-stream", stream, "-cleanup"], { stdio: "ignore", timeout: 10_000 });
    const removeFinalizer = addFinalizer(deleteStream);
    await settle();
    const args = ["-url", url, "-stream", stream, "-messages", String(opts.peerMessages)];
    args.push("-size", "1024", "-runs", String(opts.runs), "-warmup", "1");
    const r = await runCommand(binary, args, { cwd: dir });
    deleteStream();
    removeFinalizer();
    if (r.code !== 0) return suite.skip("peers", name, `publisher failed: ${r.stderr.slice(-300)}`);
    const { seconds } = JSON.parse(r.stdout.trim().split("\n").pop());
    const rates = seconds.map((s) => opts.peerMessages / s);
    suite.log(`  NATS JetStream: ${rates.map((x) => Math.round(x)).join(", ")} msg/s`);
    suite.row({ section: "peers", name, unit: "msg/s", values: rates, key: "nats" });
  } finally {
    await server?.stop();
  }
}

function redisBenchmarkRps(stdout) {
  const line = stdout.trim().split("\n").pop();
  const rps = Number(line.split('","')[1]);
  if (!Number.isFinite(rps)) throw new Error(`cannot read redis-benchmark output: ${line.slice(0, 200)}`);
  return rps;
}

async function benchRedis(suite, port, label, key) {
  const { opts } = suite;
  const streamKey = `weirbench:${process.pid}`;
  const value = makeValues(1)[0]
    .toString("latin1")
    .replace(/[",\s]/g, "_");
  const del = () =>
    spawnSync("redis-cli", ["-h", "127.0.0.1", "-p", String(port), "DEL", streamKey], { stdio: "ignore" });
  const removeFinalizer = addFinalizer(del);
  try {
    const results = await suite.repeat(
      label,
      async () => {
        del();
        await settle();
        const args = [
          "-h",
          "127.0.0.1",
          "-p",
          String(port),
          "-c",
          String(REDIS_CLIENTS),
          "-P",
          String(REDIS_PIPELINE),
        ];
        args.push("-n", String(opts.peerMessages), "--csv", "XADD", streamKey, "*", "v", value);
        const r = await runCommand("redis-benchmark", args);
        if (r.code !== 0) throw new Error(`redis-benchmark failed: ${r.stderr.slice(-300)}`);
        return redisBenchmarkRps(r.stdout);
      },
      (rps) => `${Math.round(rps)} msg/s`,
    );
    suite.row({ section: "peers", name: label, unit: "msg/s", values: results, key });
  } finally {
    del();
    removeFinalizer();
  }
}

async function runRedis(suite) {
  const { opts } = suite;
  const pipe = `redis-benchmark -c ${REDIS_CLIENTS} -P ${REDIS_PIPELINE}`;
  const names = {
    memory: `Redis Streams XADD, in memory (${pipe})`,
    aof: `Redis Streams XADD, append-only file, appendfsync everysec (${pipe})`,
    aofAlways: `Redis Streams XADD, append-only file, appendfsync always (${pipe})`,
  };
  const missing = ensure(["redis-server", "redis-benchmark", "redis-cli"], {
    install: opts.install,
    log: (m) => suite.log(m),
  });
  if (missing !== null) {
    for (const n of Object.values(names)) suite.skip("peers", n, missing);
    return;
  }
  // In memory: the machine's running Redis when there is one (never reconfigured), else our own.
  if (await reachable(6379)) {
    await benchRedis(suite, 6379, names.memory, "redisMemory");
  } else {
    const port = await freePort();
    const own = makeTempDir("weir-bench-redis-");
    suite.log(`  no Redis on 127.0.0.1:6379: starting one on port ${port}`);
    const args = [
      "--port",
      String(port),
      "--bind",
      "127.0.0.1",
      "--dir",
      own,
      "--save",
      "",
      "--appendonly",
      "no",
    ];
    const server = await ownServer("redis-server", args, port, own, "redis-server");
    try {
      await benchRedis(suite, port, names.memory, "redisMemory");
    } finally {
      await server.stop();
      removeTempDir(own);
    }
  }
  for (const [fsync, name, key] of [
    ["everysec", names.aof, "redisAof"],
    ["always", names.aofAlways, "redisAofAlways"],
  ]) {
    const port = await freePort();
    const own = makeTempDir("weir-bench-redis-aof-");
    const args = ["--port", String(port), "--bind", "127.0.0.1", "--dir", own, "--save", ""];
    args.push("--appendonly", "yes", "--appendfsync", fsync, "--daemonize", "no");
    const server = await ownServer("redis-server", args, port, own, "redis-server (AOF)");
    try {
      await benchRedis(suite, port, name, key);
    } finally {
      await server.stop();
      removeTempDir(own);
    }
  }
}

export async function runPeers(suite) {
  suite.log("5. peers (1 KiB values)");
  suite.context = "peers";
  const dir = makeTempDir("weir-bench-peers-");
  try {
    await runNats(suite, dir);
    await runRedis(suite);
  } finally {
    removeTempDir(dir);
  }
}
