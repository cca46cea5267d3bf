package io.beamline.io.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.beamline.io.files.AtomicFiles;
import io.beamline.io.json.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * {@code bench/run}'s last step: gathers the {@link BenchRow}s its benchmark JVMs appended, with
 * each JVM's peak RSS and wall time (GNU time), into one table, printed as Markdown and written as
 * JSON. A row id reported by several JVMs (one per round) has its rounds pooled; each row's figures
 * are the medians of its rounds, its ratio subject/baseline of the medians (higher is better on
 * both sides, so above 1 means the project's side is faster), its peak RSS the largest of the JVMs
 * that reported it.
 *
 * <p>Arguments: {@code STEPS_DIR OUT_JSON}. {@code STEPS_DIR} holds per step {@code NAME.cmd} (the
 * command), {@code NAME.time} (GNU time's {@code %M %e}: max RSS in KB and wall seconds, after any
 * lines of its own), {@code NAME.exit} and {@code NAME.rows} (the rows, absent when it reported
 * none). System properties {@code bench.mode}, {@code bench.rounds}, {@code bench.commit}, {@code
 * bench.started}, {@code bench.loadStart} describe the run.
 *
 * <p>A step may state the peak RSS its benchmark must stay within, {@code NAME.bound} (MB; {@code
 * bench/run} writes it from its step list): each row carries the bound of its steps, the table
 * shows it beside the peak, and {@code main} exits with status 1 when a row's peak is over its
 * bound (after writing the table).
 */
public final class BenchTable {
  private BenchTable() {}

  public static void main(String[] args) throws IOException {
    if (write(Path.of(args[0]), Path.of(args[1])) > 0) {
      System.exit(1);
    }
  }

  /**
   * Writes the table of the steps in {@code steps} to {@code out} (JSON) and standard output
   * (Markdown); returns how many rows are over their peak RSS bound.
   */
  static int write(Path steps, Path out) throws IOException {
    List<Map<String, Object>> stepList = new ArrayList<>();
    Map<String, Map<String, Object>> rows = new LinkedHashMap<>();
    List<String> names;
    try (Stream<Path> s = Files.list(steps)) {
      names =
          s.map(p -> p.getFileName().toString())
              .filter(n -> n.endsWith(".cmd"))
              .map(n -> n.substring(0, n.length() - 4))
              .sorted()
              .toList();
    }
    for (String name : names) {
      Map<String, Object> step = step(steps, name);
      stepList.add(step);
      Path rowFile = steps.resolve(name + ".rows");
      if (!Files.exists(rowFile)) {
        continue;
      }
      for (String line : Files.readAllLines(rowFile)) {
        if (!line.isBlank()) {
          pool(rows, Json.MAPPER.readTree(line), step);
        }
      }
    }
    for (Map<String, Object> r : rows.values()) {
      double s = BenchRow.median(doubles(r.get("subject_rounds")));
      double b = BenchRow.median(doubles(r.get("baseline_rounds")));
      r.put("subject_median", s);
      r.put("baseline_median", b);
      r.put("ratio", s / b);
      Object bound = r.get("rss_bound_mb");
      r.put(
          "within_rss_bound",
          bound == null ? null : (Double) r.get("peak_rss_mb") <= ((Number) bound).doubleValue());
    }
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("started", System.getProperty("bench.started", ""));
    doc.put("finished", Instant.now().toString());
    doc.put("mode", System.getProperty("bench.mode", ""));
    doc.put("rounds", Integer.getInteger("bench.rounds", 0));
    doc.put("commit", System.getProperty("bench.commit", ""));
    Map<String, Object> machine = new LinkedHashMap<>();
    machine.put("cpus", Runtime.getRuntime().availableProcessors());
    machine.put("java", System.getProperty("java.version"));
    machine.put("load_average_start", System.getProperty("bench.loadStart", ""));
    machine.put("load_average_end", loadAverage());
    doc.put("machine", machine);
    doc.put("rows", new ArrayList<>(rows.values()));
    doc.put("steps", stepList);
    AtomicFiles.writeString(out, Json.pretty(doc));
    System.out.print(markdown(doc));
    int over = 0;
    for (Map<String, Object> r : rows.values()) {
      if (Boolean.FALSE.equals(r.get("within_rss_bound"))) {
        over++;
        System.out.printf(
            Locale.ROOT,
            "peak RSS over its bound: %s, %.0f MB > %s MB%n",
            r.get("what"),
            (Double) r.get("peak_rss_mb"),
            r.get("rss_bound_mb"));
      }
    }
    return over;
  }

  /** A step's command, exit status, wall time and peak RSS. */
  private static Map<String, Object> step(Path dir, String name) throws IOException {
    Map<String, Object> step = new LinkedHashMap<>();
    step.put("name", name);
    step.put("command", Files.readString(dir.resolve(name + ".cmd")).strip());
    Path exit = dir.resolve(name + ".exit");
    step.put("exit", Files.exists(exit) ? Integer.parseInt(Files.readString(exit).strip()) : -1);
    Path time = dir.resolve(name + ".time");
    if (Files.exists(time)) {
      // GNU time writes a "Command exited with non-zero status" line first on failure.
      List<String> lines = Files.readAllLines(time);
      String[] f = lines.get(lines.size() - 1).strip().split("\\s+");
      step.put("peak_rss_mb", Long.parseLong(f[0]) / 1024.0);
      step.put("wall_s", Double.parseDouble(f[1]));
    }
    Path bound = dir.resolve(name + ".bound");
    if (Files.exists(bound)) {
      step.put("rss_bound_mb", Long.parseLong(Files.readString(bound).strip()));
    }
    return step;
  }

  /** Adds a reported row's rounds to the row of its id, keeping the largest peak RSS. */
  private static void pool(
      Map<String, Map<String, Object>> rows, JsonNode n, Map<String, Object> step) {
    String id = n.get("id").asText();
    Map<String, Object> r =
        rows.computeIfAbsent(
            id,
            k -> {
              Map<String, Object> m = new LinkedHashMap<>();
              m.put("id", k);
              for (String f : List.of("what", "subject", "baseline", "unit")) {
                m.put(f, n.get(f).asText());
              }
              m.put("subject_rounds", new ArrayList<Double>());
              m.put("baseline_rounds", new ArrayList<Double>());
              m.put("peak_rss_mb", 0.0);
              m.put("steps", new ArrayList<String>());
              return m;
            });
    for (String f : List.of("subject_rounds", "baseline_rounds")) {
      @SuppressWarnings("unchecked")
      List<Double> values = (List<Double>) r.get(f);
      n.get(f).forEach(v -> values.add(v.asDouble()));
    }
    Object rss = step.get("peak_rss_mb");
    if (rss != null) {
      r.put("peak_rss_mb", Math.max((Double) r.get("peak_rss_mb"), (Double) rss));
    }
    Object bound = step.get("rss_bound_mb");
    if (bound != null) {
      Object had = r.get("rss_bound_mb");
      r.put("rss_bound_mb", had == null ? bound : Math.min((Long) had, (Long) bound));
    }
    @SuppressWarnings("unchecked")
    List<String> from = (List<String>) r.get("steps");
    from.add((String) step.get("name"));
  }

  private static double[] doubles(Object list) {
    return ((List<?>) list).stream().mapToDouble(v -> (Double) v).toArray();
  }

  private static String loadAverage() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).split("\\s+");
      return f[0] + " " + f[1] + " " + f[2];
    } catch (IOException e) {
      return "";
    }
  }

  @SuppressWarnings("unchecked")
  private static String markdown(Map<String, Object> doc) {
    StringBuilder b = new StringBuilder();
    Map<String, Object> m = (Map<String, Object>) doc.get("machine");
    b.append(
        String.format(
            Locale.ROOT,
            "bench/run %s, %s round(s), commit %s, %s cpus, load average %s at start, %s at end%n%n",
            doc.get("mode"),
            doc.get("rounds"),
            doc.get("commit"),
            m.get("cpus"),
            m.get("load_average_start"),
            m.get("load_average_end")));
    b.append("| benchmark | subject vs baseline | unit | subject | baseline | ratio | rounds |")
        .append(" peak RSS MB | RSS bound MB |\n|---|---|---|---|---|---|---|---|---|\n");
    for (Map<String, Object> r : (List<Map<String, Object>>) doc.get("rows")) {
      b.append(
          String.format(
              Locale.ROOT,
              "| %s | %s vs %s | %s | %s | %s | %.3f | %d | %.0f | %s |%n",
              r.get("what"),
              r.get("subject"),
              r.get("baseline"),
              r.get("unit"),
              figure((Double) r.get("subject_median")),
              figure((Double) r.get("baseline_median")),
              (Double) r.get("ratio"),
              ((List<?>) r.get("subject_rounds")).size(),
              (Double) r.get("peak_rss_mb"),
              r.get("rss_bound_mb") == null
                  ? "-"
                  : r.get("rss_bound_mb")
                      + (Boolean.TRUE.equals(r.get("within_rss_bound"))
                          ? " (within)"
                          : " (OVER)")));
    }
    b.append('\n');
    for (Map<String, Object> s : (List<Map<String, Object>>) doc.get("steps")) {
      b.append(
          String.format(
              Locale.ROOT,
              "step %-22s exit %d, %s s, peak RSS %s MB: %s%n",
              s.get("name"),
              (Integer) s.get("exit"),
              s.containsKey("wall_s") ? String.format(Locale.ROOT, "%.1f", s.get("wall_s")) : "?",
              s.containsKey("peak_rss_mb")
                  ? String.format(Locale.ROOT, "%.0f", s.get("peak_rss_mb"))
                  : "?",
              s.get("command")));
    }
    return b.toString();
  }

  /** Three significant digits, without exponent for the magnitudes benchmarks give. */
  private static String figure(double v) {
    if (v >= 100) {
      return String.format(Locale.ROOT, "%.0f", v);
    }
    return String.format(Locale.ROOT, v >= 10 ? "%.1f" : v >= 1 ? "%.2f" : "%.3g", v);
  }
}
