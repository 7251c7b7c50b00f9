import { ConfigError } from "./config-error.js";

/**
 * Reads Java `.properties` text the way `java.util.Properties.load` does, so a Kafka
 * server.properties works unchanged:
 * - lines starting (after blanks) with `#` or `!` are comments; blank lines are skipped;
 * - a line ending in an odd number of backslashes continues on the next line, whose leading
 *   blanks are dropped;
 * - the key ends at the first unescaped `=`, `:` or blank; blanks around one `=` or `:` are
 *   separators; the rest of the line is the value (trailing blanks kept, as Java does);
 * - escapes `\t \n \r \f \uXXXX`; any other escaped character stands for itself.
 * A key given twice keeps its last value.
 */
export function parseProperties(text: string): Map<string, string> {
  const result = new Map<string, string>();
  for (const { line, lineNumber } of logicalLines(text)) {
    const [rawKey, rawValue] = splitKeyValue(line);
    const key = unescapeJava(rawKey, lineNumber);
    const value = unescapeJava(rawValue, lineNumber);
    result.set(key, value);
  }
  return result;
}

/**
 * Parses one `--set key=value` override. Unlike a properties line, only `=` separates, and the
 * value is taken literally (no escapes), as a shell user expects.
 */
export function parseOverride(text: string): [string, string] {
  const at = text.indexOf("=");
  if (at <= 0) {
    throw new ConfigError("MALFORMED_PROPERTIES", `invalid override '${text}': expected key=value`);
  }
  const key = text.slice(0, at).trim();
  if (key === "") {
    throw new ConfigError("MALFORMED_PROPERTIES", `invalid override '${text}': empty key`);
  }
  return [key, text.slice(at + 1)];
}

const isBlank = (c: string | undefined): boolean => c === " " || c === "\t" || c === "\f";

interface LogicalLine {
  readonly line: string;
  readonly lineNumber: number;
}

function logicalLines(text: string): LogicalLine[] {
  const natural = text.split(/\r\n|\r|\n/);
  const out: LogicalLine[] = [];
  let i = 0;
  while (i < natural.length) {
    const lineNumber = i + 1;
    let line = stripLeadingBlanks(natural[i++]!);
    if (line === "" || line.startsWith("#") || line.startsWith("!")) continue;
    while (endsWithContinuation(line) && i < natural.length) {
      line = line.slice(0, -1) + stripLeadingBlanks(natural[i++]!);
    }
    if (endsWithContinuation(line)) line = line.slice(0, -1);
    out.push({ line, lineNumber });
  }
  return out;
}

function stripLeadingBlanks(s: string): string {
  let i = 0;
  while (i < s.length && isBlank(s[i])) i++;
  return s.slice(i);
}

function endsWithContinuation(s: string): boolean {
  let n = 0;
  for (let i = s.length - 1; i >= 0 && s[i] === "\\"; i--) n++;
  return n % 2 === 1;
}

function splitKeyValue(line: string): [string, string] {
  let i = 0;
  while (i < line.length) {
    const c = line[i];
    if (c === "\\") {
      i += 2;
      continue;
    }
    if (c === "=" || c === ":" || isBlank(c)) break;
    i++;
  }
  const key = line.slice(0, Math.min(i, line.length));
  let j = i;
  while (j < line.length && isBlank(line[j])) j++;
  if (j < line.length && (line[j] === "=" || line[j] === ":")) {
    j++;
    while (j < line.length && isBlank(line[j])) j++;
  }
  return [key, line.slice(j)];
}

function unescapeJava(s: string, lineNumber: number): string {
  if (!s.includes("\\")) return s;
  let out = "";
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c !== "\\") {
      out += c;
      continue;
    }
    const next = s[++i];
    switch (next) {
      case undefined:
        break;
      case "t":
        out += "\t";
        break;
      case "n":
        out += "\n";
        break;
      case "r":
        out += "\r";
        break;
      case "f":
        out += "\f";
        break;
      case "u": {
        const hex = s.slice(i + 1, i + 5);
        if (!/^[0-9a-fA-F]{4}$/.test(hex)) {
          throw new ConfigError("MALFORMED_PROPERTIES", `line ${lineNumber}: malformed \\uxxxx escape`);
        }
        out += String.fromCharCode(Number.parseInt(hex, 16));
        i += 4;
        break;
      }
      default:
        out += next;
    }
  }
  return out;
}
