import type { FileNeeds } from "./emit-state.js";
import type { DefaultValue, FieldModel, FieldType, PrimitiveName, StructModel } from "./model.js";
import { isEmpty } from "./version-range.js";

/** TypeScript snippets shared by the emitters: types, default values, default comparisons. */

const PRIMITIVE_TS: Record<PrimitiveName, string> = {
  bool: "boolean",
  int8: "number",
  int16: "number",
  uint16: "number",
  int32: "number",
  uint32: "number",
  int64: "bigint",
  float64: "number",
  string: "string",
  bytes: "Buffer",
  records: "Buffer",
  uuid: "Uuid",
};

/** Bytes taken by a fixed-size primitive, or undefined for variable-length ones. */
export const FIXED_SIZE: Partial<Record<PrimitiveName, number>> = {
  bool: 1,
  int8: 1,
  int16: 2,
  uint16: 2,
  int32: 4,
  uint32: 4,
  int64: 8,
  float64: 8,
  uuid: 16,
};

/** The Reader/Writer method for a fixed-size primitive. */
export const FIXED_METHOD: Partial<Record<PrimitiveName, string>> = {
  bool: "boolean",
  int8: "int8",
  int16: "int16",
  uint16: "uint16",
  int32: "int32",
  uint32: "uint32",
  int64: "int64",
  float64: "float64",
  uuid: "uuid",
};

/** Whether the field's TypeScript type includes null (records always do: they are nullable bytes on the wire). */
export function allowsNull(field: FieldModel): boolean {
  return (
    !isEmpty(field.nullableVersions) ||
    field.defaultValue.kind === "null" ||
    (field.type.kind === "primitive" && field.type.name === "records")
  );
}

/** The TypeScript type of a primitive (records and bytes are both Buffers). */
export function primitiveType(name: PrimitiveName, needs: FileNeeds): string {
  if (name === "uuid") needs.uuidType = true;
  return PRIMITIVE_TS[name];
}

function elementType(type: FieldType, needs: FileNeeds): string {
  if (type.kind === "struct") return type.struct.typeName;
  if (type.kind === "array") return `${elementType(type.element, needs)}[]`;
  return primitiveType(type.name, needs);
}

export function tsType(field: FieldModel, needs: FileNeeds): string {
  const base = elementType(field.type, needs);
  return allowsNull(field) ? `${base} | null` : base;
}

function literal(value: DefaultValue, needs: FileNeeds, type: FieldType): string {
  switch (value.kind) {
    case "number":
      return Object.is(value.value, -0) ? "0" : String(value.value);
    case "bigint":
      return `${value.value}n`;
    case "boolean":
      return String(value.value);
    case "string":
      return JSON.stringify(value.value);
    case "null":
      return "null";
    case "empty":
      if (type.kind === "array") return "[]";
      needs.emptyBytes = true;
      return "EMPTY_BYTES";
    case "zeroUuid":
      needs.zeroUuid = true;
      return "ZERO_UUID";
    case "struct":
      needs.defaultFactories.add(value.struct);
      return `${defaultFactoryName(value.struct)}()`;
  }
}

/** A fresh default value for the field, as an expression. */
export function defaultExpr(field: FieldModel, needs: FileNeeds): string {
  return literal(field.defaultValue, needs, field.type);
}

/**
 * `msg.x` when the property is required, otherwise the property with its default filled in.
 * `??` would also replace an explicit null, so nullable fields test for undefined.
 */
export function valueOrDefault(access: string, field: FieldModel, needs: FileNeeds): string {
  const d = defaultExpr(field, needs);
  return allowsNull(field) ? `${access} === undefined ? ${d} : ${access}` : `${access} ?? ${d}`;
}

/** Whether the value at `v` differs from the field's default (a tagged field is written only then). */
export function differsFromDefault(v: string, field: FieldModel, needs: FileNeeds): string {
  const d = field.defaultValue;
  const nullable = allowsNull(field);
  switch (d.kind) {
    case "null":
      return `${v} !== null`;
    case "empty":
      return nullable ? `(${v} === null || ${v}.length !== 0)` : `${v}.length !== 0`;
    case "struct": {
      needs.defaultPredicates.add(d.struct);
      const call = `${defaultPredicateName(d.struct)}(${v})`;
      return nullable ? `(${v} === null || !${call})` : `!${call}`;
    }
    default:
      return `${v} !== ${literal(d, needs, field.type)}`;
  }
}

/** The conditions (to be joined with &&) under which the value at `v` equals the field's default. */
export function equalsDefault(v: string, field: FieldModel, needs: FileNeeds): string[] {
  const d = field.defaultValue;
  const nullable = allowsNull(field);
  switch (d.kind) {
    case "null":
      return [`${v} === null`];
    case "empty":
      return nullable ? [`${v} !== null`, `${v}.length === 0`] : [`${v}.length === 0`];
    case "struct": {
      needs.defaultPredicates.add(d.struct);
      const call = `${defaultPredicateName(d.struct)}(${v})`;
      return nullable ? [`${v} !== null`, call] : [call];
    }
    default:
      return [`${v} === ${literal(d, needs, field.type)}`];
  }
}

export function encoderName(struct: StructModel): string {
  return `encode${struct.typeName}`;
}

export function decoderName(struct: StructModel): string {
  return `decode${struct.typeName}`;
}

export function defaultFactoryName(struct: StructModel): string {
  return `default${struct.typeName}`;
}

export function defaultPredicateName(struct: StructModel): string {
  return `isDefault${struct.typeName}`;
}

/** Names a field in error messages by its spec names, e.g. "TopicProduceData.PartitionData". */
export function fieldLabel(struct: StructModel, field: FieldModel): string {
  return `${struct.specName}.${field.specName}`;
}
