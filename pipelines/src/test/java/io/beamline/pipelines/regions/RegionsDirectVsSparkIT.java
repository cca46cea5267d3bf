package io.beamline.pipelines.regions;

import static io.beamline.pipelines.regions.RegionsTestData.args;
import static io.beamline.pipelines.regions.RegionsTestData.files;
import static io.beamline.pipelines.regions.RegionsTestData.matContent;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.greaterThan;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.beamline.framework.run.RunRecord;
import io.beamline.framework.run.Runs;
import io.beamline.io.duckdb.DuckDb;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The regions pipeline with the same options on the DirectRunner and the SparkRunner (local[2]):
 * every MAT file must hold the same variables with the same values, and the tables the same rows
 * (the wall-clock seconds per region aside), synthetic sources and mixed EEG included.
 */
class RegionsDirectVsSparkIT {
  @TempDir Path dir;

  private Path run(String runner) {
    Path out = dir.resolve(runner);
    // Regions 1..5 of the 6-region anatomy, region 4's marker path blocked: it fails on both
    // runners, so failure records are compared too.
    try {
      RegionsPipelineTest.blockMarker(out, 4);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    List<String> a =
        args(
            out,
            1,
            6,
            "--runner=" + runner,
            "--sparkMaster=local[2]",
            "--syntheticSources=true",
            "--mixEeg=true",
            "--eegSamplesPerFile=16",
            "--nData=2");
    RunRecord r = Runs.run(new RegionsPipeline(), RegionsTestData.options(a), a);
    assertEquals("partial", r.status(), "run on " + runner + ": " + r.error());
    // Four regions, the source table and the mixed EEG.
    assertEquals(6, r.items().succeeded(), runner);
    assertEquals(1, r.items().failed(), runner);
    return out;
  }

  private static String parquet(Path root, String table) {
    return "read_parquet(" + DuckDb.literal(root.resolve(table) + "/*.parquet") + ")";
  }

  private static void assertSameRows(DuckDb db, String a, String b) throws Exception {
    assertEquals(db.count("SELECT * FROM " + a), db.count("SELECT * FROM " + b));
    assertEquals(0, db.count("SELECT * FROM " + a + " EXCEPT ALL SELECT * FROM " + b));
    assertEquals(0, db.count("SELECT * FROM " + b + " EXCEPT ALL SELECT * FROM " + a));
  }

  private static JsonNode withoutSeconds(Path json) throws Exception {
    JsonNode n = new ObjectMapper().readTree(json.toFile());
    ((ObjectNode) n).remove("total_seconds");
    ((ObjectNode) n).remove("run_id");
    for (JsonNode r : n.get("regions")) {
      ((ObjectNode) r).remove("seconds");
      // The error names the blocked path, which is under each runner's own directory.
      ((ObjectNode) r).remove("error");
    }
    for (JsonNode f : n.get("failed")) {
      ((ObjectNode) f).remove("error");
    }
    return n;
  }

  @Test
  void directAndSparkWriteTheSameFiles() throws Exception {
    Path direct = run("DirectRunner");
    Path spark = run("SparkRunner");
    List<String> names = files(direct.resolve("nmm_spikes"));
    assertThat(names.size(), greaterThan(10));
    assertEquals(names, files(spark.resolve("nmm_spikes")));
    // The blocker of region 4's marker is not a MAT file.
    names = names.stream().filter(n -> !n.endsWith("in-the-way")).toList();
    for (String f : names) {
      assertEquals(
          matContent(direct.resolve("nmm_spikes").resolve(f)),
          matContent(spark.resolve("nmm_spikes").resolve(f)),
          f);
    }
    try (DuckDb db = DuckDb.inMemory()) {
      assertSameRows(db, parquet(direct, "spike_clips"), parquet(spark, "spike_clips"));
      assertSameRows(db, parquet(direct, "synthetic_sources"), parquet(spark, "synthetic_sources"));
      assertSameRows(db, parquet(direct, "sensor_eeg/test"), parquet(spark, "sensor_eeg/test"));
      assertThat(db.count("SELECT * FROM " + parquet(spark, "sensor_eeg/test")), greaterThan(16L));
      // Errors name the blocked path, which is under each runner's own directory.
      String cols = "SELECT region, label, status, error IS NULL, spikes FROM ";
      assertSameRows(
          db,
          "(" + cols + parquet(direct, "region_summary") + ")",
          "(" + cols + parquet(spark, "region_summary") + ")");
      assertEquals(5, db.count("SELECT * FROM " + parquet(spark, "region_summary")));
      assertEquals(
          List.of(List.of(4, "failed")),
          db.rows(
              "SELECT region, status FROM "
                  + parquet(spark, "region_summary")
                  + " WHERE error IS NOT NULL"));
    }
    assertEquals(
        matContent(direct.resolve("test_sample_source1.mat")),
        matContent(spark.resolve("test_sample_source1.mat")));
    List<String> eeg = files(direct.resolve("test_sample_source1_eeg"));
    assertThat(eeg.size(), greaterThan(1));
    assertEquals(eeg, files(spark.resolve("test_sample_source1_eeg")));
    for (String f : eeg) {
      assertEquals(
          matContent(direct.resolve("test_sample_source1_eeg").resolve(f)),
          matContent(spark.resolve("test_sample_source1_eeg").resolve(f)),
          f);
    }
    assertEquals(
        withoutSeconds(direct.resolve("regions_summary.json")),
        withoutSeconds(spark.resolve("regions_summary.json")));
  }
}
