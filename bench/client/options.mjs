// The command line of the client benchmark (bench/client/run.mjs, `npm run bench:client`).
import { mkdirSync } from "node:fs";
import { parseArgs } from "node:util";

export const CLIENTS = ["weir", "kafkajs", "platformatic"];
export const POLICIES = ["default", "pagecache"];

export const HELP = `Usage: node bench/client/run.mjs [options]     (npm run bench:client -- [options])

Produces and then consumes --messages values of 1 KiB with the Weir client, kafkajs and
@platformatic/kafka (each in its own process) against a Weir broker in its own process, with
Weir's default flush policy (fsync before acks) and with Kafka's (page cache), on 1 and 6
partitions. Every figure is the median of --runs runs after one warm-up run. Runs under Node 24
(re-running itself through \`npx -y node@24\` on an older Node).

  --messages <n>             messages per run (default 1000000; quick 100000)
  --runs <n>                 measured runs per figure, after one warm-up (default 3; quick 1)
  --quick                    smoke run: fewer messages, one measured run
  --clients <a,b>            clients to run (default ${CLIENTS.join(",")})
  --partitions <n,m>         partition counts (default 1,6)
  --policies <a,b>           broker flush policies: default (fsync before ack), pagecache (Kafka's default)
  --weir-batch-size <bytes>  the Weir producer's batch.size (default: the client's default, 1000000)
  --weir-consume <api>       the Weir consumer API: eachBatch (default) or for-await
  --platformatic-produce <api>  @platformatic/kafka's producer API: stream (default: asStream, its
                             batching) or send (send() of 1000 messages, 8 calls outstanding, like kafkajs)
  --set <key=value>          extra broker property (repeatable)
  --profile <dir>            CPU-profile every client process into <dir> (node --cpu-prof); summarize with
                             node bench/profile-summary.mjs <file> --results <json> --window "<label>"
  --dir <dir>                where the broker's temp data dir goes (default: the OS temp dir; a real disk)
  --out <file>               JSON results file (default bench/results/client-<date>.json)
  -h, --help                 this help`;

function list(text, allowed, name) {
  const items = text
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  for (const item of items) {
    if (allowed !== undefined && !allowed.includes(item))
      throw new Error(`--${name}: unknown '${item}' (one of ${allowed.join(", ")})`);
  }
  if (items.length === 0) throw new Error(`--${name} needs at least one value`);
  return items;
}

function positive(text, name) {
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n <= 0) throw new Error(`--${name} must be a positive integer`);
  return n;
}

export function parseOptions(argv) {
  const { values } = parseArgs({
    args: argv,
    options: {
      messages: { type: "string" },
      runs: { type: "string" },
      quick: { type: "boolean", default: false },
      clients: { type: "string", default: CLIENTS.join(",") },
      partitions: { type: "string", default: "1,6" },
      policies: { type: "string", default: POLICIES.join(",") },
      "weir-consume": { type: "string", default: "eachBatch" },
      "weir-batch-size": { type: "string" },
      "platformatic-produce": { type: "string", default: "stream" },
      set: { type: "string", multiple: true, default: [] },
      profile: { type: "string" },
      dir: { type: "string" },
      out: { type: "string" },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) return { help: true };
  const set = {};
  for (const kv of values.set) {
    const eq = kv.indexOf("=");
    if (eq <= 0) throw new Error(`--set expects key=value, got '${kv}'`);
    set[kv.slice(0, eq)] = kv.slice(eq + 1);
  }
  if (!["eachBatch", "for-await"].includes(values["weir-consume"]))
    throw new Error("--weir-consume must be eachBatch or for-await");
  if (!["stream", "send"].includes(values["platformatic-produce"]))
    throw new Error("--platformatic-produce must be stream or send");
  const clientNodeOptions = [];
  if (values.profile !== undefined) {
    mkdirSync(values.profile, { recursive: true });
    clientNodeOptions.push("--cpu-prof", `--cpu-prof-dir=${values.profile}`);
  }
  return {
    quick: values.quick,
    messages: positive(values.messages ?? (values.quick ? "100000" : "1000000"), "messages"),
    runs: positive(values.runs ?? (values.quick ? "1" : "3"), "runs"),
    clients: list(values.clients, CLIENTS, "clients"),
    partitions: list(values.partitions, undefined, "partitions").map((p) => positive(p, "partitions")),
    policies: list(values.policies, POLICIES, "policies"),
    weirConsume: values["weir-consume"],
    weirBatchSize:
      values["weir-batch-size"] === undefined
        ? undefined
        : positive(values["weir-batch-size"], "weir-batch-size"),
    platformaticProduce: values["platformatic-produce"],
    brokerSet: set,
    clientNodeOptions,
    profile: values.profile,
    dir: values.dir,
    out: values.out,
  };
}
