// One client in its own process (so that its garbage and JIT state never touch another client's
// figures). Started by client-process.mjs with the client's name; then, over the IPC channel,
// runs { op: "produce" | "consume", params } requests one at a time and answers each with its
// figures, until { op: "exit" }.
import { PhaseTimer } from "./phase-timer.mjs";

const CLIENTS = {
  weir: "./clients/weir.mjs",
  kafkajs: "./clients/kafkajs.mjs",
  platformatic: "./clients/platformatic.mjs",
};

const clientName = process.argv[2];
const options = JSON.parse(process.argv[3] ?? "{}");
if (!(clientName in CLIENTS)) {
  console.error(`client-worker: unknown client '${clientName}'`);
  process.exit(2);
}
const client = await import(CLIENTS[clientName]);

process.on("message", async ({ id, op, params }) => {
  if (op === "exit") process.exit(0); // (a --cpu-prof profile is written on the way out)
  try {
    if (op !== "produce" && op !== "consume") throw new Error(`unknown op '${op}'`);
    const timer = new PhaseTimer();
    const extra = await client[op]({ ...options, ...params }, timer);
    process.send({ id, ok: true, result: { ...extra, ...timer.result() } });
  } catch (err) {
    process.send({ id, ok: false, error: String(err?.stack ?? err) });
  }
});

process.send({ ready: true, name: client.name, settings: client.settings(options), node: process.version });
