import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { CheckpointFile, parseSingleOffset } from "../../src/storage/checkpoint-file.js";
import { StorageError } from "../../src/storage/storage-error.js";
import { countingFileSystem, tempDir } from "./storage-test-kit.js";

const dir = tempDir();
after(() => dir.cleanup());

describe("CheckpointFile", () => {
  it("writes atomically with a version line and coalesces concurrent writes", async () => {
    const fs = countingFileSystem();
    const file = new CheckpointFile(fs, dir.path, "offsets");
    assert.equal(file.read(), undefined);
    const writes = [file.write(["1"]), file.write(["2"]), file.write(["3"]), file.write(["4"])];
    await Promise.all(writes);
    assert.equal(readFileSync(join(dir.path, "offsets"), "utf8"), "0\n4\n");
    assert.ok(fs.counts.fsync <= 2, `${fs.counts.fsync} fsyncs for 4 writes`);
    assert.deepEqual(file.read(), ["4"]);
    assert.equal(parseSingleOffset(file.read()!, "offsets"), 4);
  });

  it("rejects files without the version line or with more than an offset", () => {
    writeFileSync(join(dir.path, "bad"), "7\n1\n");
    assert.throws(() => new CheckpointFile(countingFileSystem(), dir.path, "bad").read(), StorageError);
    assert.throws(() => parseSingleOffset(["1", "2"], "x"), StorageError);
    assert.throws(() => parseSingleOffset(["abc"], "x"), StorageError);
  });
});
