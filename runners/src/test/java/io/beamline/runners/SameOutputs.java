package io.beamline.runners;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.beamline.io.duckdb.DuckDb;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * Comparisons of two runs' outputs (a DirectRunner reference and the same command elsewhere): files
 * byte for byte, tables row for row through DuckDB, JSON without named keys, and the runs' Beam
 * metrics.
 */
final class SameOutputs {
  /** What the assertions compared, for the record: kind -> count (see {@link #tally()}). */
  private static final Map<String, Long> TALLY = new java.util.TreeMap<>();

  private static synchronized void count(String kind, long n) {
    TALLY.merge(kind, n, Long::sum);
  }

  /** Counts of what was found equal so far: files byte for byte, tables and rows, metrics. */
  static synchronized String tally() {
    return TALLY.toString();
  }

  private static final ObjectMapper JSON = new ObjectMapper();

  private SameOutputs() {}

  /** The regular files under {@code d}, relative and sorted. */
  static List<String> files(Path d) throws Exception {
    try (Stream<Path> s = Files.walk(d)) {
      return s.filter(Files::isRegularFile).map(p -> d.relativize(p).toString()).sorted().toList();
    }
  }

  /**
   * Asserts that {@code a} and {@code b} hold the same files (relative names) and that those {@code
   * bytewise} accepts are byte-identical; returns the names, never empty.
   */
  static List<String> assertSameFiles(Path a, Path b, Predicate<String> bytewise) throws Exception {
    List<String> names = files(a);
    assertFalse(names.isEmpty(), a + " is empty");
    assertEquals(names, files(b), a + " vs " + b);
    for (String f : names) {
      if (bytewise.test(f)) {
        assertSameBytes(a.resolve(f), b.resolve(f), 0);
      }
    }
    return names;
  }

  /** Asserts that files {@code a} and {@code b} hold the same bytes from {@code offset} on. */
  static void assertSameBytes(Path a, Path b, int offset) throws Exception {
    byte[] x = Files.readAllBytes(a);
    byte[] y = Files.readAllBytes(b);
    assertTrue(x.length >= offset && y.length >= offset, a + " or " + b + " is too short");
    assertArrayEquals(
        Arrays.copyOfRange(x, offset, x.length),
        Arrays.copyOfRange(y, offset, y.length),
        a + " vs " + b);
    count("files equal byte for byte", 1);
  }

  /** {@code read_parquet} of every Parquet file in {@code d}. */
  static String parquet(Path d) {
    return "read_parquet(" + DuckDb.literal(d + File.separator + "*.parquet") + ")";
  }

  /**
   * Asserts that the Parquet tables in {@code a} and {@code b} hold the same rows, all columns but
   * {@code exclude}; returns the number of rows, never 0.
   */
  static long assertSameRows(Path a, Path b, String... exclude) throws Exception {
    String except = exclude.length == 0 ? "" : "EXCLUDE (" + String.join(", ", exclude) + ") ";
    try (DuckDb db = DuckDb.inMemory()) {
      return assertSameRows(
          db,
          "(SELECT * " + except + "FROM " + parquet(a) + ")",
          "(SELECT * " + except + "FROM " + parquet(b) + ")");
    }
  }

  /**
   * Asserts that queries {@code a} and {@code b} give the same rows, as multisets (EXCEPT ALL both
   * ways: DuckDB compares lists and NaNs by value, where Java's equals would not); returns the
   * number of rows, never 0.
   */
  static long assertSameRows(DuckDb db, String a, String b) throws Exception {
    long n = db.count("SELECT * FROM " + a);
    assertTrue(n > 0, "no rows in " + a);
    assertEquals(n, db.count("SELECT * FROM " + b), "rows of " + a + " vs " + b);
    for (String q :
        List.of(
            "SELECT * FROM " + a + " EXCEPT ALL SELECT * FROM " + b,
            "SELECT * FROM " + b + " EXCEPT ALL SELECT * FROM " + a)) {
      assertEquals(List.of(), db.rows(q + " LIMIT 5"), q);
    }
    count("tables equal row for row", 1);
    count("rows compared", n);
    return n;
  }

  /**
   * The rows of {@code table} (a name or a parenthesised query) in DuckDB database {@code file},
   * every value as text (comparable with equals, lists and NaNs included), sorted.
   */
  static List<List<Object>> textRows(Path file, String table) throws Exception {
    try (DuckDb db = DuckDb.open(file)) {
      return db.rows("SELECT COLUMNS(*)::VARCHAR FROM " + table + " ORDER BY ALL");
    }
  }

  /** The JSON document in {@code f} without the top-level {@code keys}. */
  static JsonNode json(Path f, String... keys) throws Exception {
    return without(JSON.readTree(f.toFile()), keys);
  }

  /** The lines of a JSON-lines file, each without the top-level {@code keys}, sorted. */
  static List<String> jsonLines(Path f, String... keys) throws Exception {
    List<String> out = new ArrayList<>();
    for (String l : Files.readAllLines(f)) {
      out.add(without(JSON.readTree(l), keys).toString());
    }
    out.sort(null);
    return out;
  }

  private static JsonNode without(JsonNode n, String... keys) {
    for (String k : keys) {
      ((ObjectNode) n).remove(k);
    }
    return n;
  }

  /** The run record directory of the only run under output directory {@code out}. */
  static Path runDir(Path out) throws Exception {
    try (Stream<Path> s = Files.list(out.resolve("runs"))) {
      List<Path> runs = s.filter(Files::isDirectory).toList();
      assertEquals(1, runs.size(), "runs under " + out + ": " + runs);
      return runs.get(0);
    }
  }

  /**
   * The run's Beam metrics by step, namespace and name: each counter's attempted value and each
   * distribution's count, sum, min and max; of distributions of milliseconds (wall-clock times,
   * {@code *_ms} and {@code *_ms_<kind>}) only the count, and none of {@code model_load_ms} (it
   * counts model loads, one per JVM).
   */
  static Map<String, String> metrics(Path out) throws Exception {
    JsonNode m = JSON.readTree(runDir(out).resolve("metrics.json").toFile());
    Map<String, String> all = new TreeMap<>();
    for (JsonNode c : m.get("counters")) {
      all.put(key(c), c.get("attempted").asText());
    }
    for (JsonNode d : m.get("distributions")) {
      String name = d.get("name").asText();
      JsonNode a = d.get("attempted");
      if (name.matches(".*_ms(_[a-z0-9]+)?")) {
        if (!name.equals("model_load_ms")) {
          all.put(key(d), "count " + a.get("count"));
        }
      } else {
        all.put(
            key(d), a.get("count") + "/" + a.get("sum") + "/" + a.get("min") + "/" + a.get("max"));
      }
    }
    return all;
  }

  private static String key(JsonNode metric) {
    return metric.get("step").asText()
        + " "
        + metric.get("namespace").asText()
        + ":"
        + metric.get("name").asText();
  }

  /** Asserts that both runs have the same {@link #metrics}, not none. */
  static void assertSameMetrics(Path a, Path b) throws Exception {
    Map<String, String> expected = metrics(a);
    assertFalse(expected.isEmpty(), "no metrics in " + a);
    assertEquals(expected, metrics(b), "Beam metrics of " + a + " vs " + b);
    count("Beam metrics equal", expected.size());
  }
}
