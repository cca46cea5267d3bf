package io.beamline.runners;

import static io.beamline.runners.SameOutputs.assertSameFiles;
import static io.beamline.runners.SameOutputs.assertSameMetrics;
import static io.beamline.runners.SameOutputs.assertSameRows;
import static io.beamline.runners.SameOutputs.json;
import static io.beamline.runners.SameOutputs.jsonLines;
import static io.beamline.runners.SameOutputs.metrics;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.greaterThan;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.beamline.io.audio.Audio;
import io.beamline.io.audio.WavEncoding;
import io.beamline.io.audio.WavWriter;
import io.beamline.runners.ShadedJarIT.Proc;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pipelines submitted with {@code spark-submit} to a real Spark standalone cluster: a master and
 * two workers as separate JVMs ({@code runners/cluster/spark-cluster.sh}, started once for the
 * class), each executor with its own working and temporary directory, so nothing reaches an
 * executor through the driver's {@code /tmp}. Each command ({@code regions}, {@code constellation},
 * and {@code infer chunk -> run -> aggregate} on the same data, {@code infer run} with the bundled
 * model and with a model directory from {@code infer train}) runs once on the cluster and once on
 * the DirectRunner in this JVM, at the same time; the outputs must be the same files, byte for byte
 * where the files are deterministic, the same rows through DuckDB, and the same Beam counters.
 * Last, the workers' clean-up must remove every application's directory (with its copy of the jar)
 * once the application ended.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SparkClusterIT {
  private static final Path SCRIPT = Paths.get("cluster", "spark-cluster.sh").toAbsolutePath();

  @TempDir static Path dir;
  private static Path cluster;

  /**
   * JVM options for the short applications' drivers and executors: C1 only and the serial collector
   * halve their CPU time (a demo: 36 to 20 CPU seconds), most of which JIT compilation takes; on
   * two cores that is most of a run's wall time.
   */
  private static final String QUICK_JVM = "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC";

  /** Seconds the workers keep an ended application's directory after its last change. */
  private static final int TTL = 20;

  /** Seconds between the workers' clean-ups. */
  private static final int INTERVAL = 3;

  /**
   * The application directories (each with a copy of the jar) the cluster's runs left under the
   * workers' work directories, with the time ({@link System#nanoTime()}) their run was seen ended.
   */
  private static final Map<Path, Long> appDirs = new TreeMap<>();

  @BeforeAll
  static void startCluster() throws Exception {
    cluster = dir.resolve("cluster");
    // Short clean-up times, so the last test sees the workers remove ended applications; they
    // keep a directory until nothing changed in it for TTL s, long enough for the checks each test
    // makes right after its run.
    Proc up =
        ShadedJarIT.exec(
            dir,
            List.of("bash", SCRIPT.toString(), "start", cluster.toString()),
            Map.of("CLEANUP_INTERVAL", "" + INTERVAL, "CLEANUP_TTL", "" + TTL));
    assertEquals(0, up.code(), up.err() + up.out());
    assertThat(up.out(), containsString("spark://127.0.0.1:"));
  }

  @AfterAll
  static void stopCluster() throws Exception {
    System.out.println("SparkClusterIT, DirectRunner vs cluster: " + SameOutputs.tally());
    if (cluster != null) {
      ShadedJarIT.exec(dir, List.of("bash", SCRIPT.toString(), "stop", cluster.toString()));
    }
  }

  /** A command's outputs on the DirectRunner and on the cluster, and the cluster run's output. */
  private record Ran(Path direct, Path cluster, Proc submitted) {}

  /**
   * Submits {@code command} (given its output directory) to the cluster and, while the cluster runs
   * it, runs it on the DirectRunner in this JVM, both with run id {@code name} (it is in some
   * outputs); both must end with {@code status}.
   */
  private static Ran both(String name, int status, Function<String, List<String>> command)
      throws Exception {
    return both(name, status, command, () -> {});
  }

  /**
   * {@link #both}, doing {@code meanwhile} after the DirectRunner's run, while the cluster runs.
   */
  private static Ran both(
      String name, int status, Function<String, List<String>> command, Meanwhile meanwhile)
      throws Exception {
    Path direct = dir.resolve(name + "-direct");
    Path onCluster = dir.resolve(name + "-cluster");
    List<String> cmd =
        new ArrayList<>(List.of("bash", SCRIPT.toString(), "submit", cluster.toString()));
    cmd.addAll(command.apply(onCluster.toString()));
    cmd.addAll(List.of("--run-id", name));
    ShadedJarIT.Started submitted =
        ShadedJarIT.start(dir, cmd, Map.of("SUBMIT_JAVA_OPTS", QUICK_JVM));
    BeamlineCliTest.Result d;
    try {
      List<String> reference = new ArrayList<>(command.apply(direct.toString()));
      reference.addAll(List.of("--run-id", name));
      d = BeamlineCliTest.run(reference.toArray(new String[0]));
      meanwhile.run();
    } catch (Exception | Error e) {
      // No driver left behind on the cluster.
      submitted.process().destroyForcibly();
      throw e;
    }
    Proc c = submitted.await();
    assertEquals(status, d.code(), name + " on the DirectRunner: " + d.err());
    assertEquals(status, c.code(), name + " on the cluster: " + c.err() + c.out());
    assertThat(c.out(), containsString("(SparkRunner"));
    recordAppDirs();
    return new Ran(direct, onCluster, c);
  }

  /** Work done in this JVM while the cluster runs a command. */
  private interface Meanwhile {
    void run() throws Exception;
  }

  /** Notes the application directories under the workers' work directories, each with its jar. */
  private static void recordAppDirs() throws Exception {
    long now = System.nanoTime();
    try (Stream<Path> s = Files.walk(cluster, 5)) {
      s.filter(p -> p.getFileName().toString().equals("beamline.jar"))
          .filter(p -> p.getParent().getParent().getFileName().toString().startsWith("app-"))
          .forEach(p -> appDirs.putIfAbsent(p.getParent().getParent(), now));
    }
  }

  @Test
  @Order(2)
  void regions() throws Exception {
    // Two regions, so each executor can take one.
    Ran r =
        both(
            "regions",
            0,
            out ->
                List.of(
                    "regions",
                    "--start-region=1",
                    "--end-region=3",
                    "--synthetic-regions=6",
                    "--synthetic-channels=8",
                    "--segment-ms=2500",
                    "--segments=2",
                    "--iterations=0:1",
                    "--source-a=3.6",
                    "--seed=11",
                    "--output-dir",
                    out));
    // A MAT file's 116-byte text header says when it was created; the rest is the same bytes.
    List<String> mats =
        assertSameFiles(
            r.direct().resolve("nmm_spikes"), r.cluster().resolve("nmm_spikes"), f -> false);
    assertThat(mats.size(), greaterThan(2));
    for (String f : mats) {
      SameOutputs.assertSameBytes(
          r.direct().resolve("nmm_spikes").resolve(f),
          r.cluster().resolve("nmm_spikes").resolve(f),
          116);
    }
    assertSameRows(r.direct().resolve("spike_clips"), r.cluster().resolve("spike_clips"));
    // Seconds are wall-clock times.
    assertEquals(
        2L,
        assertSameRows(
            r.direct().resolve("region_summary"),
            r.cluster().resolve("region_summary"),
            "seconds"));
    assertEquals(
        withoutSeconds(r.direct().resolve("regions_summary.json")),
        withoutSeconds(r.cluster().resolve("regions_summary.json")));
    assertSameMetrics(r.direct(), r.cluster());
    // Defect 6: the two regions ran on the two executors, not one after the other on one.
    Set<String> workers = new TreeSet<>();
    try (Stream<Path> s = Files.list(r.cluster().resolve("commits").resolve("regions"))) {
      for (Path f : s.filter(f -> f.toString().matches(".*\\.region-\\d+\\.json")).toList()) {
        workers.add(json(f).path("details").path("worker").asText());
      }
    }
    assertEquals(2, workers.size(), "regions by worker: " + workers);
    assertTrue(workers.stream().allMatch(w -> w.contains("/executor-")), workers.toString());
    // Defect 4: the regions' progress reaches the driver's console (the banners go to executor
    // logs), counted from the committed regions.
    assertThat(r.submitted().err(), containsString("regions [" + "#".repeat(30) + "] 2/2 regions"));
  }

  private static JsonNode withoutSeconds(Path f) throws Exception {
    JsonNode n = json(f, "total_seconds");
    for (JsonNode region : n.get("regions")) {
      ((ObjectNode) region).remove("seconds");
    }
    return n;
  }

  @Test
  @Order(3)
  void constellation() throws Exception {
    // Each run starts its embedded broker in its driver; the cluster's executors read from it.
    Ran r =
        both(
            "constellation",
            0,
            out ->
                List.of(
                    "constellation",
                    "--duration=1",
                    "--fault-injection",
                    "--seed=5",
                    "--window-seconds=0.25",
                    "--shard-size=2",
                    "--subject-id=S1",
                    "--session-id=A",
                    "--session-start=2024-05-01T12:00:00Z",
                    "--output-dir",
                    out));
    Path raw = Path.of("raw/S1/A");
    assertSameFiles(
        r.direct().resolve(raw).resolve("S1_A_video.zarr"),
        r.cluster().resolve(raw).resolve("S1_A_video.zarr"),
        f -> true);
    assertSameFiles(r.direct().resolve("gold/S1/A"), r.cluster().resolve("gold/S1/A"), f -> true);
    assertEquals(
        Files.readString(r.direct().resolve(raw).resolve("sync_report.json")),
        Files.readString(r.cluster().resolve(raw).resolve("sync_report.json")));
    assertThat(
        assertSameRows(
            r.direct().resolve(raw).resolve("timeseries"),
            r.cluster().resolve(raw).resolve("timeseries")),
        greaterThan(1000L));
    assertSameMetrics(r.direct(), r.cluster());
  }

  @Test
  @Order(4)
  void inferChunkRunAndAggregateOnTheSameData() throws Exception {
    Path rec = dir.resolve("recordings");
    for (int r = 0; r < 3; r++) {
      float[][] x = new float[1][22_050 * 8];
      for (int i = 0; i < x[0].length; i++) {
        x[0][i] = (float) (0.3 * Math.sin(i * (0.2 + 0.1 * r)) * ((i / 5000) % 2 == 0 ? 1 : 0.1));
      }
      WavWriter.write(rec.resolve("site" + r + ".wav"), Audio.of(22_050, x), WavEncoding.PCM_16);
    }
    // Not audio: a failure record on both runners, and the run partial (3).
    Files.writeString(rec.resolve("notes.wav"), "field notes\n");
    Ran chunks =
        both(
            "chunk",
            3,
            out -> List.of("infer", "chunk", "--recordings", rec.toString(), "--output-dir", out));
    assertSameFiles(
        chunks.direct().resolve("chunks"), chunks.cluster().resolve("chunks"), f -> true);
    for (String f :
        assertSameFiles(
            chunks.direct().resolve("manifests"),
            chunks.cluster().resolve("manifests"),
            f -> !f.endsWith(".chunk_status.json"))) {
      if (f.endsWith(".chunk_status.json")) {
        // Times of the run.
        String[] times = {"started_at", "updated_at"};
        assertEquals(
            json(chunks.direct().resolve("manifests").resolve(f), times),
            json(chunks.cluster().resolve("manifests").resolve(f), times),
            f);
      }
    }
    assertSameRows(chunks.direct().resolve("chunk_table"), chunks.cluster().resolve("chunk_table"));
    assertEquals(
        jsonLines(failures(chunks.direct())), jsonLines(failures(chunks.cluster())), "failures");
    assertSameMetrics(chunks.direct(), chunks.cluster());

    // Both runs score the same chunks, the DirectRunner's.
    String manifests = chunks.direct().resolve("manifests").toString();
    // A model directory trained by `infer train` (tiny), for --model below, trained while the
    // cluster runs the bundled model.
    Path model = dir.resolve("model/birdcall");
    Meanwhile train =
        () -> {
          BeamlineCliTest.Result trained =
              BeamlineCliTest.run(
                  "infer",
                  "train",
                  model.toString(),
                  "--seed=2",
                  "--examples-per-class=4",
                  "--epochs=1",
                  "--held-out-per-class=2");
          assertEquals(0, trained.code(), trained.err());
        };
    Ran bundled =
        both(
            "run-bundled",
            0,
            out ->
                List.of(
                    "infer",
                    "run",
                    "--manifest",
                    manifests,
                    "--batch-size",
                    "2",
                    "--min-confidence",
                    "0",
                    "--output-dir",
                    out),
            train);
    // Defect 1: each executor extracted the bundled model where it runs, from the jar.
    try (Stream<Path> s = Files.walk(cluster)) {
      assertTrue(
          s.anyMatch(
              p ->
                  p.getFileName().toString().startsWith("birdcall-default-")
                      && p.toString().contains(File.separator + "work" + File.separator)),
          "no executor extracted the bundled model under its own directory");
    }
    assertSameInference(bundled);
    // Defect 4: the driver's progress line counts the chunks done in the executors.
    long n = Long.parseLong(chunksSucceeded(bundled.direct()));
    assertThat(bundled.submitted().err(), containsString(n + "/" + n + " chunks 100%"));
    // Defect 5: each executor's slots are named after it, not all "cpu-0".
    String workers = Files.readString(firstFile(bundled.cluster(), ".workers.csv"));
    assertThat(workers, containsString("cpu-0@"));
    assertThat(workers, containsString("/executor-"));

    Ran withModel =
        both(
            "run-model",
            0,
            out ->
                List.of(
                    "infer",
                    "run",
                    "--manifest",
                    manifests,
                    "--model",
                    model.toString(),
                    "--batch-size",
                    "3",
                    "--min-confidence",
                    "0",
                    "--output-dir",
                    out));
    assertSameInference(withModel);

    // Both aggregate the DirectRunner's detections.
    String detections = withModel.direct().toString();
    Ran aggregated =
        both(
            "aggregate",
            0,
            out ->
                List.of(
                    "infer",
                    "aggregate",
                    "--input",
                    detections,
                    "--bucket-minutes",
                    "0.05",
                    "--export",
                    "csv,raven",
                    "--output-dir",
                    out));
    Path a = aggregated.direct().resolve("aggregate");
    Path b = aggregated.cluster().resolve("aggregate");
    // The DuckDB file and the Parquet table are compared through DuckDB: the order of the rows in
    // them (and so their compressed bytes) follows the runner's shuffle.
    assertSameFiles(a, b, f -> !f.endsWith(".duckdb") && !f.endsWith(".parquet"));
    assertSameRows(a.resolve("detections"), b.resolve("detections"));
    // The database's tables and views; a mean is rounded, as its last bits follow the order of
    // the rows it was summed in.
    for (String t :
        List.of(
            "detections",
            "detections_per_bucket",
            "(SELECT * REPLACE (round(mean_confidence, 9) AS mean_confidence) FROM label_summary)")) {
      List<List<Object>> rows = SameOutputs.textRows(a.resolve("detections.duckdb"), t);
      assertFalse(rows.isEmpty(), t);
      assertEquals(rows, SameOutputs.textRows(b.resolve("detections.duckdb"), t), t);
    }
    assertSameMetrics(aggregated.direct(), aggregated.cluster());
  }

  /**
   * The same detections (commit times and worker names aside: the cluster's workers are named after
   * their executors), raw score files (but for the worker), telemetry (without times, memory and
   * workers), and counters: every batch predicted once, every telemetry line written once (defects
   * 2 and 3).
   */
  private static void assertSameInference(Ran r) throws Exception {
    assertSameRows(
        r.direct().resolve("detections"),
        r.cluster().resolve("detections"),
        "committed_utc",
        "worker");
    Path raw = Path.of("artifacts");
    for (String f :
        assertSameFiles(r.direct().resolve(raw), r.cluster().resolve(raw), f -> false)) {
      assertEquals(
          json(r.direct().resolve(raw).resolve(f), "worker"),
          json(r.cluster().resolve(raw).resolve(f), "worker"),
          f);
    }
    String[] varying = {"start_utc", "end_utc", "runtime_s", "memory_used_bytes", "worker"};
    List<String> telemetry =
        assertSameFiles(
            r.direct().resolve("telemetry"), r.cluster().resolve("telemetry"), f -> false);
    int lines = 0;
    for (String f : telemetry.stream().filter(f -> f.endsWith(".jsonl")).toList()) {
      List<String> direct = jsonLines(r.direct().resolve("telemetry").resolve(f), varying);
      assertEquals(direct, jsonLines(r.cluster().resolve("telemetry").resolve(f), varying), f);
      lines += direct.size();
    }
    assertSameMetrics(r.direct(), r.cluster());
    assertEquals(Long.parseLong(chunksSucceeded(r.direct())), lines, "one telemetry line a chunk");
  }

  private static String chunksSucceeded(Path out) throws Exception {
    return metrics(out).entrySet().stream()
        .filter(e -> e.getKey().endsWith(":chunks_succeeded"))
        .map(Map.Entry::getValue)
        .findFirst()
        .orElseThrow(() -> new AssertionError("no chunks_succeeded counter in " + out));
  }

  private static Path failures(Path out) throws Exception {
    return firstFile(out.resolve("chunk_failures"), ".jsonl");
  }

  private static Path firstFile(Path out, String suffix) throws Exception {
    try (Stream<Path> s = Files.walk(out)) {
      return s.filter(p -> p.getFileName().toString().endsWith(suffix))
          .sorted()
          .findFirst()
          .orElseThrow(() -> new AssertionError("no *" + suffix + " under " + out));
    }
  }

  /**
   * Defect 7: each executor copies the jar into its application's directory under its worker; the
   * workers' clean-up removes those directories once their application ended (TTL s after their
   * last change, checked every INTERVAL s), so the disks do not fill up run after run. Checked for
   * the applications that ended long enough ago (the later ones go the same way, unwatched).
   */
  @Test
  @Order(5)
  void workersRemoveEndedApplicationsAndTheirJars() throws Exception {
    if (appDirs.isEmpty()) {
      both("cleanup", 0, out -> List.of("demo", "--seconds", "1", "--output-dir", out));
    }
    assertFalse(appDirs.isEmpty(), "no application directory with a jar under the workers");
    long due = (TTL + INTERVAL + 10) * 1_000_000_000L;
    long oldest = appDirs.values().stream().min(Long::compare).orElseThrow();
    if (System.nanoTime() - oldest < due) {
      // Only one test ran: wait for its applications.
      Thread.sleep((due - (System.nanoTime() - oldest)) / 1_000_000 + 1);
    }
    List<Path> checked = new ArrayList<>();
    for (Map.Entry<Path, Long> e : appDirs.entrySet()) {
      if (System.nanoTime() - e.getValue() >= due) {
        checked.add(e.getKey());
      }
    }
    assertEquals(List.of(), checked.stream().filter(Files::exists).toList(), "not cleaned up");
    assertFalse(checked.isEmpty());
    System.out.println(
        "SparkClusterIT: "
            + checked.size()
            + " of "
            + appDirs.size()
            + " application directories checked, all removed by the workers");
  }
}
