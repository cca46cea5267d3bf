package io.beamline.runners;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.beamline.io.audio.Audio;
import io.beamline.io.audio.WavEncoding;
import io.beamline.io.audio.WavWriter;
import io.beamline.io.duckdb.DuckDb;
import io.beamline.runners.ShadedJarIT.Proc;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code beamline infer orchestrate --slurm-script} scripts submitted with {@code sbatch} to a real
 * single-node SLURM with accounting ({@code runners/cluster/slurm-cluster.sh}): the DirectRunner
 * variant (stub scorer) and the SparkRunner variant (bundled model, {@code spark-submit} from the
 * jar, {@code runners/cluster/bin}), both running the packaged {@code target/beamline.jar}. Every
 * job must end {@code COMPLETED} in {@code sacct}, the aggregation job must start after the array
 * ended, and the outputs must equal those of the same plan carried out in this process ({@code
 * --apply}), row for row through DuckDB. A third script, one of whose tasks exits 3, must leave
 * that task {@code FAILED} and the aggregation {@code CANCELLED}, with nothing aggregated. The
 * Spark tasks must run on the CPUs SLURM allocated ({@code local[$SLURM_CPUS_PER_TASK]}). Skips
 * when SLURM cannot start here, unless {@code BEAMLINE_REQUIRE_INTEROP=1} (CI), where it fails.
 */
class SlurmClusterIT {
  private static final Path SCRIPT = Paths.get("cluster", "slurm-cluster.sh").toAbsolutePath();
  private static final Path SPARK_SUBMIT_DIR = Paths.get("cluster", "bin").toAbsolutePath();
  private static final Set<String> DONE =
      Set.of(
          "COMPLETED",
          "FAILED",
          "CANCELLED",
          "TIMEOUT",
          "OUT_OF_MEMORY",
          "NODE_FAIL",
          "PREEMPTED",
          "BOOT_FAIL",
          "DEADLINE");

  @TempDir static Path dir;
  private static Path cluster;
  private static Path dataset;
  private static final Map<String, String> env = new HashMap<>();

  @BeforeAll
  static void startSlurmAndChunk() throws Exception {
    cluster = dir.resolve("slurm");
    Proc up =
        ShadedJarIT.exec(dir, List.of("bash", SCRIPT.toString(), "start", cluster.toString()));
    if (up.code() != 0) {
      String why = "single-node SLURM did not start: " + up.err().strip();
      if ("1".equals(System.getenv("BEAMLINE_REQUIRE_INTEROP"))) {
        fail(why + " (BEAMLINE_REQUIRE_INTEROP=1 requires it)");
      }
      Assumptions.abort(why + "; set BEAMLINE_REQUIRE_INTEROP=1 to fail");
    }
    for (String line : up.out().lines().toList()) {
      if (line.startsWith("export ")) {
        String[] kv = line.substring("export ".length()).split("=", 2);
        env.put(kv[0], kv[1]);
      }
    }
    assertTrue(env.containsKey("SLURM_CONF"), up.out());
    // The scripts' spark-submit (Spark's SparkSubmit from the jar) and this build's java.
    env.put("PATH", SPARK_SUBMIT_DIR + File.pathSeparator + System.getenv("PATH"));
    env.put("JAVA", ShadedJarIT.JAVA);
    // C1 only, as the other ITs' runs (the scripts' java lines take BEAMLINE_JAVA_OPTS).
    env.put("BEAMLINE_JAVA_OPTS", String.join(" ", ShadedJarIT.quickJvm()));

    Path rec = dir.resolve("recordings");
    for (int r = 0; r < 2; r++) {
      float[][] x = new float[1][22_050 * 6];
      for (int i = 0; i < x[0].length; i++) {
        x[0][i] = (float) (0.3 * Math.sin(i * (0.2 + 0.1 * r)) * ((i / 5000) % 2 == 0 ? 1 : 0.1));
      }
      WavWriter.write(rec.resolve("site" + r + ".wav"), Audio.of(22_050, x), WavEncoding.PCM_16);
    }
    dataset = dir.resolve("dataset");
    BeamlineCliTest.Result chunked =
        BeamlineCliTest.run(
            "infer", "chunk", "--recordings", rec.toString(), "--output-dir", dataset.toString());
    assertEquals(0, chunked.code(), chunked.err());
  }

  @AfterAll
  static void stopSlurm() throws Exception {
    if (cluster != null) {
      ShadedJarIT.exec(dir, List.of("bash", SCRIPT.toString(), "stop", cluster.toString()));
    }
  }

  @Test
  void scriptsCompleteUnderSlurmAsInProcessAndAFailedTaskCancelsTheAggregation() throws Exception {
    Submitted direct =
        sbatch(
            "direct",
            write(
                "direct",
                dataset,
                "DirectRunner",
                "--stub-runner",
                "--run-args",
                "--min-confidence 0"));
    // No --infer-spark-master: Spark runs inside each task, on the one CPU the task was given.
    Submitted spark =
        sbatch(
            "spark",
            write(
                "spark",
                dataset,
                "SparkRunner",
                "--run-args",
                "--batch-size 2 --min-confidence 0"));
    // A third script whose task 1 fails: its recording's chunk status went back to in_progress
    // after the script was written (in a copy of the dataset, so the others are not touched).
    Path broken = copy(dataset, dir.resolve("dataset-broken"));
    Path failingScript = write("failing", broken, "DirectRunner", "--stub-runner");
    Path status = broken.resolve("manifests/site1.chunk_status.json");
    Files.writeString(status, Files.readString(status).replace("\"completed\"", "\"in_progress\""));
    Submitted failing = sbatch("failing", failingScript);
    // The arrays are queued at once: the node runs two one-CPU tasks side by side.
    Map<String, List<String[]>> jobs = waitFor(List.of(direct, spark, failing));
    System.out.println(
        "SLURM jobs: " + describe(jobs.values().stream().flatMap(List::stream).toList()));

    // The failed task (exit status 3) fails the array, and SLURM cancels the aggregation.
    for (String[] job : jobs.get("failing")) {
      String expected =
          job[1].endsWith("-aggregate")
              ? "CANCELLED"
              : job[0].endsWith("_1") ? "FAILED" : "COMPLETED";
      assertEquals(expected, job[2].split(" ")[0], describe(jobs.get("failing")));
      if (job[0].endsWith("_1")) {
        assertEquals("3:0", job[3]);
      }
    }
    assertFalse(Files.exists(dir.resolve("out-failing/aggregate")), "aggregated partial results");
    assertThat(
        Files.readString(dir.resolve("out-failing/slurm-logs/" + failing.arrayJob() + "_1.out")),
        containsString("has chunk status 'in_progress'"));

    // The same plans carried out in this process, for comparison.
    inProcess("direct", "--stub-runner", "--run-args", "--min-confidence 0");
    inProcess("spark", "--run-args", "--batch-size 2 --min-confidence 0");

    for (Submitted s : List.of(direct, spark)) {
      List<String[]> array = new ArrayList<>();
      String[] aggregate = null;
      for (String[] job : jobs.get(s.name())) {
        if (job[1].endsWith("-aggregate")) {
          aggregate = job;
        } else {
          array.add(job);
        }
      }
      String all = describe(jobs.get(s.name()));
      assertEquals(2, array.size(), all);
      assertTrue(aggregate != null, "no aggregation job: " + all);
      for (String[] job : jobs.get(s.name())) {
        assertEquals("COMPLETED", job[2], all);
        assertEquals("0:0", job[3], all);
      }
      // The aggregation waited for the whole array (afterok): it started after every task ended.
      LocalDateTime aggStart = LocalDateTime.parse(aggregate[4]);
      for (String[] task : array) {
        assertFalse(aggStart.isBefore(LocalDateTime.parse(task[5])), all);
      }

      Path onSlurm = dir.resolve("out-" + s.name());
      Path here = dir.resolve("in-process-" + s.name());
      String q = "SELECT * EXCLUDE (run_id, committed_utc, worker) FROM %s ORDER BY ALL";
      List<List<Object>> expected = rows(String.format(q, parquet(here.resolve("detections"))));
      assertFalse(expected.isEmpty(), s.name());
      assertEquals(expected, rows(String.format(q, parquet(onSlurm.resolve("detections")))));
      String agg = "SELECT * FROM %s ORDER BY ALL";
      List<List<Object>> aggregated =
          rows(String.format(agg, parquet(here.resolve("aggregate/detections_per_bucket"))));
      assertFalse(aggregated.isEmpty(), s.name());
      assertEquals(
          aggregated,
          rows(String.format(agg, parquet(onSlurm.resolve("aggregate/detections_per_bucket")))));
    }
    String sparkLog = Files.readString(dir.resolve("out-spark/slurm-logs").resolve(logOf(spark)));
    assertThat(sparkLog, containsString("on SparkRunner"));
    // Each Spark task ran on the CPUs SLURM allocated (--slurm-cpus-per-task 1), not local[*].
    int runs = 0;
    try (Stream<Path> s = Files.walk(dir.resolve("out-spark/runs"))) {
      for (Path p : s.filter(f -> f.getFileName().toString().equals("options.json")).toList()) {
        String options = Files.readString(p);
        assertTrue(
            Pattern.compile("\"sparkMaster\"\\s*:\\s*\"local\\[1]\"").matcher(options).find(),
            p + ": " + options);
        runs++;
      }
    }
    assertEquals(3, runs, "two infer runs and the aggregation");
  }

  /** A written and submitted script: its name and array job id. */
  private record Submitted(String name, String arrayJob) {}

  /** Writes the orchestrate script {@code name} for {@code ds} with the packaged jar. */
  private static Path write(String name, Path ds, String runner, String... more) throws Exception {
    Path script = dir.resolve("jobs").resolve(name + ".sh");
    List<String> args =
        new ArrayList<>(
            List.of(
                "infer",
                "orchestrate",
                ds.toString(),
                "--run-output-dir",
                dir.resolve("out-" + name).toString(),
                "--slurm-script",
                script.toString(),
                "--slurm-job-name",
                "it-" + name,
                "--slurm-cpus-per-task",
                "1",
                "--slurm-mem",
                "2G",
                "--slurm-time",
                "00:10:00",
                "--slurm-jar",
                ShadedJarIT.JAR.toString(),
                "--infer-runner",
                runner));
    args.addAll(List.of(more));
    Files.createDirectories(script.getParent());
    BeamlineCliTest.Result w = BeamlineCliTest.run(args.toArray(String[]::new));
    assertEquals(0, w.code(), w.err());
    return script;
  }

  private static Submitted sbatch(String name, Path script) throws Exception {
    Proc sub = ShadedJarIT.exec(dir, List.of("sbatch", "--parsable", script.toString()), env);
    assertEquals(0, sub.code(), sub.err());
    return new Submitted(name, sub.out().strip().split(";")[0]);
  }

  private static void inProcess(String name, String... more) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "infer",
                "orchestrate",
                dataset.toString(),
                "--run-output-dir",
                dir.resolve("in-process-" + name).toString(),
                "--apply"));
    args.addAll(List.of(more));
    BeamlineCliTest.Result r = BeamlineCliTest.run(args.toArray(String[]::new));
    assertEquals(0, r.code(), r.err() + r.out());
  }

  /**
   * Polls {@code sacct} until each script's array tasks and its aggregation job (which task 0
   * submits) have ended; returns their rows (id, name, state, exit code, start, end) by script.
   */
  private static Map<String, List<String[]>> waitFor(List<Submitted> subs) throws Exception {
    long deadline = System.nanoTime() + 300_000_000_000L;
    while (true) {
      // By job id: sacct's default window leaves out jobs that never started (an aggregation
      // cancelled because its dependency failed).
      List<String> ids = new ArrayList<>();
      for (Submitted s : subs) {
        ids.add(s.arrayJob());
        Path log = dir.resolve("out-" + s.name()).resolve("slurm-logs").resolve(logOf(s));
        Matcher m =
            Pattern.compile("submitted aggregation job (\\d+)")
                .matcher(Files.exists(log) ? Files.readString(log) : "");
        if (m.find()) {
          ids.add(m.group(1));
        }
      }
      Proc acct =
          ShadedJarIT.exec(
              dir,
              List.of(
                  "sacct",
                  "-X",
                  "-n",
                  "-P",
                  "-j",
                  String.join(",", ids),
                  "--format=JobID,JobName,State,ExitCode,Start,End"),
              env);
      assertEquals(0, acct.code(), acct.err());
      Map<String, List<String[]>> byName = new HashMap<>();
      for (String line : acct.out().lines().toList()) {
        String[] f = line.split("\\|", -1);
        for (Submitted s : subs) {
          if (f[1].startsWith("it-" + s.name())) {
            byName.computeIfAbsent(s.name(), k -> new ArrayList<>()).add(f);
          }
        }
      }
      boolean done = true;
      for (Submitted s : subs) {
        List<String[]> jobs = byName.getOrDefault(s.name(), List.of());
        boolean hasAggregate = jobs.stream().anyMatch(j -> j[1].endsWith("-aggregate"));
        long tasks = jobs.stream().filter(j -> j[0].startsWith(s.arrayJob() + "_")).count();
        done &=
            hasAggregate
                && tasks == 2
                && jobs.stream().allMatch(j -> DONE.contains(j[2].split(" ")[0]));
      }
      if (done) {
        return byName;
      }
      if (System.nanoTime() > deadline) {
        fail("SLURM jobs did not end in 300 s: " + acct.out() + " logs: " + logs());
      }
      Thread.sleep(1000);
    }
  }

  private static Path copy(Path from, Path to) throws Exception {
    try (Stream<Path> s = Files.walk(from)) {
      for (Path p : s.toList()) {
        Path t = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(t);
        } else {
          Files.copy(p, t);
        }
      }
    }
    return to;
  }

  private static String logOf(Submitted s) {
    return s.arrayJob() + "_0.out";
  }

  private static String logs() throws Exception {
    StringBuilder b = new StringBuilder();
    for (String name : List.of("direct", "spark", "failing")) {
      Path d = dir.resolve("out-" + name).resolve("slurm-logs");
      if (Files.isDirectory(d)) {
        try (var s = Files.list(d)) {
          for (Path p : s.toList()) {
            b.append("\n== ").append(p).append('\n').append(Files.readString(p));
          }
        }
      }
    }
    return b.toString();
  }

  private static String describe(List<String[]> jobs) {
    return jobs.stream().map(j -> String.join("|", j)).toList().toString();
  }

  private static List<List<Object>> rows(String sql) throws Exception {
    try (DuckDb db = DuckDb.inMemory()) {
      return db.rows(sql);
    }
  }

  private static String parquet(Path d) {
    return "read_parquet(" + DuckDb.literal(d + File.separator + "*.parquet") + ")";
  }
}
