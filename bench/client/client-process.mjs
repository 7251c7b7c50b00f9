// The benchmark's side of one client process (client-worker.mjs): starts it with the node
// options given (e.g. --cpu-prof), sends it produce/consume requests over IPC, and stops it.
import { fork } from "node:child_process";
import { fileURLToPath } from "node:url";
import { track } from "../lib/cleanup.mjs";

const WORKER = fileURLToPath(new URL("./client-worker.mjs", import.meta.url));

export class ClientProcess {
  /** What the client reported when it started: { name, settings, node }. */
  info;
  #child;
  #pending = new Map();
  #seq = 0;
  #exited = null;

  constructor(child) {
    this.#child = child;
  }

  get pid() {
    return this.#child.pid;
  }

  /** Starts the worker for `client` (weir, kafkajs, platformatic); resolves once it is loaded. */
  static start(client, { options = {}, execArgv = [], timeoutMs = 60_000 } = {}) {
    const child = track(
      fork(WORKER, [client, JSON.stringify(options)], {
        execArgv,
        stdio: ["ignore", "inherit", "inherit", "ipc"],
      }),
    );
    const proc = new ClientProcess(child);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill("SIGKILL");
        reject(new Error(`client ${client} did not start within ${timeoutMs} ms`));
      }, timeoutMs);
      child.on("message", (msg) => {
        if (msg.ready) {
          clearTimeout(timer);
          proc.info = { name: msg.name, settings: msg.settings, node: msg.node };
          resolve(proc);
          return;
        }
        const waiting = proc.#pending.get(msg.id);
        if (waiting === undefined) return;
        proc.#pending.delete(msg.id);
        if (msg.ok) waiting.resolve(msg.result);
        else waiting.reject(new Error(`${client} ${waiting.op}: ${msg.error}`));
      });
      child.once("exit", (code, signal) => {
        clearTimeout(timer);
        const err = new Error(`client ${client} exited (${code ?? signal})`);
        proc.#exited = err;
        reject(err);
        for (const w of proc.#pending.values()) w.reject(err);
        proc.#pending.clear();
      });
    });
  }

  /** Runs one phase ("produce" or "consume") in the client process; resolves with its figures. */
  request(op, params, timeoutMs = 900_000) {
    if (this.#exited !== null) return Promise.reject(this.#exited);
    const id = ++this.#seq;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(new Error(`${op} took longer than ${timeoutMs} ms`));
      }, timeoutMs);
      this.#pending.set(id, {
        op,
        resolve: (v) => {
          clearTimeout(timer);
          resolve(v);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
      this.#child.send({ id, op, params });
    });
  }

  /** Asks the process to exit (SIGKILL after timeoutMs) and waits for it. */
  async close(timeoutMs = 15_000) {
    const child = this.#child;
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    if (child.connected) child.send({ op: "exit" });
    else child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    await exited;
    clearTimeout(timer);
  }
}
