package io.beamline.pipelines.demo;

import static org.junit.Assert.assertEquals;

import io.beamline.io.duckdb.DuckDb;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.testing.TestPipeline;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

public class DemoPipelineTest {
  @Rule public final transient TestPipeline p = TestPipeline.create();
  @Rule public final transient TemporaryFolder tmp = new TemporaryFolder();

  private DemoPipeline.DemoOptions options() {
    DemoPipeline.DemoOptions o = p.getOptions().as(DemoPipeline.DemoOptions.class);
    o.setOutputDir(tmp.getRoot().getAbsolutePath());
    return o;
  }

  private static String table(DemoPipeline.DemoOptions o, String name, String ext) {
    return DemoPipeline.outputDir(o).resolve(name) + "/" + name + "-*." + ext;
  }

  @Test
  public void syntheticSamplesBecomeOneRowPerSensorAndWindow() throws Exception {
    DemoPipeline.DemoOptions o = options();
    o.setSensors(3);
    o.setSeconds(4);
    o.setRateHz(50);
    o.setWindowSeconds(0.5);
    new DemoPipeline().build(p, o);
    p.run().waitUntilFinish();

    String src = "read_parquet(" + DuckDb.literal(table(o, "window_stats", "parquet")) + ")";
    try (DuckDb db = DuckDb.inMemory()) {
      assertEquals(3 * 8, db.count("SELECT * FROM " + src));
      assertEquals(
          List.of(List.of(25L, 25L, 3L, 8L)),
          db.rows(
              "SELECT min(n_samples), max(n_samples), count(DISTINCT sensor_id),"
                  + " count(DISTINCT window_start) FROM "
                  + src));
      assertEquals(
          List.of(List.of("2024-01-01 00:00:00", "2024-01-01 00:00:03.5")),
          db.rows(
              "SELECT CAST(min(window_start) AS VARCHAR), CAST(max(window_start) AS VARCHAR)"
                  + " FROM "
                  + src));
      Map<String, String> types = db.columnTypes("SELECT * FROM " + src);
      assertEquals("TIMESTAMP", types.get("window_start"));
      assertEquals("BIGINT", types.get("n_samples"));
      // A 10-11 Hz rhythm of amplitude 1 in noise 0.3: RMS near sqrt(0.5 + 0.09).
      double rms =
          ((Number) db.rows("SELECT avg(rms) FROM " + src + " WHERE max < 4").get(0).get(0))
              .doubleValue();
      assertEquals(Math.sqrt(0.59), rms, 0.05);
    }
  }

  @Test
  public void csvInputIsSummarisedAndBadLinesReported() throws Exception {
    Path csv = tmp.newFile("in.csv").toPath();
    Files.writeString(
        csv,
        "sensor_id,time_s,value\n"
            + "x,1704067200.1,1\n"
            + "x,1704067200.2,3\n"
            + "x,1704067201.0,5\n"
            + "x,oops,5\n"
            + "y,1704067200.5\n");
    DemoPipeline.DemoOptions o = options();
    o.setInput(csv.toString());
    new DemoPipeline().build(p, o);
    p.run().waitUntilFinish();

    try (DuckDb db = DuckDb.inMemory()) {
      String src = "read_parquet(" + DuckDb.literal(table(o, "window_stats", "parquet")) + ")";
      assertEquals(
          List.of(
              List.of("x", "2024-01-01 00:00:00", 2L, 2.0),
              List.of("x", "2024-01-01 00:00:01", 1L, 5.0)),
          db.rows(
              "SELECT sensor_id, CAST(window_start AS VARCHAR), n_samples, mean FROM "
                  + src
                  + " ORDER BY window_start"));
      List<List<Object>> failures =
          db.rows(
              "SELECT item FROM read_json_auto("
                  + DuckDb.literal(table(o, "failures", "jsonl"))
                  + ") ORDER BY item");
      assertEquals(List.of(List.of("line 5"), List.of("line 6")), failures);
    }
    // The input file is the item: its failure record makes the run partial (exit status 3).
    io.beamline.framework.run.ItemCommits commits =
        io.beamline.framework.run.ItemCommits.of(java.nio.file.Paths.get(o.getOutputDir()), "demo");
    io.beamline.framework.run.CommitRecord r = commits.read(csv.toString()).orElseThrow();
    assertEquals("failed", r.status());
    org.hamcrest.MatcherAssert.assertThat(
        r.error(), org.hamcrest.Matchers.startsWith("2 records of " + csv + " rejected: line 5: "));
    assertEquals(1, commits.tally(o.getRunId()).failed().size());
  }
}
