/**
 * Version ranges as the message specs write them: "0+", "3-7", "5", "none". A range is
 * inclusive on both ends; an open range ends at MAX_VERSION.
 */
export const MAX_VERSION = 0x7fff;

export interface VersionRange {
  readonly min: number;
  readonly max: number;
}

export const NO_VERSIONS: VersionRange = { min: 1, max: 0 };

export function parseVersionRange(text: string): VersionRange {
  const s = text.trim();
  if (s === "none") return NO_VERSIONS;
  let m = /^(\d+)\+$/.exec(s);
  if (m) return { min: Number(m[1]), max: MAX_VERSION };
  m = /^(\d+)-(\d+)$/.exec(s);
  if (m) {
    const range = { min: Number(m[1]), max: Number(m[2]) };
    if (range.min > range.max) throw new Error(`invalid version range "${text}"`);
    return range;
  }
  m = /^(\d+)$/.exec(s);
  if (m) return { min: Number(m[1]), max: Number(m[1]) };
  throw new Error(`invalid version range "${text}"`);
}

export function isEmpty(r: VersionRange): boolean {
  return r.min > r.max;
}

export function intersect(a: VersionRange, b: VersionRange): VersionRange {
  const r = { min: Math.max(a.min, b.min), max: Math.min(a.max, b.max) };
  return isEmpty(r) ? NO_VERSIONS : r;
}

/** The smallest range covering both (ranges in specs are contiguous, so this is their union). */
export function hull(a: VersionRange, b: VersionRange): VersionRange {
  if (isEmpty(a)) return b;
  if (isEmpty(b)) return a;
  return { min: Math.min(a.min, b.min), max: Math.max(a.max, b.max) };
}

export function contains(r: VersionRange, version: number): boolean {
  return version >= r.min && version <= r.max;
}

/** True when every version of `inner` is in `outer` (an empty inner is covered by anything). */
export function covers(outer: VersionRange, inner: VersionRange): boolean {
  return isEmpty(inner) || (inner.min >= outer.min && inner.max <= outer.max);
}

export function sameRange(a: VersionRange, b: VersionRange): boolean {
  return (isEmpty(a) && isEmpty(b)) || (a.min === b.min && a.max === b.max);
}

export function formatRange(r: VersionRange): string {
  if (isEmpty(r)) return "none";
  if (r.max === MAX_VERSION) return `${r.min}+`;
  return r.min === r.max ? `${r.min}` : `${r.min}-${r.max}`;
}

/**
 * The TypeScript condition that is true for the versions of `range` among the versions of
 * `context` (the versions the surrounding code can run at): "true" when the range covers the
 * context, "false" when they do not meet, otherwise the bounds that matter.
 */
export function versionCondition(range: VersionRange, context: VersionRange, variable = "version"): string {
  const r = intersect(range, context);
  if (isEmpty(r)) return "false";
  const parts: string[] = [];
  if (r.min > context.min) parts.push(`${variable} >= ${r.min}`);
  if (r.max < context.max) parts.push(`${variable} <= ${r.max}`);
  return parts.length === 0 ? "true" : parts.join(" && ");
}
