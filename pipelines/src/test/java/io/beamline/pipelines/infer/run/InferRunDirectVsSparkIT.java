package io.beamline.pipelines.infer.run;

import static io.beamline.pipelines.infer.run.InferRunTestData.stem;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.beamline.io.duckdb.DuckDb;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code infer run} on the DirectRunner and the SparkRunner (local[2]) over the same manifests,
 * with the trained model and with the stub (plus injected failures and retries): the detections are
 * the same rows (but for {@code committed_utc}, a time), the raw score files the same bytes
 * (bit-identical scores), and summaries, workers files and telemetry (without times and memory) the
 * same.
 */
class InferRunDirectVsSparkIT {
  @TempDir Path dir;

  private Path run(Path manifests, String runner, String tag, String... extra) {
    Path out = dir.resolve(tag + "-" + runner);
    List<String> a = new ArrayList<>(List.of(extra));
    a.add("--runner=" + runner);
    a.add("--sparkMaster=local[2]");
    a.add("--runId=same-" + tag);
    InferRunTestData.Ran r = InferRunTestData.run(manifests, out, a.toArray(new String[0]));
    assertTrue(
        "succeeded".equals(r.record().status()) || "partial".equals(r.record().status()),
        runner + ": " + r.record().error());
    return out;
  }

  private static List<String> files(Path d) throws Exception {
    try (Stream<Path> s = Files.walk(d)) {
      return s.filter(Files::isRegularFile).map(p -> d.relativize(p).toString()).sorted().toList();
    }
  }

  private static List<String> telemetryWithoutTimes(Path f) throws Exception {
    ObjectMapper m = new ObjectMapper();
    List<String> out = new ArrayList<>();
    for (String l : Files.readAllLines(f)) {
      ObjectNode n = (ObjectNode) m.readTree(l);
      for (String k : List.of("start_utc", "end_utc", "runtime_s", "memory_used_bytes")) {
        n.remove(k);
      }
      out.add(n.toString());
    }
    out.sort(null);
    return out;
  }

  private void compare(Path manifests, Path a, Path b, long minRows) throws Exception {
    try (DuckDb db = DuckDb.inMemory()) {
      String da =
          "(SELECT * EXCLUDE (committed_utc) FROM read_parquet("
              + DuckDb.literal(a.resolve("detections") + "/*.parquet")
              + "))";
      String dbb =
          "(SELECT * EXCLUDE (committed_utc) FROM read_parquet("
              + DuckDb.literal(b.resolve("detections") + "/*.parquet")
              + "))";
      long n = db.count("SELECT * FROM " + da);
      assertTrue(n >= minRows, "rows: " + n);
      assertEquals(n, db.count("SELECT * FROM " + dbb));
      assertEquals(0, db.count("SELECT * FROM " + da + " EXCEPT ALL SELECT * FROM " + dbb));
      assertEquals(0, db.count("SELECT * FROM " + dbb + " EXCEPT ALL SELECT * FROM " + da));
    }
    assertEquals(files(a.resolve("detections")), files(b.resolve("detections")));
    List<String> artifacts = files(a.resolve("artifacts"));
    assertEquals(artifacts, files(b.resolve("artifacts")));
    for (String f : artifacts) {
      assertArrayEquals(
          Files.readAllBytes(a.resolve("artifacts").resolve(f)),
          Files.readAllBytes(b.resolve("artifacts").resolve(f)),
          f);
    }
    try (Stream<Path> s = Files.list(manifests)) {
      for (Path m : s.sorted().toList()) {
        String stem = stem(m);
        JsonNode sa = new ObjectMapper().readTree(a.resolve(stem + ".summary.json").toFile());
        JsonNode sb = new ObjectMapper().readTree(b.resolve(stem + ".summary.json").toFile());
        assertEquals(sa.get("chunks"), sb.get("chunks"), stem);
        assertEquals(
            Files.readString(a.resolve(stem + ".workers.csv")),
            Files.readString(b.resolve(stem + ".workers.csv")));
        assertEquals(
            telemetryWithoutTimes(a.resolve("telemetry/" + stem + ".jsonl")),
            telemetryWithoutTimes(b.resolve("telemetry/" + stem + ".jsonl")));
      }
    }
  }

  @Test
  void modelDetectionsAreIdenticalOnBothRunners() throws Exception {
    Path root = dir.resolve("model-data");
    InferRunTestData.dataset(root, 21, 2, 5, 3.0, 28_000);
    String model = "--model=" + InferRunTestData.model();
    Path d =
        run(
            root.resolve("manifests"),
            "DirectRunner",
            "model",
            model,
            "--batchSize=3",
            "--minConfidence=0");
    Path s =
        run(
            root.resolve("manifests"),
            "SparkRunner",
            "model",
            model,
            "--batchSize=3",
            "--minConfidence=0");
    compare(root.resolve("manifests"), d, s, 30);
  }

  @Test
  void stubDetectionsWithRetriesAreIdenticalOnBothRunners() throws Exception {
    Path root = dir.resolve("stub-data");
    InferRunTestData.dataset(root, 22, 3, 6, 1.0, 22_050);
    String[] flags = {
      "--stubRunner=true",
      "--batchSize=4",
      "--injectFailureRate=0.3",
      "--seed=9",
      "--minConfidence=0.05"
    };
    Path d = run(root.resolve("manifests"), "DirectRunner", "stub", flags);
    Path s = run(root.resolve("manifests"), "SparkRunner", "stub", flags);
    compare(root.resolve("manifests"), d, s, 1);
  }
}
