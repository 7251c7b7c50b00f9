import { usageError } from "../cli-error.js";

/** An integer flag value within [min, max], or a usage error naming the flag. */
export function parseInteger(flag: string, text: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const trimmed = text.trim();
  const n = /^[-+]?\d+$/.test(trimmed) ? Number(trimmed) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `at least ${min}` : `from ${min} to ${max}`;
    throw usageError(`${flag} must be an integer ${range}, got '${text}'`);
  }
  return n;
}

/** `key=value` (the value may contain '='; it may be empty); a usage error otherwise. */
export function parseKeyValue(flag: string, text: string): { key: string; value: string } {
  const eq = text.indexOf("=");
  if (eq <= 0) throw usageError(`${flag} expects key=value, got '${text}'`);
  return { key: text.slice(0, eq).trim(), value: text.slice(eq + 1) };
}

/** One of `choices`, or a usage error listing them. */
export function parseChoice<const C extends string>(flag: string, text: string, choices: readonly C[]): C {
  if ((choices as readonly string[]).includes(text)) return text as C;
  throw usageError(`${flag} must be one of ${choices.join(", ")}; got '${text}'`);
}
