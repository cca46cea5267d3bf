package io.beamline.runners;

import static io.beamline.runners.CrashHarness.KillPoint.when;

import io.beamline.runners.CrashHarness.Case;
import io.beamline.runners.CrashHarness.Counts;
import io.beamline.runners.CrashHarness.KillPoint;
import io.beamline.runners.CrashHarness.Reference;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The crash suite: the packaged command line of each pipeline, killed with SIGKILL at seeded random
 * instants spread over the whole run and at moments inside its final writes, resumed after every
 * kill, and finally compared with an uninterrupted run of the same command ({@link CrashHarness}).
 * Counts of kill points, kills that landed and items checked are printed for the record.
 */
class CrashSuiteIT {
  @TempDir static Path work;

  private static final List<String> LOG = new ArrayList<>();

  @AfterAll
  static void report() {
    LOG.forEach(System.out::println);
  }

  /**
   * The seed of the random kill instants: a new one for every run of the suite (so CI runs, taken
   * together, kill at ever more instants), printed so that a failure can be replayed with {@code
   * -Dcrash.seed=N}.
   */
  private static final long SEED =
      Long.getLong("crash.seed", System.nanoTime() ^ System.currentTimeMillis());

  /**
   * The kill points of one pipeline, one chain: a random instant over the reference run's duration
   * (seeded by {@link #SEED}, new in every run of the suite), then the moments that land in the
   * item commits and the final writes, each killing the resume of the run killed before it; the
   * last resume runs to the end. CI's time budget keeps it at this size (four random instants until
   * CI neared 30 minutes, two until it neared 25, then one, in the same chain as the moments
   * instead of a chain of its own).
   */
  private static List<List<KillPoint>> chains(
      long offset, Reference ref, String pipeline, List<KillPoint> moments) {
    long t = ref.millis();
    LOG.add(
        String.format("crash suite %s: kill instants seeded with -Dcrash.seed=%d", pipeline, SEED));
    List<KillPoint> chain =
        new java.util.ArrayList<>(CrashHarness.instants(SEED + offset, 1, t / 10, t));
    chain.addAll(moments);
    return List.of(chain);
  }

  private static void record(String name, Counts c) {
    LOG.add(
        String.format(
            "crash suite %s: %d kill points, %d kills landed, %d items checked after resume,"
                + " %d files parsed",
            name, c.killPoints(), c.killsLanded(), c.itemsChecked(), c.filesChecked()));
  }

  /** Six seeded recordings of 20 s (a chirp train over noise; sample rates differ). */
  static Path recordings(Path dir) throws Exception {
    Path rec = dir.resolve("recordings");
    if (Files.isDirectory(rec)) {
      return rec;
    }
    java.util.Random r = new java.util.Random(20261206L);
    int[] rates = {22_050, 44_100, 16_000, 48_000, 22_050, 32_000};
    for (int k = 0; k < rates.length; k++) {
      int rate = rates[k];
      float[][] x = new float[1][rate * 20];
      for (int i = 0; i < x[0].length; i++) {
        double t = (double) i / rate;
        double call = (t % 3.0) < 0.4 ? Math.sin(2 * Math.PI * (2000 + 3000 * (t % 3.0)) * t) : 0;
        x[0][i] = (float) (0.4 * call + 0.05 * r.nextGaussian());
      }
      io.beamline.io.audio.WavWriter.write(
          rec.resolve("site" + k + ".wav"),
          io.beamline.io.audio.Audio.of(rate, x),
          io.beamline.io.audio.WavEncoding.PCM_16);
    }
    return rec;
  }

  @Test
  void inferChunk() throws Exception {
    Path rec = recordings(work);
    List<String> cmd =
        List.of("infer", "chunk", "--recordings", rec.toString(), "--output-dir", "{out}");
    Case c =
        new Case(
            "infer-chunk",
            "infer-chunk",
            cmd,
            cmd,
            null,
            List.of("runs/", "commits/"),
            Set.of("run_id", "started_at", "updated_at", "committed_utc"));
    Reference ref = CrashHarness.reference(work, c);
    List<KillPoint> moments =
        List.of(
            when("first recording committed", CrashHarness.commitsAtLeast("infer-chunk", 1)),
            when("fourth recording committed", CrashHarness.commitsAtLeast("infer-chunk", 4)),
            when("graph finished, final writes", CrashHarness.graphFinished()),
            when("a chunk table write in progress", CrashHarness.temporaryUnder("chunk_table")));
    record("infer chunk", CrashHarness.run(work, c, ref, chains(202, ref, "infer-chunk", moments)));
  }

  @Test
  void inferRun() throws Exception {
    Path rec = recordings(work);
    Path ds = work.resolve("infer-run-dataset");
    CrashHarness.Outcome chunked =
        CrashHarness.start(
            work,
            List.of(
                "infer", "chunk", "--recordings", rec.toString(), "--output-dir", ds.toString()),
            ds,
            null);
    org.junit.jupiter.api.Assertions.assertEquals(0, chunked.code(), chunked.err());
    List<String> cmd =
        List.of(
            "infer",
            "run",
            ds.resolve("manifests").toString(),
            "--model",
            "bundled",
            "--batch-size",
            "4",
            "--seed",
            "3",
            "--inject-failure-rate",
            "0.3",
            "--max-retries",
            "6",
            "--backoff-base-s",
            "0",
            "--output-dir",
            "{out}");
    List<String> resume = new ArrayList<>(cmd);
    resume.add("--resume-completed");
    Case c =
        new Case(
            "infer-run",
            "infer-run",
            cmd,
            resume,
            null,
            // Telemetry is a log: a killed run's attempt lines stay in it.
            List.of("runs/", "commits/", "telemetry/"),
            Set.of(
                "run_id",
                "committed_utc",
                "worker",
                "runtime_s",
                "start_utc",
                "end_utc",
                "memory_used_bytes"));
    Reference ref = CrashHarness.reference(work, c);
    List<KillPoint> moments =
        List.of(
            when("first chunk committed", CrashHarness.commitsAtLeast("infer-run", 1)),
            when("half the chunks committed", CrashHarness.commitsAtLeast("infer-run", 21)),
            when("graph finished, final writes", CrashHarness.graphFinished()),
            when(
                "a detections table write in progress", CrashHarness.temporaryUnder("detections")));
    record("infer run", CrashHarness.run(work, c, ref, chains(303, ref, "infer-run", moments)));
  }

  @Test
  void regions() throws Exception {
    Case c =
        new Case(
            "regions",
            "regions",
            List.of(
                "regions",
                "--start-region",
                "0",
                "--end-region",
                "6",
                "--synthetic-regions",
                "6",
                "--synthetic-channels",
                "8",
                "--segment-ms",
                "2500",
                "--segments",
                "2",
                "--iterations",
                "0:1",
                "--source-a",
                "3.6",
                "--seed",
                "11",
                "--synthetic-sources",
                "--mix-eeg",
                "--eeg-samples-per-file",
                "16",
                "--n-data",
                "2",
                "--output-dir",
                "{out}"),
            null,
            null,
            List.of("runs/", "commits/"),
            Set.of(
                "seconds",
                "total_seconds",
                "run_id",
                "committed_utc",
                "status",
                "succeeded",
                "skipped"));
    c =
        new Case(
            c.name(), c.pipeline(), c.command(), c.command(), null, c.ignore(), c.volatileKeys());
    Reference ref = CrashHarness.reference(work, c);
    List<KillPoint> moments =
        List.of(
            when("first region committed", CrashHarness.commitsAtLeast("regions", 1)),
            when("third region committed", CrashHarness.commitsAtLeast("regions", 3)),
            when("graph finished, final writes", CrashHarness.graphFinished()),
            when("a final write in progress", CrashHarness.temporaryUnder(".")));
    record("regions", CrashHarness.run(work, c, ref, chains(101, ref, "regions", moments)));
  }

  private static List<String> constellation(String seed, String shardSize, Path spec) {
    return List.of(
        "constellation",
        "--duration",
        "3",
        "--output-dir",
        "{out}",
        "--subject-id",
        "S1",
        "--session-id",
        "A",
        "--no-kafka",
        "--fault-injection",
        "--seed",
        seed,
        "--window-seconds",
        "0.5",
        "--shard-size",
        shardSize,
        "--session-start",
        "2024-05-01T12:00:00Z",
        "--sagemaker-config",
        spec.toString());
  }

  @Test
  void constellation() throws Exception {
    Path spec = work.resolve("job_config.yaml");
    Files.writeString(spec, "model: brainstate-cnn\nepochs: 2\nbatch_size: 8\n");
    List<String> cmd = constellation("7", "4", spec);
    // A killed first run with another seed and shard size: leaked files would not match.
    Case c =
        new Case(
            "constellation",
            "constellation",
            cmd,
            cmd,
            constellation("99", "3", spec),
            List.of("runs/", "commits/"),
            Set.of("run_id", "committed_utc", "created_utc", "job_name"));
    Reference ref = CrashHarness.reference(work, c);
    List<KillPoint> moments =
        List.of(
            when("the session's sets are staged", CrashHarness.temporaryUnder("gold")),
            when("the sync report is staged", CrashHarness.temporaryUnder("raw")),
            when("graph finished, commit in progress", CrashHarness.graphFinished()),
            when("the session's record written", CrashHarness.commitsAtLeast("constellation", 1)));
    record(
        "constellation",
        CrashHarness.run(work, c, ref, chains(404, ref, "constellation", moments)));
  }
}
