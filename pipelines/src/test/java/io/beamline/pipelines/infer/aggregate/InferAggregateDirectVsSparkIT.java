package io.beamline.pipelines.infer.aggregate;

import static io.beamline.pipelines.infer.InferToolsTestData.writeDetections;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.beamline.framework.run.RunRecord;
import io.beamline.framework.run.Runs;
import io.beamline.io.duckdb.DuckDb;
import io.beamline.pipelines.infer.InferToolsTestData.Det;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code infer aggregate} on the DirectRunner and the SparkRunner (local[2]) over the same seeded
 * detections: the merged table, the per-bucket counts and the quicklook CSV must be identical.
 */
class InferAggregateDirectVsSparkIT {
  @TempDir Path dir;

  private Path input() throws Exception {
    Random r = new Random(42);
    String[] labels = {"chirp", "trill", "whistle", "harmonic"};
    for (int f = 0; f < 3; f++) {
      List<Det> dets = new ArrayList<>();
      for (int i = 0; i < 400; i++) {
        double start = r.nextInt(3597) + r.nextInt(6) * 0.5; // < 3600: buckets 0-11
        dets.add(
            new Det(
                "rec-" + f,
                "rec-" + f + "_" + i,
                start,
                start + 0.5,
                labels[r.nextInt(labels.length)],
                Math.round(r.nextDouble() * 1000) / 1000.0));
      }
      writeDetections(dir.resolve("in/detections/rec-" + f + ".parquet"), dets);
    }
    return dir.resolve("in");
  }

  private Path run(Path input, String runner) {
    Path out = dir.resolve(runner);
    List<String> a =
        List.of(
            "--input=" + input,
            "--outputDir=" + out,
            "--bucketMinutes=5",
            "--minConfidence=0.2",
            "--runner=" + runner,
            "--sparkMaster=local[2]");
    RunRecord rec =
        Runs.run(
            new InferAggregatePipeline(),
            PipelineOptionsFactory.fromArgs(a.toArray(new String[0]))
                .withValidation()
                .as(InferAggregatePipeline.InferAggregateOptions.class),
            a);
    assertEquals("succeeded", rec.status(), runner + ": " + rec.error());
    return out.resolve("aggregate");
  }

  @Test
  void directAndSparkAggregateIdentically() throws Exception {
    Path input = input();
    Path direct = run(input, "DirectRunner");
    Path spark = run(input, "SparkRunner");
    assertEquals(
        Files.readString(direct.resolve("quicklook.csv")),
        Files.readString(spark.resolve("quicklook.csv")));
    try (DuckDb a = DuckDb.open(direct.resolve("detections.duckdb"));
        DuckDb b = DuckDb.open(spark.resolve("detections.duckdb"))) {
      for (String q :
          List.of(
              "SELECT * FROM detections ORDER BY ALL",
              "SELECT * FROM detections_per_bucket ORDER BY ALL",
              "SELECT label, detections, recordings, round(mean_confidence, 9), max_confidence"
                  + " FROM label_summary ORDER BY label")) {
        List<List<Object>> rows = a.rows(q);
        assertEquals(rows, b.rows(q), q);
        if (q.contains("per_bucket")) {
          assertEquals(4 * 12, rows.size(), "4 labels x 12 five-minute buckets");
        }
      }
    }
  }
}
