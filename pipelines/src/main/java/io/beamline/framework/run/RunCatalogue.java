package io.beamline.framework.run;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The runs recorded under an output directory ({@code <output-dir>/runs/<run-id>/manifest.json}),
 * as a table of one row per run: what {@code beamline runs} lists, and what DuckDB reads when it is
 * written as JSON lines or CSV.
 *
 * <p>The status is the live one: a run whose manifest still says {@code running} but whose process
 * is gone is {@code killed} ({@link RunLock#status}), even before a later run recorded it so.
 */
public final class RunCatalogue {
  private static final Logger LOG = LoggerFactory.getLogger(RunCatalogue.class);

  /** The columns of {@link #rows}, in order. */
  public static final List<String> COLUMNS =
      List.of(
          "run_id",
          "pipeline",
          "status",
          "start_utc",
          "end_utc",
          "duration_s",
          "items_succeeded",
          "items_failed",
          "runner",
          "error",
          "run_dir");

  private RunCatalogue() {}

  /** One row per run directory with a readable manifest, oldest start first. */
  public static List<Map<String, Object>> rows(Path outputDir) throws IOException {
    Path runs = outputDir.resolve("runs");
    List<Map<String, Object>> rows = new ArrayList<>();
    if (!Files.isDirectory(runs)) {
      return rows;
    }
    List<Path> dirs;
    try (Stream<Path> s = Files.list(runs)) {
      dirs = s.filter(d -> Files.isRegularFile(d.resolve("manifest.json"))).sorted().toList();
    }
    for (Path d : dirs) {
      try {
        rows.add(row(d, Runs.readManifest(d)));
      } catch (IOException e) {
        LOG.warn("Unreadable manifest in {}: {}", d, e.getMessage());
      }
    }
    rows.sort(
        java.util.Comparator.comparing(
                (Map<String, Object> r) -> String.valueOf(r.get("start_utc")))
            .thenComparing(r -> String.valueOf(r.get("run_id"))));
    return rows;
  }

  /**
   * The manifest of run {@code runId} under {@code outputDir}, with its live status and the files
   * of its run directory ({@code files}); null when there is no such run.
   */
  public static Map<String, Object> show(Path outputDir, String runId) throws IOException {
    Path d = outputDir.resolve("runs").resolve(runId);
    if (!runId.matches("[A-Za-z0-9_.-]+") || !Files.isRegularFile(d.resolve("manifest.json"))) {
      return null;
    }
    Map<String, Object> m = new LinkedHashMap<>(Runs.readManifest(d));
    m.put("status", RunLock.status(d));
    m.put("run_dir", d.toAbsolutePath().normalize().toString());
    try (Stream<Path> s = Files.list(d)) {
      m.put(
          "files",
          s.map(p -> p.getFileName().toString()).filter(n -> !n.startsWith(".")).sorted().toList());
    }
    return m;
  }

  private static Map<String, Object> row(Path dir, Map<String, Object> m) {
    Map<String, Object> r = new LinkedHashMap<>();
    String status = RunLock.status(dir);
    r.put("run_id", m.getOrDefault("run_id", dir.getFileName().toString()));
    r.put("pipeline", m.get("pipeline"));
    r.put("status", status);
    r.put("start_utc", m.get("start_utc"));
    r.put("end_utc", m.get("end_utc"));
    Object duration = m.get("duration_s");
    if (duration == null && m.get("start_utc") != null && m.get("end_utc") != null) {
      // A killed run's end is its last sign of life.
      duration = seconds(String.valueOf(m.get("start_utc")), String.valueOf(m.get("end_utc")));
    }
    r.put("duration_s", duration);
    Object items = m.get("items");
    r.put("items_succeeded", items instanceof Map<?, ?> i ? i.get("succeeded") : null);
    r.put("items_failed", items instanceof Map<?, ?> i ? i.get("failed") : null);
    r.put("runner", m.get("runner"));
    r.put("error", m.get("error"));
    r.put("run_dir", dir.toAbsolutePath().normalize().toString());
    return r;
  }

  private static Double seconds(String start, String end) {
    try {
      return Duration.between(Instant.parse(start), Instant.parse(end)).toMillis() / 1000.0;
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  /** The rows as JSON lines: one object per line, the columns of {@link #COLUMNS}. */
  public static String toJsonLines(List<Map<String, Object>> rows) {
    StringBuilder b = new StringBuilder();
    for (Map<String, Object> r : rows) {
      b.append(Json.line(r)).append('\n');
    }
    return b.toString();
  }

  /** The rows as CSV with a header line (RFC 4180 quoting; empty for null). */
  public static String toCsv(List<Map<String, Object>> rows) {
    StringBuilder b = new StringBuilder(String.join(",", COLUMNS)).append('\n');
    for (Map<String, Object> r : rows) {
      List<String> cells = new ArrayList<>();
      for (String c : COLUMNS) {
        Object v = r.get(c);
        String s = v == null ? "" : String.valueOf(v);
        cells.add(s.matches("[^\",\\r\\n]*") ? s : '"' + s.replace("\"", "\"\"") + '"');
      }
      b.append(String.join(",", cells)).append('\n');
    }
    return b.toString();
  }

  /** The rows as a fixed-width text table for the terminal. */
  public static String toText(List<Map<String, Object>> rows) {
    List<String> cols =
        List.of(
            "run_id",
            "pipeline",
            "status",
            "start_utc",
            "duration_s",
            "items_succeeded",
            "items_failed");
    List<String> heads =
        List.of("RUN ID", "PIPELINE", "STATUS", "START (UTC)", "SECONDS", "OK", "FAILED");
    List<List<String>> table = new ArrayList<>();
    table.add(heads);
    for (Map<String, Object> r : rows) {
      List<String> line = new ArrayList<>();
      for (String c : cols) {
        Object v = r.get(c);
        line.add(v == null ? "-" : String.valueOf(v));
      }
      table.add(line);
    }
    int[] width = new int[cols.size()];
    for (List<String> line : table) {
      for (int i = 0; i < width.length; i++) {
        width[i] = Math.max(width[i], line.get(i).length());
      }
    }
    StringBuilder b = new StringBuilder();
    for (List<String> line : table) {
      StringBuilder l = new StringBuilder();
      for (int i = 0; i < width.length; i++) {
        l.append(String.format("%-" + width[i] + "s", line.get(i)))
            .append(i + 1 < width.length ? "  " : "");
      }
      b.append(l.toString().stripTrailing()).append('\n');
    }
    return b.toString();
  }
}
