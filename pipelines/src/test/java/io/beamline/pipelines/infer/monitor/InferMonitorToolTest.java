package io.beamline.pipelines.infer.monitor;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.beamline.framework.UserInputException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code infer monitor} over telemetry in {@code infer run}'s format, once and following. */
class InferMonitorToolTest {
  @TempDir Path dir;

  private static final Instant T0 = Instant.parse("2026-01-01T08:00:00Z");

  /** One telemetry line exactly as {@code infer run} writes it. */
  static String line(String chunk, String worker, String status, int attempt, int endS) {
    String error = "succeeded".equals(status) ? "null" : "\"RuntimeException: boom\"";
    return String.format(
        Locale.ROOT,
        "{\"chunk_id\":\"%s\",\"recording_id\":\"rec\",\"start_utc\":\"%s\",\"end_utc\":\"%s\","
            + "\"worker\":\"%s\",\"gpu_index\":%s,\"gpu_name\":%s,\"memory_used_bytes\":1024,"
            + "\"runtime_s\":0.5,\"status\":\"%s\",\"attempt\":%d,\"error\":%s}",
        chunk,
        T0.plusSeconds(endS).minusMillis(500),
        T0.plusSeconds(endS),
        worker,
        worker.startsWith("gpu") ? "0" : "null",
        worker.startsWith("gpu") ? "\"NVIDIA H200\"" : "null",
        status,
        attempt,
        error);
  }

  /** {@link #line} with the run id {@code infer run} adds. */
  static String line(
      String chunk, String worker, String status, int attempt, int endS, String run) {
    String l = line(chunk, worker, status, attempt, endS);
    return l.substring(0, l.length() - 1) + ",\"run_id\":\"" + run + "\"}";
  }

  /** A run record under {@code out/runs/<id>/} with {@code status}; its lock free (no process). */
  private static void runRecord(Path out, String id, String status) throws Exception {
    Path d = Files.createDirectories(out.resolve("runs").resolve(id));
    Files.writeString(
        d.resolve("manifest.json"), "{\"run_id\":\"" + id + "\",\"status\":\"" + status + "\"}");
    Files.writeString(d.resolve(".lock"), "");
  }

  /**
   * Finding 6: a run killed after 42 of 70 chunks (it had logged them succeeded), then a full
   * re-run: 70 successes, not 112; the killed run is shown as killed, and the chunk it was retrying
   * when it died is interrupted, not awaiting a retry.
   */
  @Test
  void successesAreDistinctChunksAndAKilledRunIsShownAsSuch() throws Exception {
    Path out = dir.resolve("out");
    Path f = out.resolve("telemetry").resolve("rec.jsonl");
    Files.createDirectories(f.getParent());
    StringBuilder b = new StringBuilder();
    for (int c = 0; c < 42; c++) {
      b.append(line("c" + c, "cpu-0", "succeeded", 1, c, "run-killed")).append('\n');
    }
    b.append(line("c70", "cpu-0", "retrying", 1, 42, "run-killed")).append('\n');
    for (int c = 0; c < 70; c++) {
      b.append(line("c" + c, "gpu-0", "succeeded", 1, 100 + c, "run-again")).append('\n');
    }
    Files.writeString(f, b.toString());
    runRecord(out, "run-killed", "running");
    runRecord(out, "run-again", "succeeded");

    String report = run("--telemetry=" + f);
    assertEquals(List.of("total", "70", "0", "1"), row(report, "total"));
    assertEquals(List.of("gpu-0", "70", "0", "0"), row(report, "gpu-0"));
    assertEquals(List.of("cpu-0", "0", "0", "1"), row(report, "cpu-0"));
    assertThat(report, containsString("113 attempts, 71 chunks"));
    assertThat(
        report,
        containsString(
            "chunks: 70 succeeded, 0 failed, 0 awaiting a retry, 1 interrupted (their run ended"));
    assertThat(
        report,
        containsString(
            "run run-killed: killed; 43 attempts (42 succeeded, 0 failed, 1 retrying); its process"
                + " died"));
    assertThat(report, containsString("run run-again: succeeded; 70 attempts"));
    // Given the directory, the same.
    assertEquals(
        List.of("total", "70", "0", "1"), row(run("--telemetry=" + f.getParent()), "total"));
  }

  private static InferMonitorTool.InferMonitorOptions options(String... args) {
    return PipelineOptionsFactory.fromArgs(args)
        .withValidation()
        .as(InferMonitorTool.InferMonitorOptions.class);
  }

  private static String run(String... args) throws Exception {
    StringWriter out = new StringWriter();
    int code =
        new InferMonitorTool()
            .run(options(args), new PrintWriter(out, true), new PrintWriter(new StringWriter()));
    assertEquals(0, code);
    return out.toString();
  }

  /** The whitespace-separated cells of the table row that starts with {@code name}. */
  private static List<String> row(String report, String name) {
    for (String l : report.split("\\R")) {
      List<String> cells = Arrays.asList(l.trim().split("\\s+"));
      if (cells.get(0).equals(name)) {
        return cells;
      }
    }
    throw new AssertionError("no row " + name + " in\n" + report);
  }

  @Test
  void commandIsInferMonitor() {
    assertTrue(new InferMonitorTool().commandPath().equals(List.of("infer", "monitor")));
  }

  @Test
  void totalsPerWorkerAndRetrySparkline() throws Exception {
    Path f = dir.resolve("rec.jsonl");
    Files.writeString(
        f,
        String.join(
                "\n",
                line("c1", "cpu-0", "retrying", 1, 0),
                line("c1", "cpu-0", "succeeded", 2, 2),
                line("c2", "gpu-0", "succeeded", 1, 1),
                line("c3", "gpu-0", "retrying", 1, 9),
                line("c3", "gpu-0", "retrying", 2, 10),
                line("c3", "gpu-0", "failed", 3, 10),
                "not json at all",
                "")
            + "{\"chunk_id\":\"c4\",\"worker\":\"cpu-0\",\"sta");
    String report = run("--telemetry=" + f, "--sparklineWidth=5");
    assertEquals(List.of("cpu-0", "1", "0", "1"), row(report, "cpu-0"));
    assertEquals(List.of("gpu-0", "1", "1", "2"), row(report, "gpu-0"));
    assertEquals(List.of("total", "2", "1", "3"), row(report, "total"));
    assertThat(report, containsString("6 attempts, 3 chunks"));
    assertThat(report, containsString("chunks: 2 succeeded, 1 failed, 0 awaiting a retry"));
    // Span 0-10 s in 5 buckets: one retry in the first, two in the last.
    assertThat(report, containsString("retries  ▅▁▁▁█  (5 buckets from 2026-01-01T08:00:00Z"));
    assertThat(report, containsString("skipped 1 line that is not telemetry JSON"));
    assertThat(report, containsString("1 file ends in a line still being written"));
  }

  @Test
  void aLastLineWithoutNewlineCountsWhenComplete() throws Exception {
    Path f = dir.resolve("t.jsonl");
    Files.writeString(
        f, line("c1", "gpu-1", "succeeded", 1, 0) + "\n" + line("c2", "gpu-1", "succeeded", 1, 1));
    String report = run("--telemetry=" + f);
    assertEquals(List.of("gpu-1", "2", "0", "0"), row(report, "gpu-1"));
    assertThat(report, containsString("retries  ▁"));
  }

  @Test
  void aDirectoryOfTelemetryFilesIsSummedUp() throws Exception {
    Path t = dir.resolve("telemetry");
    Files.createDirectories(t);
    Files.writeString(t.resolve("a.jsonl"), line("a1", "cpu-0", "succeeded", 1, 0) + "\n");
    Files.writeString(
        t.resolve("b.jsonl"),
        line("b1", "cpu-0", "retrying", 1, 1)
            + "\n"
            + line("b1", "cpu-0", "succeeded", 2, 3)
            + "\n");
    Files.writeString(t.resolve("notes.txt"), "ignored\n");
    String report = run("--telemetry=" + t);
    assertEquals(List.of("cpu-0", "2", "0", "1"), row(report, "cpu-0"));
    assertThat(report, containsString("(2 files, 3 attempts, 2 chunks)"));
  }

  @Test
  void sparklineLevels() {
    assertEquals("▁▂▄▅▇█", MonitorReport.sparkline(new long[] {0, 1, 3, 4, 6, 7}));
    assertEquals("▁▁", MonitorReport.sparkline(new long[] {0, 0}));
    long[] c =
        MonitorReport.bucketCounts(
            List.of(T0, T0.plusSeconds(5), T0.plusSeconds(10)), T0, T0.plusSeconds(10), 4);
    assertEquals("[1, 0, 1, 1]", Arrays.toString(c));
  }

  @Test
  void badInputsAreUserErrors() {
    UserInputException missing =
        assertThrows(UserInputException.class, () -> run("--telemetry=" + dir.resolve("nope")));
    assertThat(missing.getMessage(), containsString("telemetry not found"));
    assertThrows(
        UserInputException.class, () -> run("--telemetry=" + dir, "--follow", "--intervalS=0"));
  }

  private static void waitFor(Supplier<Boolean> condition, String what) throws Exception {
    long deadline = System.nanoTime() + 60_000_000_000L;
    while (!condition.get()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      Thread.sleep(20);
    }
  }

  @Test
  void followsAFileBeingAppendedUntilInterrupted() throws Exception {
    Path f = dir.resolve("live").resolve("rec.jsonl");
    StringWriter out = new StringWriter();
    AtomicInteger code = new AtomicInteger(-1);
    Thread monitor =
        new Thread(
            () -> {
              try {
                code.set(
                    new InferMonitorTool()
                        .run(
                            options("--telemetry=" + f, "--follow", "--intervalS=0.02"),
                            new PrintWriter(out, true),
                            new PrintWriter(new StringWriter(), true)));
              } catch (Exception e) {
                code.set(99);
              }
            });
    monitor.start();
    // The file does not exist yet: the follower waits for it.
    waitFor(() -> out.toString().contains("0 attempts"), "the first frame");

    Files.createDirectories(f.getParent());
    String half = line("c0", "cpu-1", "succeeded", 1, 0);
    Files.writeString(f, half.substring(0, 40));
    waitFor(() -> out.toString().contains("a line still being written"), "the partial line");
    assertThat(out.toString(), containsString("0 attempts"));
    Files.writeString(f, half.substring(40) + "\n", StandardOpenOption.APPEND);
    waitFor(() -> out.toString().contains("1 attempt,"), "the completed line");

    // A writer appends 200 more attempts in random fragments while the monitor reads.
    StringBuilder all = new StringBuilder();
    for (int i = 1; i <= 200; i++) {
      String status = i % 10 == 0 ? "retrying" : "succeeded";
      all.append(line("c" + i, i % 2 == 0 ? "gpu-0" : "cpu-1", status, 1, i)).append('\n');
    }
    byte[] bytes = all.toString().getBytes(StandardCharsets.UTF_8);
    Random random = new Random(7);
    for (int pos = 0; pos < bytes.length; ) {
      int n = Math.min(bytes.length - pos, 1 + random.nextInt(700));
      Files.write(f, Arrays.copyOfRange(bytes, pos, pos + n), StandardOpenOption.APPEND);
      pos += n;
      if (random.nextInt(4) == 0) {
        Thread.sleep(5);
      }
    }
    waitFor(() -> out.toString().contains("201 attempts"), "every appended line");
    monitor.interrupt();
    monitor.join(10_000);
    assertEquals(0, code.get(), "interrupting the follower ends it normally");
    String last = out.toString().substring(out.toString().lastIndexOf("telemetry: "));
    // cpu-1: c0 and the odd i (100), minus the retrying ones among them (i % 10 == 0 are even).
    assertEquals(List.of("cpu-1", "101", "0", "0"), row(last, "cpu-1"));
    assertEquals(List.of("gpu-0", "80", "0", "20"), row(last, "gpu-0"));
    assertThat(last, containsString("201 attempts, 201 chunks"));
    List<String> frames = new ArrayList<>(Arrays.asList(out.toString().split("telemetry: ")));
    assertTrue(frames.size() > 3, "the table was printed again as the file grew");
  }
}
