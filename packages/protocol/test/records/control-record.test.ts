import assert from "node:assert/strict";
import { test } from "node:test";
import {
  Attributes,
  buildControlBatch,
  ControlRecordType,
  ProtocolError,
  type Record,
  readControlRecordType,
  readEndTransactionMarker,
  readRecordBatches,
} from "../../src/index.js";
import { T0 } from "./helpers.js";

test("a COMMIT marker batch: flags, producer fields and the documented key/value bytes", () => {
  const buffer = buildControlBatch(
    { type: ControlRecordType.Commit, coordinatorEpoch: 17 },
    { producerId: 4000, producerEpoch: 2, timestamp: T0, baseOffset: 55, partitionLeaderEpoch: 3 },
  );
  const [batch] = readRecordBatches(buffer);
  assert.ok(batch.isControl && batch.isTransactional);
  assert.equal(batch.header.attributes, Attributes.control | Attributes.transactional);
  assert.equal(batch.header.producerId, 4000);
  assert.equal(batch.header.producerEpoch, 2);
  assert.equal(batch.header.baseSequence, -1);
  assert.equal(batch.header.partitionLeaderEpoch, 3);
  assert.equal(batch.header.recordsCount, 1);
  const [record] = [...batch.records()];
  assert.equal(record.offset, 55);
  assert.deepEqual(record.key, Buffer.from([0, 0, 0, 1]));
  assert.deepEqual(record.value, Buffer.from([0, 0, 0, 0, 0, 17]));
  assert.equal(readControlRecordType(record), ControlRecordType.Commit);
  assert.deepEqual(readEndTransactionMarker(record), {
    type: ControlRecordType.Commit,
    coordinatorEpoch: 17,
  });
});

test("an ABORT marker round-trips", () => {
  const buffer = buildControlBatch(
    { type: ControlRecordType.Abort, coordinatorEpoch: 0 },
    { producerId: 1, producerEpoch: 0, timestamp: T0 },
  );
  const [record] = [...[...readRecordBatches(buffer)][0].records()];
  assert.deepEqual(readEndTransactionMarker(record), { type: ControlRecordType.Abort, coordinatorEpoch: 0 });
});

test("malformed control records are CORRUPT_RECORD; other types are not transaction markers", () => {
  const base: Record = { offset: 0, timestamp: 0, key: null, value: null, headers: [], attributes: 0 };
  const corrupt = (err: unknown) => err instanceof ProtocolError && err.code === "CORRUPT_RECORD";
  assert.throws(() => readControlRecordType(base), corrupt);
  assert.throws(() => readControlRecordType({ ...base, key: Buffer.from([0xff, 0xff, 0, 1]) }), corrupt);
  const leaderChange = { ...base, key: Buffer.from([0, 0, 0, 2]), value: Buffer.alloc(6) };
  assert.equal(readControlRecordType(leaderChange), ControlRecordType.LeaderChange);
  assert.throws(() => readEndTransactionMarker(leaderChange), corrupt);
  assert.throws(
    () => readEndTransactionMarker({ ...base, key: Buffer.from([0, 0, 0, 1]), value: Buffer.alloc(3) }),
    corrupt,
  );
  assert.throws(
    () =>
      buildControlBatch(
        { type: 2 as ControlRecordType.Commit, coordinatorEpoch: 0 },
        { producerId: 1, producerEpoch: 0, timestamp: T0 },
      ),
    RangeError,
  );
});
