package io.beamline.io.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Locale;

/**
 * One row of {@code bench/run}'s table, as a benchmark main reports it: a measure of the project's
 * code (the subject) and of a baseline doing the same work, each per round, in the same unit
 * (higher is better). {@link #emit} appends it as one JSON line to the file named by the system
 * property {@code bench.rows} (set by {@code bench/run}); without the property it does nothing, so
 * the benchmark scripts run on their own print only their own report. {@code bench/run} groups the
 * lines of a row id across JVMs, takes the medians and the ratio, and adds the peak RSS.
 *
 * <p>Written by hand rather than with Jackson: the kernel benchmark's classpath has no Jackson.
 *
 * <pre>{@code
 * BenchRow.emit("infer-128", "infer run, 128 chunks", "pipeline", "bare DJL loop", "chunks/s",
 *     pipelineRounds, bareRounds);
 * }</pre>
 */
public final class BenchRow {
  /** The system property naming the JSON Lines file rows are appended to. */
  public static final String ROWS_PROPERTY = "bench.rows";

  private BenchRow() {}

  /**
   * Appends a row. {@code subject} and {@code baseline} hold one value per measured round (warm-up
   * rounds left out); a main called once per round passes one value each.
   */
  public static void emit(
      String id,
      String what,
      String subjectName,
      String baselineName,
      String unit,
      double[] subject,
      double[] baseline) {
    String file = System.getProperty(ROWS_PROPERTY);
    if (file == null || file.isEmpty()) {
      return;
    }
    String line =
        String.format(
            Locale.ROOT,
            "{\"id\":%s,\"what\":%s,\"subject\":%s,\"baseline\":%s,\"unit\":%s,"
                + "\"subject_rounds\":%s,\"baseline_rounds\":%s}%n",
            quote(id),
            quote(what),
            quote(subjectName),
            quote(baselineName),
            quote(unit),
            numbers(subject),
            numbers(baseline));
    try {
      Files.writeString(
          Path.of(file),
          line,
          StandardCharsets.UTF_8,
          StandardOpenOption.CREATE,
          StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot append a benchmark row to " + file, e);
    }
  }

  /** The median of {@code v} (the mean of the middle two for an even count). */
  public static double median(double[] v) {
    if (v.length == 0) {
      throw new IllegalArgumentException("median of no values");
    }
    double[] s = v.clone();
    Arrays.sort(s);
    return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  }

  private static String numbers(double[] v) {
    StringBuilder b = new StringBuilder("[");
    for (int i = 0; i < v.length; i++) {
      if (!Double.isFinite(v[i])) {
        throw new IllegalArgumentException("round " + i + " is not a finite number: " + v[i]);
      }
      b.append(i > 0 ? "," : "").append(String.format(Locale.ROOT, "%.6g", v[i]));
    }
    return b.append(']').toString();
  }

  private static String quote(String s) {
    StringBuilder b = new StringBuilder("\"");
    for (char c : s.toCharArray()) {
      if (c == '"' || c == '\\') {
        b.append('\\').append(c);
      } else if (c < 0x20) {
        b.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
      } else {
        b.append(c);
      }
    }
    return b.append('"').toString();
  }
}
