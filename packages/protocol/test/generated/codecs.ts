import type { MessageModel } from "../../generator/model.js";
import type { Reader, Writer } from "../../src/index.js";
import * as generated from "../../src/index.js";

export type Encoder = (w: Writer, version: number, msg: unknown) => void;
export type Decoder = (r: Reader, version: number) => unknown;

/** The generated encoder and decoder of a message, looked up by name (tests only). */
export function codecsOf(message: MessageModel): { encode: Encoder; decode: Decoder } {
  const all = generated as unknown as Record<string, unknown>;
  const encode = all[`encode${message.specName}`];
  const decode = all[`decode${message.specName}`];
  if (typeof encode !== "function" || typeof decode !== "function") {
    throw new Error(`no generated codec exported for ${message.specName}`);
  }
  return { encode: encode as Encoder, decode: decode as Decoder };
}
