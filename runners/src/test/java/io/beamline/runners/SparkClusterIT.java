package io.beamline.runners;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.beamline.io.audio.Audio;
import io.beamline.io.audio.WavEncoding;
import io.beamline.io.audio.WavWriter;
import io.beamline.io.duckdb.DuckDb;
import io.beamline.runners.ShadedJarIT.Proc;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pipelines submitted with {@code spark-submit} to a real Spark standalone cluster: a master and
 * two workers as separate JVMs ({@code runners/cluster/spark-cluster.sh}), each executor with its
 * own working and temporary directory, so nothing reaches an executor through the driver's {@code
 * /tmp}. Outputs are compared with the DirectRunner's row for row through DuckDB, and the run's
 * Beam counters with the DirectRunner's.
 */
class SparkClusterIT {
  private static final Path SCRIPT = Paths.get("cluster", "spark-cluster.sh").toAbsolutePath();
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir static Path dir;
  private static Path cluster;

  @BeforeAll
  static void startCluster() throws Exception {
    cluster = dir.resolve("cluster");
    Proc up =
        ShadedJarIT.exec(dir, List.of("bash", SCRIPT.toString(), "start", cluster.toString()));
    assertEquals(0, up.code(), up.err() + up.out());
    assertThat(up.out(), containsString("spark://127.0.0.1:"));
  }

  @AfterAll
  static void stopCluster() throws Exception {
    if (cluster != null) {
      ShadedJarIT.exec(dir, List.of("bash", SCRIPT.toString(), "stop", cluster.toString()));
    }
  }

  private static Proc submit(String... args) throws Exception {
    List<String> cmd =
        new ArrayList<>(List.of("bash", SCRIPT.toString(), "submit", cluster.toString()));
    cmd.addAll(List.of(args));
    return ShadedJarIT.exec(dir, cmd);
  }

  private static Proc direct(String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(ShadedJarIT.JAVA));
    cmd.addAll(ShadedJarIT.addOpens());
    cmd.addAll(List.of("-Dai.djl.offline=true", "-jar", ShadedJarIT.JAR.toString()));
    cmd.addAll(List.of(args));
    return ShadedJarIT.exec(dir, cmd);
  }

  private static List<List<Object>> rows(String sql) throws Exception {
    try (DuckDb db = DuckDb.inMemory()) {
      return db.rows(sql);
    }
  }

  private static String parquet(Path d) {
    return "read_parquet(" + DuckDb.literal(d + File.separator + "*.parquet") + ")";
  }

  @Test
  void inferRunWithTheBundledModelScoresEveryChunkOnceOnTheExecutors() throws Exception {
    Path rec = dir.resolve("recordings");
    for (int r = 0; r < 3; r++) {
      float[][] x = new float[1][22_050 * 8];
      for (int i = 0; i < x[0].length; i++) {
        x[0][i] = (float) (0.3 * Math.sin(i * (0.2 + 0.1 * r)) * ((i / 5000) % 2 == 0 ? 1 : 0.1));
      }
      WavWriter.write(rec.resolve("site" + r + ".wav"), Audio.of(22_050, x), WavEncoding.PCM_16);
    }
    Path chunks = dir.resolve("chunks");
    Proc chunked =
        direct("infer", "chunk", "--recordings", rec.toString(), "--output-dir", chunks.toString());
    assertEquals(0, chunked.code(), chunked.err());
    String manifests = chunks.resolve("manifests").toString();
    Path onDirect = dir.resolve("infer-direct");
    Path onCluster = dir.resolve("infer-cluster");
    Proc d =
        direct(
            "infer",
            "run",
            "--manifest",
            manifests,
            "--batch-size",
            "2",
            "--min-confidence",
            "0",
            "--output-dir",
            onDirect.toString());
    assertEquals(0, d.code(), d.err());
    Proc c =
        submit(
            "infer",
            "run",
            "--manifest",
            manifests,
            "--batch-size",
            "2",
            "--min-confidence",
            "0",
            "--output-dir",
            onCluster.toString());
    assertEquals(0, c.code(), c.err() + c.out());

    // Defect 1: each executor extracted the bundled model where it runs, from the jar.
    try (Stream<Path> s = Files.walk(cluster)) {
      assertTrue(
          s.anyMatch(
              p ->
                  p.getFileName().toString().startsWith("birdcall-default-")
                      && p.toString().contains(File.separator + "work" + File.separator)),
          "no executor extracted the bundled model under its own directory");
    }
    // Same detections, row for row (run ids and commit times aside).
    String q = "SELECT * EXCLUDE (run_id, committed_utc, worker) FROM %s ORDER BY ALL";
    List<List<Object>> a = rows(String.format(q, parquet(onDirect.resolve("detections"))));
    assertFalse(a.isEmpty());
    assertEquals(a, rows(String.format(q, parquet(onCluster.resolve("detections")))));

    // Defects 2 and 3: every batch predicted once, every telemetry line written once.
    Map<String, Long> direct = counters(onDirect);
    Map<String, Long> onSpark = counters(onCluster);
    assertEquals(direct.get("predict_calls"), onSpark.get("predict_calls"), onSpark.toString());
    assertEquals(direct.get("chunks_succeeded"), onSpark.get("chunks_succeeded"));
    assertEquals(telemetryLines(onDirect), telemetryLines(onCluster));
    assertEquals(direct.get("chunks_succeeded"), (long) telemetryLines(onCluster));

    // Defect 4: the driver's progress line counts the chunks done in the executors.
    long n = direct.get("chunks_succeeded");
    assertThat(c.err(), containsString(n + "/" + n + " chunks 100%"));
    // Defect 5: each executor's slots are named after it, not all "cpu-0".
    String workers = Files.readString(firstRunFile(onCluster, "workers.csv"));
    assertThat(workers, containsString("cpu-0@"));
    assertThat(workers, containsString("/executor-"));
  }

  /** The run's Beam counters (attempted), by name. */
  private static Map<String, Long> counters(Path out) throws Exception {
    Map<String, Long> m = new TreeMap<>();
    JsonNode metrics = JSON.readTree(firstRunFile(out, "metrics.json").toFile());
    for (JsonNode c : metrics.get("counters")) {
      m.merge(c.get("name").asText(), c.get("attempted").asLong(), Long::sum);
    }
    return m;
  }

  private static int telemetryLines(Path out) throws Exception {
    int n = 0;
    try (Stream<Path> s = Files.list(out.resolve("telemetry"))) {
      for (Path p : s.filter(f -> f.toString().endsWith(".jsonl")).toList()) {
        n += Files.readAllLines(p).size();
      }
    }
    return n;
  }

  private static Path firstRunFile(Path out, String name) throws Exception {
    try (Stream<Path> s = Files.walk(out)) {
      return s.filter(p -> p.getFileName().toString().endsWith(name))
          .findFirst()
          .orElseThrow(() -> new AssertionError("no " + name + " under " + out));
    }
  }
}
