import { connect, type Socket } from "node:net";
import {
  type ApiKeyValue,
  type ApiMessages,
  decodeResponseBody,
  decodeResponseHeader,
  encodeRequestBody,
  encodeRequestHeader,
  Reader,
  requestHeaderVersion,
  responseHeaderVersion,
  Writer,
} from "@weir/protocol";

/**
 * A minimal Kafka client for tests: sends one request of any API at any version over a real TCP
 * connection and decodes the response with the generated codecs. Responses are matched by
 * correlation id, so requests may be pipelined.
 */
export class RawKafkaClient {
  #socket: Socket;
  #buffer = Buffer.alloc(0);
  #nextCorrelationId = 1;
  #pending = new Map<
    number,
    { apiKey: ApiKeyValue; version: number; resolve: (r: unknown) => void; reject: (e: Error) => void }
  >();
  #closed = false;

  private constructor(socket: Socket) {
    this.#socket = socket;
    socket.on("data", (chunk: Buffer) => this.#onData(chunk));
    socket.on("close", () => this.#fail(new Error("connection closed")));
    socket.on("error", (err) => this.#fail(err));
  }

  static connect(bootstrap: string): Promise<RawKafkaClient> {
    const [host, port] = bootstrap.split(":");
    return new Promise((resolve, reject) => {
      const socket = connect(Number(port), host, () => resolve(new RawKafkaClient(socket)));
      socket.once("error", reject);
    });
  }

  get closed(): boolean {
    return this.#closed;
  }

  send<K extends ApiKeyValue>(
    apiKey: K,
    version: number,
    body: ApiMessages[K]["request"],
    clientId = "raw-test-client",
  ): Promise<ApiMessages[K]["response"]> {
    const correlationId = this.#nextCorrelationId++;
    const w = new Writer();
    encodeRequestHeader(w, requestHeaderVersion(apiKey, version), {
      requestApiKey: apiKey,
      requestApiVersion: version,
      correlationId,
      clientId,
    });
    encodeRequestBody(apiKey, version, w, body);
    return this.sendFrame(w.toBuffer(), correlationId, apiKey, version) as Promise<
      ApiMessages[K]["response"]
    >;
  }

  /** Sends raw frame bytes (a size prefix is added) and expects a response for `correlationId`. */
  sendFrame(frame: Buffer, correlationId: number, apiKey: ApiKeyValue, version: number): Promise<unknown> {
    const size = Buffer.allocUnsafe(4);
    size.writeInt32BE(frame.length, 0);
    return new Promise((resolve, reject) => {
      this.#pending.set(correlationId, { apiKey, version, resolve, reject });
      this.#socket.write(Buffer.concat([size, frame]));
    });
  }

  /** Sends bytes as they are (for hostile-input tests). */
  writeRaw(bytes: Buffer): void {
    this.#socket.write(bytes);
  }

  /** Resolves when the broker closes the connection. */
  waitForClose(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    return new Promise((resolve) => this.#socket.once("close", () => resolve()));
  }

  close(): void {
    this.#socket.destroy();
  }

  #onData(chunk: Buffer): void {
    this.#buffer = Buffer.concat([this.#buffer, chunk]);
    while (this.#buffer.length >= 4) {
      const size = this.#buffer.readInt32BE(0);
      if (this.#buffer.length < 4 + size) return;
      const frame = this.#buffer.subarray(4, 4 + size);
      this.#buffer = this.#buffer.subarray(4 + size);
      const correlationId = frame.readInt32BE(0);
      const pending = this.#pending.get(correlationId);
      if (pending === undefined) continue;
      this.#pending.delete(correlationId);
      try {
        const r = new Reader(frame);
        decodeResponseHeader(r, responseHeaderVersion(pending.apiKey, pending.version));
        pending.resolve(decodeResponseBody(pending.apiKey, pending.version, r));
      } catch (err) {
        pending.reject(err as Error);
      }
    }
  }

  #fail(err: Error): void {
    this.#closed = true;
    for (const p of this.#pending.values()) p.reject(err);
    this.#pending.clear();
  }
}
