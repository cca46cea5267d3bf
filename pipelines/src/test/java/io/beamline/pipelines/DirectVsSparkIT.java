package io.beamline.pipelines;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.beamline.framework.run.RunRecord;
import io.beamline.framework.run.Runs;
import io.beamline.io.duckdb.DuckDb;
import io.beamline.pipelines.demo.DemoPipeline;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The same pipeline, the same options, on the DirectRunner and on the SparkRunner (local[2]): the
 * Parquet tables must hold exactly the same rows, compared through DuckDB.
 */
class DirectVsSparkIT {
  @TempDir Path dir;

  private RunRecord run(String runner, String out, String... extra) {
    return runEnding("succeeded", runner, out, extra);
  }

  private RunRecord runEnding(String status, String runner, String out, String... extra) {
    List<String> args =
        new java.util.ArrayList<>(
            List.of(
                "--outputDir=" + dir.resolve(out),
                "--runner=" + runner,
                "--sparkMaster=local[2]",
                "--sensors=5",
                "--seconds=20",
                "--rateHz=200",
                "--windowSeconds=0.25",
                "--seed=7",
                "--numShards=0"));
    args.addAll(List.of(extra));
    DemoPipeline.DemoOptions o =
        PipelineOptionsFactory.fromArgs(args.toArray(new String[0]))
            .withoutStrictParsing()
            .as(DemoPipeline.DemoOptions.class);
    RunRecord r = Runs.run(new DemoPipeline(), o, args);
    assertEquals(status, r.status(), "run on " + runner + ": " + r.error());
    return r;
  }

  private static void assertSameRows(DuckDb db, String a, String b, long expectedRows)
      throws Exception {
    assertEquals(expectedRows, db.count("SELECT * FROM " + a));
    assertEquals(expectedRows, db.count("SELECT * FROM " + b));
    assertEquals(0, db.count("SELECT * FROM " + a + " EXCEPT ALL SELECT * FROM " + b));
    assertEquals(0, db.count("SELECT * FROM " + b + " EXCEPT ALL SELECT * FROM " + a));
  }

  private String parquet(String out, String table) {
    return "read_parquet("
        + DuckDb.literal(dir.resolve(out) + "/demo/" + table + "/*.parquet")
        + ")";
  }

  @Test
  void syntheticDemoGivesIdenticalTables() throws Exception {
    run("DirectRunner", "direct");
    run("SparkRunner", "spark");
    try (DuckDb db = DuckDb.inMemory()) {
      assertSameRows(
          db, parquet("direct", "window_stats"), parquet("spark", "window_stats"), 5 * 20 * 4);
      assertEquals(
          List.of(List.of(50L, 50L)),
          db.rows(
              "SELECT min(n_samples), max(n_samples) FROM " + parquet("spark", "window_stats")));
    }
  }

  @Test
  void csvDemoGivesIdenticalTablesAndFailures() throws Exception {
    Path csv = dir.resolve("in.csv");
    StringBuilder b = new StringBuilder("sensor_id,time_s,value\n");
    java.util.SplittableRandom rng = new java.util.SplittableRandom(3);
    for (int i = 0; i < 2000; i++) {
      b.append("s")
          .append(i % 3)
          .append(',')
          .append(1704067200 + i * 0.01)
          .append(',')
          .append(rng.nextGaussian())
          .append('\n');
      if (i % 250 == 0) {
        b.append("broken line ").append(i).append('\n');
      }
    }
    Files.writeString(csv, b.toString());
    // Its 8 broken lines make both runs partial, with the same failure record for the file.
    runEnding("partial", "DirectRunner", "direct", "--input=" + csv);
    runEnding("partial", "SparkRunner", "spark", "--input=" + csv);
    io.beamline.framework.run.CommitRecord recordA =
        io.beamline.framework.run.ItemCommits.of(dir.resolve("direct"), "demo")
            .read(csv.toString())
            .orElseThrow();
    io.beamline.framework.run.CommitRecord recordB =
        io.beamline.framework.run.ItemCommits.of(dir.resolve("spark"), "demo")
            .read(csv.toString())
            .orElseThrow();
    assertEquals(recordA.error(), recordB.error());
    assertEquals(8, ((Number) recordA.details().get("rejected")).intValue());
    try (DuckDb db = DuckDb.inMemory()) {
      assertSameRows(
          db, parquet("direct", "window_stats"), parquet("spark", "window_stats"), 3 * 80);
      String failuresA =
          "read_json_auto("
              + DuckDb.literal(dir.resolve("direct") + "/demo/failures/*.jsonl")
              + ")";
      String failuresB =
          "read_json_auto(" + DuckDb.literal(dir.resolve("spark") + "/demo/failures/*.jsonl") + ")";
      assertSameRows(db, failuresA, failuresB, 8);
    }
  }
}
