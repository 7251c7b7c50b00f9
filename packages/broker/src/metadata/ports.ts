import { randomBytes, randomInt } from "node:crypto";

/**
 * The ports the metadata core is given instead of reaching for the system: time and randomness.
 * The broker passes the system implementations; tests and the simulator pass seeded ones, so a
 * run (topic ids included) is reproducible from its seed.
 */

/** Wall-clock time in milliseconds since the epoch. */
export interface Clock {
  now(): number;
}

export interface Random {
  /** `length` uniformly random bytes. */
  nextBytes(length: number): Buffer;
  /** A uniformly random integer in [0, bound). */
  nextInt(bound: number): number;
}

export const systemClock: Clock = { now: () => Date.now() };

export const systemRandom: Random = {
  nextBytes: (length) => randomBytes(length),
  nextInt: (bound) => randomInt(bound),
};

/** A deterministic Random (mulberry32) for tests and simulation. Not for secrets. */
export function seededRandom(seed: number): Random {
  let state = seed >>> 0;
  const next32 = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
  return {
    nextBytes(length) {
      const out = Buffer.allocUnsafe(length);
      for (let i = 0; i < length; i += 4) {
        const word = next32();
        for (let j = 0; j < 4 && i + j < length; j++) out[i + j] = (word >>> (8 * j)) & 0xff;
      }
      return out;
    },
    nextInt(bound) {
      return Math.floor((next32() / 2 ** 32) * bound);
    },
  };
}
