import { constants } from "node:fs";
import { mkdir, open, readFile, rename } from "node:fs/promises";
import { join, resolve } from "node:path";
import type { Uuid } from "@weir/protocol";
import { parseProperties } from "../config/properties-parser.js";
import { MetadataError } from "./metadata-error.js";
import type { Random } from "./ports.js";
import { isReservedUuid, isUuidString, randomUuid } from "./random-uuid.js";

/**
 * `meta.properties`, the identity file Kafka keeps in every log directory (KRaft format,
 * version 1): which node owns the directory, which cluster it belongs to, and the directory's
 * own id. Weir formats directories itself on first start (Kafka needs `kafka-storage format`):
 * the cluster id is created once and then kept. A directory that belongs to another node or
 * another cluster stops the startup with an explanation, as in Kafka.
 */

export const META_PROPERTIES_FILE = "meta.properties";

export interface MetaProperties {
  readonly version: 1;
  readonly nodeId: number;
  readonly clusterId: string;
  readonly directoryId: Uuid;
}

const fail = (message: string) => new MetadataError("META_PROPERTIES", message);

/** Reads `<dir>/meta.properties`; null when the file does not exist. */
export async function readMetaProperties(dir: string): Promise<Partial<MetaProperties> | null> {
  const path = join(dir, META_PROPERTIES_FILE);
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw fail(`cannot read ${path}: ${(e as Error).message}`);
  }
  const props = parseProperties(text);
  const version = props.get("version") ?? "0";
  if (version.trim() !== "1") {
    throw fail(`${path} has version ${version}; only version 1 (KRaft) is supported`);
  }
  const clusterId = props.get("cluster.id")?.trim();
  if (clusterId === undefined || clusterId === "")
    throw fail(`cluster.id was not specified in the v1 file: ${path}`);
  const nodeIdText = props.get("node.id")?.trim();
  if (nodeIdText === undefined || !/^\d+$/.test(nodeIdText))
    throw fail(`node.id was not specified in ${path}`);
  const directoryId = props.get("directory.id")?.trim();
  if (directoryId !== undefined && !isUuidString(directoryId)) {
    throw fail(`invalid directory.id ${directoryId} in ${path}`);
  }
  return {
    version: 1,
    nodeId: Number(nodeIdText),
    clusterId,
    ...(directoryId === undefined ? {} : { directoryId }),
  };
}

export function formatMetaProperties(p: MetaProperties): string {
  return [
    "#",
    "# Written by Weir. Identifies the node and cluster this log directory belongs to.",
    `cluster.id=${p.clusterId}`,
    `directory.id=${p.directoryId}`,
    `node.id=${p.nodeId}`,
    `version=${p.version}`,
    "",
  ].join("\n");
}

/** Writes `<dir>/meta.properties` atomically and durably (temp file, fsync, rename, fsync dir). */
export async function writeMetaProperties(dir: string, p: MetaProperties): Promise<void> {
  const path = join(dir, META_PROPERTIES_FILE);
  const tmp = `${path}.tmp`;
  const file = await open(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC, 0o644);
  try {
    await file.writeFile(formatMetaProperties(p), "utf8");
    await file.sync();
  } finally {
    await file.close();
  }
  await rename(tmp, path);
  const dirHandle = await open(dir, constants.O_RDONLY);
  try {
    await dirHandle.sync();
  } finally {
    await dirHandle.close();
  }
}

export interface LogDirsIdentity {
  readonly clusterId: string;
  /** Directory id of each log directory, by absolute path. */
  readonly directoryIds: ReadonlyMap<string, Uuid>;
  /** Directories (absolute paths) that got a new meta.properties in this call. */
  readonly formatted: readonly string[];
}

export interface EnsureMetaPropertiesOptions {
  readonly logDirs: readonly string[];
  readonly nodeId: number;
  readonly random: Random;
}

/**
 * Verifies every log directory's meta.properties against this node, creating it where missing:
 * all directories must carry the configured node.id and one cluster.id (a new random one if no
 * directory has any), and distinct directory ids.
 */
export async function ensureMetaProperties(options: EnsureMetaPropertiesOptions): Promise<LogDirsIdentity> {
  // The same directory spelled two ways ("./data", "data") is one directory.
  const dirs = [...new Set(options.logDirs.map((d) => resolve(d)))];
  const found = new Map<string, Partial<MetaProperties>>();
  for (const dir of dirs) {
    await mkdir(dir, { recursive: true });
    const props = await readMetaProperties(dir);
    if (props !== null) found.set(dir, props);
  }
  let clusterId: string | undefined;
  let clusterIdSource = "";
  const seenDirectoryIds = new Map<Uuid, string>();
  for (const [dir, props] of found) {
    const path = join(dir, META_PROPERTIES_FILE);
    if (props.nodeId !== options.nodeId) {
      throw fail(
        `Stored node id ${props.nodeId} doesn't match the configured node.id ${options.nodeId} in ${path}. ` +
          "If you moved your data, make sure your configured node.id matches. If you intend to create a new " +
          "node, you should remove all data in your data directories.",
      );
    }
    if (clusterId === undefined) {
      clusterId = props.clusterId;
      clusterIdSource = path;
    } else if (props.clusterId !== clusterId) {
      throw fail(
        `Invalid cluster.id in: ${path}. Expected ${clusterId} (from ${clusterIdSource}), but read ${props.clusterId}`,
      );
    }
    if (props.directoryId !== undefined) {
      if (isReservedUuid(props.directoryId))
        throw fail(`Invalid reserved directory ID ${props.directoryId} found in ${dir}`);
      const previous = seenDirectoryIds.get(props.directoryId);
      if (previous !== undefined) {
        throw fail(
          `Duplicate directory ID ${props.directoryId} found. It was the ID of ${previous}, but also of ${dir}`,
        );
      }
      seenDirectoryIds.set(props.directoryId, dir);
    }
  }
  clusterId ??= randomUuid(options.random);
  const directoryIds = new Map<string, Uuid>();
  const formatted: string[] = [];
  for (const dir of dirs) {
    const existing = found.get(dir)?.directoryId;
    if (existing !== undefined) {
      directoryIds.set(dir, existing);
      continue;
    }
    let directoryId = randomUuid(options.random);
    while (seenDirectoryIds.has(directoryId)) directoryId = randomUuid(options.random);
    seenDirectoryIds.set(directoryId, dir);
    await writeMetaProperties(dir, { version: 1, nodeId: options.nodeId, clusterId, directoryId });
    directoryIds.set(dir, directoryId);
    formatted.push(dir);
  }
  return { clusterId, directoryIds, formatted };
}
