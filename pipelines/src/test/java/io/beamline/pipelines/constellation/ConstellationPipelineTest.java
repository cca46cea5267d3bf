package io.beamline.pipelines.constellation;

import static io.beamline.pipelines.constellation.ConstellationTestSupport.args;
import static io.beamline.pipelines.constellation.ConstellationTestSupport.counter;
import static io.beamline.pipelines.constellation.ConstellationTestSupport.files;
import static io.beamline.pipelines.constellation.ConstellationTestSupport.options;
import static io.beamline.pipelines.constellation.ConstellationTestSupport.read;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.beamline.framework.UserInputException;
import io.beamline.framework.run.RunRecord;
import io.beamline.framework.run.Runs;
import io.beamline.io.duckdb.DuckDb;
import io.beamline.io.sensors.SensorDriver;
import io.jhdf.HdfFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code constellation --no-kafka} end to end on the DirectRunner, and its input checks. */
class ConstellationPipelineTest {
  @TempDir Path dir;

  private RunRecord run(List<String> a) {
    RunRecord r = Runs.run(new ConstellationPipeline(), options(a), a);
    assertEquals("succeeded", r.status(), r.error());
    return r;
  }

  @Test
  void noKafkaWritesEveryOutputOnTheSessionGrid() throws Exception {
    Path out = dir.resolve("out");
    RunRecord r =
        run(args(out, "--noKafka", "--duration=2", "--windowSeconds=0.5", "--shardSize=3"));
    Path raw = out.resolve("raw/S1/A");
    Path gold = out.resolve("gold/S1/A");

    JsonNode report = read(raw.resolve("sync_report.json"));
    assertEquals(4, report.get("windows").asInt());
    JsonNode eeg = report.get("modalities").get("eeg");
    assertEquals(500, eeg.get("samples").asLong());
    assertEquals(20, eeg.get("packets_expected").asLong());
    assertEquals(0, eeg.get("dropped_packets").asLong());
    assertEquals(0, eeg.get("gap_samples").asLong());
    assertEquals(0.0, eeg.get("clock_offset_ms").asDouble(), 1e-6);
    assertEquals(8, report.get("modalities").size());
    assertEquals(32000, report.get("modalities").get("audio").get("samples").asLong());
    assertEquals(60, report.get("modalities").get("video").get("samples").asLong());
    assertEquals(2, report.get("modalities").get("phone").get("samples").asLong());

    assertEquals(500, counter(r.runDir(), "samples_ingested_eeg"));
    assertEquals(32000, counter(r.runDir(), "samples_ingested_audio"));
    assertEquals(0, counter(r.runDir(), "packets_dropped_eeg"));
    assertEquals(0, counter(r.runDir(), "gap_samples_video"));

    try (HdfFile nwb = new HdfFile(raw.resolve("S1_A.nwb"))) {
      float[][] data = (float[][]) nwb.getDatasetByPath("acquisition/eeg/data").getData();
      assertEquals(500, data.length);
      assertEquals(32, data[0].length);
      assertEquals(7, nwb.getChildren().get("acquisition").isGroup() ? 7 : -1);
      assertEquals(7, ((io.jhdf.api.Group) nwb.getChild("acquisition")).getChildren().size());
    }
    assertTrue(Files.isRegularFile(raw.resolve("S1_A_video.zarr/.zattrs")));
    assertTrue(Files.isRegularFile(raw.resolve("S1_A_video.zarr/0/.zarray")));

    try (DuckDb db = DuckDb.inMemory()) {
      String t = "read_parquet(" + DuckDb.literal(raw.resolve("timeseries") + "/*.parquet") + ")";
      // 500 eeg + 32000 audio + 60 video + 64 eda + 20 fnirs + 50 resp + 500 ecg + 2 phone
      assertEquals(33196, db.count("SELECT * FROM " + t));
      assertEquals(0, db.count("SELECT * FROM " + t + " WHERE gap"));
      assertEquals("TIMESTAMP", db.columnTypes("SELECT time FROM " + t).get("time").toUpperCase());
      List<List<Object>> first =
          db.rows(
              "SELECT t_s, len(values) FROM "
                  + t
                  + " WHERE modality = 'eeg' AND sample_index = 250");
      assertEquals(1.0, ((Number) first.get(0).get(0)).doubleValue(), 1e-12);
      assertEquals(32L, ((Number) first.get(0).get(1)).longValue());
    }

    assertEquals(List.of("shard-000000.tar", "shard-000001.tar"), files(gold));
  }

  @Test
  void noKafkaFaultInjectionReportsExactlyTheDroppedPackets() throws Exception {
    Path out = dir.resolve("faults");
    List<String> a = args(out, "--noKafka", "--duration=2", "--faultInjection", "--seed=7");
    RunRecord r = run(a);
    SessionPlan plan = ConstellationPipeline.plan(options(a));
    JsonNode modalities = read(out.resolve("raw/S1/A/sync_report.json")).get("modalities");
    long totalDropped = 0;
    for (SensorDriver d : plan.drivers) {
      JsonNode m = modalities.get(d.modality());
      long dropped = plan.spec(d).expectedPackets() - plan.expectedRecords(d);
      totalDropped += dropped;
      assertEquals(dropped, m.get("dropped_packets").asLong(), d.modality());
      assertEquals(dropped, counter(r.runDir(), "packets_dropped_" + d.modality()), d.modality());
      assertEquals(
          m.get("gap_samples").asLong(),
          counter(r.runDir(), "gap_samples_" + d.modality()),
          d.modality());
      if (Math.round(m.get("offset_samples").asDouble()) == 0) {
        assertEquals(
            m.get("missing_samples").asLong(), m.get("gap_samples").asLong(), d.modality());
      }
    }
    assertTrue(totalDropped > 0, "5% of ~160 packets: some must be dropped");
  }

  @Test
  void planBuildsOneBoundedKafkaReadPerTopicWithoutABroker() throws Exception {
    List<String> a = args(dir.resolve("plan"), "--duration=10", "--faultInjection");
    RunRecord r = Runs.plan(new ConstellationPipeline(), options(a), a);
    assertEquals("planned", r.status(), r.error());
    String plan = Files.readString(r.runDir().resolve("plan.json"));
    for (String t :
        List.of(
            "raw.eeg.eeg01",
            "raw.audio.audio01",
            "raw.video.video01",
            "raw.eda.eda01",
            "raw.fnirs.fnirs01",
            "raw.respiration.respiration01",
            "raw.ecg.ecg01",
            "raw.phone.phone01")) {
      assertThat(plan, containsString("Read " + t));
    }
    assertThat(plan, containsString("AlignStreams"));
    assertThat(plan, containsString("WriteShards"));
    // A plan never starts the ingest stage.
    assertTrue(!Files.exists(r.runDir().resolve(ConstellationPipeline.INGEST_FILE)));
  }

  @Test
  void expectedRecordsFollowTheFaultDecisions() {
    SessionPlan clean =
        ConstellationPipeline.plan(options(args(dir, "--duration=10", "--noKafka")));
    SessionPlan faulty =
        ConstellationPipeline.plan(
            options(args(dir, "--duration=10", "--noKafka", "--faultInjection", "--seed=3")));
    long packets = 0;
    long kept = 0;
    for (SensorDriver d : clean.drivers) {
      assertEquals(clean.spec(d).expectedPackets(), clean.expectedRecords(d), d.modality());
      var events = faulty.faultedEvents(d);
      long n = 0;
      while (events.hasNext()) {
        events.next();
        n++;
      }
      assertEquals(n, faulty.expectedRecords(d), d.modality());
      packets += faulty.spec(d).expectedPackets();
      kept += n;
    }
    // 100 ms packets (at least one sample): 100 for EEG, 10 for the 1 Hz phone; ~5% dropped.
    assertEquals(100, clean.spec(clean.driver("eeg01").orElseThrow()).expectedPackets());
    assertEquals(10, clean.spec(clean.driver("phone01").orElseThrow()).expectedPackets());
    assertEquals(701, packets);
    double dropRate = 1 - (double) kept / packets;
    assertTrue(dropRate > 0.02 && dropRate < 0.09, "drop rate " + dropRate);
  }

  @Test
  void theSeedsSagemakerConfigSpellingIsTheTrainingConfig() throws Exception {
    Path config = Files.writeString(dir.resolve("job.json"), "{\"instance_count\": 2}\n");
    ConstellationOptions o =
        options(args(dir.resolve("o"), "--noKafka", "--sagemakerConfig=" + config));
    new ConstellationPipeline().validate(o);
    assertEquals(config.toString(), o.getTrainingConfig());
  }

  @Test
  void anUnreachableBrokerIsAOneLineErrorWithinSeconds() throws Exception {
    int port;
    try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
      port = s.getLocalPort(); // closed again: nothing listens there
    }
    List<String> a = args(dir.resolve("unreachable"), "--kafkaBootstrap=127.0.0.1:" + port);
    UserInputException e =
        org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(
            java.time.Duration.ofSeconds(60),
            () ->
                assertThrows(
                    UserInputException.class,
                    () -> Runs.run(new ConstellationPipeline(), options(a), a)));
    assertThat(
        e.getMessage(),
        containsString("no Kafka broker at 127.0.0.1:" + port + " (connection refused)"));
    assertEquals(1, e.getMessage().lines().count(), e.getMessage());
    // Checked during validation: not even the output directory (or a run directory) exists.
    assertFalse(Files.exists(dir.resolve("unreachable")), "validation wrote the output dir");
  }

  @Test
  void theSeedsSagemakerConfigIsNamedWhenMissing() {
    Path missing = dir.resolve("path/to/job_config.yaml");
    List<String> a = args(dir.resolve("o"), "--noKafka", "--sagemakerConfig=" + missing);
    UserInputException e =
        assertThrows(
            UserInputException.class, () -> Runs.run(new ConstellationPipeline(), options(a), a));
    assertEquals(
        "training config " + missing + " does not exist or is not a file; check --sagemaker-config",
        e.getMessage());
    assertFalse(Files.exists(dir.resolve("o")));
  }

  @Test
  void badInputsAreOneLineUserErrors() throws Exception {
    ConstellationPipeline p = new ConstellationPipeline();
    Path out = dir.resolve("bad");
    UserInputException e =
        assertThrows(
            UserInputException.class,
            () -> p.validate(options(args(out, "--subjectId=../etc", "--noKafka"))));
    assertThat(e.getMessage(), containsString("--subject-id"));
    e =
        assertThrows(
            UserInputException.class,
            () ->
                p.validate(options(args(out, "--trainingConfig=" + dir.resolve("missing.yaml")))));
    assertThat(e.getMessage(), containsString("--training-config"));
    e =
        assertThrows(
            UserInputException.class,
            () -> p.validate(options(args(out, "--noKafka", "--kafkaBootstrap=localhost:9092"))));
    assertThat(e.getMessage(), containsString("contradict"));
    e =
        assertThrows(
            UserInputException.class, () -> p.validate(options(args(out, "--duration=0"))));
    assertThat(e.getMessage(), containsString("--duration"));
    e =
        assertThrows(
            UserInputException.class,
            () -> p.validate(options(args(out, "--sessionStart=yesterday"))));
    assertThat(e.getMessage(), containsString("--session-start"));
    Path config = Files.writeString(dir.resolve("job.yaml"), "instance_type: ml.g5.xlarge\n");
    p.validate(options(args(out, "--trainingConfig=" + config)));
  }
}
