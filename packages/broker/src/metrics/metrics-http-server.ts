import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { Logger } from "pino";
import { Registry } from "prom-client";
import { WeirError } from "../errors.js";
import type { BrokerMetrics } from "./broker-metrics.js";
import { brokerMetricsRegistry } from "./broker-metrics-registry.js";
import { type MetricsListener, metricsUrl, parseMetricsListener } from "./metrics-listener.js";
import { processMetricsRegistry } from "./process-metrics.js";

/**
 * The Prometheus endpoint: `GET /metrics` on the `metrics.listener` address answers with the
 * registry in the text exposition format. Plain node:http; everything else is 404 (405 for other
 * methods on /metrics).
 */
export class MetricsHttpServer {
  readonly #server: Server;

  private constructor(
    server: Server,
    readonly host: string,
    readonly registry: Registry,
  ) {
    this.#server = server;
  }

  static async listen(
    listener: MetricsListener,
    registry: Registry,
    logger: Logger,
  ): Promise<MetricsHttpServer> {
    const server = createServer();
    const metrics = new MetricsHttpServer(server, listener.host, registry);
    server.on("request", (req, res) => metrics.#serve(req, res, logger));
    await new Promise<void>((resolve, reject) => {
      const onError = (err: NodeJS.ErrnoException) => {
        const where = `${listener.host}:${listener.port}`;
        const why =
          err.code === "EADDRINUSE"
            ? `port ${listener.port} on ${listener.host} is already in use`
            : err.code === "EACCES"
              ? `no permission to listen on ${where}`
              : err.message;
        reject(
          new WeirError("LISTEN_FAILED", `cannot listen on metrics.listener ${where}: ${why}`, {
            cause: err,
          }),
        );
      };
      server.once("error", onError);
      server.listen(listener.port, listener.host, () => {
        server.off("error", onError);
        resolve();
      });
    });
    server.on("error", (err) => logger.error({ err }, "metrics listener error"));
    return metrics;
  }

  /** The port actually bound (it differs from the configured one for port 0). */
  get port(): number {
    const address = this.#server.address();
    return typeof address === "object" && address !== null ? address.port : 0;
  }

  /** The scrape URL, e.g. `http://localhost:9404/metrics`. */
  get url(): string {
    return metricsUrl(this.host, this.port);
  }

  async #serve(req: IncomingMessage, res: ServerResponse, logger: Logger): Promise<void> {
    const path = (req.url ?? "/").split("?", 1)[0];
    if (path !== "/metrics") {
      res.writeHead(404, { "content-type": "text/plain; charset=utf-8" }).end("Not found: try /metrics\n");
      return;
    }
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.writeHead(405, { allow: "GET, HEAD", "content-type": "text/plain; charset=utf-8" }).end();
      return;
    }
    try {
      const body = await this.registry.metrics();
      res.writeHead(200, { "content-type": this.registry.contentType });
      res.end(req.method === "HEAD" ? undefined : body);
    } catch (err) {
      logger.error({ err }, "cannot render metrics");
      res.writeHead(500, { "content-type": "text/plain; charset=utf-8" }).end("cannot render metrics\n");
    }
  }

  /** Stops listening and drops open (keep-alive) connections. */
  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    this.#server.closeAllConnections();
    await closed;
  }
}

/**
 * Starts the endpoint `metrics.listener` (set, not empty) asks for, serving the broker's metrics
 * and the process metrics.
 */
export async function startMetricsEndpoint(
  listener: string,
  metrics: BrokerMetrics,
  logger: Logger,
): Promise<MetricsHttpServer> {
  const parsed = parseMetricsListener(listener);
  if (typeof parsed === "string") {
    throw new WeirError(
      "INVALID_CONFIG",
      `Invalid value ${listener} for configuration metrics.listener: ${parsed}`,
    );
  }
  const registry = Registry.merge([brokerMetricsRegistry(metrics), processMetricsRegistry()]);
  const server = await MetricsHttpServer.listen(parsed, registry, logger);
  logger.info({ url: server.url }, "Prometheus metrics endpoint started");
  return server;
}
