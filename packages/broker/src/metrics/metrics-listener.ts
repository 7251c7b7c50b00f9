/** Where the Prometheus endpoint listens, parsed from `metrics.listener`. */
export interface MetricsListener {
  readonly host: string;
  /** 0 picks a free port. */
  readonly port: number;
}

const LISTENER_PATTERN = /^http:\/\/(\[[0-9a-fA-F:.]+\]|[^\s:/[\]]+):(\d{1,5})(?:\/|\/metrics)?$/;

/**
 * Parses `metrics.listener`: `http://host:port`, e.g. `http://localhost:9404` (`http://0.0.0.0:9404`
 * for every interface; port 0 picks a free one; a trailing `/metrics`, the only path served, may be
 * written out). Returns an error message for anything else.
 */
export function parseMetricsListener(value: string): MetricsListener | string {
  const m = LISTENER_PATTERN.exec(value.trim());
  if (m === null) {
    return /^https:/i.test(value.trim())
      ? "only http:// is supported (put TLS in front with a proxy)"
      : "expected http://host:port, e.g. http://localhost:9404";
  }
  const port = Number(m[2]);
  if (port > 65535) return `port ${port} is out of range`;
  const host = m[1]!.startsWith("[") ? m[1]!.slice(1, -1) : m[1]!;
  return { host, port };
}

/** The scrape URL of a bound listener, e.g. `http://localhost:9404/metrics`. */
export function metricsUrl(host: string, port: number): string {
  return `http://${host.includes(":") ? `[${host}]` : host}:${port}/metrics`;
}
