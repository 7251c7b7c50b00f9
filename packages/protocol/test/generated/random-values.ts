import type { DefaultValue, FieldModel, FieldType, StructModel } from "../../generator/model.js";
import { contains, isEmpty } from "../../generator/version-range.js";
import { ZERO_UUID } from "../../src/index.js";

/**
 * Seeded random message values driven by the generator's type model, and the value a decoder
 * must return for them (absent fields at their defaults). Test-only.
 */

/** mulberry32: a small seeded PRNG, so a failure can be replayed from its seed. */
export class Random {
  #state: number;
  constructor(seed: number) {
    this.#state = seed >>> 0;
  }
  next(): number {
    this.#state = (this.#state + 0x6d2b79f5) >>> 0;
    let t = this.#state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  bytes(n: number): Buffer {
    const b = Buffer.alloc(n);
    for (let i = 0; i < n; i++) b[i] = this.int(0, 255);
    return b;
  }
}

export type Value = unknown;
export type Obj = Record<string, Value>;

const SAMPLE_CHARS = ["a", "Z", "0", "-", "_", ".", " ", "é", "€", "日", "😀"];

function fieldPresent(field: FieldModel, version: number): boolean {
  return contains(field.versions, version);
}

function nullableAt(field: FieldModel, version: number): boolean {
  return contains(field.nullableVersions, version);
}

/** A random value for every field of the struct (absent fields too, sometimes left undefined). */
export function randomStruct(struct: StructModel, version: number, rnd: Random, depth = 0): Obj {
  const out: Obj = {};
  for (const field of struct.fields) {
    const present = fieldPresent(field, version);
    const tagged = field.tag !== undefined;
    // Absent or optional fields may be left out; the encoder must then use the default.
    if ((!present || tagged) && rnd.chance(0.3)) continue;
    if (tagged && rnd.chance(0.3)) {
      out[field.name] = defaultValue(field);
      continue;
    }
    if (present && nullableAt(field, version) && rnd.chance(0.25)) {
      out[field.name] = null;
      continue;
    }
    out[field.name] = randomOfType(field, field.type, version, rnd, depth, present);
  }
  return out;
}

function randomOfType(
  field: FieldModel,
  type: FieldType,
  version: number,
  rnd: Random,
  depth: number,
  present: boolean,
): Value {
  if (type.kind === "struct") return randomStruct(type.struct, version, rnd, depth + 1);
  if (type.kind === "array") {
    const n = depth > 3 ? 0 : rnd.int(0, 3);
    const items: Value[] = [];
    for (let i = 0; i < n; i++)
      items.push(randomOfType(field, type.element, version, rnd, depth + 1, present));
    return items;
  }
  switch (type.name) {
    case "bool":
      return rnd.chance(0.5);
    case "int8":
      return rnd.int(-128, 127);
    case "int16":
      return rnd.int(-32768, 32767);
    case "uint16":
      return rnd.int(0, 65535);
    case "int32":
      return rnd.int(-2147483648, 2147483647);
    case "uint32":
      return rnd.int(0, 4294967295);
    case "int64":
      return BigInt.asIntN(64, (BigInt(rnd.int(0, 0xffffffff)) << 32n) | BigInt(rnd.int(0, 0xffffffff)));
    case "float64":
      return rnd.chance(0.2) ? rnd.int(-1000, 1000) : (rnd.next() - 0.5) * 1e12;
    case "string": {
      let s = "";
      const n = rnd.int(0, 12);
      for (let i = 0; i < n; i++) s += SAMPLE_CHARS[rnd.int(0, SAMPLE_CHARS.length - 1)];
      return s;
    }
    case "bytes":
      return rnd.bytes(rnd.int(0, 10));
    case "records":
      // Non-nullable records (FetchSnapshotResponse.UnalignedRecords) must not be null.
      if (present && !isEmpty(field.nullableVersions) && nullableAt(field, version) && rnd.chance(0.2))
        return null;
      return rnd.bytes(rnd.int(0, 40));
    case "uuid":
      return rnd.bytes(16).toString("base64url");
  }
}

/** The default of a field as a runtime value. */
export function defaultValue(field: FieldModel): Value {
  return fromDefault(field.defaultValue, field.type);
}

function fromDefault(d: DefaultValue, type: FieldType): Value {
  switch (d.kind) {
    case "number":
    case "bigint":
    case "boolean":
    case "string":
      return d.value;
    case "null":
      return null;
    case "empty":
      return type.kind === "array" ? [] : Buffer.alloc(0);
    case "zeroUuid":
      return ZERO_UUID;
    case "struct":
      return defaultStruct(d.struct);
  }
}

export function defaultStruct(struct: StructModel): Obj {
  const out: Obj = {};
  for (const f of struct.fields) out[f.name] = defaultValue(f);
  return out;
}

/** What decoding the encoding of `value` at `version` must give: absent fields at their defaults. */
export function expectedDecode(struct: StructModel, value: Obj, version: number): Obj {
  const out: Obj = {};
  for (const field of struct.fields) {
    const v = value[field.name];
    if (!fieldPresent(field, version) || v === undefined) {
      out[field.name] = defaultValue(field);
      continue;
    }
    out[field.name] = expectedOfType(field.type, v, version);
  }
  return out;
}

function expectedOfType(type: FieldType, v: Value, version: number): Value {
  if (v === null) return null;
  if (type.kind === "struct") return expectedDecode(type.struct, v as Obj, version);
  if (type.kind === "array") return (v as Value[]).map((e) => expectedOfType(type.element, e, version));
  return v;
}
