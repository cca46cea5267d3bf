package io.beamline.runners;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.beamline.io.audio.Audio;
import io.beamline.io.audio.WavEncoding;
import io.beamline.io.audio.WavWriter;
import io.beamline.io.duckdb.DuckDb;
import io.beamline.io.files.AtomicFiles;
import io.beamline.pipelines.run.CommitRecord;
import io.beamline.pipelines.run.ItemCommits;
import io.beamline.pipelines.run.Runs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code beamline infer chunk} killed with SIGKILL at seeded random instants spread over a whole
 * run, then run again until it finishes: every recording's chunks must exist exactly once with the
 * bytes of an uninterrupted run, every manifest must equal the uninterrupted run's, no temporary
 * may be left, and every killed run must be recorded as {@code killed}.
 *
 * <p>The command is the packaged {@code beamline.jar} in a separate JVM (the class path when the
 * jar is not built). At least {@link #KILLS} runs are killed, up to half of them in a row in one
 * output directory (each kill interrupting the resume of the previous killed run), then each
 * directory is resumed to the end and checked.
 */
class InferChunkCrashIT {
  static final long SEED = 20261206L;
  static final int KILLS = 10;
  @TempDir Path dir;

  private static List<String> command() {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Path jar = Path.of("target", "beamline.jar").toAbsolutePath();
    if (Files.isRegularFile(jar)) {
      return new ArrayList<>(List.of(java, "-jar", jar.toString()));
    }
    return new ArrayList<>(
        List.of(
            java, "-cp", System.getProperty("java.class.path"), "io.beamline.runners.Beamline"));
  }

  private Process start(Path recordings, Path out, Path log) throws Exception {
    List<String> cmd = command();
    cmd.addAll(
        List.of(
            "infer",
            "chunk",
            "--recordings",
            recordings.toString(),
            "--output-dir",
            out.toString(),
            "--chunk-seconds",
            "1",
            "--overlap-seconds",
            "0.25"));
    return new ProcessBuilder(cmd)
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
        .start();
  }

  private int runToEnd(Path recordings, Path out) throws Exception {
    Process p = start(recordings, out, dir.resolve("log.txt"));
    assertTrue(p.waitFor(600, TimeUnit.SECONDS), "run finished");
    return p.exitValue();
  }

  private static List<String> files(Path root) throws Exception {
    try (Stream<Path> s = Files.walk(root)) {
      return s.filter(Files::isRegularFile)
          .map(p -> root.relativize(p).toString())
          .sorted()
          .toList();
    }
  }

  @Test
  void killedAtRandomInstantsThenResumedGivesTheUninterruptedRunsChunksExactlyOnce()
      throws Exception {
    Path rec = dir.resolve("recordings");
    Random random = new Random(SEED);
    for (int r = 0; r < 6; r++) {
      int rate = r % 2 == 0 ? 44_100 : 48_000;
      float[][] x = new float[2][rate * 5];
      for (int c = 0; c < 2; c++) {
        for (int i = 0; i < x[c].length; i++) {
          x[c][i] = (float) (0.5 * Math.sin(i * (0.01 + 0.003 * r + 0.002 * c)));
        }
      }
      WavWriter.write(rec.resolve("site" + r + ".wav"), Audio.of(rate, x), WavEncoding.PCM_16);
    }
    Path reference = dir.resolve("reference");
    long t0 = System.nanoTime();
    assertEquals(0, runToEnd(rec, reference));
    long fullMs = (System.nanoTime() - t0) / 1_000_000;
    List<String> referenceFiles = new ArrayList<>();
    for (String f : files(reference.resolve("chunks"))) {
      referenceFiles.add("chunks/" + f);
    }
    for (String f : files(reference.resolve("manifests"))) {
      if (f.endsWith(".csv")) {
        referenceFiles.add("manifests/" + f);
      }
    }
    assertEquals(6 * 7 + 6, referenceFiles.size(), "6 recordings of 7 chunks, 6 manifests");

    // Kill until KILLS runs were killed: in a row in one output directory (each kill
    // interrupting the resume of the previous one); a run that finishes before its kill instant
    // ends that directory's series, which is then checked, and a fresh directory starts.
    int killed = 0;
    int dirs = 0;
    while (killed < KILLS && dirs < 8) {
      Path out = dir.resolve("killed-" + dirs++);
      int here = 0;
      while (here < KILLS / 2 && killed < KILLS) {
        long at = (long) (random.nextDouble() * fullMs);
        Process p = start(rec, out, dir.resolve("killed-log.txt"));
        if (p.waitFor(at, TimeUnit.MILLISECONDS)) {
          break;
        }
        p.destroyForcibly(); // SIGKILL on Unix
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        killed++;
        here++;
      }
      assertEquals(0, runToEnd(rec, out), "resumed run of " + out);

      // Exactly the uninterrupted run's chunk files and manifests, byte for byte.
      List<String> got = new ArrayList<>();
      for (String f : files(out.resolve("chunks"))) {
        got.add("chunks/" + f);
      }
      for (String f : files(out.resolve("manifests"))) {
        if (f.endsWith(".csv")) {
          got.add("manifests/" + f);
        }
      }
      assertEquals(referenceFiles, got);
      for (String f : referenceFiles) {
        assertArrayEquals(
            Files.readAllBytes(reference.resolve(f)), Files.readAllBytes(out.resolve(f)), f);
      }
      // Nothing temporary survives the final run, and every recording is committed.
      try (Stream<Path> s = Files.walk(out)) {
        List<Path> temporaries =
            s.filter(p -> AtomicFiles.isTemporary(p.getFileName().toString())).toList();
        assertEquals(List.of(), temporaries);
      }
      Map<String, CommitRecord> records = ItemCommits.of(out, "infer-chunk").readAll();
      assertEquals(6, records.size());
      records.values().forEach(r -> assertTrue(r.succeeded(), r.item() + ": " + r.error()));
      try (DuckDb db = DuckDb.inMemory()) {
        String table =
            "read_parquet(" + DuckDb.literal(out.resolve("chunk_table") + "/*.parquet") + ")";
        assertEquals(42, db.count("SELECT * FROM " + table));
        assertEquals(42, db.count("SELECT DISTINCT recording_id, chunk_id FROM " + table));
      }
      // Killed runs are recorded as killed, none left "running".
      try (Stream<Path> runs = Files.list(out.resolve("runs"))) {
        for (Path run : runs.toList()) {
          if (Files.exists(run.resolve("manifest.json"))) {
            Object status = Runs.readManifest(run).get("status");
            assertTrue(
                List.of("succeeded", "killed").contains(status), run + " has status " + status);
          }
        }
      }
    }
    assertTrue(killed >= KILLS, "only " + killed + " runs could be killed");
    System.out.println(
        "InferChunkCrashIT: "
            + killed
            + " runs killed (SIGKILL) at seeded instants within a "
            + fullMs
            + " ms run, "
            + dirs
            + " output directories resumed and checked ("
            + 6 * dirs
            + " recordings, "
            + 42 * dirs
            + " chunks): 0 lost, 0 duplicated, no temporary left");
  }
}
