// The client benchmark's printed report: one Markdown table (client, phase, flush policy,
// partitions, msgs/s, MB/s, and on the Weir rows the ratios Weir/kafkajs and
// Weir/@platformatic/kafka), then the targets (Weir >= 2x kafkajs and ahead of
// @platformatic/kafka, for produce and for consume) as MET or MISSED with the figure.
export const POLICY_LABELS = {
  default: "default (fsync before ack)",
  pagecache: "page cache (Kafka's default)",
};

const int = (v) => (Number.isFinite(v) ? Math.round(v).toLocaleString("en-US") : "—");
const dec = (v) => (Number.isFinite(v) ? v.toFixed(1) : "—");
const pct = (v) => (Number.isFinite(v) ? `${Math.round(v * 100)}%` : "—");
const times = (v) => (Number.isFinite(v) ? `${v.toFixed(2)}x` : "—");

const sameConfig = (a, b) => a.phase === b.phase && a.policy === b.policy && a.partitions === b.partitions;

/** The ratios of the Weir row of each configuration to the other clients' rows. */
export function ratios(rows) {
  const out = [];
  for (const weir of rows.filter((r) => r.client === "weir")) {
    const other = (client) => rows.find((r) => r.client === client && sameConfig(r, weir));
    const kafkajs = other("kafkajs");
    const platformatic = other("platformatic");
    out.push({
      phase: weir.phase,
      policy: weir.policy,
      partitions: weir.partitions,
      weir: weir.msgsPerSecond,
      kafkajs: kafkajs?.msgsPerSecond,
      platformatic: platformatic?.msgsPerSecond,
      vsKafkajs: kafkajs === undefined ? undefined : weir.msgsPerSecond / kafkajs.msgsPerSecond,
      vsPlatformatic:
        platformatic === undefined ? undefined : weir.msgsPerSecond / platformatic.msgsPerSecond,
    });
  }
  return out;
}

export function table(rows) {
  const r = ratios(rows);
  const lines = [
    "| client | phase | flush policy | partitions | msgs/s | MB/s | Weir/kafkajs | Weir/@platformatic/kafka | runs (msgs/s) | client CPU | broker CPU |",
    "|---|---|---|---:|---:|---:|---:|---:|---|---:|---:|",
  ];
  for (const row of rows) {
    const ratio = row.client === "weir" ? r.find((x) => sameConfig(x, row)) : undefined;
    lines.push(
      `| ${row.name} | ${row.phase} | ${POLICY_LABELS[row.policy]} | ${row.partitions} | ${int(row.msgsPerSecond)} | ${dec(row.MBps)} | ${ratio === undefined ? "" : times(ratio.vsKafkajs)} | ${ratio === undefined ? "" : times(ratio.vsPlatformatic)} | ${row.runs.map(int).join(" / ")} | ${pct(row.clientCpu)} | ${pct(row.brokerCpu)} |`,
    );
  }
  return lines.join("\n");
}

/** The targets per phase and configuration: { phase, policy, partitions, met, text }. */
export function targets(rows) {
  const out = [];
  for (const x of ratios(rows)) {
    if (x.vsKafkajs === undefined && x.vsPlatformatic === undefined) continue;
    const parts = [];
    let met = true;
    if (x.vsKafkajs !== undefined) {
      met &&= x.vsKafkajs >= 2;
      parts.push(`${times(x.vsKafkajs)} kafkajs (${int(x.weir)} vs ${int(x.kafkajs)} msgs/s)`);
    }
    if (x.vsPlatformatic !== undefined) {
      met &&= x.vsPlatformatic > 1;
      parts.push(`${times(x.vsPlatformatic)} @platformatic/kafka (${int(x.platformatic)} msgs/s)`);
    }
    out.push({
      phase: x.phase,
      policy: x.policy,
      partitions: x.partitions,
      met,
      text: `${x.phase}, ${POLICY_LABELS[x.policy]}, ${x.partitions} partition${x.partitions > 1 ? "s" : ""}: Weir ${parts.join(", ")}`,
    });
  }
  return out;
}

export function printReport(rows) {
  console.log(`\n${table(rows)}`);
  const t = targets(rows);
  if (t.length > 0) {
    console.log("\nTargets: the Weir client >= 2x kafkajs and ahead of @platformatic/kafka (msgs/s)\n");
    for (const x of t) console.log(`- ${x.met ? "MET" : "MISSED"}: ${x.text}`);
  }
  return t;
}
