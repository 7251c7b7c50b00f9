import assert from "node:assert/strict";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import {
  ensureMetaProperties,
  META_PROPERTIES_FILE,
  readMetaProperties,
} from "../../src/metadata/meta-properties.js";
import { MetadataError } from "../../src/metadata/metadata-error.js";
import { seededRandom } from "../../src/metadata/ports.js";
import { withTempDir } from "./fixtures.js";

test("first start formats every log dir with one new cluster id; later starts keep it", async () => {
  await withTempDir(async (root) => {
    const dirs = [join(root, "a"), join(root, "b")];
    const first = await ensureMetaProperties({ logDirs: dirs, nodeId: 1, random: seededRandom(1) });
    assert.match(first.clusterId, /^[A-Za-z0-9_-]{22}$/);
    assert.deepEqual(first.formatted, dirs);
    const text = await readFile(join(dirs[0]!, META_PROPERTIES_FILE), "utf8");
    assert.match(text, /^version=1$/m);
    assert.match(text, /^node\.id=1$/m);
    assert.match(text, new RegExp(`^cluster\\.id=${first.clusterId}$`, "m"));
    assert.match(text, /^directory\.id=[A-Za-z0-9_-]{22}$/m);
    const ids = [...first.directoryIds.values()];
    assert.equal(new Set(ids).size, 2, "directory ids differ");

    const second = await ensureMetaProperties({ logDirs: dirs, nodeId: 1, random: seededRandom(2) });
    assert.equal(second.clusterId, first.clusterId);
    assert.deepEqual(second.formatted, []);
    assert.deepEqual([...second.directoryIds], [...first.directoryIds]);

    // the same directory spelled differently is one directory
    const spelled = await ensureMetaProperties({
      logDirs: [dirs[0]!, join(root, "x", "..", "a")],
      nodeId: 1,
      random: seededRandom(4),
    });
    assert.equal(spelled.directoryIds.size, 1);

    // a new, empty log dir joins the existing cluster
    const third = await ensureMetaProperties({
      logDirs: [...dirs, join(root, "c")],
      nodeId: 1,
      random: seededRandom(3),
    });
    assert.equal(third.clusterId, first.clusterId);
    assert.deepEqual(third.formatted, [join(root, "c")]);
  });
});

test("a log dir of another node stops startup with a clear message", async () => {
  await withTempDir(async (root) => {
    await ensureMetaProperties({ logDirs: [root], nodeId: 1, random: seededRandom(1) });
    await assert.rejects(
      ensureMetaProperties({ logDirs: [root], nodeId: 2, random: seededRandom(1) }),
      (e: unknown) => {
        assert.ok(e instanceof MetadataError);
        assert.equal(e.code, "META_PROPERTIES");
        assert.match(e.message, /Stored node id 1 doesn't match the configured node\.id 2/);
        assert.match(e.message, /meta\.properties/);
        return true;
      },
    );
  });
});

test("log dirs of different clusters stop startup", async () => {
  await withTempDir(async (root) => {
    const a = join(root, "a");
    const b = join(root, "b");
    const first = await ensureMetaProperties({ logDirs: [a], nodeId: 1, random: seededRandom(1) });
    const other = await ensureMetaProperties({ logDirs: [b], nodeId: 1, random: seededRandom(99) });
    assert.notEqual(first.clusterId, other.clusterId);
    await assert.rejects(
      ensureMetaProperties({ logDirs: [a, b], nodeId: 1, random: seededRandom(1) }),
      new RegExp(
        `Invalid cluster\\.id in: .*b/meta\\.properties\\. Expected ${first.clusterId}.*but read ${other.clusterId}`,
      ),
    );
  });
});

test("malformed or foreign meta.properties files are rejected", async () => {
  await withTempDir(async (root) => {
    const write = async (name: string, text: string) => {
      const dir = join(root, name);
      await mkdir(dir, { recursive: true });
      await writeFile(join(dir, META_PROPERTIES_FILE), text);
      return dir;
    };
    const zk = await write("zk", "version=0\nbroker.id=1\ncluster.id=abc\n");
    await assert.rejects(readMetaProperties(zk), /version 0; only version 1/);
    const noCluster = await write("nocluster", "version=1\nnode.id=1\n");
    await assert.rejects(readMetaProperties(noCluster), /cluster\.id was not specified/);
    const noNode = await write("nonode", "version=1\ncluster.id=abc\n");
    await assert.rejects(readMetaProperties(noNode), /node\.id was not specified/);
    const kafka = await write(
      "kafka",
      "#\n#Tue Jan 02 10:00:00 UTC 2024\nnode.id=1\ndirectory.id=aRAnDomIdOf22charsXXXw\nversion=1\ncluster.id=MkU3OEVBNTcwNTJENDM2Qk\n",
    );
    assert.deepEqual(await readMetaProperties(kafka), {
      version: 1,
      nodeId: 1,
      clusterId: "MkU3OEVBNTcwNTJENDM2Qk",
      directoryId: "aRAnDomIdOf22charsXXXw",
    });
    assert.equal(await readMetaProperties(join(root, "absent")), null);
    const dupA = await write(
      "dupA",
      "version=1\nnode.id=1\ncluster.id=MkU3OEVBNTcwNTJENDM2Qk\ndirectory.id=aRAnDomIdOf22charsXXXw\n",
    );
    await assert.rejects(
      ensureMetaProperties({ logDirs: [kafka, dupA], nodeId: 1, random: seededRandom(1) }),
      /Duplicate directory ID aRAnDomIdOf22charsXXXw found\. It was the ID of .*kafka, but also of .*dupA/,
    );
  });
});
