import { connect, createServer, type Server, type Socket } from "node:net";
import {
  ApiKey,
  type ApiKeyValue,
  decodeRequestBody,
  decodeRequestHeader,
  decodeResponseBody,
  decodeResponseHeader,
  encodeResponseBody,
  encodeResponseHeader,
  type MetadataResponse,
  type ProduceRequest,
  type ProduceResponse,
  Reader,
  requestHeaderVersion,
  responseHeaderVersion,
  Writer,
} from "@weir/protocol";
import { FrameReader } from "../../src/network/frame-reader.js";

export interface ProxiedRequest {
  readonly apiKey: ApiKeyValue;
  readonly version: number;
  readonly correlationId: number;
  /** The decoded request body. */
  readonly body: unknown;
}

/**
 * What the proxy does with a request: answer it itself (`respond`, the body encoded at the
 * request's version), forward it, swallow it ("drop") or cut the connection ("close"). `delayMs`
 * holds the answer or the forwarding back that long, and every later request of the connection
 * behind it, so responses stay in request order.
 */
export type ProxyVerdict =
  | { respond: unknown; delayMs?: number }
  | { forward: true; delayMs: number }
  | "drop"
  | "close"
  | undefined;

export interface ProxyHooks {
  /** Sees every request and says what to do with it (undefined: forward it at once). */
  request?(req: ProxiedRequest): ProxyVerdict;
  /** Sees every response; may return a replacement body. */
  response?(req: ProxiedRequest, body: unknown): unknown;
}

interface Pair {
  client: Socket;
  server: Socket;
  pending: Map<number, ProxiedRequest>;
  /** Requests held back by a delay, and those queued behind them, in order. */
  held: Promise<void>;
  holding: number;
}

/**
 * A Kafka-aware TCP proxy for tests: forwards frames both ways, decodes them with the generated
 * codecs so hooks can inspect, rewrite or answer requests, and can sever every connection at once
 * to simulate a broker dying mid-request.
 */
export class KafkaProxy {
  readonly port: number;
  readonly #server: Server;
  #pairs = new Set<Pair>();
  hooks: ProxyHooks;
  target: { host: string; port: number };
  /** Requests seen, by API key. */
  readonly counts = new Map<number, number>();

  private constructor(server: Server, target: { host: string; port: number }, hooks: ProxyHooks) {
    this.#server = server;
    this.port = (server.address() as { port: number }).port;
    this.target = target;
    this.hooks = hooks;
    server.on("connection", (client) => this.#accept(client));
  }

  static async start(target: { host: string; port: number }, hooks: ProxyHooks = {}): Promise<KafkaProxy> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return new KafkaProxy(server, target, hooks);
  }

  /**
   * A proxy in front of the broker at 127.0.0.1:`port` whose Metadata answers name the proxy as
   * every broker, so that a client reaches the cluster only through it.
   */
  static async inFrontOf(port: number, hooks: ProxyHooks = {}): Promise<KafkaProxy> {
    const proxy = await KafkaProxy.start({ host: "127.0.0.1", port }, hooks);
    proxy.hooks.response = (req, body) => {
      if (req.apiKey !== ApiKey.Metadata) return undefined;
      const m = body as MetadataResponse;
      return { ...m, brokers: m.brokers.map((b) => ({ ...b, host: "127.0.0.1", port: proxy.port })) };
    };
    return proxy;
  }

  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  get connections(): number {
    return this.#pairs.size;
  }

  /** Cuts every proxied connection (both sides), as if the broker died. */
  sever(): void {
    for (const pair of this.#pairs) {
      pair.client.destroy();
      pair.server.destroy();
    }
    this.#pairs.clear();
  }

  async close(): Promise<void> {
    this.sever();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #accept(client: Socket): void {
    const server = connect(this.target.port, this.target.host);
    const pair: Pair = { client, server, pending: new Map(), held: Promise.resolve(), holding: 0 };
    this.#pairs.add(pair);
    const drop = () => {
      client.destroy();
      server.destroy();
      this.#pairs.delete(pair);
    };
    client.on("error", drop);
    server.on("error", drop);
    client.on("close", drop);
    server.on("close", drop);
    const fromClient = new FrameReader(0x7fffffff, (frame) => this.#onRequest(pair, frame, drop));
    const fromServer = new FrameReader(0x7fffffff, (frame) => this.#onResponse(pair, frame));
    client.on("data", (chunk: Buffer) => fromClient.push(chunk));
    server.on("data", (chunk: Buffer) => fromServer.push(chunk));
  }

  #onRequest(pair: Pair, frame: Buffer, drop: () => void): void {
    const apiKey = frame.readInt16BE(0) as ApiKeyValue;
    const version = frame.readInt16BE(2);
    this.counts.set(apiKey, (this.counts.get(apiKey) ?? 0) + 1);
    const r = new Reader(frame);
    const header = decodeRequestHeader(r, requestHeaderVersion(apiKey, version));
    const req: ProxiedRequest = {
      apiKey,
      version,
      correlationId: header.correlationId,
      body: decodeRequestBody(apiKey, version, r),
    };
    const verdict = this.hooks.request?.(req);
    if (verdict === "close") {
      drop();
      return;
    }
    if (verdict === "drop") return;
    const act = () => {
      if (verdict !== undefined && "respond" in verdict) {
        pair.client.write(encodeFrame(req, verdict.respond));
        return;
      }
      pair.pending.set(req.correlationId, req);
      const size = Buffer.allocUnsafe(4);
      size.writeInt32BE(frame.length, 0);
      pair.server.write(Buffer.concat([size, frame]));
    };
    const delayMs = verdict?.delayMs ?? 0;
    if (delayMs <= 0 && pair.holding === 0) {
      act();
      return;
    }
    pair.holding++;
    pair.held = pair.held
      .then(() => new Promise<void>((resolve) => setTimeout(resolve, delayMs)))
      .then(() => {
        pair.holding--;
        if (!pair.client.destroyed && !pair.server.destroyed) act();
      });
  }

  #onResponse(pair: Pair, frame: Buffer): void {
    const correlationId = frame.readInt32BE(0);
    const req = pair.pending.get(correlationId);
    pair.pending.delete(correlationId);
    if (req === undefined || this.hooks.response === undefined) {
      const size = Buffer.allocUnsafe(4);
      size.writeInt32BE(frame.length, 0);
      pair.client.write(Buffer.concat([size, frame]));
      return;
    }
    const r = new Reader(frame);
    decodeResponseHeader(r, responseHeaderVersion(req.apiKey, req.version));
    const body = decodeResponseBody(req.apiKey, req.version, r);
    const replaced = this.hooks.response(req, body) ?? body;
    pair.client.write(encodeFrame(req, replaced));
  }
}

/** An answer to a Produce request with error `code` for every partition in it. */
export function produceErrorResponse(req: ProxiedRequest, code: number): ProduceResponse {
  return {
    responses: (req.body as ProduceRequest).topicData.map((t) => ({
      name: t.name,
      partitionResponses: t.partitionData.map((p) => ({
        index: p.index,
        errorCode: code,
        baseOffset: -1n,
        logAppendTimeMs: -1n,
        logStartOffset: -1n,
        recordErrors: [],
        errorMessage: null,
      })),
    })),
    throttleTimeMs: 0,
    nodeEndpoints: [],
  };
}

/** A response frame (size prefix included) for a request. */
export function encodeFrame(req: ProxiedRequest, body: unknown): Buffer {
  const w = new Writer();
  w.int32(0);
  encodeResponseHeader(w, responseHeaderVersion(req.apiKey, req.version), {
    correlationId: req.correlationId,
  });
  encodeResponseBody(req.apiKey, req.version, w, body as never);
  const out = w.toBuffer();
  out.writeInt32BE(out.length - 4, 0);
  return out;
}
