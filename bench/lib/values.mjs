// Message values for every benchmark: 1 KiB of JSON-like text (no newlines, so kcat can read
// them line by line), deterministic, and compressible about as much as typical event payloads
// (lz4 roughly 2:1), so that compressed runs neither flatter nor penalize the codec.
const WORDS = (
  "order user session click view cart checkout payment shipped delivered refund account region " +
  "europe america asia mobile desktop tablet android ios chrome firefox safari price amount " +
  "currency eur usd gbp status active pending failed retry warehouse sku product category books " +
  "music games garden kitchen sports toys video search query result page referrer campaign email"
).split(" ");

/** A small seeded PRNG (xorshift32), so every run sends the same bytes. */
function prng(seed) {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x;
  };
}

/** `count` distinct values of exactly `size` bytes. */
export function makeValues(count, size = 1024, seed = 42) {
  const next = prng(seed);
  const values = [];
  for (let i = 0; i < count; i++) {
    let s = `{"id":${next() % 1000000},"ts":${1700000000000 + (next() % 100000000)},"fields":{`;
    while (s.length < size) {
      s += `"${WORDS[next() % WORDS.length]}":"${WORDS[next() % WORDS.length]}-${next() % 10000}",`;
    }
    const buf = Buffer.from(s.slice(0, size - 2) + "}}", "latin1");
    values.push(buf);
  }
  return values;
}
