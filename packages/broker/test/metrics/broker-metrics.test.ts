import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { ApiKey, buildRecordBatch, ErrorCode } from "@weir/protocol";
import { ensureTopic, fetchOnce, produce } from "../network/kafka-probes.js";
import { RawKafkaClient } from "../support/raw-kafka-client.js";
import { startTestBroker, type TestBroker } from "../support/test-broker.js";
import { parsePrometheusText, type Sample, sampleValue, scrape } from "./prometheus-text.js";

/*
 * The Prometheus endpoint end to end: two brokers in one process, each with metrics.listener on
 * port 0; produce and fetch through one of them with a raw Kafka client, scrape both over HTTP
 * and check that the counters moved by exactly what was sent, on that broker only.
 */

const TOPIC = "metrics-topic";
const BATCH_SIZES = [5, 7, 11];

let a: TestBroker;
let b: TestBroker;
let client: RawKafkaClient;

before(async () => {
  const config = { "metrics.listener": "http://localhost:0" };
  [a, b] = await Promise.all([startTestBroker({ config }), startTestBroker({ config })]);
  client = await RawKafkaClient.connect(a.bootstrap);
});

after(async () => {
  client?.close();
  await Promise.all([a?.destroy(), b?.destroy()]);
});

function batch(records: number, tag: string): Buffer {
  return buildRecordBatch(
    Array.from({ length: records }, (_, i) => ({
      key: Buffer.from(`${tag}-${i}`),
      value: Buffer.from(`value ${tag}-${i}`),
      timestamp: Date.now(),
    })),
  );
}

const value = (samples: readonly Sample[], name: string, labels: Record<string, string> = {}) =>
  sampleValue(samples, name, labels) ?? 0;

test("each broker binds its own metrics port and reports it", () => {
  assert.match(a.metricsUrl ?? "", /^http:\/\/localhost:\d+\/metrics$/);
  assert.match(b.metricsUrl ?? "", /^http:\/\/localhost:\d+\/metrics$/);
  assert.notEqual(a.metricsUrl, b.metricsUrl);
});

test("produce and fetch move the Kafka metrics by exactly what was sent", async () => {
  await ensureTopic(client, TOPIC, 1);
  const before = await scrape(a.metricsUrl!);
  const beforeB = await scrape(b.metricsUrl!);

  const batches = BATCH_SIZES.map((n, i) => batch(n, `b${i}`));
  for (const records of batches) {
    const answer = await produce(client, TOPIC, 0, records);
    assert.equal(answer.errorCode, ErrorCode.NONE);
  }
  const fetched = await fetchOnce(client, TOPIC, 0, 0n);
  assert.equal(fetched.errorCode, ErrorCode.NONE);
  const fetchedBytes = fetched.records?.length ?? 0;
  assert.ok(fetchedBytes > 0);

  const samples = await scrape(a.metricsUrl!);
  const delta = (name: string, labels: Record<string, string> = {}) =>
    value(samples, name, labels) - value(before, name, labels);
  const records = BATCH_SIZES.reduce((x, y) => x + y, 0);
  const bytes = batches.reduce((x, y) => x + y.length, 0);
  const topic = { topic: TOPIC };

  assert.equal(delta("kafka_server_brokertopicmetrics_messagesin_total", topic), records);
  assert.equal(delta("kafka_server_brokertopicmetrics_messagesin_total"), records);
  assert.equal(delta("kafka_server_brokertopicmetrics_bytesin_total", topic), bytes);
  assert.equal(delta("kafka_server_brokertopicmetrics_bytesin_total"), bytes);
  assert.equal(delta("kafka_server_brokertopicmetrics_totalproducerequests_total", topic), batches.length);
  assert.equal(delta("kafka_server_brokertopicmetrics_failedproducerequests_total", topic), 0);
  assert.equal(delta("kafka_server_brokertopicmetrics_bytesout_total", topic), fetchedBytes);
  assert.equal(delta("kafka_server_brokertopicmetrics_totalfetchrequests_total", topic), 1);

  const produceV9 = { request: "Produce", version: "9" };
  const fetchV12 = { request: "Fetch", version: "12" };
  assert.equal(delta("kafka_network_requestmetrics_requests_total", produceV9), batches.length);
  assert.equal(delta("kafka_network_requestmetrics_requests_total", fetchV12), 1);
  const produceTime = { request: "Produce" };
  assert.equal(delta("kafka_network_requestmetrics_totaltimems_count", produceTime), batches.length);
  assert.ok(delta("kafka_network_requestmetrics_totaltimems_sum", produceTime) > 0);
  assert.equal(
    value(samples, "kafka_network_requestmetrics_totaltimems_bucket", { ...produceTime, le: "+Inf" }),
    value(samples, "kafka_network_requestmetrics_totaltimems_count", produceTime),
  );

  const partition = { topic: TOPIC, partition: "0" };
  assert.equal(value(samples, "kafka_log_log_size", partition), bytes);
  assert.equal(value(samples, "kafka_log_log_logendoffset", partition), records);
  assert.equal(value(samples, "kafka_log_log_logstartoffset", partition), 0);
  assert.equal(value(samples, "kafka_log_log_numlogsegments", partition), 1);
  assert.ok(value(samples, "kafka_server_replicamanager_partitioncount") >= 1);
  assert.equal(
    value(samples, "kafka_server_replicamanager_leadercount"),
    value(samples, "kafka_server_replicamanager_partitioncount"),
  );
  assert.equal(sampleValue(samples, "kafka_server_replicamanager_underreplicatedpartitions"), 0);
  assert.ok(
    value(samples, "kafka_server_socketservermetrics_connection_count", { listener: "PLAINTEXT" }) >= 1,
  );
  assert.ok(delta("kafka_server_socketservermetrics_incoming_byte_total", { listener: "PLAINTEXT" }) > bytes);
  assert.ok(
    delta("kafka_server_socketservermetrics_outgoing_byte_total", { listener: "PLAINTEXT" }) > fetchedBytes,
  );
  assert.equal(
    sampleValue(samples, "kafka_server_delayedoperationpurgatory_purgatorysize", {
      delayedOperation: "Fetch",
    }),
    0,
  );
  assert.equal(sampleValue(samples, "kafka_server_fetchsessioncache_numincrementalfetchsessions"), 0);
  assert.equal(sampleValue(samples, "kafka_coordinator_group_groupmetadatamanager_numgroups"), 0);
  assert.ok(samples.some((s) => s.name === "weir_process_cpu_user_seconds_total"));
  assert.ok(samples.some((s) => s.name === "weir_nodejs_heap_size_used_bytes"));

  // The other broker saw none of it.
  const samplesB = await scrape(b.metricsUrl!);
  assert.equal(sampleValue(samplesB, "kafka_server_brokertopicmetrics_messagesin_total", topic), undefined);
  assert.equal(
    value(samplesB, "kafka_server_brokertopicmetrics_messagesin_total"),
    value(beforeB, "kafka_server_brokertopicmetrics_messagesin_total"),
  );
  assert.equal(value(samplesB, "kafka_network_requestmetrics_requests_total", produceV9), 0);
  assert.equal(sampleValue(samplesB, "kafka_log_log_size", partition), undefined);
});

test("failed produce and fetch count in the totals; unknown topics get no series", async () => {
  await ensureTopic(client, TOPIC, 1);
  const before = await scrape(a.metricsUrl!);
  const unknownPartition = await produce(client, TOPIC, 7, batch(1, "x"));
  assert.equal(unknownPartition.errorCode, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  const unknownTopic = await produce(client, "no-such-topic", 0, batch(1, "y"));
  assert.notEqual(unknownTopic.errorCode, ErrorCode.NONE);
  const outOfRange = await fetchOnce(client, TOPIC, 0, 1_000_000n);
  assert.equal(outOfRange.errorCode, ErrorCode.OFFSET_OUT_OF_RANGE);

  const samples = await scrape(a.metricsUrl!);
  const delta = (name: string, labels: Record<string, string> = {}) =>
    value(samples, name, labels) - value(before, name, labels);
  assert.equal(delta("kafka_server_brokertopicmetrics_failedproducerequests_total"), 2);
  assert.equal(delta("kafka_server_brokertopicmetrics_totalproducerequests_total"), 2);
  assert.equal(delta("kafka_server_brokertopicmetrics_messagesin_total"), 0);
  assert.equal(delta("kafka_server_brokertopicmetrics_failedfetchrequests_total"), 1);
  assert.equal(delta("kafka_server_brokertopicmetrics_failedfetchrequests_total", { topic: TOPIC }), 1);
  assert.ok(!samples.some((s) => s.labels.topic === "no-such-topic"));
});

test("a deleted topic's series disappear", async () => {
  const topic = "metrics-deleted";
  await ensureTopic(client, topic, 1);
  assert.equal((await produce(client, topic, 0, batch(3, "d"))).errorCode, ErrorCode.NONE);
  let samples = await scrape(a.metricsUrl!);
  assert.equal(sampleValue(samples, "kafka_server_brokertopicmetrics_messagesin_total", { topic }), 3);
  const deleted = await client.send(ApiKey.DeleteTopics, 0, { topicNames: [topic], timeoutMs: 30_000 });
  assert.equal(deleted.responses[0]?.errorCode, ErrorCode.NONE);
  for (let i = 0; i < 100; i++) {
    samples = await scrape(a.metricsUrl!);
    if (!samples.some((s) => s.labels.topic === topic)) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  assert.ok(!samples.some((s) => s.labels.topic === topic), "series of the deleted topic remain");
});

test("only GET /metrics is served", async () => {
  const base = a.metricsUrl!.replace(/\/metrics$/, "");
  assert.equal((await fetch(`${base}/`)).status, 404);
  assert.equal((await fetch(`${base}/metrics`, { method: "POST", body: "x" })).status, 405);
  const head = await fetch(`${base}/metrics?debug=1`, { method: "HEAD" });
  assert.equal(head.status, 200);
});

test("the exposition parser rejects what Prometheus would", () => {
  assert.throws(() => parsePrometheusText("no_type_before 1\n"));
  assert.throws(() => parsePrometheusText('# TYPE x gauge\nx{a="1" 2\n'));
  assert.throws(() => parsePrometheusText("# TYPE x gauge\nx one\n"));
  assert.deepEqual(parsePrometheusText('# HELP x y\n# TYPE x gauge\nx{a="q\\"",b="2"} 1.5e3\n'), [
    { name: "x", labels: { a: 'q\\"', b: "2" }, value: 1500 },
  ]);
});

test("the metrics port is closed with the broker", async () => {
  const broker = await startTestBroker({ config: { "metrics.listener": "http://127.0.0.1:0" } });
  const url = broker.metricsUrl!;
  assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
  await scrape(url);
  await broker.destroy();
  await assert.rejects(fetch(url));
});

test("without metrics.listener there is no endpoint", async () => {
  const broker = await startTestBroker();
  try {
    assert.equal(broker.metricsUrl, undefined);
  } finally {
    await broker.destroy();
  }
});
