package io.beamline.runners;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.beamline.io.duckdb.DuckDb;
import io.beamline.pipelines.constellation.WindowLags;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code constellation --streaming} as a user runs it: a 5-minute session whose windows land live
 * in the session's directories while it runs, ended early by Ctrl-C (SIGINT to the real process).
 * The run drains what was sent, writes the last windows, commits the session with {@code
 * interrupted} and exits; every window reported has its Parquet file and shard, and DuckDB counts
 * the rows the reports promise.
 */
class ConstellationStreamingSignalIT {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  @Test
  void ctrlCEndsALiveSessionCleanly() throws Exception {
    ctrlCEndsALiveSession();
  }

  /**
   * The same on the FlinkRunner's embedded cluster; and each window written there landed within 2 s
   * of its close on the session clock (the session's clock starts once Flink reads every topic).
   */
  @Test
  void ctrlCEndsALiveSessionOnFlinkAndEachWindowLandedOnTime() throws Exception {
    Path out = ctrlCEndsALiveSession("--runner=FlinkRunner");
    Path raw = out.resolve("raw/s1/live");
    JsonNode ingest = JSON.readTree(out.resolve("runs/live-run/ingest.json").toFile());
    JsonNode options = JSON.readTree(out.resolve("runs/live-run/options.json").toFile());
    String start = options.path("sessionStart").asText(null);
    if (start == null) {
      start = options.get("options").get("sessionStart").asText();
    }
    long closeBase =
        java.time.Instant.parse(start).toEpochMilli() + ingest.get("clock_offset_ms").asLong();
    WindowLags lags = WindowLags.of(raw, out.resolve("gold/s1/live"), closeBase + 2000, 2000, 3);
    System.out.println("Flink: window outputs behind their close: " + lags.text());
    assertTrue(lags.worstMs() < 3000, "window outputs behind their close: " + lags.text());
  }

  /** Runs a live session with {@code extra} flags, Ctrl-C after 3 windows; checks; its output. */
  private Path ctrlCEndsALiveSession(String... extra) throws Exception {
    Path out = dir.resolve("out");
    Path log = dir.resolve("console.txt");
    Path raw = out.resolve("raw/s1/live");
    Path windows = raw.resolve("sync_windows");
    Process p = startLiveSession(out, "live-run", log, extra);
    try {
      awaitWindows(p, windows, 3, log);
      assertTrue(
          Files.notExists(out.resolve("commits/constellation/s1%2Flive.json")),
          "no record while the session runs");
      new ProcessBuilder("kill", "-INT", "--", "-" + p.pid()).start().waitFor();
      assertTrue(
          p.waitFor(90, TimeUnit.SECONDS), "no exit 90 s after Ctrl-C: " + Files.readString(log));
    } finally {
      p.destroyForcibly();
    }
    String console = Files.readString(log);
    assertEquals(130, p.exitValue(), console); // 128 + SIGINT, after the drain
    assertThat(console, containsString("Stopping the session"));
    assertThat(console, containsString("committed by run live-run"));

    JsonNode record = JSON.readTree(out.resolve("commits/constellation/s1%2Flive.json").toFile());
    assertEquals("succeeded", record.get("status").asText());
    assertTrue(record.get("details").get("interrupted").asBoolean(), record.toString());
    long reported = record.get("details").get("windows_reported").asLong();
    assertTrue(reported >= 3 && reported < 150, record.toString());
    JsonNode run = JSON.readTree(out.resolve("runs/live-run/manifest.json").toFile());
    assertEquals("succeeded", run.get("status").asText(), run.toString());

    // Every window reported has its rows and its shard; DuckDB counts what the reports promise.
    long samples = 0;
    try (Stream<Path> s = Files.list(windows)) {
      for (Path f : s.toList()) {
        for (String line : Files.readAllLines(f)) {
          samples += JSON.readTree(line).get("samples").asLong();
        }
      }
    }
    assertEquals(reported, count(raw.resolve("timeseries"), ".parquet"));
    assertEquals(reported, count(out.resolve("gold/s1/live"), ".tar"));
    try (DuckDb db = DuckDb.inMemory()) {
      String t = "read_parquet(" + DuckDb.literal(raw.resolve("timeseries") + "/*.parquet") + ")";
      assertEquals(samples, db.count("SELECT * FROM " + t));
    }
    assertTrue(Files.isRegularFile(out.resolve("runs/live-run/ingest.json")));
    try (Stream<Path> s = Files.walk(out.resolve("raw"))) {
      assertFalse(s.anyMatch(f -> f.getFileName().toString().endsWith(".tmp")), "temporaries");
    }
    return out;
  }

  /**
   * A live session killed (SIGKILL to the run and its broker) leaves the windows it wrote and no
   * record: nothing vouches for a half session, and the next run of the session replaces it whole.
   */
  @Test
  void aKilledLiveSessionLeavesNoRecordAndTheNextRunReplacesIt() throws Exception {
    Path out = dir.resolve("out");
    Path raw = out.resolve("raw/s1/live");
    Path record = out.resolve("commits/constellation/s1%2Flive.json");
    Path log = dir.resolve("killed.txt");
    Process p = startLiveSession(out, "killed-run", log);
    try {
      awaitWindows(p, raw.resolve("sync_windows"), 2, log);
      new ProcessBuilder("kill", "-KILL", "--", "-" + p.pid()).start().waitFor();
      assertTrue(p.waitFor(30, TimeUnit.SECONDS), "no exit after SIGKILL");
    } finally {
      p.destroyForcibly();
    }
    assertTrue(Files.notExists(record), "a record for a killed session");
    assertTrue(count(raw.resolve("sync_windows"), ".jsonl") >= 2, "the windows written stay");

    // A batch run of the same session replaces the half session as a whole.
    Process batch =
        new ProcessBuilder(
                ShadedJarIT.jar(
                    "constellation",
                    "--duration=2",
                    "--subject-id=s1",
                    "--session-id=live",
                    "--output-dir=" + out,
                    "--run-id=batch-run"))
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("batch.txt").toFile())
            .start();
    assertTrue(batch.waitFor(300, TimeUnit.SECONDS), "batch run did not end");
    assertEquals(0, batch.exitValue(), Files.readString(dir.resolve("batch.txt")));
    assertEquals("batch-run", JSON.readTree(record.toFile()).get("run_id").asText());
    assertFalse(Files.exists(raw.resolve("sync_windows")), "live windows left in a batch session");
    JsonNode report = JSON.readTree(raw.resolve("sync_report.json").toFile());
    long samples = 0;
    for (JsonNode m : report.get("modalities")) {
      samples += m.get("samples").asLong();
    }
    try (DuckDb db = DuckDb.inMemory()) {
      String t = "read_parquet(" + DuckDb.literal(raw.resolve("timeseries") + "/*.parquet") + ")";
      assertEquals(samples, db.count("SELECT * FROM " + t));
    }
  }

  /**
   * Starts {@code constellation --streaming} (5 minutes, 2 s windows) from the packaged jar, under
   * setsid (with SIGINT at its default): a process group of its own, as a terminal's foreground
   * job, so that a signal to the group reaches the run and its embedded broker's JVM alike (Ctrl-C
   * reaches the whole group).
   */
  private static Process startLiveSession(Path out, String runId, Path log, String... extra)
      throws Exception {
    List<String> args =
        new java.util.ArrayList<>(
            List.of(
                "constellation",
                "--streaming",
                "--duration=300",
                "--window-seconds=2",
                "--fault-injection",
                "--subject-id=s1",
                "--session-id=live",
                "--output-dir=" + out,
                "--run-id=" + runId));
    args.addAll(List.of(extra));
    // SIGINT back to its default first: a suite started in the background by a shell without job
    // control (nohup ... &) inherits it ignored, and a JVM started so never sees Ctrl-C.
    List<String> cmd =
        new java.util.ArrayList<>(
            List.of(
                "/usr/bin/python3",
                "-c",
                "import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_DFL);"
                    + " os.execvp(sys.argv[1], sys.argv[1:])",
                "setsid"));
    cmd.addAll(ShadedJarIT.jar(args.toArray(new String[0])));
    return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
  }

  /** Waits until {@code n} window reports are in place (live: while the session runs). */
  private static void awaitWindows(Process p, Path windows, int n, Path log) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (count(windows, ".jsonl") < n) {
      assertTrue(p.isAlive(), "the run ended early: " + Files.readString(log));
      assertTrue(
          System.nanoTime() < deadline, "no " + n + " windows in 120 s: " + Files.readString(log));
      Thread.sleep(200);
    }
  }

  private static long count(Path dir, String suffix) throws Exception {
    if (!Files.isDirectory(dir)) {
      return 0;
    }
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(f -> f.getFileName().toString().endsWith(suffix)).count();
    }
  }
}
