#!/usr/bin/env node
// Runs the compiled tests with Node's own test runner, under whichever Node runs this script
// (so `npx -y node@24 scripts/run-tests.mjs unit` tests on Node 24).
// usage: run-tests.mjs unit|compat [filter-substring]
import { spawnSync } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";

const suite = process.argv[2] ?? "unit";
const filter = process.argv[3];
const roots = {
  unit: readdirSync("packages").map((p) => join("packages", p, "dist", "test")),
  compat: [join("compat", "dist")],
}[suite];
if (!roots) {
  console.error(`unknown suite ${suite}: use unit or compat`);
  process.exit(2);
}

function collect(dir, out) {
  let entries;
  try {
    entries = readdirSync(dir);
  } catch {
    return out;
  }
  for (const name of entries) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) collect(path, out);
    else if (name.endsWith(".test.js") && (!filter || path.includes(filter))) out.push(path);
  }
  return out;
}

const files = roots.flatMap((r) => collect(r, [])).sort();
if (files.length === 0) {
  console.error(`no ${suite} test files found (did the build run?)`);
  process.exit(1);
}
console.log(`node ${process.version}: ${files.length} ${suite} test files`);
const result = spawnSync(process.execPath, ["--test", "--test-reporter=spec", ...files], {
  stdio: "inherit",
});
process.exit(result.status ?? 1);
