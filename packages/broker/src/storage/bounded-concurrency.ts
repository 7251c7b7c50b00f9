/**
 * At most this many logs are opened, checkpointed or closed at once per operation. Each holds a
 * few file descriptors while it works (segment, index files, a checkpoint's temporary file), so
 * doing 10,000 partitions at once would exceed the open-file limit (EMFILE); a few dozen at a
 * time keeps the libuv thread pool and the disk busy all the same.
 */
export const LOG_IO_CONCURRENCY = 32;

/** Runs `task` for every item, at most `limit` at a time; resolves when all are done. */
export async function forEachLimited<T>(
  items: Iterable<T>,
  limit: number,
  task: (item: T) => Promise<void>,
): Promise<void> {
  const iterator = items[Symbol.iterator]();
  const worker = async (): Promise<void> => {
    for (let next = iterator.next(); !next.done; next = iterator.next()) await task(next.value);
  };
  await Promise.all(Array.from({ length: Math.max(1, limit) }, worker));
}
