package io.beamline.pipelines.infer.formats;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.beamline.io.json.Json;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * The telemetry of {@code beamline infer run}, written and read here only: one JSON object per line
 * in {@code <stem>.jsonl}, one line per attempt of a chunk, appended as attempts end. Fields, in
 * order: {@code chunk_id, recording_id, start_utc, end_utc, worker, gpu_index, gpu_name,
 * memory_used_bytes, runtime_s, status} ({@link #SUCCEEDED}, {@link #RETRYING} or {@link #FAILED}),
 * {@code attempt, error, backoff_s, run_id}.
 *
 * <p>Writing: {@link Attempt#line()} and {@link #append} (one write per line, so a reader never
 * sees half a line from one JVM); {@link #endLastLine} ends the half line a killed run left.
 *
 * <p>Reading: {@link #parse} one line, or follow one JSONL file, or every {@code *.jsonl} under a
 * directory (new files are picked up as they appear). Each {@link #poll} reads only the bytes
 * appended since the last one; a last line without its newline is kept back until it is complete,
 * so a file being written is never misread. A file that shrank (rewritten) is read again from its
 * start.
 */
public final class TelemetryLog {
  private static final ObjectMapper JSON = Json.MAPPER;

  /** The status of an attempt that succeeded (its chunk is committed). */
  public static final String SUCCEEDED = "succeeded";

  /** The status of an attempt that failed and is retried. */
  public static final String RETRYING = "retrying";

  /** The status of a chunk's last attempt when it failed for good. */
  public static final String FAILED = "failed";

  private static final Map<Path, Object> LOCKS = new ConcurrentHashMap<>();

  /**
   * One attempt of one chunk, one telemetry line. Lines read from older or foreign writers may lack
   * fields: text fields are then null, numbers 0 ({@code worker} reads {@code unknown}).
   *
   * @param chunkId manifest {@code chunk_id}
   * @param recordingId manifest {@code recording_id}
   * @param startUtc when the attempt started
   * @param endUtc when it ended
   * @param worker the worker label ({@code gpu-0}, {@code cpu-0}, {@code loader})
   * @param gpuIndex the GPU of the worker, or null on the CPU
   * @param gpuName that GPU's name, or null
   * @param memoryUsedBytes GPU memory in use, or the JVM heap in use on the CPU
   * @param runtimeS seconds from start to end
   * @param status {@link #SUCCEEDED}, {@link #RETRYING} or {@link #FAILED}
   * @param attempt the attempt's number, 1-based
   * @param error its one-line error, or null
   * @param backoffS the backoff waited before it
   * @param runId the run it belongs to
   */
  public record Attempt(
      String chunkId,
      String recordingId,
      Instant startUtc,
      Instant endUtc,
      String worker,
      Integer gpuIndex,
      String gpuName,
      long memoryUsedBytes,
      double runtimeS,
      String status,
      int attempt,
      String error,
      double backoffS,
      String runId) {

    /** When the attempt ended, else when it started; null when the line has neither. */
    public Instant time() {
      return endUtc != null ? endUtc : startUtc;
    }

    /** The telemetry line, without a line end. */
    public String line() {
      ObjectNode n = JSON.createObjectNode();
      n.put("chunk_id", chunkId);
      n.put("recording_id", recordingId);
      n.put("start_utc", startUtc.toString());
      n.put("end_utc", endUtc.toString());
      n.put("worker", worker);
      if (gpuIndex == null) {
        n.putNull("gpu_index");
        n.putNull("gpu_name");
      } else {
        n.put("gpu_index", gpuIndex);
        n.put("gpu_name", gpuName);
      }
      n.put("memory_used_bytes", memoryUsedBytes);
      n.put("runtime_s", runtimeS);
      n.put("status", status);
      n.put("attempt", attempt);
      if (error == null) {
        n.putNull("error");
      } else {
        n.put("error", error);
      }
      n.put("backoff_s", backoffS);
      n.put("run_id", runId);
      try {
        return JSON.writeValueAsString(n);
      } catch (JsonProcessingException e) {
        throw new IllegalStateException(e);
      }
    }
  }

  /**
   * Appends {@code a}'s line and a line end to {@code file} in one write, so a monitor tailing it
   * never sees half a line from this JVM.
   */
  public static void append(Path file, Attempt a) {
    byte[] bytes = (a.line() + "\n").getBytes(StandardCharsets.UTF_8);
    Object lock = LOCKS.computeIfAbsent(file.toAbsolutePath().normalize(), k -> new Object());
    synchronized (lock) {
      try {
        Files.createDirectories(file.getParent());
        Files.write(
            file,
            bytes,
            StandardOpenOption.CREATE,
            StandardOpenOption.APPEND,
            StandardOpenOption.WRITE);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot append telemetry to " + file, e);
      }
    }
  }

  /**
   * Ends {@code file} with a line end when its last line lacks one (a run killed while appending),
   * so that the next line appended starts a line of its own; a missing or empty file is left alone.
   */
  public static void endLastLine(Path file) throws IOException {
    if (!Files.isRegularFile(file) || Files.size(file) == 0) {
      return;
    }
    try (FileChannel ch =
        FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      ByteBuffer last = ByteBuffer.allocate(1);
      ch.read(last, ch.size() - 1);
      if (last.get(0) != '\n') {
        ch.write(ByteBuffer.wrap(new byte[] {'\n'}), ch.size());
      }
    }
  }

  /** What one file has contributed so far. */
  private static final class FileState {
    long offset;
    final ByteArrayOutputStream pending = new ByteArrayOutputStream();
    final List<Attempt> attempts = new ArrayList<>();
    final Set<String> seen = new HashSet<>();
    int malformed;
    int duplicates;
  }

  private final Path root;
  private final Map<Path, FileState> files = new TreeMap<>();

  /** A reader of the telemetry file {@code root}, or of every {@code *.jsonl} under it. */
  public TelemetryLog(Path root) {
    this.root = root;
  }

  /** The file or directory read. */
  public Path root() {
    return root;
  }

  /** The telemetry files now present: the file itself, or {@code *.jsonl} under the directory. */
  public List<Path> currentFiles() throws IOException {
    if (Files.isRegularFile(root)) {
      return List.of(root);
    }
    if (!Files.isDirectory(root)) {
      return List.of();
    }
    try (Stream<Path> s = Files.walk(root)) {
      return s.filter(Files::isRegularFile)
          .filter(p -> p.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".jsonl"))
          .filter(p -> !p.getFileName().toString().startsWith("."))
          .sorted()
          .toList();
    }
  }

  /** Reads what was appended since the last poll; returns whether any byte was new. */
  public boolean poll() throws IOException {
    boolean changed = false;
    for (Path f : currentFiles()) {
      FileState st = files.computeIfAbsent(f, k -> new FileState());
      long size;
      try {
        size = Files.size(f);
      } catch (IOException e) {
        continue; // removed between listing and reading
      }
      if (size < st.offset) {
        st.offset = 0;
        st.pending.reset();
        st.attempts.clear();
        st.seen.clear();
        st.malformed = 0;
        st.duplicates = 0;
        changed = true;
      }
      if (size == st.offset) {
        continue;
      }
      byte[] fresh = read(f, st.offset, size);
      st.offset += fresh.length;
      changed |= fresh.length > 0;
      int start = 0;
      for (int i = 0; i < fresh.length; i++) {
        if (fresh[i] == '\n') {
          st.pending.write(fresh, start, i - start);
          changed |= accept(st, st.pending.toString(StandardCharsets.UTF_8));
          st.pending.reset();
          start = i + 1;
        }
      }
      st.pending.write(fresh, start, fresh.length - start);
    }
    return changed;
  }

  private static byte[] read(Path f, long from, long to) throws IOException {
    try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ)) {
      ByteBuffer buf = ByteBuffer.allocate((int) Math.min(Integer.MAX_VALUE - 8, to - from));
      ch.position(from);
      while (buf.hasRemaining()) {
        if (ch.read(buf) < 0) {
          break;
        }
      }
      byte[] out = new byte[buf.position()];
      buf.flip();
      buf.get(out);
      return out;
    }
  }

  /** Parses one complete line; blank lines are ignored, bad ones counted. */
  private static boolean accept(FileState st, String line) {
    if (line.isBlank()) {
      return false;
    }
    Attempt a = parse(line);
    if (a == null) {
      st.malformed++;
    } else if (!st.seen.add(
        a.runId() + '\n' + a.chunkId() + '\n' + a.attempt() + '\n' + a.status())) {
      // The same attempt's line again: a task a cluster ran twice (a retried or recomputed
      // task appends its lines again). One attempt counts once.
      st.duplicates++;
    } else {
      st.attempts.add(a);
    }
    return true;
  }

  /** The attempt a telemetry line records, or null when it is not a telemetry JSON object. */
  public static Attempt parse(String line) {
    JsonNode n;
    try {
      n = JSON.readTree(line);
    } catch (IOException e) {
      return null;
    }
    if (n == null || !n.isObject() || !n.hasNonNull("status")) {
      return null;
    }
    return new Attempt(
        text(n, "chunk_id"),
        text(n, "recording_id"),
        instant(n.get("start_utc")),
        instant(n.get("end_utc")),
        n.hasNonNull("worker") ? n.get("worker").asText() : "unknown",
        n.hasNonNull("gpu_index") ? n.get("gpu_index").asInt() : null,
        text(n, "gpu_name"),
        n.path("memory_used_bytes").asLong(0),
        n.path("runtime_s").asDouble(0),
        n.get("status").asText(),
        n.path("attempt").asInt(0),
        text(n, "error"),
        n.path("backoff_s").asDouble(0),
        text(n, "run_id"));
  }

  private static String text(JsonNode n, String field) {
    return n.hasNonNull(field) ? n.get(field).asText() : null;
  }

  private static Instant instant(JsonNode v) {
    if (v == null || !v.isTextual()) {
      return null;
    }
    try {
      return Instant.parse(v.asText());
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  /** Every attempt read so far, file by file in path order, each file in line order. */
  public List<Attempt> attempts() {
    List<Attempt> all = new ArrayList<>();
    for (FileState st : files.values()) {
      all.addAll(st.attempts);
    }
    return all;
  }

  /**
   * Lines that repeat an attempt already read (same run, chunk, attempt and status), left out of
   * {@link #attempts()}.
   */
  public int duplicates() {
    return files.values().stream().mapToInt(s -> s.duplicates).sum();
  }

  /** Complete lines that were not telemetry objects. */
  public int malformed() {
    return files.values().stream().mapToInt(s -> s.malformed).sum();
  }

  /** Files whose last line is still incomplete (no newline yet). */
  public int partialLines() {
    return (int) files.values().stream().filter(s -> s.pending.size() > 0).count();
  }

  /**
   * Attempts in the incomplete last lines that already parse as a whole JSON object (a writer that
   * does not end its last line): counted by a one-shot look, never by a follower.
   */
  public List<Attempt> completePending() {
    List<Attempt> out = new ArrayList<>();
    for (FileState st : files.values()) {
      if (st.pending.size() > 0) {
        Attempt a = parse(st.pending.toString(StandardCharsets.UTF_8));
        if (a != null) {
          out.add(a);
        }
      }
    }
    return out;
  }

  /** Files read so far, in path order. */
  public int fileCount() {
    return files.size();
  }
}
