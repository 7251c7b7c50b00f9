import { CodeBuilder } from "./code-builder.js";
import {
  allowsNull,
  differsFromDefault,
  encoderName,
  FIXED_METHOD,
  FIXED_SIZE,
  fieldLabel,
  valueOrDefault,
} from "./emit-expressions.js";
import { type FileNeeds, negateCondition, StructScope } from "./emit-state.js";
import {
  type FieldModel,
  type FieldType,
  isRequired,
  isTagged,
  type MessageModel,
  type StructModel,
} from "./model.js";
import { LocalNames, pascalCase } from "./names.js";
import { intersect, type VersionRange, versionCondition } from "./version-range.js";

/**
 * Emits `encodeX(w, version, msg)` for a struct: straight-line writes per field, guarded by
 * version checks only where the field's versions do not cover the struct's, then the tagged
 * field section in flexible versions.
 */
export function emitEncoder(message: MessageModel, struct: StructModel, needs: FileNeeds): CodeBuilder {
  const isRoot = struct === message.root;
  const scope = new StructScope(message, struct, needs);
  const names = new LocalNames(["w", "version", "msg", "flexible", "item", "tw", "tb", "numTaggedFields"]);
  const guard = new CodeBuilder(1);
  const body = new CodeBuilder(1);
  needs.writerType = true;

  if (isRoot) {
    const { min, max } = message.validVersions;
    guard.open(`if (version < ${min} || version > ${max}) {`);
    guard.line(`throw new RangeError(\`cannot encode ${message.specName} version \${version}\`);`);
    guard.close();
  }

  for (const field of struct.fields) {
    if (isTagged(field)) continue;
    const present = versionCondition(field.versions, struct.context);
    if (present === "false") continue;
    const fieldContext = scope.fieldContext(field);
    const guarded = present !== "true";
    if (guarded) body.open(`if (${present}) {`);
    let value = `msg.${field.name}`;
    if (!isRequired(field, struct)) {
      if (field.type.kind === "primitive" && FIXED_METHOD[field.type.name] !== undefined) {
        // Written once, so the default can go straight into the call.
        value = valueOrDefault(value, field, needs);
      } else {
        const local = names.take(field.name);
        body.line(`const ${local} = ${valueOrDefault(value, field, needs)};`);
        value = local;
      }
    }
    writeValue(
      body,
      scope,
      field,
      field.type,
      value,
      "w",
      fieldContext,
      scope.fieldFlexible(field, fieldContext),
    );
    if (guarded) body.close();
  }

  emitTaggedSection(body, scope, names);

  const out = new CodeBuilder();
  const exported = isRoot ? "export " : "";
  const usesVersion = /\bversion\b(?!:)/.test(guard.toString() + body.toString()) || scope.usesFlexible;
  const usesMsg = /\bmsg\b(?!:)/.test(body.toString());
  out.call(
    `${exported}function ${encoderName(struct)}(`,
    ["w: Writer", `${usesVersion ? "" : "_"}version: number`, `${usesMsg ? "" : "_"}msg: ${struct.typeName}`],
    "): void {",
    true,
  );
  out.append(guard);
  if (scope.usesFlexible) out.line(`const flexible = ${scope.flexibleCondition};`);
  out.append(body);
  out.close();
  return out;
}

function emitTaggedSection(body: CodeBuilder, scope: StructScope, names: LocalNames): void {
  const { struct, needs } = scope;
  const sectionCondition = scope.flexibleCondition;
  if (sectionCondition === "false") return;
  const tagged = struct.fields
    .filter((f) => isTagged(f) && versionCondition(f.taggedVersions, struct.context) !== "false")
    .sort((a, b) => a.tag! - b.tag!);
  const guarded = sectionCondition !== "true";
  // The versions the tagged section's code runs at.
  const sectionContext = intersect(struct.context, scope.message.flexibleVersions);
  if (tagged.length === 0) {
    body.line(guarded ? `if (${scope.flexible()}) w.unsignedVarint(0);` : "w.unsignedVarint(0);");
    return;
  }
  if (guarded) body.open(`if (${scope.flexible()}) {`);
  const writes: { field: FieldModel; value: string; flag: string }[] = [];
  for (const field of tagged) {
    const value = names.take(field.name);
    body.line(`const ${value} = ${valueOrDefault(`msg.${field.name}`, field, needs)};`);
    const flag = names.take(`write${pascalCase(field.name)}`);
    const inVersion = versionCondition(field.taggedVersions, sectionContext);
    const differs = differsFromDefault(value, field, needs);
    body.line(`const ${flag} = ${inVersion === "true" ? differs : `${inVersion} && ${differs}`};`);
    writes.push({ field, value, flag });
  }
  if (writes.length === 1) {
    body.line(`w.unsignedVarint(${writes[0].flag} ? 1 : 0);`);
  } else {
    body.line("let numTaggedFields = 0;");
    for (const { flag } of writes) body.line(`if (${flag}) numTaggedFields++;`);
    body.line("w.unsignedVarint(numTaggedFields);");
  }
  for (const { field, value, flag } of writes) {
    body.open(`if (${flag}) {`);
    body.line(`w.unsignedVarint(${field.tag});`);
    const fieldContext = intersect(sectionContext, field.taggedVersions);
    const size = field.type.kind === "primitive" ? FIXED_SIZE[field.type.name] : undefined;
    if (size !== undefined) {
      body.line(`w.unsignedVarint(${size});`);
      writeValue(body, scope, field, field.type, value, "w", fieldContext, "true");
    } else {
      needs.writerValue = true;
      body.line("const tw = new Writer();");
      writeValue(body, scope, field, field.type, value, "tw", fieldContext, "true");
      body.line("const tb = tw.toBuffer();");
      body.line("w.unsignedVarint(tb.length);");
      body.line("w.raw(tb);");
    }
    body.close();
  }
  if (guarded) body.close();
}

/**
 * Writes the value at `v` (an expression that may be repeated) of a field (or array element)
 * of `type` with writer `w`. `flexible` says whether variable-length parts are compact.
 */
function writeValue(
  body: CodeBuilder,
  scope: StructScope,
  field: FieldModel,
  type: FieldType,
  v: string,
  w: string,
  fieldContext: VersionRange,
  flexible: string,
): void {
  const isElement = type !== field.type;
  const mayBeNull = !isElement && allowsNull(field);
  const nullable = isElement ? "false" : scope.nullable(field, fieldContext);
  const label = fieldLabel(scope.struct, field);
  // A null where this version cannot carry one is a programming error, not bad input.
  const refuseNull = (knownNull = false): void => {
    if (!mayBeNull || nullable === "true") return;
    const parts = knownNull ? [] : [`${v} === null`];
    if (nullable !== "false") parts.push(negateCondition(nullable));
    const error = (): void => {
      body.call("throw new RangeError(", [`\`${label} cannot be null in version \${version}\``], ");");
    };
    if (parts.length === 0) {
      error();
      return;
    }
    body.open(`if (${parts.join(" && ")}) {`);
    error();
    body.close();
  };
  const either = (compact: string, classic: string): void => {
    if (flexible === "true") body.line(compact);
    else if (flexible === "false") body.line(classic);
    else body.line(`if (${flexible}) ${compact}`).line(`else ${classic}`);
  };

  if (type.kind === "primitive") {
    const fixed = FIXED_METHOD[type.name];
    if (fixed !== undefined) {
      body.line(`${w}.${fixed}(${v});`);
      return;
    }
    const kind = type.name === "string" ? "String" : "Bytes";
    refuseNull();
    if (mayBeNull) either(`${w}.compactNullable${kind}(${v});`, `${w}.nullable${kind}(${v});`);
    else either(`${w}.compact${kind}(${v});`, `${w}.${kind.toLowerCase()}(${v});`);
    return;
  }

  if (type.kind === "array") {
    const writeItems = (): void => {
      const item = "item";
      body.open(`for (const ${item} of ${v}) {`);
      writeValue(body, scope, field, type.element, item, w, fieldContext, flexible);
      body.close();
    };
    const length = (n: string): void => either(`${w}.compactArrayLength(${n});`, `${w}.arrayLength(${n});`);
    if (!mayBeNull) {
      length(`${v}.length`);
      writeItems();
      return;
    }
    if (nullable === "false") {
      refuseNull();
      length(`${v}.length`);
      writeItems();
      return;
    }
    body.open(`if (${v} === null) {`);
    refuseNull(true);
    length("-1");
    body.reopen("} else {");
    length(`${v}.length`);
    writeItems();
    body.close();
    return;
  }

  // A struct: nullable ones carry a presence byte (-1 null, 1 present) in nullable versions.
  const encode = `${encoderName(type.struct)}(${w}, version, ${v});`;
  if (!mayBeNull || nullable === "false") {
    refuseNull();
    body.line(encode);
    return;
  }
  body.open(`if (${v} === null) {`);
  refuseNull(true);
  body.line(`${w}.int8(-1);`);
  body.reopen("} else {");
  body.line(nullable === "true" ? `${w}.int8(1);` : `if (${nullable}) ${w}.int8(1);`);
  body.line(encode);
  body.close();
}
