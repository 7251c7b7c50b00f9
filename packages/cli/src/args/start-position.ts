import { usageError } from "../cli-error.js";

/** Where consuming starts in each partition. */
export type StartPosition =
  | { readonly kind: "beginning" }
  | { readonly kind: "end" }
  | { readonly kind: "offset"; readonly offset: number }
  /** The last `count` records of each partition. */
  | { readonly kind: "last"; readonly count: number }
  | { readonly kind: "timestamp"; readonly timestamp: number };

export const START_POSITION_HELP =
  "beginning, end, an offset (42), the last n records of each partition (-10), or a time: an ISO date (2024-05-01T12:00:00Z) or @<epoch ms>";

/** Parses --from: `beginning`, `end`, `42`, `-10`, `@1714564800000` or an ISO-8601 date. */
export function parseStartPosition(text: string): StartPosition {
  const t = text.trim();
  if (t === "beginning" || t === "earliest") return { kind: "beginning" };
  if (t === "end" || t === "latest") return { kind: "end" };
  if (/^\d+$/.test(t) && Number.isSafeInteger(Number(t))) return { kind: "offset", offset: Number(t) };
  if (/^-\d+$/.test(t) && Number.isSafeInteger(-Number(t))) return { kind: "last", count: -Number(t) };
  if (/^@\d+$/.test(t)) return { kind: "timestamp", timestamp: Number(t.slice(1)) };
  if (/^\d{4}-\d{2}-\d{2}/.test(t)) {
    const ms = Date.parse(t);
    if (!Number.isNaN(ms) && ms >= 0) return { kind: "timestamp", timestamp: ms };
  }
  throw usageError(`--from must be ${START_POSITION_HELP}; got '${text}'`);
}
