package io.beamline.pipelines.infer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Follows the telemetry of {@code beamline infer run}: one JSONL file, or every {@code *.jsonl}
 * under a directory (new files are picked up as they appear). Each {@link #poll} reads only the
 * bytes appended since the last one; a last line without its newline is kept back until it is
 * complete, so a file being written is never misread. A file that shrank (rewritten) is read again
 * from its start.
 */
public final class TelemetryTail {
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * One attempt of one chunk, as a telemetry line records it; {@code recordingId} and {@code runId}
   * are null in lines that lack them.
   */
  public record Attempt(
      String chunkId,
      String worker,
      String status,
      int attempt,
      Instant time,
      String error,
      String recordingId,
      String runId) {}

  /** What one file has contributed so far. */
  private static final class FileState {
    long offset;
    final ByteArrayOutputStream pending = new ByteArrayOutputStream();
    final List<Attempt> attempts = new ArrayList<>();
    int malformed;
  }

  private final Path root;
  private final Map<Path, FileState> files = new TreeMap<>();

  public TelemetryTail(Path root) {
    this.root = root;
  }

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
        st.malformed = 0;
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
    Instant t = instant(n.get("end_utc"));
    if (t == null) {
      t = instant(n.get("start_utc"));
    }
    return new Attempt(
        text(n, "chunk_id"),
        n.hasNonNull("worker") ? n.get("worker").asText() : "unknown",
        n.get("status").asText(),
        n.path("attempt").asInt(0),
        t,
        text(n, "error"),
        text(n, "recording_id"),
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
