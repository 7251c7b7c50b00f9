import { CliError } from "../cli-error.js";
import { ExitCode } from "../exit-code.js";

/** Key and value of a record read from one input line. */
export interface LineRecord {
  readonly key: string | null;
  readonly value: string;
}

/**
 * Splits a line into key and value at the first `keySeparator`; without a separator the whole
 * line is the value and the key is null. A line lacking the separator is an input error naming
 * the line, as in Kafka's console producer (parse.key=true).
 */
export function parseRecordLine(
  line: string,
  lineNumber: number,
  keySeparator: string | undefined,
): LineRecord {
  if (keySeparator === undefined) return { key: null, value: line };
  const at = line.indexOf(keySeparator);
  if (at < 0) {
    throw new CliError(
      `line ${lineNumber} has no key separator ${JSON.stringify(keySeparator)}: ${JSON.stringify(line.length > 60 ? `${line.slice(0, 60)}...` : line)}`,
      ExitCode.OPERATION_FAILED,
      "write every line as <key><separator><value>, or choose the separator with --key-separator",
    );
  }
  return { key: line.slice(0, at), value: line.slice(at + keySeparator.length) };
}

/** Turns the escapes a shell passes through literally ("\t", "\n", "\\") into the characters. */
export function unescapeSeparator(text: string): string {
  return text.replace(/\\([tn\\])/g, (_, c: string) => (c === "t" ? "\t" : c === "n" ? "\n" : "\\"));
}
