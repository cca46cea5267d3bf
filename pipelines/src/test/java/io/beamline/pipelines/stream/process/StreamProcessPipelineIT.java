package io.beamline.pipelines.stream.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.beamline.framework.run.CommitRecord;
import io.beamline.framework.run.ItemCommits;
import io.beamline.framework.run.RunRecord;
import io.beamline.framework.run.Runs;
import io.beamline.io.duckdb.DuckDb;
import io.beamline.io.json.Json;
import io.beamline.io.kafka.EmbeddedKafka;
import io.beamline.io.swf.MsgType;
import io.beamline.io.swf.StfNames;
import io.beamline.io.swf.StfWriter;
import io.beamline.io.swf.SwfTopics;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code stream process} end to end in this JVM against a real embedded broker: one run whose
 * messages include a duplicate, a malformed record, another namespace, a missing and a truncated
 * STF, and an STF announced after {@code end_run}; the pipeline stops by itself after the run
 * ({@code --exit-after-runs 1}).
 */
class StreamProcessPipelineIT {
  private static final long RUN = 100010;
  private static EmbeddedKafka kafka;
  private static SwfFixture daq;
  private static Path out;
  private static RunRecord record;
  private static List<StfWriter.Written> stfs = new ArrayList<>();
  private static boolean catchUp;

  @BeforeAll
  static void runOnce(@TempDir Path dir) throws Exception {
    runOn(dir, List.of());
  }

  /** Feeds the run's messages to a fresh broker and runs the pipeline with {@code runnerArgs}. */
  static void runOn(Path dir, List<String> runnerArgs) throws Exception {
    kafka = EmbeddedKafka.start();
    stfs = new ArrayList<>();
    catchUp = runnerArgs.contains("--catchUp=true");
    Path buffer = Files.createDirectories(dir.resolve("buffer"));
    out = dir.resolve("out");
    daq = new SwfFixture(kafka.bootstrapServers(), buffer);
    daq.createTopics();
    for (int seq = 1; seq <= 4; seq++) {
      stfs.add(daq.writeStf(RUN, seq));
    }
    Files.delete(stfs.get(2).path()); // STF 3: missing
    try (RandomAccessFile f = new RandomAccessFile(stfs.get(3).path().toFile(), "rw")) {
      f.setLength(f.length() - 100); // STF 4: truncated
    }
    daq.send(daq.lifecycle(MsgType.RUN_IMMINENT, RUN));
    daq.send(daq.lifecycle(MsgType.START_RUN, RUN));
    daq.send(daq.stfGen(stfs.get(0)));
    daq.send(daq.stfGen(stfs.get(1)));
    daq.send(daq.stfGen(stfs.get(1))); // duplicate
    daq.sendRaw("100010", "this is not json");
    daq.sendRaw("100010", "{\"msg_type\":\"stf_gen\",\"run_id\":\"100010\"}");
    String foreign =
        io.beamline.io.swf.WorkflowMessages.encodeString(daq.stfGen(stfs.get(0)))
            .replace("\"namespace\":\"beamline\"", "\"namespace\":\"other\"");
    daq.sendRaw("100010", foreign);
    daq.send(daq.lifecycle(MsgType.PAUSE_RUN, RUN));
    daq.send(daq.lifecycle(MsgType.RESUME_RUN, RUN));
    daq.send(daq.stfGen(stfs.get(3)));
    daq.send(daq.endRun(RUN, 4));
    daq.send(daq.stfGen(stfs.get(2))); // late: after end_run
    List<String> argv = new ArrayList<>(runnerArgs);
    argv.addAll(
        List.of(
            "--broker=" + kafka.bootstrapServers(),
            "--outputDir=" + out,
            "--exitAfterRuns=1",
            "--heartbeatSeconds=1"));
    ProcessOptions o =
        PipelineOptionsFactory.fromArgs(argv.toArray(new String[0])).as(ProcessOptions.class);
    record = Runs.run(new StreamProcessPipeline(), o, argv);
  }

  @AfterAll
  static void stop() throws Exception {
    if (daq != null) {
      daq.close();
    }
    if (kafka != null) {
      kafka.close();
    }
  }

  @Test
  void everyStfIsCommittedOnceWithItsStatus() {
    assertEquals("partial", record.status(), String.valueOf(record.error()));
    ItemCommits commits = ItemCommits.of(out, ProcessSettings.PIPELINE);
    Map<String, CommitRecord> all = commits.readAll();
    assertEquals(5, all.size(), all.keySet().toString());
    assertTrue(all.get(StfNames.stf(RUN, 1)).succeeded());
    assertTrue(all.get(StfNames.stf(RUN, 2)).succeeded());
    assertEquals("failed", all.get(StfNames.stf(RUN, 3)).status());
    assertTrue(all.get(StfNames.stf(RUN, 3)).error().contains("is missing"));
    assertTrue(
        all.get(StfNames.stf(RUN, 4)).error().contains("size"),
        all.get(StfNames.stf(RUN, 4)).error());
    assertTrue(all.get("run-" + RUN).succeeded());
  }

  @Test
  void runSummaryEqualsTheStfSummaries() throws Exception {
    JsonNode s = Json.read(out.resolve("stream-process/runs/run=" + RUN + "/summary.json"));
    assertEquals(4, s.get("stf_count").asLong());
    assertEquals(2, s.get("processed").asLong());
    assertEquals(2, s.get("failed").asLong());
    assertEquals(2L * SwfFixture.TFS, s.get("tf_count").asLong());
    assertEquals(stfs.get(0).hits() + stfs.get(1).hits(), s.get("hits").asLong());
    try (Stream<Path> files = Files.list(out.resolve("stream-process/stf/run=" + RUN))) {
      assertEquals(4, files.filter(f -> f.toString().endsWith(".parquet")).count());
    }
    String a =
        "read_parquet("
            + DuckDb.literal(out.resolve("stream-process/stf/run=" + RUN + "/*.parquet").toString())
            + ")";
    String b =
        "read_parquet("
            + DuckDb.literal(
                out.resolve("stream-process/runs/run=" + RUN + "/stfs.parquet").toString())
            + ")";
    try (DuckDb db = DuckDb.inMemory()) {
      List<List<Object>> diff =
          db.rows(
              "(SELECT 'file', * FROM "
                  + a
                  + " EXCEPT SELECT 'file', * FROM "
                  + b
                  + ") UNION ALL"
                  + " (SELECT 'table', * FROM "
                  + b
                  + " EXCEPT SELECT 'table', * FROM "
                  + a
                  + ")");
      assertEquals(List.of(), diff);
      assertEquals(4, db.count("SELECT * FROM " + b));
    }
  }

  @Test
  void messagesAreSentOncePerStfAndRun() {
    List<JsonNode> sent =
        daq.readAll(SwfTopics.PROCESSING).stream().map(StreamProcessPipelineIT::json).toList();
    Map<String, Long> byType =
        sent.stream()
            .collect(
                Collectors.groupingBy(
                    n -> n.get("msg_type").asText(), TreeMap::new, Collectors.counting()));
    assertEquals(4L, byType.get("stf_processed"), byType.toString());
    assertEquals(1L, byType.get("run_processed"), byType.toString());
    assertEquals(14L, byType.get("tf_file_registered"), byType.toString());
    assertTrue(byType.get("slice") >= 14, byType.toString());
    assertTrue(byType.get("histogram") >= 2, byType.toString());
    JsonNode closed =
        sent.stream()
            .filter(n -> n.get("msg_type").asText().equals("run_processed"))
            .findFirst()
            .get();
    assertEquals(2, closed.get("processed").asLong());
    assertEquals(2, closed.get("failed").asLong());
    assertEquals(RUN, closed.get("run_id").asLong());
    // The run's end comes after every one of its STFs on the topic (one partition: in order).
    List<String> order =
        sent.stream()
            .map(n -> n.get("msg_type").asText())
            .filter(t -> t.equals("stf_processed") || t.equals("run_processed"))
            .toList();
    assertEquals("run_processed", order.get(order.size() - 1), order.toString());
  }

  /**
   * The source's watermark follows the STFs and jumps to the end of time at the stop, so every
   * histogram window closes: a final pane per window and kind, and its file.
   */
  @Test
  void histogramWindowsCloseWithAFinalPaneAndAFile() throws Exception {
    List<JsonNode> finals =
        daq.readAll(SwfTopics.PROCESSING).stream()
            .map(StreamProcessPipelineIT::json)
            .filter(n -> n.get("msg_type").asText().equals("histogram"))
            .filter(n -> n.get("pane").asText().equals("final"))
            .toList();
    assertTrue(finals.size() >= 2, finals.toString());
    Path histograms = out.resolve("stream-process/histograms/run=" + RUN);
    try (Stream<Path> files = Files.walk(histograms)) {
      assertEquals(
          finals.size(),
          files
              .filter(f -> f.toString().endsWith(".json"))
              .filter(f -> !f.startsWith(histograms.resolve("parts")))
              .count(),
          "files");
    }
    // The panes are sums of the parts on disk: one per processed STF (two; two others failed).
    try (Stream<Path> parts = Files.walk(histograms.resolve("parts"))) {
      assertEquals(2, parts.filter(f -> f.toString().endsWith(".json")).count(), "parts");
    }
    long stfs = 0;
    for (JsonNode f : finals) {
      stfs +=
          f.get("kind").asText().equals(Histograms.MULTIPLICITY) ? f.get("stf_count").asLong() : 0;
    }
    assertEquals(2, stfs, "STFs in the final multiplicity panes");
  }

  /**
   * The Kafka read the run's plan shows: KafkaIO's splittable read with {@code --catch-up} on the
   * DirectRunner, its legacy reader otherwise.
   */
  @Test
  void theKafkaReadIsTheOneAskedFor() throws Exception {
    String plan = Files.readString(record.runDir().resolve("plan.json"));
    boolean splittable = plan.contains("KafkaIO.Read.ReadFromKafkaViaSDF");
    boolean legacy = plan.contains("KafkaIO.Read.ReadFromKafkaViaUnbounded");
    assertTrue(splittable != legacy, "one Kafka read in the plan");
    assertEquals(catchUp, splittable, "splittable read");
  }

  @Test
  void malformedRecordsAreDeadLetteredWithTheReason() {
    List<JsonNode> dead =
        daq.readAll(SwfTopics.DEADLETTER).stream().map(StreamProcessPipelineIT::json).toList();
    assertEquals(2, dead.size());
    assertTrue(dead.get(0).get("reason").asText().startsWith("not JSON"), dead.get(0).toString());
    assertEquals("this is not json", dead.get(0).get("raw").asText());
    assertEquals(SwfTopics.DAQ, dead.get(0).get("source_topic").asText());
    assertEquals("stf_gen message without field filename", dead.get(1).get("reason").asText());
  }

  @Test
  void everyRecordIsAcknowledgedAndHeartbeatsSent() {
    assertEquals(daq.daqEnd(), daq.committed("beamline-process"));
    List<String> beats = daq.readAll(SwfTopics.HEARTBEAT);
    assertTrue(beats.size() >= 2, beats.toString());
    assertTrue(beats.get(beats.size() - 1).contains("\"operational_state\":\"EXITED\""));
  }

  private static JsonNode json(String s) {
    try {
      return Json.MAPPER.readTree(s);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
