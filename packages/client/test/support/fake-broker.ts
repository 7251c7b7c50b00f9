import { createServer, type Server, type Socket } from "node:net";
import {
  ApiKey,
  type ApiKeyValue,
  decodeRequestBody,
  decodeRequestHeader,
  Reader,
  requestHeaderVersion,
} from "@weir/protocol";
import { FrameReader } from "../../src/network/frame-reader.js";
import { encodeFrame, type ProxiedRequest } from "./kafka-proxy.js";

/** What the fake broker does with a request: answer with a body, raw bytes, nothing, or hang up. */
export type FakeReply = { body: unknown } | { raw: Buffer } | "silent" | "close";

/** The ApiVersions answer of a broker that serves `apis` (default: a few common ones). */
export function apiVersionsBody(apis: Record<number, [number, number]> = { 3: [1, 12], 18: [0, 4] }) {
  return {
    errorCode: 0,
    apiKeys: Object.entries(apis).map(([k, [min, max]]) => ({
      apiKey: Number(k),
      minVersion: min,
      maxVersion: max,
    })),
    throttleTimeMs: 0,
    finalizedFeaturesEpoch: -1n,
    supportedFeatures: [],
    finalizedFeatures: [],
    zkMigrationReady: false,
  };
}

/** The Metadata answer of a one-broker cluster (node 1 on `port`) holding `topics`. */
export function metadataBody(port: number, topics: unknown[] = []) {
  return {
    throttleTimeMs: 0,
    brokers: [{ nodeId: 1, host: "127.0.0.1", port, rack: null }],
    clusterId: "fake",
    controllerId: 1,
    topics,
    clusterAuthorizedOperations: -2147483648,
  };
}

/**
 * A scripted broker for protocol edge cases: every request is decoded and handed to `handle`,
 * which says what to send back. ApiVersions is answered normally unless `handle` says otherwise.
 */
export class FakeBroker {
  readonly port: number;
  readonly #server: Server;
  readonly #sockets = new Set<Socket>();
  readonly requests: ProxiedRequest[] = [];

  private constructor(server: Server, handle: (req: ProxiedRequest) => FakeReply | undefined) {
    this.#server = server;
    this.port = (server.address() as { port: number }).port;
    server.on("connection", (socket) => {
      this.#sockets.add(socket);
      socket.on("close", () => this.#sockets.delete(socket));
      socket.on("error", () => socket.destroy());
      const reader = new FrameReader(1 << 30, (frame) => {
        const apiKey = frame.readInt16BE(0) as ApiKeyValue;
        const version = frame.readInt16BE(2);
        const r = new Reader(frame);
        const header = decodeRequestHeader(r, requestHeaderVersion(apiKey, version));
        let body: unknown;
        try {
          body = decodeRequestBody(apiKey, version, r);
        } catch {
          body = undefined;
        }
        const req: ProxiedRequest = { apiKey, version, correlationId: header.correlationId, body };
        this.requests.push(req);
        const reply = handle(req) ?? (apiKey === ApiKey.ApiVersions ? { body: apiVersionsBody() } : "silent");
        if (reply === "close") socket.destroy();
        else if (reply === "silent") return;
        else if ("raw" in reply) socket.write(reply.raw);
        else socket.write(encodeFrame(req, reply.body));
      });
      socket.on("data", (chunk: Buffer) => reader.push(chunk));
    });
  }

  static async start(
    handle: (req: ProxiedRequest) => FakeReply | undefined = () => undefined,
  ): Promise<FakeBroker> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return new FakeBroker(server, handle);
  }

  async close(): Promise<void> {
    for (const s of this.#sockets) s.destroy();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}

/** A port nothing listens on. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
