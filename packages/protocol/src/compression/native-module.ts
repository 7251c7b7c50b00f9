import { createRequire } from "node:module";

const require = createRequire(import.meta.url);

/**
 * A CommonJS package loaded on first use. The native codecs (snappy, lz4, zstd) add about 10 MB
 * to a process's memory when loaded, and a broker or client whose batches are uncompressed never
 * needs them.
 */
export function loadOnFirstUse<T>(name: string): () => T {
  let loaded: T | undefined;
  return () => {
    loaded ??= require(name) as T;
    return loaded;
  };
}
