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
 * A one-request-at-a-time Kafka connection for compatibility tests that need to look at the
 * broker's state (committed offsets, end offsets) after a third-party client has run. Requests
 * are encoded and responses decoded with the generated codecs of @weir/protocol.
 */
export class KafkaConnection {
  readonly #socket: Socket;
  #buffered = Buffer.alloc(0);
  #correlationId = 0;
  #waiting: { resolve: (frame: Buffer) => void; reject: (err: Error) => void } | undefined;

  private constructor(socket: Socket) {
    this.#socket = socket;
    socket.on("data", (chunk: Buffer) => this.#onData(chunk));
    socket.on("error", (err) => this.#fail(err));
    socket.on("close", () => this.#fail(new Error("connection closed by the broker")));
  }

  static open(bootstrap: string): Promise<KafkaConnection> {
    const colon = bootstrap.lastIndexOf(":");
    const host = bootstrap.slice(0, colon);
    const port = Number(bootstrap.slice(colon + 1));
    return new Promise((resolve, reject) => {
      const socket = connect(port, host, () => {
        socket.off("error", reject);
        resolve(new KafkaConnection(socket));
      });
      socket.once("error", reject);
    });
  }

  async request<K extends ApiKeyValue>(
    apiKey: K,
    version: number,
    body: ApiMessages[K]["request"],
  ): Promise<ApiMessages[K]["response"]> {
    if (this.#waiting !== undefined) throw new Error("one request at a time");
    const correlationId = ++this.#correlationId;
    const w = new Writer();
    encodeRequestHeader(w, requestHeaderVersion(apiKey, version), {
      requestApiKey: apiKey,
      requestApiVersion: version,
      correlationId,
      clientId: "weir-compat",
    });
    encodeRequestBody(apiKey, version, w, body);
    const frame = w.toBuffer();
    const size = Buffer.alloc(4);
    size.writeInt32BE(frame.length);
    const response = await new Promise<Buffer>((resolve, reject) => {
      this.#waiting = { resolve, reject };
      this.#socket.write(Buffer.concat([size, frame]));
    });
    const r = new Reader(response);
    const header = decodeResponseHeader(r, responseHeaderVersion(apiKey, version));
    if (header.correlationId !== correlationId) {
      throw new Error(`response for correlation id ${header.correlationId}, expected ${correlationId}`);
    }
    return decodeResponseBody(apiKey, version, r) as ApiMessages[K]["response"];
  }

  close(): void {
    this.#socket.destroy();
  }

  #onData(chunk: Buffer): void {
    this.#buffered = Buffer.concat([this.#buffered, chunk]);
    if (this.#buffered.length < 4) return;
    const size = this.#buffered.readInt32BE(0);
    if (this.#buffered.length < 4 + size) return;
    const frame = this.#buffered.subarray(4, 4 + size);
    this.#buffered = this.#buffered.subarray(4 + size);
    const waiting = this.#waiting;
    this.#waiting = undefined;
    waiting?.resolve(frame);
  }

  #fail(err: Error): void {
    const waiting = this.#waiting;
    this.#waiting = undefined;
    waiting?.reject(err);
  }
}
