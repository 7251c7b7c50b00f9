import type { ConfigEntry } from "@weir/client";

/** A config's value as shown: the broker masks sensitive values (null), so say so. */
export function shownValue(entry: ConfigEntry): string | null {
  if (entry.isSensitive) return "(sensitive)";
  return entry.value;
}
