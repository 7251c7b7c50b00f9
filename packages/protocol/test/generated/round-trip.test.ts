import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { loadMessageModels } from "../../generator/generate.js";
import { ProtocolError, Reader, Writer } from "../../src/index.js";
import { codecsOf } from "./codecs.js";
import { SPEC_DIR } from "./paths.js";
import { expectedDecode, Random, randomStruct } from "./random-values.js";

const models = loadMessageModels(SPEC_DIR);
const SEEDS_PER_VERSION = 12;

function versionsOf(min: number, max: number): number[] {
  return Array.from({ length: max - min + 1 }, (_, i) => min + i);
}

describe("every message round-trips at every valid version", () => {
  for (const message of models) {
    test(message.specName, () => {
      const { encode, decode } = codecsOf(message);
      const { min, max } = message.validVersions;
      for (const version of versionsOf(min, max)) {
        for (let s = 0; s < SEEDS_PER_VERSION; s++) {
          const seed = (message.specName.length * 7919 + version * 131 + s) >>> 0;
          const where = `${message.specName} v${version} seed ${seed}`;
          const value = randomStruct(message.root, version, new Random(seed));
          const w = new Writer(16);
          encode(w, version, value);
          const bytes = w.toBuffer();

          const r = new Reader(bytes);
          const decoded = decode(r, version);
          assert.equal(r.remaining(), 0, `${where}: bytes left over`);
          assert.deepStrictEqual(decoded, expectedDecode(message.root, value, version), where);

          const again = new Writer();
          encode(again, version, decoded);
          assert.ok(again.toBuffer().equals(bytes), `${where}: re-encoding changed the bytes`);
        }
      }
    });
  }
});

describe("bad input ends in a ProtocolError, never another exception", () => {
  for (const message of models) {
    test(message.specName, () => {
      const { encode, decode } = codecsOf(message);
      const { min, max } = message.validVersions;
      for (const version of versionsOf(min, max)) {
        const seed = (message.specName.length * 104729 + version) >>> 0;
        const rnd = new Random(seed);
        const w = new Writer();
        encode(w, version, randomStruct(message.root, version, rnd));
        const bytes = w.toBuffer();
        // Every proper prefix is truncated input.
        for (let cut = 0; cut < bytes.length; cut++) {
          assert.throws(
            () => decode(new Reader(bytes.subarray(0, cut)), version),
            ProtocolError,
            `${message.specName} v${version} cut at ${cut}`,
          );
        }
        // Mutated bytes may decode to something else, but may only fail with ProtocolError.
        for (let m = 0; m < 20 && bytes.length > 0; m++) {
          const mutated = Buffer.from(bytes);
          for (let k = rnd.int(1, 3); k > 0; k--) mutated[rnd.int(0, mutated.length - 1)] = rnd.int(0, 255);
          try {
            decode(new Reader(mutated), version);
          } catch (err) {
            assert.ok(err instanceof ProtocolError, `${message.specName} v${version} seed ${seed}: ${err}`);
          }
        }
      }
    });
  }
});

test("versions outside validVersions are refused", () => {
  const produce = models.find((m) => m.specName === "ProduceRequest")!;
  const { encode, decode } = codecsOf(produce);
  assert.throws(
    () => decode(new Reader(Buffer.alloc(64)), produce.validVersions.max + 1),
    (err: unknown) => err instanceof ProtocolError && err.code === "UNSUPPORTED_VERSION",
  );
  assert.throws(() => encode(new Writer(), -1, {}), RangeError);
});
