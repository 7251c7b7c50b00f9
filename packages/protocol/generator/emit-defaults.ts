import { CodeBuilder } from "./code-builder.js";
import { defaultExpr, defaultFactoryName, defaultPredicateName, equalsDefault } from "./emit-expressions.js";
import type { FileNeeds } from "./emit-state.js";
import { isRequired, type StructModel } from "./model.js";

/**
 * Emits the `defaultX()` factories (a struct with every field at its default, for absent
 * struct fields) and `isDefaultX(v)` predicates (for tagged struct fields, which are written
 * only when they differ from the default) that the codecs asked for, in a stable order.
 */
export function emitDefaultHelpers(structOrder: readonly StructModel[], needs: FileNeeds): CodeBuilder[] {
  // Emitting a helper can ask for more (nested structs), so loop until nothing new appears.
  const done = new Set<string>();
  const out = new Map<string, CodeBuilder>();
  for (;;) {
    const pending: [string, StructModel, "factory" | "predicate"][] = [];
    for (const s of needs.defaultFactories) pending.push([`f:${s.typeName}`, s, "factory"]);
    for (const s of needs.defaultPredicates) pending.push([`p:${s.typeName}`, s, "predicate"]);
    const fresh = pending.filter(([key]) => !done.has(key));
    if (fresh.length === 0) break;
    for (const [key, struct, kind] of fresh) {
      done.add(key);
      out.set(key, kind === "factory" ? emitFactory(struct, needs) : emitPredicate(struct, needs));
    }
  }
  const ordered: CodeBuilder[] = [];
  for (const kind of ["f", "p"]) {
    for (const struct of structOrder) {
      const cb = out.get(`${kind}:${struct.typeName}`);
      if (cb) ordered.push(cb);
    }
  }
  return ordered;
}

function emitFactory(struct: StructModel, needs: FileNeeds): CodeBuilder {
  const cb = new CodeBuilder();
  cb.open(`function ${defaultFactoryName(struct)}(): ${struct.typeName} {`);
  if (struct.fields.length === 0) {
    cb.line("return {};");
  } else {
    cb.open("return {");
    for (const f of struct.fields) cb.line(`${f.name}: ${defaultExpr(f, needs)},`);
    cb.close("};");
  }
  return cb.close();
}

function emitPredicate(struct: StructModel, needs: FileNeeds): CodeBuilder {
  const cb = new CodeBuilder();
  const operands: string[] = [];
  for (const f of struct.fields) {
    const access = `v.${f.name}`;
    const equal = equalsDefault(access, f, needs);
    if (isRequired(f, struct)) operands.push(...equal);
    else operands.push(`(${access} === undefined || ${wrapAll(equal)})`);
  }
  cb.open(
    `function ${defaultPredicateName(struct)}(${operands.length === 0 ? "_v" : "v"}: ${struct.typeName}): boolean {`,
  );
  cb.returnAll(operands);
  return cb.close();
}

function wrapAll(conditions: string[]): string {
  return conditions.length === 1 ? conditions[0] : `(${conditions.join(" && ")})`;
}
