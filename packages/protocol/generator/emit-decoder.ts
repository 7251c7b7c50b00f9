import { CodeBuilder } from "./code-builder.js";
import {
  allowsNull,
  decoderName,
  defaultExpr,
  FIXED_METHOD,
  fieldLabel,
  primitiveType,
  tsType,
} from "./emit-expressions.js";
import { type FileNeeds, negateCondition, StructScope } from "./emit-state.js";
import { type FieldModel, isTagged, type MessageModel, type StructModel } from "./model.js";
import { LocalNames } from "./names.js";
import { intersect, type VersionRange, versionCondition } from "./version-range.js";

/**
 * Emits `decodeX(r, version)` for a struct: reads each field present at the version into a
 * local, reads known tagged fields from the tagged section (skipping unknown tags), and returns
 * an object literal holding every field, absent ones set to their defaults.
 */
export function emitDecoder(message: MessageModel, struct: StructModel, needs: FileNeeds): CodeBuilder {
  const isRoot = struct === message.root;
  const scope = new StructScope(message, struct, needs);
  const names = new LocalNames([
    "r",
    "version",
    "flexible",
    "i",
    "j",
    "tag",
    "size",
    "tr",
    "numTaggedFields",
  ]);
  const guard = new CodeBuilder(1);
  const body = new CodeBuilder(1);
  needs.readerType = true;

  if (isRoot && !(isDataType(message) && message.validVersions.min === 0)) {
    const { min, max } = message.validVersions;
    // Data types (embedded in other payloads) are read at newer versions too, as Kafka does,
    // so that a newer writer's extra trailing fields are ignored rather than refused.
    const open = isDataType(message);
    needs.protocolError = true;
    guard.open(open ? `if (version < ${min}) {` : `if (version < ${min} || version > ${max}) {`);
    guard.call(
      "throw new ProtocolError(",
      [`\`unsupported ${message.specName} version \${version}\``, '"UNSUPPORTED_VERSION"'],
      ");",
    );
    guard.close();
  }

  const result: string[] = [];
  const tagged: { field: FieldModel; local: string }[] = [];
  for (const field of struct.fields) {
    if (isTagged(field)) {
      if (versionCondition(field.taggedVersions, struct.context) === "false") {
        result.push(`${field.name}: ${defaultExpr(field, needs)}`);
        continue;
      }
      const local = names.take(field.name);
      body.line(`let ${local}: ${tsType(field, needs)} = ${defaultExpr(field, needs)};`);
      tagged.push({ field, local });
      result.push(property(field.name, local));
      continue;
    }
    const present = versionCondition(field.versions, struct.context);
    if (present === "false") {
      result.push(`${field.name}: ${defaultExpr(field, needs)}`);
      continue;
    }
    const local = names.take(field.name);
    const fieldContext = scope.fieldContext(field);
    const flexible = scope.fieldFlexible(field, fieldContext);
    if (present === "true") {
      readValue(body, scope, names, field, local, "const", "r", fieldContext, flexible);
    } else {
      body.line(`let ${local}: ${tsType(field, needs)} = ${defaultExpr(field, needs)};`);
      body.open(`if (${present}) {`);
      readValue(body, scope, names, field, local, "assign", "r", fieldContext, flexible);
      body.close();
    }
    result.push(property(field.name, local));
  }

  emitTaggedSection(body, scope, tagged, names);

  if (result.length === 0) {
    body.line("return {};");
  } else {
    body.open("return {");
    for (const p of result) body.line(`${p},`);
    body.close("};");
  }

  const out = new CodeBuilder();
  const exported = isRoot ? "export " : "";
  const text = guard.toString() + body.toString();
  const usesVersion = /\bversion\b(?!:)/.test(text) || scope.usesFlexible;
  const usesReader = /\br\b(?!:)/.test(text) || scope.usesFlexible;
  out.call(
    `${exported}function ${decoderName(struct)}(`,
    [`${usesReader ? "" : "_"}r: Reader`, `${usesVersion ? "" : "_"}version: number`],
    `): ${struct.typeName} {`,
    true,
  );
  out.append(guard);
  if (scope.usesFlexible) out.line(`const flexible = ${scope.flexibleCondition};`);
  out.append(body);
  out.close();
  return out;
}

/** Data types are payloads inside other messages (consumer protocol, KRaft records). */
function isDataType(message: MessageModel): boolean {
  return message.kind === "data" || message.kind === "metadata";
}

function property(name: string, local: string): string {
  return name === local ? name : `${name}: ${local}`;
}

function emitTaggedSection(
  body: CodeBuilder,
  scope: StructScope,
  tagged: { field: FieldModel; local: string }[],
  names: LocalNames,
): void {
  const { struct, needs } = scope;
  const sectionCondition = scope.flexibleCondition;
  if (sectionCondition === "false") return;
  const guarded = sectionCondition !== "true";
  if (tagged.length === 0) {
    needs.skipTaggedFields = true;
    body.line(guarded ? `if (${scope.flexible()}) skipTaggedFields(r);` : "skipTaggedFields(r);");
    return;
  }
  needs.readerValue = true;
  // The versions the tagged section's code runs at.
  const sectionContext = intersect(struct.context, scope.message.flexibleVersions);
  if (guarded) body.open(`if (${scope.flexible()}) {`);
  body.line("const numTaggedFields = r.unsignedVarint();");
  body.open("for (let j = 0; j < numTaggedFields; j++) {");
  body.line("const tag = r.unsignedVarint();");
  body.line("const size = r.unsignedVarint();");
  // Each known tagged field is read through a reader bounded to its declared size.
  body.line("const tr = new Reader(r.buf, r.offset, r.offset + size);");
  body.line("r.skip(size);");
  body.open("switch (tag) {");
  for (const { field, local } of [...tagged].sort((a, b) => a.field.tag! - b.field.tag!)) {
    body.open(`case ${field.tag}: {`);
    const inVersion = versionCondition(field.taggedVersions, sectionContext);
    const fieldContext = intersect(sectionContext, field.taggedVersions);
    if (inVersion !== "true") body.open(`if (${inVersion}) {`);
    readValue(body, scope, names, field, local, "assign", "tr", fieldContext, "true");
    if (inVersion !== "true") body.close();
    body.line("break;");
    body.close();
  }
  body.close();
  body.close();
  if (guarded) body.close();
}

/**
 * Reads a field's value into `local`, declaring it (`const`) or assigning an existing `let`.
 * `flexible` says whether variable-length parts are compact; `r` is the reader variable.
 */
function readValue(
  body: CodeBuilder,
  scope: StructScope,
  names: LocalNames,
  field: FieldModel,
  local: string,
  mode: "const" | "assign",
  r: string,
  fieldContext: VersionRange,
  flexible: string,
): void {
  const { needs } = scope;
  const declare = mode === "const" ? "const " : "";
  const nullable = scope.nullable(field, fieldContext);
  const mayBeNull = allowsNull(field);
  const label = fieldLabel(scope.struct, field);
  const either = (compact: string, classic: string): string => {
    if (flexible === "true") return compact;
    if (flexible === "false") return classic;
    return `${flexible} ? ${compact} : ${classic}`;
  };
  const refuseNull = (isNull: string): void => {
    if (nullable === "true") return;
    needs.protocolError = true;
    const when = nullable === "false" ? isNull : `${isNull} && ${negateCondition(nullable)}`;
    body.open(`if (${when}) {`);
    body.call("throw new ProtocolError(", [`"null in non-nullable field ${label}"`], ");");
    body.close();
  };
  const type = field.type;

  if (type.kind === "primitive") {
    const fixed = FIXED_METHOD[type.name];
    if (fixed !== undefined) {
      body.line(`${declare}${local} = ${r}.${fixed}();`);
      return;
    }
    const kind = type.name === "string" ? "String" : "Bytes";
    if (!mayBeNull) {
      body.line(`${declare}${local} = ${either(`${r}.compact${kind}()`, `${r}.${kind.toLowerCase()}()`)};`);
      return;
    }
    body.line(`${declare}${local} = ${either(`${r}.compactNullable${kind}()`, `${r}.nullable${kind}()`)};`);
    refuseNull(`${local} === null`);
    return;
  }

  if (type.kind === "array") {
    const count = names.take(`${local}Count`);
    body.line(`const ${count} = ${either(`${r}.compactArrayLength()`, `${r}.arrayLength()`)};`);
    const element = type.element;
    const readElement =
      element.kind === "struct"
        ? `${decoderName(element.struct)}(${r}, version)`
        : elementRead(element.name, r, either);
    const elementType =
      element.kind === "struct" ? element.struct.typeName : primitiveType(element.name, needs);
    let items = local;
    if (!mayBeNull || nullable === "false") {
      refuseNull(`${count} < 0`);
      if (mode === "const") body.line(`const ${local}: ${elementType}[] = [];`);
      else body.line(`${local} = [];`);
    } else {
      refuseNull(`${count} < 0`);
      items = names.take(`${local}Items`);
      body.line(`const ${items}: ${elementType}[] = [];`);
    }
    body.open(`for (let i = 0; i < ${count}; i++) {`);
    body.call(`${items}.push(`, [readElement], ");");
    body.close();
    if (items !== local) body.line(`${declare}${local} = ${count} < 0 ? null : ${items};`);
    return;
  }

  // A struct; nullable ones carry a presence byte in nullable versions.
  const decode = `${decoderName(type.struct)}(${r}, version)`;
  if (!mayBeNull || nullable === "false") {
    body.line(`${declare}${local} = ${decode};`);
  } else if (nullable === "true") {
    body.line(`${declare}${local} = ${r}.int8() < 0 ? null : ${decode};`);
  } else {
    body.line(`${declare}${local} = ${nullable} && ${r}.int8() < 0 ? null : ${decode};`);
  }
}

function elementRead(name: string, r: string, either: (compact: string, classic: string) => string): string {
  if (name === "string") return either(`${r}.compactString()`, `${r}.string()`);
  if (name === "bytes") return either(`${r}.compactBytes()`, `${r}.bytes()`);
  const fixed = FIXED_METHOD[name as keyof typeof FIXED_METHOD];
  if (fixed === undefined) throw new Error(`unsupported array element type ${name}`);
  return `${r}.${fixed}()`;
}
