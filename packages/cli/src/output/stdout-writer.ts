/**
 * Streams many lines to stdout without holding them all in memory: waits for 'drain' when the
 * pipe is full, and notices when the reader went away (`weir consume ... | head`), so the command
 * can stop instead of failing with EPIPE.
 */
export class StdoutWriter {
  readonly #stream: NodeJS.WriteStream;
  #closed = false;

  constructor(stream: NodeJS.WriteStream = process.stdout) {
    this.#stream = stream;
    // EPIPE (the reader is gone) or any other write failure: stop writing, let the command end.
    stream.on("error", () => {
      this.#closed = true;
    });
  }

  /** True once the reader closed the pipe: nothing more can be written. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Writes `text`; resolves when the stream can take more. */
  async write(text: string): Promise<void> {
    if (this.#closed || text === "") return;
    if (!this.#stream.write(text)) {
      await new Promise<void>((resolve) => {
        const done = () => {
          this.#stream.off("drain", done);
          this.#stream.off("close", done);
          this.#stream.off("error", done);
          resolve();
        };
        this.#stream.on("drain", done);
        this.#stream.on("close", done);
        this.#stream.on("error", done);
      });
    }
  }
}
