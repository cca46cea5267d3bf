package io.beamline.runners;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.beamline.framework.run.CommitRecord;
import io.beamline.framework.run.ItemCommits;
import io.beamline.framework.run.RunLock;
import io.beamline.framework.run.Runs;
import io.beamline.io.audio.WavReader;
import io.beamline.io.duckdb.DuckDb;
import io.beamline.io.files.AtomicFiles;
import io.beamline.io.files.Digests;
import io.beamline.io.mat.MatReader;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * Kills the real packaged command line with SIGKILL at chosen instants and checks what it left.
 *
 * <p>A {@link Case} is one command (and the command that resumes it). {@link #run} first runs it
 * once uninterrupted (the reference), then, for each chain of kill points, starts it in a fresh
 * output directory, kills it at the first point, checks that no file under a final name is partial
 * and every commit record still holds, resumes and kills again at the next point, and so on; at the
 * end of a chain it resumes to completion and compares the outputs with the reference: every file,
 * Parquet tables through DuckDB, JSON without its volatile fields. It also checks that no temporary
 * file is left and that every killed run is recorded as {@code killed}.
 *
 * <p>A kill point is either an instant (milliseconds after the start, drawn from a seeded random
 * source over the reference run's duration) or the moment a condition on the output directory
 * becomes true (polled every few milliseconds), which is how kills land inside the final writes.
 */
final class CrashHarness {
  static final ObjectMapper JSON = new ObjectMapper();

  private CrashHarness() {}

  /** When to kill a run. */
  record KillPoint(String label, long afterMillis, Predicate<Path> when) {
    static KillPoint at(long millis) {
      return new KillPoint("at " + millis + " ms", millis, null);
    }

    static KillPoint when(String label, Predicate<Path> condition) {
      return new KillPoint(label, -1, condition);
    }
  }

  /**
   * One crash case.
   *
   * @param name the pipeline, for messages
   * @param pipeline its commit-record directory name ({@code commits/<pipeline>})
   * @param command the arguments after {@code beamline}, with {@code {out}} for the output
   *     directory
   * @param resume the arguments of the command that resumes it
   * @param firstRun the arguments of the first run of each chain, when it differs from {@code
   *     command} (other settings, so files a killed run leaked would show in the comparison); null
   *     for {@code command}
   * @param ignore paths (relative, prefix match) not compared with the reference
   * @param volatileKeys JSON keys and Parquet columns that differ between runs by nature
   */
  record Case(
      String name,
      String pipeline,
      List<String> command,
      List<String> resume,
      List<String> firstRun,
      List<String> ignore,
      Set<String> volatileKeys) {}

  /** What one started process did. */
  record Outcome(int code, boolean killed, long millis, String out, String err) {}

  /** Counts of what a suite run checked, for the closing note. */
  record Counts(
      int killPoints, int killsLanded, int itemsChecked, int filesChecked, List<String> landed) {}

  static List<String> expand(List<String> args, Path out) {
    List<String> r = new ArrayList<>();
    for (String a : args) {
      r.add(a.replace("{out}", out.toString()));
    }
    return r;
  }

  static List<String> javaCommand(List<String> args) throws Exception {
    return ShadedJarIT.jar(args.toArray(new String[0]));
  }

  /** Starts the command; kills it at {@code kill} (null: let it finish). */
  static Outcome start(Path cwd, List<String> args, Path out, KillPoint kill) throws Exception {
    Path stdout = Files.createTempFile("crash", ".out");
    Path stderr = Files.createTempFile("crash", ".err");
    long t0 = System.nanoTime();
    Process p =
        new ProcessBuilder(javaCommand(args))
            .directory(cwd.toFile())
            .redirectOutput(stdout.toFile())
            .redirectError(stderr.toFile())
            .start();
    boolean killed = false;
    long deadline = t0 + TimeUnit.SECONDS.toNanos(600);
    if (kill != null) {
      while (p.isAlive() && System.nanoTime() < deadline) {
        long elapsed = (System.nanoTime() - t0) / 1_000_000;
        boolean now = kill.when() == null ? elapsed >= kill.afterMillis() : kill.when().test(out);
        if (now) {
          // Process.destroyForcibly is SIGKILL on Unix: no shutdown hook, no finally block runs.
          p.destroyForcibly();
          killed = true;
          break;
        }
        Thread.sleep(kill.when() == null ? 1 : 3);
      }
    }
    if (!p.waitFor(600, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      fail("timed out: " + args);
    }
    long millis = (System.nanoTime() - t0) / 1_000_000;
    int code = p.exitValue();
    // A kill that came after the process had already ended did not land.
    boolean landed = killed && code == 137;
    return new Outcome(code, landed, millis, Files.readString(stdout), Files.readString(stderr));
  }

  /** Something done to the output directory while a run goes on. */
  @FunctionalInterface
  interface Action {
    void apply(Path out) throws IOException;
  }

  /**
   * Starts the command and, the first time {@code when} holds for the output directory, does {@code
   * act} to it (the run goes on); returns when the command ended.
   */
  static Outcome startAndAct(
      Path cwd, List<String> args, Path out, Predicate<Path> when, Action act) throws Exception {
    Path stdout = Files.createTempFile("act", ".out");
    Path stderr = Files.createTempFile("act", ".err");
    long t0 = System.nanoTime();
    Process p =
        new ProcessBuilder(javaCommand(args))
            .directory(cwd.toFile())
            .redirectOutput(stdout.toFile())
            .redirectError(stderr.toFile())
            .start();
    boolean acted = false;
    while (p.isAlive() && !acted) {
      if (when.test(out)) {
        act.apply(out);
        acted = true;
      }
      Thread.sleep(2);
    }
    if (!p.waitFor(600, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      fail("timed out: " + args);
    }
    assertTrue(acted, "the run ended before the action: " + args);
    return new Outcome(
        p.exitValue(),
        false,
        (System.nanoTime() - t0) / 1_000_000,
        Files.readString(stdout),
        Files.readString(stderr));
  }

  /** Digests of every output of every succeeded record of {@code pipeline}. */
  static Map<String, String> committedOutputs(Path out, String pipeline) throws IOException {
    Map<String, String> m = new TreeMap<>();
    for (CommitRecord r : ItemCommits.of(out, pipeline).readAll().values()) {
      if (!r.succeeded()) {
        continue;
      }
      for (CommitRecord.Output o : r.outputs()) {
        Path p = out.resolve(o.path());
        if (Files.isDirectory(p)) {
          try (Stream<Path> s = Files.walk(p)) {
            for (Path f : s.filter(Files::isRegularFile).sorted().toList()) {
              m.put(out.relativize(f).toString(), Digests.sha256(f));
            }
          }
        } else {
          m.put(o.path(), Digests.sha256(p));
        }
      }
    }
    return m;
  }

  /** Every regular file under {@code dir}, relative paths, sorted. */
  static List<Path> files(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(Files::isRegularFile).map(dir::relativize).sorted().toList();
    }
  }

  /** Temporary files or directories left under {@code dir}. */
  static List<Path> temporaries(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(p -> !p.equals(dir))
          .filter(p -> AtomicFiles.isTemporary(p.getFileName().toString()))
          .map(dir::relativize)
          .toList();
    }
  }

  /**
   * Checks that every file under a final name is complete: it parses with the reader its format
   * has. Returns how many files were checked.
   */
  static int checkNoPartialFiles(Path out, String context) throws Exception {
    int n = 0;
    for (Path rel : files(out)) {
      if (isUnderTemporary(rel)) {
        continue;
      }
      Path f = out.resolve(rel);
      String name = rel.getFileName().toString();
      try {
        if (name.endsWith(".parquet")) {
          try (DuckDb db = DuckDb.inMemory()) {
            db.count("SELECT * FROM read_parquet(" + DuckDb.literal(f.toString()) + ")");
          }
        } else if (name.endsWith(".json") || name.equals(".zarray") || name.equals(".zattrs")) {
          JSON.readTree(f.toFile());
        } else if (name.endsWith(".jsonl")) {
          for (String line : Files.readAllLines(f)) {
            JSON.readTree(line);
          }
        } else if (name.endsWith(".wav")) {
          WavReader.read(f);
        } else if (name.endsWith(".mat")) {
          try (MatReader r = MatReader.open(f)) {
            for (String v : r.variables()) {
              r.matrix(v);
            }
          }
        } else if (name.endsWith(".tar")) {
          try (InputStream in = Files.newInputStream(f);
              TarArchiveInputStream tar = new TarArchiveInputStream(in)) {
            TarArchiveEntry e;
            while ((e = tar.getNextEntry()) != null) {
              tar.readAllBytes();
              assertTrue(e.getSize() >= 0);
            }
          }
        } else if (name.endsWith(".nwb")) {
          try (io.jhdf.HdfFile h = new io.jhdf.HdfFile(f)) {
            h.getChildren();
          }
        } else {
          continue;
        }
      } catch (Exception | AssertionError e) {
        throw new AssertionError(context + ": partial or unreadable file " + rel + ": " + e, e);
      }
      n++;
    }
    return n;
  }

  private static boolean isUnderTemporary(Path rel) {
    for (Path part : rel) {
      if (AtomicFiles.isTemporary(part.toString())) {
        return true;
      }
    }
    return false;
  }

  /** Every succeeded commit record's outputs are present as recorded; returns the record count. */
  static int checkRecordsHold(Path out, String pipeline, String context) {
    ItemCommits commits = ItemCommits.of(out, pipeline);
    int n = 0;
    for (CommitRecord r : commits.readAll().values()) {
      if (r.succeeded()) {
        assertTrue(
            commits.outputsPresent(r), context + ": record of " + r.item() + " vouches for lost");
        n++;
      }
    }
    return n;
  }

  /**
   * A comparable view of an output directory: relative path to a digest of its content, Parquet
   * files as their sorted rows through DuckDB and JSON without volatile keys.
   */
  static Map<String, String> snapshot(Path out, Case c) throws Exception {
    Map<String, String> m = new TreeMap<>();
    for (Path rel : files(out)) {
      String r = rel.toString();
      if (c.ignore().stream().anyMatch(r::startsWith)) {
        continue;
      }
      Path f = out.resolve(rel);
      String name = rel.getFileName().toString();
      if (name.endsWith(".parquet")) {
        m.put(r, parquetDigest(f, c.volatileKeys()));
      } else if (name.endsWith(".json") && !name.startsWith(".z")) {
        JsonNode n = json(f, out);
        strip(n, c.volatileKeys());
        m.put(r, Digests.sha256(JSON.writeValueAsBytes(n)));
      } else if (name.endsWith(".mat")) {
        // A MAT header carries its creation time: compare the variables and their values.
        m.put(r, matDigest(f));
      } else {
        m.put(r, Digests.sha256(f));
      }
    }
    return m;
  }

  /** A JSON file with its output directory's path written as {@code {out}}, as runs compare. */
  static JsonNode json(Path f, Path out) throws IOException {
    return JSON.readTree(Files.readString(f).replace(out.toString(), "{out}"));
  }

  static String matDigest(Path f) throws Exception {
    StringBuilder b = new StringBuilder();
    try (MatReader r = MatReader.open(f)) {
      for (String v : r.variables()) {
        io.beamline.io.mat.MatMatrix x = r.matrix(v);
        b.append(v).append(java.util.Arrays.toString(x.shape()));
        b.append(java.util.Arrays.hashCode(x.toArray())).append(';');
        b.append(Digests.sha256(doubles(x.toArray()))).append('\n');
      }
    }
    return Digests.sha256(b.toString().getBytes());
  }

  private static byte[] doubles(double[] v) {
    java.nio.ByteBuffer bb = java.nio.ByteBuffer.allocate(v.length * 8);
    for (double d : v) {
      bb.putDouble(d);
    }
    return bb.array();
  }

  static String parquetDigest(Path f, Set<String> volatileColumns) throws Exception {
    try (DuckDb db = DuckDb.inMemory()) {
      String src = "read_parquet(" + DuckDb.literal(f.toString()) + ")";
      List<String> cols = new ArrayList<>();
      for (String col : db.columnTypes("SELECT * FROM " + src).keySet()) {
        if (!volatileColumns.contains(col)) {
          cols.add('"' + col + '"');
        }
      }
      if (cols.isEmpty()) {
        return "rows=" + db.count("SELECT * FROM " + src);
      }
      String cs = String.join(", ", cols);
      return Digests.sha256(
          db.rows("SELECT " + cs + " FROM " + src + " ORDER BY " + cs).toString().getBytes());
    }
  }

  static void strip(JsonNode n, Set<String> keys) {
    if (n instanceof ObjectNode o) {
      o.remove(keys);
      for (Iterator<JsonNode> it = o.elements(); it.hasNext(); ) {
        strip(it.next(), keys);
      }
    } else if (n instanceof ArrayNode a) {
      for (JsonNode e : a) {
        strip(e, keys);
      }
    }
  }

  /**
   * Draws {@code n} kill instants uniformly over {@code [from, to)} milliseconds from {@code seed},
   * sorted, so that every kill lands somewhere in a run of the reference's length.
   */
  static List<KillPoint> instants(long seed, int n, long from, long to) {
    Random r = new Random(seed);
    List<Long> ms = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      ms.add(from + (long) (r.nextDouble() * (to - from)));
    }
    ms.sort(null);
    return ms.stream().map(KillPoint::at).toList();
  }

  /**
   * Runs the case: a reference run, then each chain of kill points followed by a resume to the end,
   * compared with the reference. Returns what was checked.
   */
  static Counts run(Path work, Case c, Reference ref, List<List<KillPoint>> chains)
      throws Exception {
    int points = 0;
    int landed = 0;
    int items = 0;
    int checked = 0;
    List<String> landedAt = new ArrayList<>();
    Map<String, String> expected = snapshot(ref.out(), c);
    for (int chain = 0; chain < chains.size(); chain++) {
      Path out = work.resolve(c.name() + "-chain" + chain);
      boolean first = true;
      for (KillPoint k : chains.get(chain)) {
        points++;
        List<String> firstArgs = c.firstRun() == null ? c.command() : c.firstRun();
        List<String> args = expand(first ? firstArgs : c.resume(), out);
        Outcome o = start(work, args, out, k);
        String ctx = c.name() + " chain " + chain + ", kill " + k.label();
        if (o.killed()) {
          landed++;
          landedAt.add(k.label());
          first = false;
        } else {
          // It ended before the kill: it must have ended well, and later kills resume it anyway.
          assertTrue(
              o.code() == 0, ctx + ": ended by itself with " + o.code() + ": " + tail(o.err()));
          first = false;
        }
        checked += checkNoPartialFiles(out, ctx);
        checkRecordsHold(out, c.pipeline(), ctx);
      }
      Outcome done = start(work, expand(c.resume(), out), out, null);
      String ctx = c.name() + " chain " + chain + " resumed";
      assertEquals(0, done.code(), ctx + ": " + tail(done.err()) + tail(done.out()));
      assertEquals(List.of(), temporaries(out), ctx + ": temporaries left");
      checked += checkNoPartialFiles(out, ctx);
      items += checkRecordsHold(out, c.pipeline(), ctx);
      Map<String, String> actual = snapshot(out, c);
      if (!expected.equals(actual)) {
        List<String> diff = new ArrayList<>();
        for (String k : expected.keySet()) {
          if (!expected.get(k).equals(actual.get(k))) {
            diff.add(
                k + (actual.containsKey(k) ? " differs" : " missing") + detail(ref, out, k, c));
          }
        }
        for (String k : actual.keySet()) {
          if (!expected.containsKey(k)) {
            diff.add(k + " extra");
          }
        }
        fail(ctx + ": outputs differ from the uninterrupted run: " + diff);
      }
      checkKilledRunsRecorded(out, ctx);
    }
    return new Counts(points, landed, items, checked, landedAt);
  }

  /** For a differing JSON file, both versions without their volatile keys. */
  private static String detail(Reference ref, Path out, String rel, Case c) {
    if (!rel.endsWith(".json") || !Files.exists(out.resolve(rel))) {
      return "";
    }
    try {
      JsonNode a = json(ref.out().resolve(rel), ref.out());
      JsonNode b = json(out.resolve(rel), out);
      strip(a, c.volatileKeys());
      strip(b, c.volatileKeys());
      return " (uninterrupted: " + tail(a.toString()) + "; resumed: " + tail(b.toString()) + ")";
    } catch (IOException e) {
      return " (" + e + ")";
    }
  }

  /** Every run of the chain but the last ended as killed (or succeeded, if the kill missed it). */
  static void checkKilledRunsRecorded(Path out, String ctx) throws IOException {
    Path runs = out.resolve("runs");
    List<Path> dirs;
    try (Stream<Path> s = Files.list(runs)) {
      dirs = s.filter(Files::isDirectory).sorted().toList();
    }
    for (Path d : dirs) {
      if (!Files.exists(d.resolve("manifest.json"))) {
        // Killed before its run directory held more than its name: nothing claims anything.
        assertEquals(List.of(), files(d), ctx + ": " + d + " has files but no manifest");
        continue;
      }
      String status = String.valueOf(Runs.readManifest(d).get("status"));
      assertTrue(
          Set.of(RunLock.KILLED, "succeeded").contains(status),
          ctx + ": run " + d.getFileName() + " left as " + status);
    }
  }

  /** The uninterrupted run. */
  record Reference(Path out, long millis) {}

  static Reference reference(Path work, Case c) throws Exception {
    Path out = work.resolve(c.name() + "-reference");
    Outcome o = start(work, expand(c.command(), out), out, null);
    assertEquals(0, o.code(), c.name() + " reference: " + tail(o.err()));
    assertEquals(List.of(), temporaries(out));
    return new Reference(out, o.millis());
  }

  static String tail(String s) {
    return s.length() <= 3000 ? s : "..." + s.substring(s.length() - 3000);
  }

  /** True once at least {@code n} commit records of {@code pipeline} exist. */
  static Predicate<Path> commitsAtLeast(String pipeline, int n) {
    return out -> {
      Path d = out.resolve(ItemCommits.DIRECTORY).resolve(pipeline);
      try (Stream<Path> s = Files.list(d)) {
        return s.filter(p -> p.getFileName().toString().endsWith(".json")).count() >= n;
      } catch (IOException e) {
        return false;
      }
    };
  }

  /**
   * True once a run that is still running has written its metrics: its graph is done and it is in
   * its final writes (derived tables, summaries, the manifest).
   */
  static Predicate<Path> graphFinished() {
    return out -> {
      try (Stream<Path> s = Files.list(out.resolve("runs"))) {
        for (Path d : s.toList()) {
          if (Files.exists(d.resolve("metrics.json"))
              && Files.readString(d.resolve("manifest.json")).contains("\"running\"")) {
            return true;
          }
        }
      } catch (IOException e) {
        return false;
      }
      return false;
    };
  }

  /** True while a temporary file exists under {@code out/rel}: a final write is in progress. */
  static Predicate<Path> temporaryUnder(String rel) {
    return out -> {
      try {
        return !temporaries(out.resolve(rel)).isEmpty();
      } catch (IOException | java.io.UncheckedIOException e) {
        return false;
      }
    };
  }
}
