package io.beamline.pipelines.constellation;

import static io.beamline.pipelines.constellation.ConstellationTestSupport.counter;
import static io.beamline.pipelines.constellation.ConstellationTestSupport.files;
import static io.beamline.pipelines.constellation.ConstellationTestSupport.options;
import static io.beamline.pipelines.constellation.ConstellationTestSupport.read;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.beamline.framework.run.RunRecord;
import io.beamline.framework.run.Runs;
import io.beamline.io.duckdb.DuckDb;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --streaming} end to end with the embedded broker: 6 s of packets ingested in real time
 * with fault injection, read with event-time windows of 2 s; per-window sync reports, Parquet rows
 * and WebDataset samples, checked against what the ingest stage dropped.
 */
class ConstellationStreamingIT {
  private static Path out;
  private static RunRecord run;
  private static ConstellationOptions opts;

  @BeforeAll
  static void runOnce(@TempDir Path dir) throws Exception {
    out = dir.resolve("out");
    List<String> argv =
        List.of(
            "--outputDir=" + out,
            "--subjectId=S1",
            "--sessionId=A",
            "--streaming",
            "--duration=6",
            "--windowSeconds=2",
            "--faultInjection",
            "--seed=11",
            "--shardSize=2");
    opts = options(argv);
    run = Runs.run(new ConstellationPipeline(), opts, argv);
    assertEquals("succeeded", run.status(), run.error());
  }

  private static Path raw() {
    return out.resolve("raw/S1/A");
  }

  private static List<JsonNode> windowLines() throws Exception {
    List<JsonNode> lines = new ArrayList<>();
    for (String f : files(raw().resolve(ConstellationPipeline.SYNC_WINDOWS_DIR))) {
      for (String line : Files.readAllLines(raw().resolve("sync_windows").resolve(f))) {
        lines.add(ConstellationTestSupport.JSON.readTree(line));
      }
    }
    return lines;
  }

  @Test
  void oneReportPerWindowWithEveryStream() throws Exception {
    assertEquals(
        List.of("window-000000.jsonl", "window-000001.jsonl", "window-000002.jsonl"),
        files(raw().resolve(ConstellationPipeline.SYNC_WINDOWS_DIR)));
    Map<Long, Integer> streams = new HashMap<>();
    for (JsonNode l : windowLines()) {
      streams.merge(l.get("window").asLong(), 1, Integer::sum);
      assertEquals(0, l.get("rejected_packets").asLong(), l.toString());
    }
    assertEquals(Map.of(0L, 8, 1L, 8, 2L, 8), streams);
  }

  @Test
  void perWindowGapsSumToTheDroppedPackets() throws Exception {
    JsonNode ingest = read(run.runDir().resolve(ConstellationPipeline.INGEST_FILE)).get("streams");
    Map<String, Long> droppedSamples = new HashMap<>();
    Map<String, Long> droppedPackets = new HashMap<>();
    ingest
        .properties()
        .forEach(
            e -> {
              droppedSamples.put(e.getKey(), e.getValue().get("dropped_samples").asLong());
              droppedPackets.put(e.getKey(), e.getValue().get("dropped_packets").asLong());
            });
    Map<String, Long> missing = new HashMap<>();
    Map<String, Long> lost = new HashMap<>();
    long totalDropped = 0;
    for (JsonNode l : windowLines()) {
      String id = l.get("sensor_id").asText();
      missing.merge(id, l.get("missing_samples").asLong(), Long::sum);
      lost.merge(id, l.get("dropped_packets").asLong(), Long::sum);
      totalDropped += l.get("dropped_packets").asLong();
    }
    assertEquals(droppedSamples, missing);
    assertEquals(droppedPackets, lost);
    assertTrue(totalDropped > 0, "fault injection dropped nothing in 6 s");
  }

  @Test
  void parquetHoldsEveryWindowRow() throws Exception {
    long samples = 0;
    long gaps = 0;
    for (JsonNode l : windowLines()) {
      samples += l.get("samples").asLong();
      gaps += l.get("gap_samples").asLong();
    }
    try (DuckDb db = DuckDb.inMemory()) {
      String t = "read_parquet(" + DuckDb.literal(raw().resolve("timeseries") + "/*.parquet") + ")";
      assertEquals(samples, db.count("SELECT * FROM " + t));
      assertEquals(gaps, db.count("SELECT * FROM " + t + " WHERE gap"));
      assertEquals(
          0,
          db.count(
              "SELECT sensor_id, sample_index FROM " + t + " GROUP BY ALL HAVING count(*) > 1"));
    }
    assertEquals(gaps, sumGapCounters());
  }

  private static long sumGapCounters() throws Exception {
    long total = 0;
    for (String m :
        List.of("eeg", "audio", "video", "eda", "fnirs", "respiration", "ecg", "phone")) {
      total += counter(run.runDir(), "gap_samples_" + m);
    }
    return total;
  }

  @Test
  void oneWebDatasetSamplePerWindow() throws Exception {
    Path gold = out.resolve("gold/S1/A");
    List<String> shards = files(gold);
    // Streaming writes each window's sample as a shard of its own (--shard-size is batch's).
    assertEquals(List.of("shard-000000.tar", "shard-000001.tar", "shard-000002.tar"), shards);
    List<String> keys = new ArrayList<>();
    for (String s : shards) {
      keys.addAll(jsonMembers(Files.readAllBytes(gold.resolve(s))));
    }
    keys.sort(null);
    assertEquals(List.of("S1_A_000000.json", "S1_A_000001.json", "S1_A_000002.json"), keys);
  }

  /**
   * Each window's report, Parquet file and shard land within 2 s of the window's close on the
   * session clock (session start + window end + the clock's offset, when the ingest began), i.e.
   * while the session still runs, not all at its end.
   */
  @Test
  void eachWindowIsWrittenWithinTwoSecondsOfItsClose() throws Exception {
    JsonNode ingest = read(run.runDir().resolve(ConstellationPipeline.INGEST_FILE));
    long offsetMs = ingest.get("clock_offset_ms").asLong();
    long startMs = java.time.Instant.parse(opts.getSessionStart()).toEpochMilli();
    WindowLags lags =
        WindowLags.of(raw(), out.resolve("gold/S1/A"), startMs + offsetMs + 2000, 2000, 3);
    System.out.println("window outputs behind their close: " + lags.text());
    assertTrue(lags.worstMs() < 2000, "window outputs behind their close: " + lags.text());
    // Window 0 closed 4 s before the session's end: it was written while the session ran.
    assertTrue(lags.worstMs() > -1000, "an output before its window closed? " + lags.text());
    assertTrue(counter(run.runDir(), "windows_written") >= 3);
  }

  @Test
  void outputsLandAtomically() throws Exception {
    for (Path root : List.of(raw(), out.resolve("gold"))) {
      for (String f : files(root)) {
        assertFalse(f.endsWith(".tmp") || Path.of(f).getFileName().toString().startsWith("."), f);
      }
    }
    assertTrue(Files.isRegularFile(run.runDir().resolve(ConstellationPipeline.INGEST_FILE)));
  }

  @Test
  void ingestRanInRealTime() throws Exception {
    // 6 s of packets paced by event time: the last one leaves about 5.9 s after the first.
    double seconds =
        read(run.runDir().resolve(ConstellationPipeline.INGEST_FILE)).get("seconds").asDouble();
    assertTrue(seconds > 5.5, "ingest took " + seconds + " s");
  }

  /** Names of the {@code .json} members of a ustar archive. */
  private static List<String> jsonMembers(byte[] tar) {
    List<String> names = new ArrayList<>();
    int at = 0;
    while (at + 512 <= tar.length && tar[at] != 0) {
      int end = at;
      while (end < at + 100 && tar[end] != 0) {
        end++;
      }
      String name = new String(tar, at, end - at, StandardCharsets.UTF_8);
      String size = new String(tar, at + 124, 12, StandardCharsets.US_ASCII).trim();
      long n = Long.parseLong(size.replace("\0", "").trim(), 8);
      if (name.endsWith(".json")) {
        names.add(name);
      }
      at += 512 + (int) ((n + 511) / 512 * 512);
    }
    return names;
  }
}
