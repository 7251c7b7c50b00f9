import { createServer, type Server, type Socket } from "node:net";
import type { Logger } from "pino";
import { WeirError } from "../errors.js";
import { Connection, type ConnectionOptions, type FrameHandler } from "./connection.js";

export interface SocketServerOptions extends ConnectionOptions {
  host: string;
  port: number;
  maxConnections: number;
}

/** Accepts client connections on one listener and hands each to a Connection. */
export class SocketServer {
  readonly #server: Server;
  readonly #connections = new Set<Connection>();
  #nextConnectionId = 1;

  private constructor(
    server: Server,
    readonly options: SocketServerOptions,
    readonly handler: FrameHandler,
    readonly logger: Logger,
  ) {
    this.#server = server;
  }

  static async listen(
    options: SocketServerOptions,
    handler: FrameHandler,
    logger: Logger,
  ): Promise<SocketServer> {
    const server = createServer({ noDelay: true });
    const socketServer = new SocketServer(server, options, handler, logger);
    server.on("connection", (socket) => socketServer.#accept(socket));
    await new Promise<void>((resolve, reject) => {
      const onError = (err: NodeJS.ErrnoException) => {
        const why =
          err.code === "EADDRINUSE"
            ? `port ${options.port} on ${options.host} is already in use`
            : err.code === "EACCES"
              ? `no permission to listen on ${options.host}:${options.port}`
              : err.message;
        reject(
          new WeirError("LISTEN_FAILED", `cannot listen on ${options.host}:${options.port}: ${why}`, {
            cause: err,
          }),
        );
      };
      server.once("error", onError);
      server.listen(options.port, options.host, () => {
        server.off("error", onError);
        resolve();
      });
    });
    server.on("error", (err) => logger.error({ err }, "listener error"));
    return socketServer;
  }

  /** The port actually bound (useful with port 0). */
  get port(): number {
    const address = this.#server.address();
    return typeof address === "object" && address !== null ? address.port : this.options.port;
  }

  get connectionCount(): number {
    return this.#connections.size;
  }

  #accept(socket: Socket): void {
    if (this.#connections.size >= this.options.maxConnections) {
      this.logger.warn({ remote: socket.remoteAddress }, "refusing connection: max.connections reached");
      socket.destroy();
      return;
    }
    const connection = new Connection(
      socket,
      this.#nextConnectionId++,
      this.handler,
      this.options,
      this.logger,
      (c) => this.#connections.delete(c),
    );
    this.#connections.add(connection);
  }

  /** Stops accepting, closes every connection and waits for the listener to close. */
  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    for (const c of this.#connections) c.close("broker shutting down");
    await closed;
  }
}
