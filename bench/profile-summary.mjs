#!/usr/bin/env node
// Summarizes a V8 CPU profile (node --cpu-prof; `node bench/run.mjs --profile <dir>` writes one
// per broker process): the functions with the most self time, and the share per source file.
// With --results <the run's JSON> --window <text>, only the samples taken during the measured
// runs whose label contains <text> count (e.g. --window "ingest pagecache:1:1:none / load generator").
// usage: node bench/profile-summary.mjs <file.cpuprofile> [--top 25] [--results <json> --window <text>]
import { readFileSync } from "node:fs";
import { relative } from "node:path";
import { parseArgs } from "node:util";
import { REPO_ROOT } from "./lib/proc.mjs";

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    top: { type: "string", default: "25" },
    results: { type: "string" },
    window: { type: "string" },
  },
});
if (positionals.length !== 1) {
  console.error("usage: node bench/profile-summary.mjs <file.cpuprofile> [--top 25]");
  process.exit(2);
}
const profile = JSON.parse(readFileSync(positionals[0], "utf8"));
const top = Number(values.top);

// The measured runs to keep (all samples when no window is asked for).
let windows = null;
if (values.window !== undefined) {
  if (values.results === undefined) {
    console.error("--window needs --results <the run's JSON>");
    process.exit(2);
  }
  const text = values.window.toLowerCase();
  windows = JSON.parse(readFileSync(values.results, "utf8")).windows.filter((w) =>
    w.label.toLowerCase().includes(text),
  );
  const inProfile = windows.filter((w) => w.endUs >= profile.startTime && w.startUs <= profile.endTime);
  console.log(`windows matching "${values.window}" inside this profile: ${inProfile.length}`);
  for (const w of inProfile)
    console.log(`  ${w.label} run ${w.run}: ${((w.endUs - w.startUs) / 1e6).toFixed(2)} s`);
  windows = inProfile;
}
const inWindow = (t) => windows === null || windows.some((w) => t >= w.startUs && t <= w.endUs);

// Self time per node: the time deltas of the samples that landed in it (sample i is taken at
// startTime + the sum of the first i + 1 deltas).
const selfUs = new Map();
let at = profile.startTime;
for (let i = 0; i < profile.samples.length; i++) {
  at += profile.timeDeltas[i] ?? 0;
  if (!inWindow(at)) continue;
  const id = profile.samples[i];
  selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
}
let total = 0;
for (const v of selfUs.values()) total += v;

const where = (url) => {
  if (url === "") return "";
  const path = url.startsWith("file://") ? new URL(url).pathname : url;
  return path.startsWith(REPO_ROOT) ? relative(REPO_ROOT, path) : path;
};
const byFunction = new Map();
const byFile = new Map();
for (const node of profile.nodes) {
  const us = selfUs.get(node.id) ?? 0;
  if (us === 0) continue;
  const { functionName, url, lineNumber } = node.callFrame;
  const file = where(url);
  const name = `${functionName || "(anonymous)"} ${file ? `${file}:${lineNumber + 1}` : ""}`.trim();
  byFunction.set(name, (byFunction.get(name) ?? 0) + us);
  const group = file === "" ? functionName : file.replace(/\/[^/]*$/, "/");
  byFile.set(group, (byFile.get(group) ?? 0) + us);
}
const show = (title, map, n) => {
  console.log(`\n${title}`);
  for (const [name, us] of [...map].sort((a, b) => b[1] - a[1]).slice(0, n)) {
    console.log(
      `${((us / total) * 100).toFixed(1).padStart(5)}%  ${(us / 1000).toFixed(0).padStart(7)} ms  ${name}`,
    );
  }
};
console.log(`${positionals[0]}: ${(total / 1e6).toFixed(1)} s sampled`);
show("self time by function", byFunction, top);
show("self time by directory (or V8 category)", byFile, 15);
