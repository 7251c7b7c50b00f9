import { createReadStream } from "node:fs";
import { access } from "node:fs/promises";
import { createInterface, type Interface } from "node:readline";
import { CliError } from "../cli-error.js";
import { ExitCode } from "../exit-code.js";

/**
 * The lines of a file, or of stdin when `file` is undefined: a readline interface to iterate with
 * `for await`. Both "\n" and "\r\n" end a line; the last line needs no newline. Closing the
 * interface ends the iteration (used to stop on Ctrl-C).
 */
export async function openLines(file: string | undefined): Promise<Interface> {
  if (file === undefined)
    return createInterface({ input: process.stdin, crlfDelay: Number.POSITIVE_INFINITY });
  try {
    await access(file);
  } catch (err) {
    throw new CliError(
      `cannot read --file ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`,
      ExitCode.USAGE,
    );
  }
  return createInterface({ input: createReadStream(file), crlfDelay: Number.POSITIVE_INFINITY });
}
