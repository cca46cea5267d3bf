package io.beamline.pipelines.infer.aggregate;

import static io.beamline.pipelines.infer.InferToolsTestData.writeDetections;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.beamline.framework.UserInputException;
import io.beamline.framework.run.RunRecord;
import io.beamline.framework.run.Runs;
import io.beamline.io.duckdb.DuckDb;
import io.beamline.pipelines.infer.InferToolsTestData.Det;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code infer aggregate} end to end on the DirectRunner over detections in the run's format. */
class InferAggregatePipelineTest {
  @TempDir Path dir;

  /** Two detections files as two {@code infer run}s would leave them, one bad row included. */
  private Path runOutput() throws Exception {
    Path run = dir.resolve("run");
    writeDetections(
        run.resolve("detections").resolve("rec-a.parquet"),
        List.of(
            new Det("rec-a", "rec-a_0_3000", 1.0, 2.0, "chirp", 0.9),
            new Det("rec-a", "rec-a_0_3000", 2.0, 2.5, "trill", 0.8),
            new Det("rec-a", "rec-a_60000_63000", 61.0, 62.0, "chirp", 0.95),
            new Det("rec-a", "rec-a_120000_123000", 121.5, 122.0, "chirp", 0.3)));
    writeDetections(
        run.resolve("detections").resolve("more").resolve("rec-b.parquet"),
        List.of(
            new Det("rec-b", "rec-b_0_3000", 0.5, 1.5, "chirp", 0.7),
            new Det("rec-b", "rec-b_123000_126000", 125.0, 126.0, "whistle", 0.6),
            new Det("rec-b", "rec-b_3000_6000", 3.0, 4.0, null, 0.5)));
    return run;
  }

  static InferAggregatePipeline.InferAggregateOptions options(String... args) {
    List<String> a = new ArrayList<>(List.of(args));
    a.add("--runner=DirectRunner");
    return PipelineOptionsFactory.fromArgs(a.toArray(new String[0]))
        .withValidation()
        .as(InferAggregatePipeline.InferAggregateOptions.class);
  }

  private Path aggregate(Path input, String... extra) {
    Path out = dir.resolve("agg-" + extra.length + "-" + String.join("", extra).hashCode());
    List<String> a = new ArrayList<>(List.of("--input=" + input, "--outputDir=" + out));
    a.addAll(List.of(extra));
    RunRecord r = Runs.run(new InferAggregatePipeline(), options(a.toArray(new String[0])), a);
    assertEquals("succeeded", r.status(), r.error());
    return out.resolve("aggregate");
  }

  @Test
  void commandIsInferAggregate() {
    assertTrue(new InferAggregatePipeline().commandPath().equals(List.of("infer", "aggregate")));
  }

  @Test
  void mergesCountsAndPackagesDetections() throws Exception {
    Path agg = aggregate(runOutput());
    try (DuckDb db = DuckDb.inMemory()) {
      String merged =
          "SELECT * FROM read_parquet("
              + DuckDb.literal(agg.resolve("detections/*.parquet").toString())
              + ")";
      assertEquals(6, db.count(merged), "the row with no label is left out");
      assertEquals("VARCHAR", db.columnTypes(merged).get("label"));
      assertEquals("DOUBLE", db.columnTypes(merged).get("confidence"));
    }
    Path database = agg.resolve("detections.duckdb");
    assertTrue(Files.isRegularFile(database));
    try (DuckDb db = DuckDb.open(database)) {
      assertEquals(6, db.count("SELECT * FROM detections"));
      assertEquals(
          List.of(
              List.of("chirp", 0L, 0.0, 60.0, 2L, 2L, 0.8, 0.9),
              List.of("chirp", 1L, 60.0, 120.0, 1L, 1L, 0.95, 0.95),
              List.of("chirp", 2L, 120.0, 180.0, 1L, 1L, 0.3, 0.3),
              List.of("trill", 0L, 0.0, 60.0, 1L, 1L, 0.8, 0.8),
              List.of("whistle", 2L, 120.0, 180.0, 1L, 1L, 0.6, 0.6)),
          rounded(
              db.rows(
                  "SELECT label, bucket_index, bucket_start_s, bucket_end_s, detections,"
                      + " recordings, mean_confidence, max_confidence"
                      + " FROM detections_per_bucket ORDER BY label, bucket_index")));
      assertEquals(
          List.of(List.of("chirp", 4L, 2L), List.of("trill", 1L, 1L), List.of("whistle", 1L, 1L)),
          db.rows("SELECT label, detections, recordings FROM label_summary ORDER BY label"));
      assertEquals(
          List.of(List.of("rec-a", 4L), List.of("rec-b", 2L)),
          db.rows("SELECT recording_id, detections FROM recording_summary ORDER BY recording_id"));
    }
    assertEquals(
        "label,total,m0,m1,m2\nchirp,4,2,1,1\ntrill,1,1,0,0\nwhistle,1,0,0,1\n",
        Files.readString(agg.resolve("quicklook.csv")));
    try (Stream<Path> s = Files.list(agg.resolve("failures"))) {
      String failures =
          Files.readString(
              s.filter(f -> f.getFileName().toString().endsWith(".jsonl")).findFirst().get());
      assertThat(failures, containsString("rec-b_3000_6000"));
      assertThat(failures, containsString("missing label"));
    }
    try (Stream<Path> s = Files.list(agg)) {
      assertFalse(
          s.anyMatch(f -> f.getFileName().toString().startsWith(".")),
          "no temporary files are left behind");
    }

    BufferedImage png = ImageIO.read(agg.resolve("quicklook.png").toFile());
    assertEquals(Quicklook.WIDTH, png.getWidth());
    assertEquals(Quicklook.HEIGHT, png.getHeight());
    // Markers sit at (bucket, count): chirp 2 in bucket 0 and 1 in bucket 1; whistle 1 in bucket
    // 2 (drawn over chirp's marker there). Labels take colours in name order.
    assertEquals(Quicklook.colour(0).getRGB(), png.getRGB(Quicklook.x(0, 2), Quicklook.y(2, 5)));
    assertEquals(Quicklook.colour(0).getRGB(), png.getRGB(Quicklook.x(1, 2), Quicklook.y(1, 5)));
    assertEquals(Quicklook.colour(2).getRGB(), png.getRGB(Quicklook.x(2, 2), Quicklook.y(1, 5)));
    assertEquals(
        0xFFFFFFFF,
        png.getRGB(Quicklook.x(1, 2), (Quicklook.y(3, 5) + Quicklook.y(4, 5)) / 2),
        "background");
  }

  /**
   * Writes a detections table as a given run left it, through DuckDB: the seed's columns, and
   * {@code committed_utc} when {@code committedUtc} is not null; {@code dets[i]} is {@code chunk,
   * label, confidence}.
   */
  private static void table(Path file, String runId, String committedUtc, List<Object[]> dets)
      throws Exception {
    Files.createDirectories(file.getParent());
    List<String> rows = new ArrayList<>();
    for (Object[] d : dets) {
      int start = Integer.parseInt(((String) d[0]).split("_")[1]) / 1000;
      rows.add(
          String.format(
              java.util.Locale.ROOT,
              "('rec', '%s', %d::DOUBLE, %d::DOUBLE, '%s', %s::DOUBLE, 'stub-energy', '1',"
                  + " 'cpu-0', '%s'%s)",
              d[0],
              start,
              start + 3,
              d[1],
              d[2],
              runId,
              committedUtc == null ? "" : ", '" + committedUtc + "'"));
    }
    try (DuckDb db = DuckDb.inMemory()) {
      db.execute(
          "CREATE TABLE d (recording_id VARCHAR, chunk_id VARCHAR, start_s DOUBLE, end_s DOUBLE,"
              + " label VARCHAR, confidence DOUBLE, model VARCHAR, model_version VARCHAR,"
              + " worker VARCHAR, run_id VARCHAR"
              + (committedUtc == null ? "" : ", committed_utc VARCHAR")
              + ")");
      db.execute("INSERT INTO d VALUES " + String.join(", ", rows));
      db.execute(
          "COPY (SELECT * FROM d) TO " + DuckDb.literal(file.toString()) + " (FORMAT PARQUET)");
    }
  }

  private static List<Object[]> chunks(int from, int to, String[] labels, double conf) {
    List<Object[]> out = new ArrayList<>();
    for (int c = from; c < to; c++) {
      for (String l : labels) {
        out.add(new Object[] {"rec_" + (c * 3000) + "_" + (c * 3000 + 3000), l, conf});
      }
    }
    return out;
  }

  /**
   * Finding 2: the tables of two runs over the same 70 chunks (3 labels each; the second run redid
   * 14) hold 252 rows for 210 (recording, chunk, label); each counts once, the newest commit's rows
   * winning. A table with {@code committed_utc} is ordered by it, not by its file time, and the
   * newest commit's labels win as a whole set (a chunk it gave 2 labels keeps 2, not 3).
   */
  @Test
  void eachChunkCountsOnceTheNewestCommitWinningAsAWhole() throws Exception {
    Path in = dir.resolve("reruns");
    String[] three = {"energy_low", "energy_mid", "energy_high"};
    Path first = in.resolve("detections/rec.run-1-00000-of-00001.parquet");
    table(first, "run-1", null, chunks(0, 70, three, 0.25));
    Path second = in.resolve("detections/rec.run-2-00000-of-00001.parquet");
    table(second, "run-2", null, chunks(0, 14, three, 0.75));
    Files.setLastModifiedTime(first, java.nio.file.attribute.FileTime.fromMillis(1_000_000));
    Files.setLastModifiedTime(second, java.nio.file.attribute.FileTime.fromMillis(2_000_000));
    try (DuckDb db = DuckDb.inMemory()) {
      String all =
          "read_parquet(" + DuckDb.literal(in.resolve("detections") + "/**/*.parquet") + ")";
      assertEquals(252, db.count("SELECT * FROM " + all));
      assertEquals(210, db.count("SELECT DISTINCT recording_id, chunk_id, label FROM " + all));
    }
    Path agg = aggregate(in);
    try (DuckDb db = DuckDb.open(agg.resolve("detections.duckdb"))) {
      assertEquals(210, db.count("SELECT * FROM detections"));
      assertEquals(
          List.of(
              List.of("energy_high", 70L), List.of("energy_low", 70L), List.of("energy_mid", 70L)),
          db.rows("SELECT label, detections FROM label_summary ORDER BY label"));
      assertEquals(42, db.count("SELECT * FROM detections WHERE run_id = 'run-2'"));
      assertEquals(
          0,
          db.count(
              "SELECT * FROM detections WHERE chunk_id = 'rec_0_3000'" + " AND run_id = 'run-1'"));
    }
    assertThat(Files.readString(agg.resolve("quicklook.csv")), containsString("energy_low,70,"));

    // Committed (per its column) after both, though written first: chunk 20 has 2 labels now.
    Path fewer = in.resolve("detections/later/rec.parquet");
    table(
        fewer,
        "run-3",
        "1970-01-01T01:00:00.000000Z",
        chunks(20, 21, new String[] {"energy_low", "energy_mid"}, 0.5));
    Files.setLastModifiedTime(fewer, java.nio.file.attribute.FileTime.fromMillis(500_000));
    // Committed before both, though written last: it loses.
    Path older = in.resolve("detections/old/rec.parquet");
    table(older, "run-0", "1970-01-01T00:00:00.000000Z", chunks(21, 22, three, 0.5));
    Path again = aggregate(in, "--bucketMinutes=1");
    try (DuckDb db = DuckDb.open(again.resolve("detections.duckdb"))) {
      assertEquals(209, db.count("SELECT * FROM detections"));
      assertEquals(
          List.of(List.of("energy_low", "run-3"), List.of("energy_mid", "run-3")),
          db.rows(
              "SELECT label, run_id FROM detections WHERE chunk_id = 'rec_60000_63000'"
                  + " ORDER BY label"));
      assertEquals(0, db.count("SELECT * FROM detections WHERE run_id = 'run-0'"));
    }
  }

  @Test
  void minConfidenceAndBucketMinutesChangeTheCounts() throws Exception {
    Path agg = aggregate(runOutput(), "--minConfidence=0.5", "--bucketMinutes=2");
    assertEquals(
        "label,total,m0,m2\nchirp,3,3,0\ntrill,1,1,0\nwhistle,1,0,1\n",
        Files.readString(agg.resolve("quicklook.csv")));
    try (DuckDb db = DuckDb.open(agg.resolve("detections.duckdb"))) {
      assertEquals(5, db.count("SELECT * FROM detections"));
      assertEquals(0, db.count("SELECT * FROM detections WHERE confidence < 0.5"));
    }
    Path half = aggregate(runOutput(), "--bucketMinutes=0.5");
    assertThat(Files.readString(half.resolve("quicklook.csv")), containsString("m0,m0.5,m1,"));
  }

  @Test
  void aDirectoryOfParquetFilesAndAnEmptyResultWork() throws Exception {
    Path flat = dir.resolve("flat");
    writeDetections(
        flat.resolve("x.parquet"), List.of(new Det("r", "r_0_3000", 0.0, 1.0, "chirp", 0.2)));
    Path agg = aggregate(flat, "--minConfidence=0.9");
    assertEquals("label,total\n", Files.readString(agg.resolve("quicklook.csv")));
    try (DuckDb db = DuckDb.open(agg.resolve("detections.duckdb"))) {
      assertEquals(0, db.count("SELECT * FROM detections"));
      assertEquals(0, db.count("SELECT * FROM detections_per_bucket"));
    }
    assertEquals(Quicklook.WIDTH, ImageIO.read(agg.resolve("quicklook.png").toFile()).getWidth());
  }

  @Test
  void badInputsAreOneLineUserErrors() throws Exception {
    InferAggregatePipeline def = new InferAggregatePipeline();
    UserInputException missing =
        assertThrows(
            UserInputException.class,
            () -> def.validate(options("--input=" + dir.resolve("nope"))));
    assertThat(missing.getMessage(), containsString("--input"));

    Files.createDirectories(dir.resolve("empty"));
    UserInputException none =
        assertThrows(
            UserInputException.class,
            () -> def.validate(options("--input=" + dir.resolve("empty"))));
    assertThat(none.getMessage(), containsString("no detections Parquet files"));

    Path wrong = dir.resolve("wrong").resolve("detections").resolve("w.parquet");
    Files.createDirectories(wrong.getParent());
    try (DuckDb db = DuckDb.inMemory()) {
      db.execute(
          "COPY (SELECT 'r' AS recording_id, 'c' AS chunk_id, 0.0::DOUBLE AS start_s,"
              + " 1.0::DOUBLE AS end_s, 'x' AS species, 'high' AS confidence) TO "
              + DuckDb.literal(wrong.toString())
              + " (FORMAT PARQUET)");
    }
    UserInputException columns =
        assertThrows(
            UserInputException.class,
            () -> def.validate(options("--input=" + dir.resolve("wrong"))));
    assertThat(columns.getMessage(), containsString("label missing"));
    assertThat(columns.getMessage(), containsString("confidence is VARCHAR"));
    assertFalse(columns.getMessage().contains("\n"));

    Path ok = runOutput();
    assertThrows(
        UserInputException.class,
        () -> def.validate(options("--input=" + ok, "--bucketMinutes=0")));
    assertThrows(
        UserInputException.class,
        () -> def.validate(options("--input=" + ok, "--minConfidence=1.5")));
  }

  private static List<List<Object>> rounded(List<List<Object>> rows) {
    List<List<Object>> out = new ArrayList<>();
    for (List<Object> r : rows) {
      List<Object> c = new ArrayList<>();
      for (Object v : r) {
        c.add(v instanceof Double d ? Math.round(d * 1e9) / 1e9 : v);
      }
      out.add(c);
    }
    return out;
  }
}
