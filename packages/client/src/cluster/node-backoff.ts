import { backoffMs } from "./backoff.js";

/**
 * Per-broker backoff of the requests a client sends to partition leaders (Produce, Fetch): after
 * a failure to reach a broker or a failed request, that broker is left alone for retry.backoff.ms,
 * doubling per consecutive failure up to retry.backoff.max.ms, while other brokers go on.
 */
export class NodeBackoff {
  readonly #initialMs: number;
  readonly #maxMs: number;
  readonly #nodes = new Map<number, { failures: number; retryAt: number }>();

  constructor(config: { readonly retryBackoffMs: number; readonly retryBackoffMaxMs: number }) {
    this.#initialMs = config.retryBackoffMs;
    this.#maxMs = config.retryBackoffMaxMs;
  }

  /** Epoch ms before which `node` should not be tried again (0: now). */
  retryAt(node: number): number {
    return this.#nodes.get(node)?.retryAt ?? 0;
  }

  /** Records a failure; returns when the node may be tried again. */
  failed(node: number): number {
    const entry = this.#nodes.get(node) ?? { failures: 0, retryAt: 0 };
    entry.failures++;
    entry.retryAt = Date.now() + backoffMs(entry.failures, this.#initialMs, this.#maxMs);
    this.#nodes.set(node, entry);
    return entry.retryAt;
  }

  succeeded(node: number): void {
    this.#nodes.delete(node);
  }
}
