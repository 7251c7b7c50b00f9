import type { Socket } from "node:net";
import type { Logger } from "pino";
import { FrameDecoder } from "./frame-decoder.js";

/** What a request handler chain learns about the connection a frame came from. */
export interface ConnectionInfo {
  readonly id: number;
  readonly clientHost: string;
  readonly clientPort: number;
}

/** An encoded response: its chunks (without the size prefix), and what to run once they are written. */
export interface ResponseFrame {
  readonly chunks: Buffer[];
  /** Called when the socket has taken the chunks (their buffers may then be reused), or failed to. */
  readonly onWritten?: () => void;
}

/**
 * Turns one request frame into the encoded response, or null when the request gets no response
 * (produce with acks=0). A rejected promise means the stream can no longer be trusted: the
 * connection is closed.
 */
export type FrameHandler = (frame: Buffer, connection: ConnectionInfo) => Promise<ResponseFrame | null>;

export interface ConnectionOptions {
  maxFrameBytes: number;
  /** Requests read but not yet answered before reading pauses (Kafka's queued.max.requests spirit). */
  maxInFlightRequests: number;
  idleTimeoutMs: number;
}

interface PendingResponse {
  done: boolean;
  response: ResponseFrame | null;
  /** Set when the request could not be handled: the connection closes once the answers before it are written. */
  closeReason?: string;
}

/**
 * One client connection: frames requests, runs them concurrently, and writes the responses in
 * request order (Kafka clients match responses by order as well as correlation id). Reading
 * pauses while too many requests are outstanding or while the client is not reading what we
 * write, so a slow or hostile client cannot make the broker buffer without bound.
 */
export class Connection {
  readonly info: ConnectionInfo;
  readonly #socket: Socket;
  readonly #decoder: FrameDecoder;
  readonly #queue: PendingResponse[] = [];
  #closed = false;
  /** A request failed or the stream is unreadable: nothing more is read or dispatched. */
  #failed = false;
  #writeBlocked = false;
  #paused = false;

  constructor(
    socket: Socket,
    id: number,
    readonly handler: FrameHandler,
    readonly options: ConnectionOptions,
    readonly logger: Logger,
    readonly onClose: (connection: Connection) => void,
  ) {
    this.#socket = socket;
    this.info = { id, clientHost: socket.remoteAddress ?? "unknown", clientPort: socket.remotePort ?? 0 };
    this.#decoder = new FrameDecoder(options.maxFrameBytes);
    socket.setNoDelay(true);
    if (options.idleTimeoutMs > 0) {
      socket.setTimeout(options.idleTimeoutMs, () => this.close("idle for connections.max.idle.ms"));
    }
    socket.on("data", (chunk: Buffer) => this.#onData(chunk));
    socket.on("drain", () => {
      this.#writeBlocked = false;
      this.#updateFlow();
    });
    socket.on("error", (err) => this.logger.debug({ err, connection: this.info }, "socket error"));
    socket.on("close", () => this.#onSocketClosed());
  }

  get inFlight(): number {
    return this.#queue.length;
  }

  #onData(chunk: Buffer): void {
    if (this.#failed) return;
    const frames = this.#decoder.push(chunk);
    for (const frame of frames) {
      if (this.#closed || this.#failed) return;
      this.#dispatch(frame);
    }
    const badSize = this.#decoder.error;
    if (badSize !== undefined && !this.#closed) {
      this.logger.warn({ err: badSize, connection: this.info }, "closing connection: bad frame size");
      this.#fail({ done: true, response: null }, "bad frame");
    }
    this.#updateFlow();
  }

  /**
   * Stops reading and closes the connection once every request before `slot` is answered, as
   * Kafka does (it reads one request at a time, so the requests before a bad one are answered).
   */
  #fail(slot: PendingResponse, reason: string): void {
    slot.done = true;
    slot.closeReason = reason;
    if (!this.#queue.includes(slot)) this.#queue.push(slot);
    this.#failed = true;
    this.#flush();
  }

  #dispatch(frame: Buffer): void {
    const slot: PendingResponse = { done: false, response: null };
    this.#queue.push(slot);
    let promise: Promise<ResponseFrame | null>;
    try {
      promise = this.handler(frame, this.info);
    } catch (err) {
      promise = Promise.reject(err);
    }
    promise.then(
      (response) => {
        slot.done = true;
        slot.response = response;
        this.#flush();
      },
      (err: unknown) => {
        this.logger.warn({ err, connection: this.info }, "closing connection: request could not be handled");
        this.#fail(slot, "request failed");
      },
    );
  }

  /** Writes every response at the head of the queue that is ready, in request order. */
  #flush(): void {
    if (this.#closed) return;
    const socket = this.#socket;
    let corked = false;
    while (this.#queue.length > 0 && this.#queue[0].done) {
      const { response, closeReason } = this.#queue.shift()!;
      if (closeReason !== undefined) {
        this.#queue.length = 0;
        if (corked) socket.uncork();
        // end() sends what is buffered (the earlier answers), then the FIN; destroy() would drop them.
        this.#closeAfterWrites(closeReason);
        return;
      }
      if (response === null) continue;
      const { chunks, onWritten } = response;
      if (!corked) {
        socket.cork();
        corked = true;
      }
      let size = 0;
      for (const c of chunks) size += c.length;
      const prefix = Buffer.allocUnsafe(4);
      prefix.writeInt32BE(size, 0);
      socket.write(prefix);
      const last = chunks.length - 1;
      for (let i = 0; i <= last; i++) {
        if (!socket.write(chunks[i], i === last ? onWritten : undefined)) this.#writeBlocked = true;
      }
    }
    if (corked) process.nextTick(() => socket.uncork());
    this.#updateFlow();
  }

  #closeAfterWrites(reason: string): void {
    if (this.#closed) return;
    this.logger.debug({ connection: this.info, reason }, "closing connection");
    this.#closed = true;
    const socket = this.#socket;
    socket.end(() => socket.destroy());
    // A client that does not read could hold the socket open; do not wait for it forever.
    const timer = setTimeout(() => socket.destroy(), 30_000);
    timer.unref();
    socket.once("close", () => clearTimeout(timer));
  }

  #updateFlow(): void {
    if (this.#closed) return;
    const shouldPause =
      this.#failed || this.#writeBlocked || this.#queue.length >= this.options.maxInFlightRequests;
    if (shouldPause && !this.#paused) {
      this.#paused = true;
      this.#socket.pause();
    } else if (!shouldPause && this.#paused) {
      this.#paused = false;
      this.#socket.resume();
    }
  }

  /** Closes at once, dropping answers not yet written. */
  close(reason: string): void {
    if (this.#socket.destroyed) return;
    if (!this.#closed) this.logger.debug({ connection: this.info, reason }, "closing connection");
    this.#closed = true;
    this.#socket.destroy();
  }

  #onSocketClosed(): void {
    this.#closed = true;
    this.#queue.length = 0;
    this.onClose(this);
  }
}
