// External programs the suite uses, installed from Debian's packages when missing (as root with
// apt-get, unless --no-install); a section that still lacks one is skipped with a message.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";

export const GO_NATS_SOURCE = "/usr/share/gocode/src/github.com/nats-io/nats.go";

const DEBIAN = {
  kcat: "kcat",
  go: "golang-go",
  "nats-server": "nats-server",
  "redis-server": "redis-server",
  "redis-benchmark": "redis-tools",
  "redis-cli": "redis-tools",
};

export function hasCommand(command) {
  return spawnSync("sh", ["-c", `command -v ${command}`], { stdio: "ignore" }).status === 0;
}

let updated = false;
function aptInstall(packages, log) {
  if (typeof process.getuid === "function" && process.getuid() !== 0) return false;
  if (!hasCommand("apt-get")) return false;
  log(`installing ${packages.join(" ")} from Debian's packages (apt-get)`);
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  const install = () =>
    spawnSync("apt-get", ["install", "-y", "-qq", ...packages], { stdio: "ignore", env }).status === 0;
  if (install()) return true;
  if (!updated) {
    updated = true;
    spawnSync("apt-get", ["update", "-qq"], { stdio: "ignore", env });
    return install();
  }
  return false;
}

/**
 * Makes sure every command is available; returns null when they are, or the reason they are not.
 * `extra` lists further Debian packages to install alongside (e.g. Go libraries).
 */
export function ensure(commands, { install = true, log = console.error, extra = [], check } = {}) {
  const missing = commands.filter((c) => !hasCommand(c));
  const extraMissing = check !== undefined && !check();
  if (missing.length === 0 && !extraMissing) return null;
  if (install) {
    const packages = [...new Set([...missing.map((c) => DEBIAN[c] ?? c), ...(extraMissing ? extra : [])])];
    aptInstall(packages, log);
  }
  const still = commands.filter((c) => !hasCommand(c));
  if (still.length > 0)
    return `${still.join(", ")} not installed (Debian: apt-get install ${still.map((c) => DEBIAN[c] ?? c).join(" ")})`;
  if (check !== undefined && !check()) return `${extra.join(" ")} not installed`;
  return null;
}

export function hasGoNats() {
  return existsSync(GO_NATS_SOURCE);
}
