import { collectDefaultMetrics, Registry } from "prom-client";

/** Prefix of the Node.js process metrics (`weir_process_cpu_seconds_total`, `weir_nodejs_heap_size_used_bytes`, …). */
export const PROCESS_METRICS_PREFIX = "weir_";

let processRegistry: Registry | undefined;

/**
 * prom-client's default Node.js metrics (CPU, memory, heap, event loop lag, GC, handles),
 * prefixed `weir_`. They describe the process, not a broker, so every broker of a process shares
 * one set; it is made on first use only, because its collectors install a GC observer and an
 * event loop delay monitor that live as long as the process.
 */
export function processMetricsRegistry(): Registry {
  if (processRegistry === undefined) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry, prefix: PROCESS_METRICS_PREFIX });
  }
  return processRegistry;
}
