package io.beamline.runners;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.empty;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.beamline.io.duckdb.DuckDb;
import io.beamline.io.files.AtomicFiles;
import io.beamline.pipelines.run.CommitRecord;
import io.beamline.pipelines.run.ItemCommits;
import io.beamline.pipelines.run.Runs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code constellation} killed with SIGKILL, each kill followed by a re-run in the same output
 * directory. Kill points rotate over three kinds: a seeded random instant of the whole run; the
 * moment its graph has written the staged sync report (outputs being written); the moment its
 * commit has begun (the commit protocol's staged directory or a parked previous set appears, seen
 * by polling the output directory every millisecond or two). After every re-run the session's raw
 * and gold sets must equal an uninterrupted run's (same seed; Parquet compared by DuckDB, the
 * training job with its time and run-derived name left out), the commit record must vouch for them,
 * the killed run must read {@code killed}, and no temporary may be left. The killed runs use
 * another seed and shard size, so any of their files that leaked into the final sets would show.
 *
 * <p>Kill points: {@code -Dbeamline.crash.points=N} (default 10), seed {@code
 * -Dbeamline.crash.seed}.
 */
class ConstellationCrashIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String JAVA =
      Paths.get(System.getProperty("java.home"), "bin", "java").toString();

  @TempDir Path dir;

  private List<String> command(Path out, Path cfg, String seed, String shardSize, String runId) {
    List<String> cmd = new ArrayList<>();
    cmd.add(JAVA);
    cmd.add("-Xmx1g");
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(Beamline.class.getName());
    cmd.addAll(
        List.of(
            "constellation",
            "--duration",
            "2",
            "--output-dir",
            out.toString(),
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
            cfg.toString(),
            "--run-id",
            runId));
    return cmd;
  }

  private Process start(List<String> cmd, String name) throws Exception {
    return new ProcessBuilder(cmd)
        .directory(dir.toFile())
        .redirectOutput(dir.resolve(name + ".out").toFile())
        .redirectError(dir.resolve(name + ".err").toFile())
        .start();
  }

  private long runToEnd(List<String> cmd, String name) throws Exception {
    long t0 = System.nanoTime();
    Process p = start(cmd, name);
    assertTrue(p.waitFor(600, TimeUnit.SECONDS), name + " timed out");
    assertEquals(0, p.exitValue(), name + ": " + Files.readString(dir.resolve(name + ".err")));
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
  }

  /** When to kill: at a time, or when a path appears under the session's parent directories. */
  private enum Kill {
    AT_RANDOM_TIME,
    WHILE_WRITING_OUTPUTS,
    INSIDE_THE_COMMIT
  }

  /** Whether run {@code runId}'s state under {@code out} calls for {@code kill} now. */
  private static boolean due(Kill kill, Path out, String runId) throws Exception {
    Path rawParent = out.resolve("raw/S1");
    Path goldParent = out.resolve("gold/S1");
    if (kill == Kill.WHILE_WRITING_OUTPUTS) {
      return Files.exists(rawParent.resolve(".A." + runId + ".tmp/sync_report.json"));
    }
    for (Path parent : List.of(rawParent, goldParent)) {
      if (!Files.isDirectory(parent)) {
        continue;
      }
      try (Stream<Path> s = Files.list(parent)) {
        for (Path p : (Iterable<Path>) s::iterator) {
          String n = p.getFileName().toString();
          // The commit's own staged directory (random name) or a parked previous set.
          if (n.startsWith(".parked-")
              || (n.startsWith(".A.") && n.endsWith(".tmp") && !n.equals(".A." + runId + ".tmp"))) {
            return true;
          }
        }
      } catch (java.nio.file.NoSuchFileException e) {
        // Renamed away while listing.
      }
    }
    return false;
  }

  @Test
  void killedAtAnyInstantThenRerunGivesTheUninterruptedOutputs() throws Exception {
    int points = Integer.getInteger("beamline.crash.points", 10);
    Random random = new Random(Long.getLong("beamline.crash.seed", 2024L));
    Path cfg = Files.writeString(dir.resolve("job_config.yaml"), "model: brainstate-cnn\n");
    Path ref = dir.resolve("ref");
    long fullMs = runToEnd(command(ref, cfg, "7", "2", "ref"), "ref");

    Path out = dir.resolve("out");
    runToEnd(command(out, cfg, "7", "2", "first"), "first");
    assertSameSession(ref, out);
    int[] killed = new int[Kill.values().length];
    for (int k = 0; k < points; k++) {
      Kill kind = Kill.values()[k % Kill.values().length];
      long delay = Math.max(50, Math.round(fullMs * random.nextDouble()));
      String killedId = "killed-" + k;
      Process p = start(command(out, cfg, Integer.toString(1000 + k), "3", killedId), killedId);
      long t0 = System.nanoTime();
      boolean ended = false;
      while (true) {
        if (p.waitFor(1, TimeUnit.MILLISECONDS)) {
          ended = true;
          break;
        }
        boolean now =
            kind == Kill.AT_RANDOM_TIME
                ? TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0) >= delay
                : due(kind, out, killedId);
        if (now) {
          p.destroyForcibly(); // SIGKILL on Unix
          p.waitFor(60, TimeUnit.SECONDS);
          killed[kind.ordinal()]++;
          break;
        }
      }
      checkConsistent(out, killedId, ref);

      String rerunId = "rerun-" + k;
      runToEnd(command(out, cfg, "7", "2", rerunId), rerunId);
      assertSameSession(ref, out);
      CommitRecord rec = ItemCommits.of(out, "constellation").committed("S1/A").orElseThrow();
      assertEquals(rerunId, rec.runId());
      if (!ended) {
        Path killedRun = out.resolve("runs").resolve(killedId);
        if (Files.isRegularFile(killedRun.resolve("manifest.json"))) {
          assertEquals("killed", Runs.readManifest(killedRun).get("status"), killedId);
        }
      }
      assertThat("temporaries after " + rerunId, temporaries(out), empty());
    }
    System.out.printf(
        "constellation crash: %d kill points: %d killed at a random instant of a %d ms run, %d"
            + " while writing outputs, %d inside the commit (the rest ended first); %d re-runs"
            + " checked, 0 sessions lost or mixed%n",
        points,
        killed[Kill.AT_RANDOM_TIME.ordinal()],
        fullMs,
        killed[Kill.WHILE_WRITING_OUTPUTS.ordinal()],
        killed[Kill.INSIDE_THE_COMMIT.ordinal()],
        points);
    assertTrue(
        killed[Kill.WHILE_WRITING_OUTPUTS.ordinal()] > 0, "no kill landed while writing outputs");
  }

  /**
   * Right after a kill: the session is committed with complete outputs of one run, or has no record
   * at all; a record never vouches for outputs it did not write.
   */
  private static void checkConsistent(Path out, String killedId, Path ref) throws Exception {
    ItemCommits commits = ItemCommits.of(out, "constellation");
    Optional<CommitRecord> rec = commits.read("S1/A");
    if (rec.isEmpty()) {
      return; // killed inside the commit: nothing vouches for the session; the re-run redoes it
    }
    assertTrue(commits.outputsPresent(rec.get()), "record of " + rec.get().runId() + " stale");
    JsonNode report = JSON.readTree(out.resolve("raw/S1/A/sync_report.json").toFile());
    if (rec.get().runId().equals(killedId)) {
      // Killed after its commit: its own seed throughout.
      assertEquals(1000 + Integer.parseInt(killedId.substring(7)), report.get("seed").asInt());
    } else {
      assertSameSession(ref, out);
    }
  }

  /** The raw and gold sets of session S1/A under {@code b} equal those under {@code a}. */
  static void assertSameSession(Path a, Path b) throws Exception {
    for (String set : List.of("raw/S1/A", "gold/S1/A")) {
      List<String> names = files(a.resolve(set));
      assertEquals(names, files(b.resolve(set)), set);
      assertTrue(!names.isEmpty(), set + " is empty");
      for (String f : names) {
        Path x = a.resolve(set).resolve(f);
        Path y = b.resolve(set).resolve(f);
        if (f.endsWith(".parquet")) {
          try (DuckDb db = DuckDb.inMemory()) {
            String px = "read_parquet(" + DuckDb.literal(x.toString()) + ")";
            String py = "read_parquet(" + DuckDb.literal(y.toString()) + ")";
            assertEquals(db.count("SELECT * FROM " + px), db.count("SELECT * FROM " + py), f);
            assertEquals(0, db.count("SELECT * FROM " + px + " EXCEPT ALL SELECT * FROM " + py));
            assertEquals(0, db.count("SELECT * FROM " + py + " EXCEPT ALL SELECT * FROM " + px));
          }
        } else if (f.equals("training_job.json")) {
          assertEquals(withoutTimingFields(x, a), withoutTimingFields(y, b), f);
        } else {
          assertArrayEquals(Files.readAllBytes(x), Files.readAllBytes(y), set + "/" + f);
        }
      }
    }
  }

  /** The job file without the fields that name a run or a time, with its directory relative. */
  private static JsonNode withoutTimingFields(Path job, Path outputDir) throws Exception {
    ObjectNode n = (ObjectNode) JSON.readTree(job.toFile());
    n.remove(List.of("created_utc", "job_name"));
    n.put("shards_dir", outputDir.relativize(Path.of(n.get("shards_dir").asText())).toString());
    return n;
  }

  static List<String> files(Path root) throws Exception {
    try (Stream<Path> s = Files.walk(root)) {
      return s.filter(Files::isRegularFile)
          .map(p -> root.relativize(p).toString())
          .sorted()
          .toList();
    }
  }

  static List<Path> temporaries(Path root) throws Exception {
    try (Stream<Path> s = Files.walk(root)) {
      return s.filter(p -> AtomicFiles.isTemporary(p.getFileName().toString())).toList();
    }
  }
}
