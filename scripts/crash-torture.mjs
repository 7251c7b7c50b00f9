#!/usr/bin/env node
// Long crash-torture runs (the CI test runs 30 cycles): a broker child process under acks=all
// kafkajs load is SIGKILLed and restarted --cycles times; after each restart every acknowledged
// message must be where its acknowledgement said, the log files must pass a full CRC scan, and
// committed group offsets must be intact. See packages/broker/test/server/crash-torture.ts.
//
// usage: npm run build && node scripts/crash-torture.mjs [--cycles 300] [--seed N] [--data-dir DIR]
// A failure prints its seed; --seed N (or WEIR_TORTURE_SEED=N) replays the kill schedule.
import { parseArgs } from "node:util";

const { values } = parseArgs({
  options: {
    cycles: { type: "string", default: "300" },
    seed: { type: "string" },
    "data-dir": { type: "string" },
    help: { type: "boolean", short: "h" },
  },
});
if (values.help) {
  console.log("usage: node scripts/crash-torture.mjs [--cycles N] [--seed N] [--data-dir DIR]");
  process.exit(0);
}
const cycles = Number(values.cycles);
if (!Number.isSafeInteger(cycles) || cycles < 1) {
  console.error(`--cycles ${values.cycles}: a positive integer, please`);
  process.exit(2);
}
if (values.seed !== undefined) process.env.WEIR_TORTURE_SEED = values.seed;

let torture;
try {
  torture = await import("../packages/broker/dist/test/server/crash-torture.js");
} catch (err) {
  console.error(`cannot load the compiled torture test (run npm run build first): ${err.message}`);
  process.exit(2);
}
const seed = torture.tortureSeed();
const started = Date.now();
try {
  const result = await torture.runCrashTorture({
    seed,
    cycles,
    ...(values["data-dir"] !== undefined ? { dataDir: values["data-dir"] } : {}),
    log: (line) => console.log(`[${((Date.now() - started) / 1000).toFixed(1)}s] ${line}`),
  });
  console.log(JSON.stringify(result, null, 2));
  console.log(`PASS: ${cycles} cycles, seed ${seed}`);
} catch (err) {
  console.error(err);
  console.error(
    `FAIL: seed ${seed} (replay: node scripts/crash-torture.mjs --cycles ${cycles} --seed ${seed})`,
  );
  process.exit(1);
}
