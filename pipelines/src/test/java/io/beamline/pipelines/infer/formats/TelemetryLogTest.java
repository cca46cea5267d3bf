package io.beamline.pipelines.infer.formats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The telemetry format: what {@link TelemetryLog} writes it reads back, field for field. */
class TelemetryLogTest {
  @TempDir Path dir;

  private static TelemetryLog.Attempt attempt(String chunk, String status, String error) {
    return new TelemetryLog.Attempt(
        chunk,
        "rec-1",
        Instant.parse("2026-01-02T03:04:05.123Z"),
        Instant.parse("2026-01-02T03:04:06.500Z"),
        "gpu-1-w0",
        1,
        "NVIDIA H100",
        123_456_789L,
        1.377,
        status,
        2,
        error,
        4.0,
        "infer-run-20260102-030405-abcd");
  }

  @Test
  void whatIsAppendedIsReadBackWholeByAFollower() throws Exception {
    Path file = dir.resolve("m.jsonl");
    TelemetryLog.Attempt a = attempt("c0", TelemetryLog.RETRYING, "gpu-1-w0: boom");
    TelemetryLog.Attempt b = attempt("c1", TelemetryLog.SUCCEEDED, null);
    TelemetryLog.append(file, a);
    TelemetryLog tail = new TelemetryLog(dir);
    assertTrue(tail.poll());
    assertEquals(List.of(a), tail.attempts());
    // Half a line (a writer in the middle of a line) is held back until its line end arrives.
    String line = b.line();
    Files.writeString(
        file, line.substring(0, 20), StandardCharsets.UTF_8, StandardOpenOption.APPEND);
    tail.poll();
    assertEquals(List.of(a), tail.attempts());
    assertEquals(1, tail.partialLines());
    Files.writeString(
        file, line.substring(20) + "\n", StandardCharsets.UTF_8, StandardOpenOption.APPEND);
    tail.poll();
    assertEquals(List.of(a, b), tail.attempts());
    assertEquals(b.endUtc(), tail.attempts().get(1).time());
  }

  @Test
  void anAttemptWrittenTwiceByARetriedTaskCountsOnce() throws Exception {
    Path file = dir.resolve("m.jsonl");
    TelemetryLog.Attempt a = attempt("c0", TelemetryLog.SUCCEEDED, null);
    TelemetryLog.Attempt retry = attempt("c0", TelemetryLog.RETRYING, "boom");
    TelemetryLog.append(file, retry);
    TelemetryLog.append(file, a);
    // A cluster reran the task: the same attempts' lines again, with other times.
    TelemetryLog.Attempt again =
        new TelemetryLog.Attempt(
            a.chunkId(),
            a.recordingId(),
            a.startUtc().plusSeconds(9),
            a.endUtc().plusSeconds(9),
            "cpu-0@node2/executor-1",
            null,
            null,
            1L,
            0.5,
            a.status(),
            a.attempt(),
            null,
            0,
            a.runId());
    TelemetryLog.append(file, retry);
    TelemetryLog.append(file, again);
    TelemetryLog tail = new TelemetryLog(dir);
    tail.poll();
    assertEquals(List.of(retry, a), tail.attempts());
    assertEquals(2, tail.duplicates());
  }

  @Test
  void aLineCutByAKillIsEndedSoTheNextLineStandsAlone() throws Exception {
    Path file = dir.resolve("m.jsonl");
    Files.writeString(file, "{\"chunk_id\":\"c0\",\"sta");
    TelemetryLog.endLastLine(file);
    TelemetryLog.Attempt a = attempt("c1", TelemetryLog.FAILED, "loader: missing");
    TelemetryLog.append(file, a);
    TelemetryLog tail = new TelemetryLog(file);
    tail.poll();
    assertEquals(List.of(a), tail.attempts());
    assertEquals(1, tail.malformed());
  }

  @Test
  void linesOfOtherWritersReadWithDefaults() {
    TelemetryLog.Attempt a = TelemetryLog.parse("{\"status\":\"succeeded\",\"chunk_id\":\"x\"}");
    assertEquals("unknown", a.worker());
    assertNull(a.time());
    assertNull(a.gpuIndex());
    assertNull(TelemetryLog.parse("not json"));
    assertNull(TelemetryLog.parse("{\"chunk_id\":\"x\"}"));
  }
}
