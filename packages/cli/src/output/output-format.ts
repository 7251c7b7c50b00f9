/** How a command prints its result: aligned text for people, or JSON for scripts. */
export type OutputFormat = "table" | "json";

/** Writes a line to stdout. */
export function printLine(line = ""): void {
  process.stdout.write(`${line}\n`);
}

/** Writes `value` as indented JSON on stdout (one document per command). */
export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** A note for the person at the terminal (stderr, so stdout stays the result). */
export function printNote(line: string): void {
  process.stderr.write(`${line}\n`);
}
