package io.beamline.pipelines.constellation;

import static io.beamline.pipelines.constellation.ConstellationTestSupport.args;
import static io.beamline.pipelines.constellation.ConstellationTestSupport.counter;
import static io.beamline.pipelines.constellation.ConstellationTestSupport.distribution;
import static io.beamline.pipelines.constellation.ConstellationTestSupport.files;
import static io.beamline.pipelines.constellation.ConstellationTestSupport.options;
import static io.beamline.pipelines.constellation.ConstellationTestSupport.read;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.beamline.framework.run.RunRecord;
import io.beamline.framework.run.Runs;
import io.beamline.io.duckdb.DuckDb;
import io.beamline.io.kafka.EmbeddedKafka;
import io.beamline.io.sensors.SensorDriver;
import io.beamline.io.testing.Interop;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole pipeline against a real Kafka broker (the embedded KRaft broker, started here so the
 * topics can be inspected after the run) with fault injection: topics and their record counts, the
 * reported gaps against what the ingest stage dropped, and every output read by the tool its users
 * open it with (h5py, zarr, tarfile + numpy, DuckDB).
 */
class ConstellationIT {
  private static EmbeddedKafka kafka;
  private static Path out;
  private static RunRecord run;
  private static List<String> argv;

  @BeforeAll
  static void runOnce(@TempDir Path dir) throws Exception {
    kafka = EmbeddedKafka.start();
    out = dir.resolve("out");
    argv =
        args(
            out,
            "--kafkaBootstrap=" + kafka.bootstrapServers(),
            "--duration=2",
            "--faultInjection",
            "--seed=11",
            "--windowSeconds=0.5",
            "--shardSize=3");
    run = Runs.run(new ConstellationPipeline(), options(argv), argv);
    assertEquals("succeeded", run.status(), run.error());
  }

  @AfterAll
  static void stop() throws Exception {
    if (kafka != null) {
      kafka.close();
    }
  }

  private static Path raw() {
    return out.resolve("raw/S1/A");
  }

  @Test
  void topicsHoldExactlyTheSurvivingPackets() throws Exception {
    SessionPlan plan = ConstellationPipeline.plan(options(argv));
    JsonNode ingest = read(run.runDir().resolve(ConstellationPipeline.INGEST_FILE)).get("streams");
    Properties p = new Properties();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    try (Admin admin = Admin.create(p)) {
      Set<String> topics = admin.listTopics().names().get();
      Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
      for (SensorDriver d : plan.drivers) {
        String topic = "raw." + d.modality() + "." + d.sensorId();
        assertTrue(topics.contains(topic), topic + " in " + topics);
        latest.put(new TopicPartition(topic, 0), OffsetSpec.latest());
      }
      var offsets = admin.listOffsets(latest).all().get();
      for (SensorDriver d : plan.drivers) {
        long end = offsets.get(new TopicPartition(plan.topic(d), 0)).offset();
        assertEquals(plan.expectedRecords(d), end, plan.topic(d));
        assertEquals(end, ingest.get(d.sensorId()).get("records").asLong(), d.sensorId());
      }
    }
  }

  @Test
  void reportedGapsAreWhatFaultInjectionDropped() throws Exception {
    JsonNode ingest = read(run.runDir().resolve(ConstellationPipeline.INGEST_FILE)).get("streams");
    JsonNode report = read(raw().resolve("sync_report.json")).get("modalities");
    SessionPlan plan = ConstellationPipeline.plan(options(argv));
    long dropped = 0;
    for (SensorDriver d : plan.drivers) {
      JsonNode sent = ingest.get(d.sensorId());
      JsonNode m = report.get(d.modality());
      dropped += sent.get("dropped_packets").asLong();
      assertEquals(sent.get("dropped_packets").asLong(), m.get("dropped_packets").asLong());
      assertEquals(sent.get("dropped_samples").asLong(), m.get("missing_samples").asLong());
      assertEquals(
          sent.get("dropped_packets").asLong(),
          counter(run.runDir(), "packets_dropped_" + d.modality()));
      assertEquals(
          sent.get("samples").asLong(), counter(run.runDir(), "samples_ingested_" + d.modality()));
      assertEquals(
          m.get("gap_samples").asLong(), counter(run.runDir(), "gap_samples_" + d.modality()));
      if (Math.round(m.get("offset_samples").asDouble()) == 0) {
        assertEquals(m.get("missing_samples").asLong(), m.get("gap_samples").asLong());
      }
      assertTrue(m.get("jitter_ms").asDouble() > 0.5, d.modality() + " timestamps are jittered");
      assertTrue(
          distribution(run.runDir(), "latency_ms_" + d.modality()).get("count").asLong() > 0);
    }
    assertTrue(dropped > 0, "5% of the packets are dropped");
    long records = 0;
    for (JsonNode s : ingest) {
      records += s.get("records").asLong();
    }
    assertEquals(records, distribution(run.runDir(), "kafka_latency_ms").get("count").asLong());
  }

  @Test
  void parquetGapRowsMatchTheReport() throws Exception {
    JsonNode report = read(raw().resolve("sync_report.json")).get("modalities");
    try (DuckDb db = DuckDb.inMemory()) {
      String t = "read_parquet(" + DuckDb.literal(raw().resolve("timeseries") + "/*.parquet") + ")";
      for (var e : report.properties()) {
        String m = e.getKey();
        assertEquals(
            e.getValue().get("samples").asLong(),
            db.count("SELECT * FROM " + t + " WHERE modality = '" + m + "'"),
            m);
        assertEquals(
            e.getValue().get("gap_samples").asLong(),
            db.count("SELECT * FROM " + t + " WHERE modality = '" + m + "' AND gap"),
            m);
      }
    }
  }

  @Test
  void nwbOpensInH5pyWithOneTimeSeriesPerModality() throws Exception {
    Interop.requirePython("h5py", "numpy");
    String code =
        String.join(
            "\n",
            "import sys, json, h5py, numpy as np",
            "f = h5py.File(sys.argv[1], 'r')",
            "out = {'nwb_version': f.attrs['nwb_version'].decode() if isinstance(f.attrs['nwb_version'], bytes) else str(f.attrs['nwb_version'])}",
            "for name, g in f['acquisition'].items():",
            "    d = g['data'][()]",
            "    out[name] = {'shape': list(d.shape), 'nan_rows': int(np.isnan(d).any(axis=1).sum()),",
            "                 'rate': float(g['starting_time'].attrs['rate'])}",
            "print(json.dumps(out))");
    Interop.Result r =
        Interop.python(code, raw().resolve("S1_A.nwb").toString()).assertSuccess("h5py NWB");
    JsonNode nwb = ConstellationTestSupport.JSON.readTree(r.stdout());
    JsonNode report = read(raw().resolve("sync_report.json")).get("modalities");
    assertEquals("2.7.0", nwb.get("nwb_version").asText());
    assertEquals(8, nwb.size(), "nwb_version + 7 time series: " + nwb);
    for (String m : List.of("eeg", "audio", "eda", "fnirs", "respiration", "ecg", "phone")) {
      JsonNode s = nwb.get(m);
      assertEquals(report.get(m).get("samples").asLong(), s.get("shape").get(0).asLong(), m);
      assertEquals(report.get(m).get("channels").asLong(), s.get("shape").get(1).asLong(), m);
      assertEquals(report.get(m).get("gap_samples").asLong(), s.get("nan_rows").asLong(), m);
      assertEquals(report.get(m).get("rate_hz").asDouble(), s.get("rate").asDouble(), m);
    }
  }

  @Test
  void videoOpensInPythonZarr() throws Exception {
    Interop.requirePython("zarr", "numpy");
    String code =
        String.join(
            "\n",
            "import sys, zarr, numpy as np",
            "g = zarr.open_group(sys.argv[1], mode='r')",
            "ms = g.attrs['multiscales'][0]",
            "a = g[ms['datasets'][0]['path']]",
            "print(','.join(x['name'] for x in ms['axes']), a.shape, int((a[:].reshape(a.shape[0], -1).max(axis=1) > 0).sum()))");
    Interop.Result r =
        Interop.python(code, raw().resolve("S1_A_video.zarr").toString())
            .assertSuccess("python zarr");
    JsonNode video = read(raw().resolve("sync_report.json")).get("modalities").get("video");
    long frames = video.get("samples").asLong();
    long present = frames - video.get("gap_samples").asLong();
    assertEquals(
        "t,c,z,y,x (" + frames + ", 3, 1, 64, 64) " + present, r.stdout().strip(), r.stdout());
  }

  @Test
  void shardsOpenWithTarfileAndNumpy() throws Exception {
    Path gold = out.resolve("gold/S1/A");
    assertEquals(List.of("shard-000000.tar", "shard-000001.tar"), files(gold));
    Interop.requirePython("numpy");
    String code =
        String.join(
            "\n",
            "import sys, io, json, tarfile, numpy as np",
            "keys = {}",
            "for shard in sys.argv[1:]:",
            "    with tarfile.open(shard) as t:",
            "        for m in t.getmembers():",
            "            assert m.isfile() and '/' not in m.name and '..' not in m.name, m.name",
            "            key, field = m.name.split('.', 1)",
            "            data = t.extractfile(m).read()",
            "            v = json.loads(data) if field == 'json' else np.load(io.BytesIO(data)).shape",
            "            keys.setdefault(key, {})[field] = v",
            "w1 = keys['S1_A_000001']",
            "print(len(keys), w1['json']['start_s'], w1['eeg.npy'], w1['video.npy'], w1['audio.npy'])");
    Interop.Result r =
        Interop.python(
                code,
                gold.resolve("shard-000000.tar").toString(),
                gold.resolve("shard-000001.tar").toString())
            .assertSuccess("tarfile");
    assertEquals("4 0.5 (125, 32) (15, 64, 64, 3) (8000, 1)", r.stdout().strip());
  }
}
