// The printed report: one table (Markdown, so it can go into BENCHMARKS.md as it is), the
// targets of issue 6 as met or missed, and the ratios last.

function fmt(value, unit) {
  if (value === null || value === undefined) return "—";
  if (!Number.isFinite(value)) return String(value);
  if (unit === "records/s" || unit === "msg/s") return Math.round(value).toLocaleString("en-US");
  if (unit === "ms")
    return value < 10
      ? value.toFixed(2)
      : value < 1000
        ? value.toFixed(1)
        : Math.round(value).toLocaleString("en-US");
  if (Math.abs(value) >= 100) return value.toFixed(0);
  return value.toFixed(1);
}

const pct = (x) => `${Math.round(x * 100)}%`;
const times = (x) => `${x.toFixed(2)}x`;

/** Notes comparing ingest rows with the ceiling measured in the same run. */
function ceilingNote(row, shared) {
  if (row.key === undefined || row.value === null) return "";
  const m = /^(ingest|kcat|client):(default|pagecache):/.exec(row.key);
  if (m === null) return "";
  const notes = [];
  if (shared.ceiling !== undefined) notes.push(`${pct(row.value / shared.ceiling)} of ceiling`);
  if (shared.ceilingFsync !== undefined && m[2] === "default") {
    notes.push(`${pct(row.value / shared.ceilingFsync)} of fsync ceiling`);
  }
  return notes.join(", ");
}

function table(rows, shared) {
  const lines = ["| section | benchmark | median | unit | runs | notes |", "|---|---|---:|---|---|---|"];
  for (const row of rows) {
    const runs = row.runs.length > 1 ? row.runs.map((v) => fmt(v, row.unit)).join(" / ") : "";
    const notes = [ceilingNote(row, shared), row.note].filter(Boolean).join("; ");
    lines.push(
      `| ${row.section} | ${row.name} | ${fmt(row.value, row.unit)} | ${row.unit} | ${runs} | ${notes} |`,
    );
  }
  return lines.join("\n");
}

function evaluateTargets(suite) {
  const s = suite.shared;
  const { opts } = suite;
  const targets = [];
  const add = (target, measured, met, figure) =>
    targets.push({ target, measured: measured === undefined ? null : measured, met, figure });
  const ratio = (a, b) => (a !== undefined && b !== undefined ? a / b : undefined);

  const pc = s["ingest:pagecache:1:1:none"];
  const fsyncWeir = s["ingest:default:1:1:none"];
  const r1 = ratio(pc, s.ceiling);
  add(
    "produce acks=1, 1 partition, 16 KiB batches of 1 KiB: >= 60% of ceiling (page-cache flush vs page-cache ceiling)",
    r1,
    r1 === undefined ? null : r1 >= 0.6,
    r1 === undefined
      ? "not measured"
      : `${pct(r1)} (${fmt(pc, "records/s")} vs ${fmt(s.ceiling, "records/s")} records/s)`,
  );
  const r2 = ratio(pc, s.nats);
  add(
    "same, >= 2.5x NATS JetStream in records/s",
    r2,
    r2 === undefined ? null : r2 >= 2.5,
    r2 === undefined ? "not measured" : `${times(r2)} (${fmt(s.nats, "msg/s")} msg/s)`,
  );
  const r3 = ratio(pc, s.redisMemory);
  add(
    "same, >= 1.5x Redis XADD (in memory) in records/s",
    r3,
    r3 === undefined ? null : r3 >= 1.5,
    r3 === undefined ? "not measured" : `${times(r3)} (${fmt(s.redisMemory, "msg/s")} msg/s)`,
  );
  const r4 = ratio(fsyncWeir, s.ceilingFsync);
  add(
    "produce with fsync before ack (default flush, group commit) >= 70% of the fsync ceiling",
    r4,
    r4 === undefined ? null : r4 >= 0.7,
    r4 === undefined
      ? "not measured"
      : `${pct(r4)} (${fmt(fsyncWeir, "records/s")} vs ${fmt(s.ceilingFsync, "records/s")} records/s)`,
  );
  const f = s.fetchMBps;
  add(
    "fetch >= 1 GB/s from page cache",
    f,
    f === undefined ? null : f >= 1000,
    f === undefined ? "not measured" : `${fmt(f, "MB/s")} MB/s`,
  );
  const lp = s["latency:pagecache:half:p99"];
  add(
    "e2e p99 at half max rate <= 5 ms (page-cache flush)",
    lp,
    lp === undefined ? null : lp <= 5,
    lp === undefined
      ? "not measured"
      : `${fmt(lp, "ms")} ms at ${fmt(s["halfMax:pagecache"], "msg/s")} msg/s`,
  );
  const ld = s["latency:default:half:p99"];
  add(
    "e2e p99 at half max rate <= 10 ms with fsync (default flush)",
    ld,
    ld === undefined ? null : ld <= 10,
    ld === undefined ? "not measured" : `${fmt(ld, "ms")} ms at ${fmt(s["halfMax:default"], "msg/s")} msg/s`,
  );
  const rss = s.rssIdle100;
  add(
    "idle RSS with 100 topics <= 100 MB",
    rss,
    rss === undefined ? null : rss * 2 ** 20 <= 100e6,
    rss === undefined ? "not measured" : `${((rss * 2 ** 20) / 1e6).toFixed(1)} MB`,
  );
  const restart = s.restartMs;
  const measured = s.partitionsMeasured ?? opts.partitionCount;
  const full = measured >= 10_000;
  add(
    "10,000 partitions restart-to-serving < 10 s",
    restart,
    restart === undefined || !full ? null : restart < 10_000,
    restart === undefined
      ? "not measured"
      : `${(restart / 1000).toFixed(2)} s${full ? "" : ` (with ${measured} partitions only)`}`,
  );
  return targets;
}

function computeRatios(shared) {
  const ratios = [];
  const add = (name, a, b, format = times) => {
    if (a === undefined || b === undefined) return;
    ratios.push({ name, value: a / b, text: format(a / b) });
  };
  const pc = shared["ingest:pagecache:1:1:none"];
  const fs = shared["ingest:default:1:1:none"];
  add("Weir/ceiling: page-cache flush vs ceiling (records/s)", pc, shared.ceiling, pct);
  add("Weir/ceiling: default flush (fsync) vs fsync ceiling", fs, shared.ceilingFsync, pct);
  add("Weir/ceiling: default flush (fsync) vs ceiling", fs, shared.ceiling, pct);
  add("Weir/ceiling: fetch MB/s vs ceiling MB/s", shared.fetchMBps, shared.ceilingMBps, pct);
  add("Weir/NATS JetStream: page-cache flush", pc, shared.nats);
  add("Weir/NATS JetStream: default flush (fsync)", fs, shared.nats);
  add("Weir/Redis Streams (in memory): page-cache flush", pc, shared.redisMemory);
  add("Weir/Redis Streams (in memory): default flush (fsync)", fs, shared.redisMemory);
  add("Weir/Redis Streams (AOF everysec): page-cache flush", pc, shared.redisAof);
  add("Weir/Redis Streams (AOF always): default flush (fsync)", fs, shared.redisAofAlways);
  add(
    "kcat (librdkafka) on Weir/NATS JetStream: default flush",
    shared["kcat:default:1:1:none"],
    shared.nats,
  );
  add(
    "kcat (librdkafka) on Weir/Redis Streams (in memory): default flush",
    shared["kcat:default:1:1:none"],
    shared.redisMemory,
  );
  return ratios;
}

export function printReport(suite) {
  const targets = evaluateTargets(suite);
  const ratios = computeRatios(suite.shared);
  console.log(`\n## Results (median of ${suite.opts.runs} warm runs)\n`);
  console.log(table(suite.rows, suite.shared));
  console.log("\n## Targets\n");
  for (const t of targets) {
    const verdict = t.met === null ? "not measured" : t.met ? "MET" : "MISSED";
    console.log(`- ${verdict}: ${t.target}: ${t.figure}`);
  }
  console.log("\n## Ratios\n");
  for (const r of ratios) console.log(`- ${r.name}: ${r.text}`);
  return { targets, ratios };
}
