// @platformatic/kafka 2.x needs Node >= 22.22, so the client benchmark runs under Node 24: on an
// older Node it runs itself again through `npx -y node@24` (npm fetches that Node once and caches
// it) and exits with that run's exit code. Every child process (the broker, each client) is then
// started with the same Node.
import { spawn } from "node:child_process";

export const NODE_MAJOR = 24;
const RELAUNCHED = "WEIR_BENCH_CLIENT_RELAUNCHED";

/** Returns when this process may go on; on an older Node it ends the process after the re-run. */
export async function ensureNode() {
  const major = Number(process.versions.node.split(".")[0]);
  if (major >= NODE_MAJOR) return;
  if (process.env[RELAUNCHED] !== undefined) {
    console.error(`bench:client: npx -y node@${NODE_MAJOR} started Node ${process.version}; giving up`);
    process.exit(2);
  }
  console.error(
    `bench:client: Node ${process.version} is older than ${NODE_MAJOR} (@platformatic/kafka 2.x needs >= 22.22): re-running under \`npx -y node@${NODE_MAJOR}\``,
  );
  const child = spawn(
    "npx",
    ["-y", `node@${NODE_MAJOR}`, ...process.execArgv, process.argv[1], ...process.argv.slice(2)],
    { stdio: "inherit", env: { ...process.env, [RELAUNCHED]: "1" } },
  );
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) process.on(signal, () => child.kill(signal));
  child.once("error", (err) => {
    console.error(`bench:client: cannot run npx: ${err.message}`);
    process.exit(2);
  });
  const [code, signal] = await new Promise((resolve) => child.once("exit", (c, s) => resolve([c, s])));
  process.exit(code ?? (signal === null ? 1 : 130));
}
