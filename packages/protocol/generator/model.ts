import { camelCase, kebabCase, structTypeName } from "./names.js";
import type { RawFieldSpec, RawMessageSpec } from "./spec-files.js";
import {
  covers,
  hull,
  intersect,
  isEmpty,
  NO_VERSIONS,
  parseVersionRange,
  sameRange,
  type VersionRange,
} from "./version-range.js";

/**
 * The type model the emitters work from: a message spec resolved into structs and fields with
 * parsed version ranges, resolved struct references and typed default values.
 */

export const PRIMITIVE_TYPES = [
  "bool",
  "int8",
  "int16",
  "uint16",
  "int32",
  "uint32",
  "int64",
  "float64",
  "string",
  "bytes",
  "records",
  "uuid",
] as const;

export type PrimitiveName = (typeof PRIMITIVE_TYPES)[number];

export type FieldType =
  | { readonly kind: "primitive"; readonly name: PrimitiveName }
  | { readonly kind: "array"; readonly element: PrimitiveType | StructType }
  | StructType;

export type PrimitiveType = { readonly kind: "primitive"; readonly name: PrimitiveName };
export type StructType = { readonly kind: "struct"; readonly struct: StructModel };

export type DefaultValue =
  | { readonly kind: "number"; readonly value: number }
  | { readonly kind: "bigint"; readonly value: bigint }
  | { readonly kind: "boolean"; readonly value: boolean }
  | { readonly kind: "string"; readonly value: string }
  | { readonly kind: "null" }
  /** Empty bytes or an empty array. */
  | { readonly kind: "empty" }
  | { readonly kind: "zeroUuid" }
  /** A struct whose fields all hold their defaults. */
  | { readonly kind: "struct"; readonly struct: StructModel };

export interface FieldModel {
  /** Name in the spec (PascalCase). */
  readonly specName: string;
  /** Property name in TypeScript (camelCase). */
  readonly name: string;
  readonly type: FieldType;
  readonly versions: VersionRange;
  readonly nullableVersions: VersionRange;
  /** NO_VERSIONS for a field that is never tagged. */
  readonly taggedVersions: VersionRange;
  readonly tag: number | undefined;
  /** A field-level override of the message's flexible versions (RequestHeader.ClientId). */
  readonly flexibleVersions: VersionRange | undefined;
  readonly defaultValue: DefaultValue;
  readonly ignorable: boolean;
}

export interface StructModel {
  /** Name in the spec. */
  readonly specName: string;
  /** Exported TypeScript interface name. */
  readonly typeName: string;
  readonly fields: FieldModel[];
  /** Versions at which this struct can appear on the wire (hull of the places it is used). */
  context: VersionRange;
  readonly isCommon: boolean;
}

export type MessageKind = RawMessageSpec["type"];

export interface MessageModel {
  readonly specName: string;
  /** Output file name without extension, e.g. produce-request. */
  readonly fileName: string;
  readonly kind: MessageKind;
  readonly apiKey: number | undefined;
  readonly validVersions: VersionRange;
  readonly flexibleVersions: VersionRange;
  readonly listeners: readonly string[];
  readonly latestVersionUnstable: boolean;
  /** The message itself, as a struct whose type name is the message name. */
  readonly root: StructModel;
  /** Every other struct, in the order the spec defines them (common structs first). */
  readonly structs: readonly StructModel[];
}

export function buildMessageModel(spec: RawMessageSpec): MessageModel {
  const where = spec.name;
  const validVersions = parseVersionRange(spec.validVersions);
  const flexibleVersions = parseVersionRange(spec.flexibleVersions);
  if (isEmpty(validVersions)) throw new Error(`${where}: no valid versions`);
  if (!isEmpty(flexibleVersions) && flexibleVersions.max !== parseVersionRange("0+").max) {
    throw new Error(`${where}: flexibleVersions must be open-ended ("N+") or "none"`);
  }

  const structs: StructModel[] = [];
  const byName = new Map<string, StructModel>();
  const newStruct = (specName: string, isCommon: boolean): StructModel => {
    if (byName.has(specName)) throw new Error(`${where}: struct ${specName} is defined twice`);
    const struct: StructModel = {
      specName,
      typeName: structTypeName(spec.name, specName),
      fields: [],
      context: NO_VERSIONS,
      isCommon,
    };
    byName.set(specName, struct);
    structs.push(struct);
    return struct;
  };

  // Common structs may refer to each other, so all are named before any is filled in.
  const common = (spec.commonStructs ?? []).map((c) => ({ raw: c, struct: newStruct(c.name, true) }));
  const root: StructModel = {
    specName: spec.name,
    typeName: spec.name,
    fields: [],
    context: validVersions,
    isCommon: false,
  };

  const fillStruct = (struct: StructModel, rawFields: RawFieldSpec[]): void => {
    const tags = new Set<number>();
    const names = new Set<string>();
    for (const raw of rawFields) {
      const field = buildField(raw, `${where}.${struct.specName}`);
      if (names.has(field.name))
        throw new Error(`${where}: duplicate field ${raw.name} in ${struct.specName}`);
      names.add(field.name);
      if (field.tag !== undefined) {
        if (tags.has(field.tag))
          throw new Error(`${where}: duplicate tag ${field.tag} in ${struct.specName}`);
        tags.add(field.tag);
      }
      struct.fields.push(field);
    }
  };

  const buildField = (raw: RawFieldSpec, owner: string): FieldModel => {
    const at = `${owner}.${raw.name}`;
    const versions = parseVersionRange(raw.versions);
    const nullableVersions = raw.nullableVersions ? parseVersionRange(raw.nullableVersions) : NO_VERSIONS;
    const taggedVersions = raw.taggedVersions ? parseVersionRange(raw.taggedVersions) : NO_VERSIONS;
    if ((raw.tag === undefined) !== isEmpty(taggedVersions)) {
      throw new Error(`${at}: "tag" and "taggedVersions" must be given together`);
    }
    if (raw.tag !== undefined) {
      // Kafka allows a field to be tagged in some versions and regular in others; no spec does
      // it, and supporting it would complicate every codec, so it is refused here.
      if (!sameRange(taggedVersions, versions)) {
        throw new Error(`${at}: taggedVersions must equal versions (field tagged in only some versions)`);
      }
      if (!covers(flexibleVersions, taggedVersions)) {
        throw new Error(`${at}: tagged in versions that are not flexible`);
      }
    }
    const type = resolveType(raw, at);
    if (!isEmpty(nullableVersions) && type.kind === "primitive" && !isNullablePrimitive(type.name)) {
      throw new Error(`${at}: type ${type.name} cannot be nullable`);
    }
    return {
      specName: raw.name,
      name: camelCase(raw.name),
      type,
      versions,
      nullableVersions,
      taggedVersions,
      tag: raw.tag,
      flexibleVersions:
        raw.flexibleVersions === undefined ? undefined : parseVersionRange(raw.flexibleVersions),
      defaultValue: parseDefault(raw, type, nullableVersions, at),
      ignorable: raw.ignorable === true,
    };
  };

  const resolveType = (raw: RawFieldSpec, at: string): FieldType => {
    const isArray = raw.type.startsWith("[]");
    const base = isArray ? raw.type.slice(2) : raw.type;
    let element: PrimitiveType | StructType;
    if ((PRIMITIVE_TYPES as readonly string[]).includes(base)) {
      if (raw.fields) throw new Error(`${at}: primitive type ${base} with fields`);
      element = { kind: "primitive", name: base as PrimitiveName };
    } else if (/^[A-Z]\w*$/.test(base)) {
      let struct: StructModel | undefined;
      if (raw.fields) {
        struct = newStruct(base, false);
        fillStruct(struct, raw.fields);
      } else {
        struct = byName.get(base);
        if (!struct) throw new Error(`${at}: unknown struct type ${base}`);
      }
      element = { kind: "struct", struct };
    } else {
      throw new Error(`${at}: unknown type ${raw.type}`);
    }
    if (!isArray) return element;
    if (element.kind === "primitive" && element.name === "records")
      throw new Error(`${at}: array of records`);
    return { kind: "array", element };
  };

  for (const { raw, struct } of common) fillStruct(struct, raw.fields);
  fillStruct(root, spec.fields);

  // Contexts: the versions at which each struct can be on the wire.
  const visit = (struct: StructModel, context: VersionRange): void => {
    for (const field of struct.fields) {
      const t = field.type.kind === "array" ? field.type.element : field.type;
      if (t.kind !== "struct") continue;
      const child = t.struct;
      const ctx = intersect(context, field.versions);
      if (isEmpty(ctx) || (!isEmpty(child.context) && covers(child.context, ctx))) continue;
      child.context = hull(child.context, ctx);
      visit(child, child.context);
    }
  };
  visit(root, validVersions);
  for (const { raw, struct } of common) {
    struct.context = intersect(struct.context, parseVersionRange(raw.versions));
  }

  return {
    specName: spec.name,
    fileName: kebabCase(spec.name),
    kind: spec.type,
    apiKey: spec.apiKey,
    validVersions,
    flexibleVersions,
    listeners: spec.listeners ?? [],
    latestVersionUnstable: spec.latestVersionUnstable === true,
    root,
    structs,
  };
}

function isNullablePrimitive(name: PrimitiveName): boolean {
  return name === "string" || name === "bytes" || name === "records";
}

const INT_RANGES: Partial<Record<PrimitiveName, [number, number]>> = {
  int8: [-128, 127],
  int16: [-32768, 32767],
  uint16: [0, 65535],
  int32: [-2147483648, 2147483647],
  uint32: [0, 4294967295],
};

function parseInteger(text: string, at: string): bigint {
  const m = /^(-?)(0x[0-9a-fA-F]+|\d+)$/.exec(text.trim());
  if (!m) throw new Error(`${at}: default "${text}" is not an integer`);
  const magnitude = BigInt(m[2]);
  return m[1] === "-" ? -magnitude : magnitude;
}

/** The spec's "default" (always a string in practice) as a typed value; else the type's zero. */
function parseDefault(raw: RawFieldSpec, type: FieldType, nullable: VersionRange, at: string): DefaultValue {
  const text = raw.default === undefined ? undefined : String(raw.default);
  if (text === "null") {
    if (isEmpty(nullable)) throw new Error(`${at}: default null on a field that is never nullable`);
    return { kind: "null" };
  }
  if (type.kind === "array") {
    if (text !== undefined && text !== "") throw new Error(`${at}: arrays can only default to null or empty`);
    return { kind: "empty" };
  }
  if (type.kind === "struct") {
    if (text !== undefined) throw new Error(`${at}: structs can only default to null`);
    return { kind: "struct", struct: type.struct };
  }
  switch (type.name) {
    case "bool": {
      if (text === undefined) return { kind: "boolean", value: false };
      const lower = text.toLowerCase();
      if (lower !== "true" && lower !== "false") throw new Error(`${at}: bad boolean default "${text}"`);
      return { kind: "boolean", value: lower === "true" };
    }
    case "int8":
    case "int16":
    case "uint16":
    case "int32":
    case "uint32": {
      if (text === undefined) return { kind: "number", value: 0 };
      const value = Number(parseInteger(text, at));
      const [min, max] = INT_RANGES[type.name]!;
      if (value < min || value > max) throw new Error(`${at}: default ${text} out of range for ${type.name}`);
      return { kind: "number", value };
    }
    case "int64": {
      if (text === undefined) return { kind: "bigint", value: 0n };
      const value = parseInteger(text, at);
      if (BigInt.asIntN(64, value) !== value)
        throw new Error(`${at}: default ${text} out of range for int64`);
      return { kind: "bigint", value };
    }
    case "float64": {
      if (text === undefined) return { kind: "number", value: 0 };
      const value = Number(text);
      if (Number.isNaN(value) && text.trim() !== "NaN")
        throw new Error(`${at}: bad float64 default "${text}"`);
      return { kind: "number", value };
    }
    case "string":
      return { kind: "string", value: text ?? "" };
    case "uuid":
      if (text !== undefined) throw new Error(`${at}: uuid defaults are not supported`);
      return { kind: "zeroUuid" };
    case "bytes":
      if (text !== undefined && text !== "")
        throw new Error(`${at}: bytes can only default to null or empty`);
      return { kind: "empty" };
    case "records":
      // Kafka's records fields default to null; a records field that is never nullable starts empty.
      if (text !== undefined) throw new Error(`${at}: records can only default to null`);
      return isEmpty(nullable) ? { kind: "empty" } : { kind: "null" };
  }
}

/** Every struct of a message, the message itself first. */
export function allStructs(message: MessageModel): StructModel[] {
  return [message.root, ...message.structs];
}

/** True when the field is a tagged field (in all of its versions, see buildField). */
export function isTagged(field: FieldModel): boolean {
  return field.tag !== undefined;
}

/**
 * Whether the property is required in the interface: present in every version the struct
 * appears at, and not tagged. Optional properties are encoded as their default when undefined.
 */
export function isRequired(field: FieldModel, struct: StructModel): boolean {
  return !isTagged(field) && covers(field.versions, struct.context);
}
