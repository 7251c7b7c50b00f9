import { CodeBuilder, importLine } from "./code-builder.js";
import { emitDecoder } from "./emit-decoder.js";
import { emitDefaultHelpers } from "./emit-defaults.js";
import { emitEncoder } from "./emit-encoder.js";
import { tsType } from "./emit-expressions.js";
import { type FileNeeds, isLive, newFileNeeds } from "./emit-state.js";
import { generatedHeader } from "./generated-header.js";
import { allStructs, isRequired, type MessageModel, type StructModel } from "./model.js";

/** One message spec -> one TypeScript file: interfaces, then encoders, decoders and helpers. */
export function emitMessageFile(message: MessageModel): string {
  const needs = newFileNeeds();
  const structs = allStructs(message);
  const live = structs.filter(isLive);

  const interfaces = structs.map((s) => emitInterface(s, needs));
  const encoders = live.map((s) => emitEncoder(message, s, needs));
  const decoders = live.map((s) => emitDecoder(message, s, needs));
  const helpers = emitDefaultHelpers(structs, needs);

  const out = new CodeBuilder();
  out.lines(generatedHeader(`${message.specName}.json`));
  out.line();
  out.lines(imports(needs));
  for (const block of [...interfaces, ...encoders, ...decoders, ...helpers]) {
    out.line();
    out.append(block);
  }
  return out.toString();
}

function emitInterface(struct: StructModel, needs: FileNeeds): CodeBuilder {
  const cb = new CodeBuilder();
  if (struct.fields.length === 0) return cb.line(`export type ${struct.typeName} = Record<string, never>;`);
  cb.open(`export interface ${struct.typeName} {`);
  for (const f of struct.fields) {
    cb.line(`${f.name}${isRequired(f, struct) ? "" : "?"}: ${tsType(f, needs)};`);
  }
  return cb.close();
}

function imports(needs: FileNeeds): string[] {
  const lines: string[] = [];
  if (needs.protocolError) lines.push(...importLine(["ProtocolError"], "../codec/protocol-error.js"));
  if (needs.readerValue) lines.push(...importLine(["Reader"], "../codec/reader.js"));
  else if (needs.readerType) lines.push(...importLine(["Reader"], "../codec/reader.js", true));
  if (needs.zeroUuid) {
    lines.push(...importLine([...(needs.uuidType ? ["type Uuid"] : []), "ZERO_UUID"], "../codec/uuid.js"));
  } else if (needs.uuidType) {
    lines.push(...importLine(["Uuid"], "../codec/uuid.js", true));
  }
  if (needs.writerValue) lines.push(...importLine(["Writer"], "../codec/writer.js"));
  else if (needs.writerType) lines.push(...importLine(["Writer"], "../codec/writer.js", true));
  const support = [
    ...(needs.emptyBytes ? ["EMPTY_BYTES"] : []),
    ...(needs.skipTaggedFields ? ["skipTaggedFields"] : []),
  ];
  if (support.length > 0) lines.push(...importLine(support, "./support.js"));
  return lines;
}
