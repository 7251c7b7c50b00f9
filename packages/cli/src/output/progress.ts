/**
 * A one-line status that rewrites itself on stderr while a long operation runs ("produced 12000
 * records"), shown only when stderr is a terminal: in a pipe or a log file it stays silent, so
 * it never mixes with results. At most a few redraws per second.
 */
export class Progress {
  readonly #stream: NodeJS.WriteStream;
  readonly #enabled: boolean;
  readonly #intervalMs: number;
  #lastDraw = 0;
  #shown = false;

  constructor(stream: NodeJS.WriteStream = process.stderr, intervalMs = 200) {
    this.#stream = stream;
    this.#enabled = stream.isTTY === true;
    this.#intervalMs = intervalMs;
  }

  get enabled(): boolean {
    return this.#enabled;
  }

  /** Shows `text` now if the last redraw is old enough; `render` is only called when drawing. */
  update(render: () => string, force = false): void {
    if (!this.#enabled) return;
    const now = Date.now();
    if (!force && now - this.#lastDraw < this.#intervalMs) return;
    this.#lastDraw = now;
    const columns = this.#stream.columns ?? 80;
    this.#stream.write(`\r\x1b[2K${render().slice(0, Math.max(10, columns - 1))}`);
    this.#shown = true;
  }

  /** Removes the status line (before the final result is printed). */
  clear(): void {
    if (!this.#shown) return;
    this.#stream.write("\r\x1b[2K");
    this.#shown = false;
  }
}
