// The ceiling: a bare Node.js produce path with no Kafka logic at all. It reads length-framed
// record batches from a socket, checks each batch's CRC32C with the library the broker uses
// (@weir/protocol's crc32c, i.e. @node-rs/crc32), appends the batches of each socket read to a
// file with one writev, optionally fdatasyncs once per socket read, and acknowledges every frame
// with 4 bytes. Its throughput is what one Node thread can do here; Weir is measured against it.
//
// params (JSON in argv[2]): { port, dir, fsync: boolean }. Runs until killed.
import { closeSync, fdatasyncSync, openSync, unlinkSync, writevSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { crc32c } from "@weir/protocol";
import { FrameReader } from "../lib/wire.mjs";

const { port, dir, fsync } = JSON.parse(process.argv[2]);
let connections = 0;

const server = createServer((socket) => {
  socket.setNoDelay(true);
  const path = join(dir, `ceiling-${connections++}.log`);
  const fd = openSync(path, "w");
  const frames = new FrameReader();
  let batch = [];
  const collect = (frame) => {
    // Record batch v2: the CRC32C at byte 17 covers everything from the attributes (byte 21) on.
    if (frame.length < 61 || crc32c(frame.subarray(21)) !== frame.readUInt32BE(17)) {
      throw new Error("corrupt batch");
    }
    batch.push(frame);
  };
  socket.on("data", (chunk) => {
    try {
      frames.push(chunk, collect);
    } catch {
      socket.destroy();
      return;
    }
    if (batch.length === 0) return;
    let bytes = 0;
    for (const b of batch) bytes += b.length;
    if (writevSync(fd, batch) !== bytes) throw new Error("short write");
    if (fsync) fdatasyncSync(fd);
    socket.write(Buffer.alloc(4 * batch.length));
    batch = [];
  });
  const done = () => {
    try {
      closeSync(fd);
      unlinkSync(path);
    } catch {
      // closed already
    }
  };
  socket.on("error", () => {});
  socket.on("close", done);
});
server.listen(port, "127.0.0.1");
