import { connect, type Socket } from "node:net";
import {
  ApiKey,
  type ApiKeyValue,
  apiSpec,
  decodeResponseBody,
  decodeResponseHeader,
  ErrorCode,
  encodeRequestBody,
  encodeRequestHeader,
  ProtocolError,
  Reader,
  type RequestBody,
  type ResponseBody,
  requestHeaderVersion,
  responseHeaderVersion,
  Writer,
} from "@weir/protocol";
import type { Logger } from "../config/options-table.js";
import {
  ClientClosedError,
  type KafkaError,
  MalformedResponseError,
  NetworkError,
  TimeoutError,
  UnsupportedVersionError,
} from "../errors.js";
import { SILENT_LOGGER } from "../logger.js";
import { ApiVersionTable, clientVersionRange } from "./api-versions.js";
import { FrameReader } from "./frame-reader.js";

export interface ConnectionOptions {
  readonly host: string;
  readonly port: number;
  /** Names the broker in errors and logs, e.g. "broker 1 (localhost:9092)". */
  readonly label: string;
  readonly clientId: string;
  /** Budget of TCP connect plus the ApiVersions handshake. */
  readonly connectionTimeoutMs: number;
  readonly requestTimeoutMs: number;
  /** Requests written and unanswered at most; later ones wait in order. */
  readonly maxInFlight: number;
  readonly logger?: Logger;
  /** Largest response frame accepted (default 2 GiB - 1). */
  readonly maxResponseBytes?: number;
}

export interface RequestOptions {
  /** Overrides request.timeout.ms for this request (long-polling fetches add their wait). */
  readonly timeoutMs?: number;
  /** The broker answers nothing (Produce with acks=0): resolves once the bytes are written. */
  readonly noResponse?: boolean;
}

interface Pending {
  readonly correlationId: number;
  readonly apiKey: ApiKeyValue;
  readonly version: number;
  readonly chunks: Buffer[];
  readonly timeoutMs: number;
  readonly noResponse: boolean;
  readonly resolve: (body: unknown) => void;
  readonly reject: (err: KafkaError) => void;
  timer: NodeJS.Timeout | undefined;
}

export const CLIENT_SOFTWARE_NAME = "weir-client";
export const CLIENT_SOFTWARE_VERSION = "0.1.0";

const MAX_CORRELATION_ID = 0x7fffffff;

/** Kafka's name of an API key, e.g. "Produce". */
export function apiKeyName(apiKey: number): string {
  return apiSpec(apiKey)?.name ?? `ApiKey(${apiKey})`;
}

/**
 * One TCP connection to one broker. Requests are pipelined: up to `maxInFlight` are written
 * before their responses come back, the rest wait in order. Kafka answers in request order on a
 * connection, so responses are matched first-in first-out and their correlation ids checked.
 *
 * A request that gets no answer within its timeout fails with TimeoutError and closes the
 * connection (the answers behind it could no longer be matched); a connection that breaks fails
 * every request on it with NetworkError; a response that does not decode fails its request with
 * MalformedResponseError and closes the connection. Whether to retry is the caller's decision.
 */
export class Connection {
  readonly host: string;
  readonly port: number;
  readonly label: string;
  #socket: Socket;
  #options: ConnectionOptions;
  #logger: Logger;
  #versions = new ApiVersionTable([]);
  #inFlight: Pending[] = [];
  #queue: Pending[] = [];
  #nextCorrelationId = 0;
  #closed = false;
  #closeError: KafkaError | undefined;
  #closeListeners: ((err: KafkaError) => void)[] = [];

  private constructor(socket: Socket, options: ConnectionOptions) {
    this.#socket = socket;
    this.#options = options;
    this.host = options.host;
    this.port = options.port;
    this.label = options.label;
    this.#logger = options.logger ?? SILENT_LOGGER;
    socket.on("error", (err) => this.#destroy(this.#networkError("connection failed", err)));
    socket.on("close", () => this.#destroy(this.#networkError("connection closed by the broker")));
  }

  /**
   * Connects, then asks for the broker's API versions. Fails with NetworkError when the broker
   * cannot be reached, TimeoutError when the handshake takes longer than connectionTimeoutMs.
   */
  static open(options: ConnectionOptions): Promise<Connection> {
    return new Promise<Connection>((resolve, reject) => {
      let connection: Connection | undefined;
      const reader = new FrameReader(options.maxResponseBytes ?? 0x7fffffff, (frame) => {
        if (connection !== undefined) connection.#onFrame(frame);
      });
      // The reader owns the memory reads go into (see FrameReader): no Buffer per socket read.
      const socket = connect({
        host: options.host,
        port: options.port,
        noDelay: true,
        onread: {
          buffer: () => reader.buffer(),
          callback: (n) => {
            // Bytes before the connection is up cannot be a response to anything.
            if (connection === undefined) socket.destroy();
            else connection.#onRead(reader, n);
            return true; // never pause reading
          },
        },
      });
      let settled = false;
      const timer = setTimeout(() => {
        fail(
          new TimeoutError(
            `could not connect to ${options.label} within ${options.connectionTimeoutMs} ms (socket.connection.setup.timeout.ms)`,
            { broker: options.label },
          ),
        );
      }, options.connectionTimeoutMs);
      const fail = (err: KafkaError) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        socket.destroy();
        reject(err);
      };
      const onEarlyError = (err: Error) =>
        fail(
          new NetworkError(`could not connect to ${options.label}: ${err.message}`, {
            cause: err,
            broker: options.label,
          }),
        );
      socket.once("error", onEarlyError);
      socket.once("connect", () => {
        socket.off("error", onEarlyError);
        socket.setKeepAlive(true);
        const opened = new Connection(socket, options);
        connection = opened;
        opened.#handshake().then(
          () => {
            if (settled) {
              opened.close();
              return;
            }
            settled = true;
            clearTimeout(timer);
            resolve(opened);
          },
          (err: KafkaError) => {
            opened.close();
            fail(err);
          },
        );
      });
    });
  }

  /** The versions the broker announced. */
  get versions(): ApiVersionTable {
    return this.#versions;
  }

  /** Requests written and waiting for their response. */
  get inFlight(): number {
    return this.#inFlight.length;
  }

  /** Requests waiting for an in-flight slot. */
  get queued(): number {
    return this.#queue.length;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Whether another request would be written at once rather than wait for a slot. */
  get hasCapacity(): boolean {
    return !this.#closed && this.#inFlight.length + this.#queue.length < this.#options.maxInFlight;
  }

  /** Called once, when the connection closes for any reason. */
  onClose(listener: (err: KafkaError) => void): void {
    if (this.#closed)
      listener(this.#closeError ?? new ClientClosedError(`connection to ${this.label} closed`));
    else this.#closeListeners.push(listener);
  }

  /**
   * The highest version of `apiKey` both sides support within [min, max]; throws
   * UnsupportedVersionError when there is none.
   */
  version(apiKey: ApiKeyValue, min = 0, max = Number.MAX_SAFE_INTEGER): number {
    const v = this.#versions.pick(apiKey, min, max);
    if (v >= 0) return v;
    const broker = this.#versions.broker(apiKey);
    const client = clientVersionRange(apiKey);
    const brokerText =
      broker === undefined ? "does not support it" : `supports v${broker.min}–v${broker.max}`;
    throw new UnsupportedVersionError(
      `${this.label} ${brokerText}; the client needs ${apiKeyName(apiKey)} v${Math.max(client.min, min)}–v${Math.min(client.max, max)}`,
      { broker: this.label },
    );
  }

  /** Sends a request at `version` and resolves with the decoded response body. */
  send<K extends ApiKeyValue>(
    apiKey: K,
    version: number,
    body: RequestBody<K>,
    options: RequestOptions = {},
  ): Promise<ResponseBody<K>> {
    if (this.#closed) {
      return Promise.reject(
        this.#closeError ?? new ClientClosedError(`connection to ${this.label} is closed`),
      );
    }
    let chunks: Buffer[];
    const correlationId = this.#nextCorrelationId;
    this.#nextCorrelationId = correlationId === MAX_CORRELATION_ID ? 0 : correlationId + 1;
    try {
      const w = new Writer(512);
      w.int32(0); // frame size, patched below
      encodeRequestHeader(w, requestHeaderVersion(apiKey, version), {
        requestApiKey: apiKey,
        requestApiVersion: version,
        correlationId,
        clientId: this.#options.clientId,
      });
      encodeRequestBody(apiKey, version, w, body);
      const size = w.length - 4;
      chunks = w.toChunks();
      chunks[0].writeInt32BE(size, 0);
    } catch (err) {
      return Promise.reject(err);
    }
    return new Promise<ResponseBody<K>>((resolve, reject) => {
      const pending: Pending = {
        correlationId,
        apiKey,
        version,
        chunks,
        timeoutMs: options.timeoutMs ?? this.#options.requestTimeoutMs,
        noResponse: options.noResponse === true,
        resolve: resolve as (body: unknown) => void,
        reject,
        timer: undefined,
      };
      if (this.#inFlight.length < this.#options.maxInFlight && this.#queue.length === 0) this.#write(pending);
      else this.#queue.push(pending);
    });
  }

  /** Closes the connection; requests still waiting fail with ClientClosedError. */
  close(): void {
    this.#destroy(new ClientClosedError(`connection to ${this.label} closed by the client`));
  }

  async #handshake(): Promise<void> {
    // Ask with the newest version the client knows; a broker that knows fewer answers
    // UNSUPPORTED_VERSION with its own range (in a v0 response, KIP-511), and we ask again.
    let version = clientVersionRange(ApiKey.ApiVersions).max;
    for (let attempt = 0; attempt < 3; attempt++) {
      const response = await this.send(ApiKey.ApiVersions, version, {
        clientSoftwareName: CLIENT_SOFTWARE_NAME,
        clientSoftwareVersion: CLIENT_SOFTWARE_VERSION,
      });
      if (response.errorCode === ErrorCode.UNSUPPORTED_VERSION) {
        const own = response.apiKeys.find((k) => k.apiKey === ApiKey.ApiVersions);
        const next = own === undefined ? 0 : Math.min(own.maxVersion, version - 1);
        if (next < 0 || next >= version) break;
        version = next;
        continue;
      }
      if (response.errorCode !== ErrorCode.NONE) {
        throw new NetworkError(`${this.label} refused ApiVersions with error code ${response.errorCode}`, {
          broker: this.label,
        });
      }
      this.#versions = new ApiVersionTable(response.apiKeys);
      return;
    }
    throw new UnsupportedVersionError(`${this.label} accepts no ApiVersions version the client knows`, {
      broker: this.label,
    });
  }

  #write(pending: Pending): void {
    const socket = this.#socket;
    if (pending.noResponse) {
      // Resolves once the last chunk has been handed to the kernel.
      const chunks = pending.chunks;
      socket.cork();
      for (let i = 0; i < chunks.length - 1; i++) socket.write(chunks[i]);
      socket.write(chunks[chunks.length - 1], (err) => {
        if (err) pending.reject(this.#networkError("write failed", err));
        else pending.resolve(undefined);
      });
      socket.uncork();
      return;
    }
    this.#inFlight.push(pending);
    pending.timer = setTimeout(() => this.#onTimeout(pending), pending.timeoutMs);
    socket.cork();
    for (const chunk of pending.chunks) socket.write(chunk);
    socket.uncork();
  }

  #onTimeout(pending: Pending): void {
    pending.timer = undefined;
    const err = new TimeoutError(
      `${apiKeyName(pending.apiKey)} v${pending.version} to ${this.label} got no response within ${pending.timeoutMs} ms`,
      { broker: this.label },
    );
    const at = this.#inFlight.indexOf(pending);
    if (at >= 0) this.#inFlight.splice(at, 1);
    pending.reject(err);
    this.#destroy(this.#networkError(`connection closed after a request timed out`, err));
  }

  #onRead(reader: FrameReader, n: number): void {
    try {
      reader.read(n);
    } catch (err) {
      this.#destroy(this.#malformed(`unreadable response framing from ${this.label}`, err));
    }
  }

  #onFrame(frame: Buffer): void {
    if (this.#closed) return;
    const pending = this.#inFlight.shift();
    if (pending === undefined) {
      this.#destroy(this.#malformed(`${this.label} sent a response nobody asked for`));
      return;
    }
    clearTimeout(pending.timer);
    let body: unknown;
    try {
      const r = new Reader(frame);
      const header = decodeResponseHeader(r, responseHeaderVersion(pending.apiKey, pending.version));
      if (header.correlationId !== pending.correlationId) {
        throw new ProtocolError(
          `correlation id ${header.correlationId} does not match the expected ${pending.correlationId}`,
        );
      }
      body = this.#decodeBody(pending, r);
    } catch (err) {
      const error = this.#malformed(
        `malformed ${apiKeyName(pending.apiKey)} v${pending.version} response from ${this.label}: ${(err as Error).message}`,
        err,
      );
      pending.reject(error);
      this.#destroy(error);
      return;
    }
    this.#pump();
    pending.resolve(body);
  }

  #decodeBody(pending: Pending, r: Reader): unknown {
    // KIP-511: a broker that does not know our ApiVersions version answers UNSUPPORTED_VERSION in
    // v0 (error code first in every version), whatever version we asked with.
    if (
      pending.apiKey === ApiKey.ApiVersions &&
      pending.version > 0 &&
      r.remaining() >= 2 &&
      r.buf.readInt16BE(r.offset) === ErrorCode.UNSUPPORTED_VERSION
    ) {
      return decodeResponseBody(ApiKey.ApiVersions, 0, r);
    }
    return decodeResponseBody(pending.apiKey, pending.version, r);
  }

  /** Writes queued requests while there are free in-flight slots. */
  #pump(): void {
    while (!this.#closed && this.#queue.length > 0 && this.#inFlight.length < this.#options.maxInFlight) {
      this.#write(this.#queue.shift()!);
    }
  }

  #networkError(message: string, cause?: unknown): NetworkError {
    const detail = cause instanceof Error && !(cause instanceof TimeoutError) ? `: ${cause.message}` : "";
    return new NetworkError(`${message} (${this.label})${detail}`, { cause, broker: this.label });
  }

  #malformed(message: string, cause?: unknown): MalformedResponseError {
    return new MalformedResponseError(message, { cause, broker: this.label });
  }

  #destroy(err: KafkaError): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#closeError = err;
    this.#socket.destroy();
    const failed = [...this.#inFlight, ...this.#queue];
    this.#inFlight = [];
    this.#queue = [];
    for (const p of failed) {
      clearTimeout(p.timer);
      p.reject(err);
    }
    if (!(err instanceof ClientClosedError))
      this.#logger.debug("connection closed", { broker: this.label, error: err.message });
    const listeners = this.#closeListeners;
    this.#closeListeners = [];
    for (const listener of listeners) listener(err);
  }
}
