package io.beamline.runners;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.beamline.framework.run.CommitRecord;
import io.beamline.framework.run.ItemCommits;
import io.beamline.io.duckdb.DuckDb;
import io.beamline.io.json.Json;
import io.beamline.io.kafka.EmbeddedKafka;
import io.beamline.io.swf.MsgType;
import io.beamline.io.swf.StfNames;
import io.beamline.io.swf.StfWriter;
import io.beamline.pipelines.stream.process.SwfFixture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code beamline stream process} as shipped (the packaged CLI in a child JVM) against a real
 * embedded broker: a test DAQ writes twelve real STF files and announces them with duplicated,
 * malformed, out-of-order and late messages and one STF whose checksum does not match; the process
 * is SIGKILLed mid-run and started again, and must end having processed every STF exactly once; a
 * third start is stopped with SIGTERM and must drain and record its run. On the DirectRunner (the
 * default) and on the FlinkRunner (an embedded Flink cluster in the process's JVM).
 */
class StreamProcessIT {
  private static final long RUN = 100020;
  private static final int STFS = 12;
  private static final int CORRUPT = 10;

  @ParameterizedTest
  @ValueSource(strings = {"DirectRunner", "FlinkRunner"})
  void killedAndRestartedProcessHandlesEveryStfExactlyOnce(String runner, @TempDir Path dir)
      throws Exception {
    Path buffer = Files.createDirectories(dir.resolve("buffer"));
    Path out = dir.resolve("out");
    try (EmbeddedKafka kafka = EmbeddedKafka.start();
        SwfFixture daq = new SwfFixture(kafka.bootstrapServers(), buffer)) {
      daq.createTopics();
      List<StfWriter.Written> stfs = new ArrayList<>();
      for (int seq = 1; seq <= STFS; seq++) {
        stfs.add(daq.writeStf(RUN, seq));
      }
      daq.send(daq.lifecycle(MsgType.RUN_IMMINENT, RUN));
      daq.send(daq.lifecycle(MsgType.START_RUN, RUN));
      for (int seq = 1; seq <= 4; seq++) {
        daq.send(daq.stfGen(stfs.get(seq - 1)));
      }
      daq.send(daq.stfGen(stfs.get(1))); // duplicate
      daq.sendRaw(Long.toString(RUN), "{oops");
      ItemCommits commits = ItemCommits.of(out, "stream-process");

      Process first = start(dir, out, kafka, "proc-a", true, runner);
      waitFor("3 STFs committed by the first process", first, () -> records(commits) >= 3);
      for (int seq = 5; seq <= 8; seq++) {
        daq.send(daq.stfGen(stfs.get(seq - 1)));
      }
      waitFor("5 STFs committed by the first process", first, () -> records(commits) >= 5);
      first.destroyForcibly(); // SIGKILL, mid-run
      first.waitFor(30, TimeUnit.SECONDS);
      Map<String, CommitRecord> beforeRestart = commits.readAll();

      daq.send(daq.stfGen(stfs.get(4))); // duplicate of one the first process may have done
      daq.send(daq.stfGen(stfs.get(8)));
      daq.send(daq.stfGen(stfs.get(11))); // out of order: 12, 11, then 10 and 9 after end_run
      daq.send(daq.stfGen(stfs.get(10)));
      daq.send(daq.lifecycle(MsgType.PAUSE_RUN, RUN));
      daq.send(daq.lifecycle(MsgType.RESUME_RUN, RUN));
      daq.send(daq.endRun(RUN, STFS));
      daq.send(daq.stfGen(stfs.get(CORRUPT - 1)).with("checksum", "ad:00000000"));
      daq.send(daq.stfGen(stfs.get(8)));

      Process second = start(dir, out, kafka, "proc-b", true, runner);
      assertTrue(second.waitFor(90, TimeUnit.SECONDS), "second process did not stop");
      assertEquals(3, second.exitValue(), "exit 3: one STF failed; " + log(dir, "proc-b"));

      Map<String, CommitRecord> after = commits.readAll();
      assertEquals(STFS + 1, after.size(), after.keySet().toString());
      // Nothing the first process committed was redone; the second did the rest exactly once.
      for (Map.Entry<String, CommitRecord> e : beforeRestart.entrySet()) {
        assertEquals(e.getValue(), after.get(e.getKey()), "redone: " + e.getKey());
      }
      long bDid = counter(out, "proc-b", "stfs_processed") + counter(out, "proc-b", "stfs_failed");
      assertEquals(STFS - beforeRestart.size(), bDid);
      assertEquals(daq.daqEnd(), daq.committed("beamline-process"));

      checkTablesAgainstSummary(out, stfs);
      checkHistogramsAgainstSamples(out, stfs);
      checkMessages(daq);
      try (Stream<Path> tf = Files.list(out.resolve("stream-process/fastmon/run=" + RUN))) {
        assertEquals((STFS - 1) * 7L, tf.filter(p -> p.toString().endsWith(".tf")).count());
      }

      // A third start, not told to exit, stopped by SIGTERM: it drains and records its run.
      daq.send(daq.stfGen(daq.writeStf(RUN + 1, 1)));
      Process third = start(dir, out, kafka, "proc-c", false, runner);
      waitFor(
          "the next run's STF committed",
          third,
          () -> commits.read(StfNames.stf(RUN + 1, 1)).isPresent());
      // Whatever the runner listens on (the embedded Flink cluster's REST and BLOB ports) is
      // reachable from this machine only.
      List<String> listening = listeningAddresses(third.pid());
      assertTrue(
          listening.stream().allMatch(StreamProcessIT::loopback), "listening on " + listening);
      if (runner.equals("FlinkRunner")) {
        assertTrue(!listening.isEmpty(), "the embedded cluster's REST endpoint was not found");
      }
      third.destroy(); // SIGTERM
      assertTrue(third.waitFor(60, TimeUnit.SECONDS), "no clean stop on SIGTERM");
      assertEquals(143, third.exitValue(), log(dir, "proc-c"));
      JsonNode manifest = Json.read(out.resolve("runs/proc-c/manifest.json"));
      assertEquals("succeeded", manifest.get("status").asText(), manifest.toString());
      assertEquals(daq.daqEnd(), daq.committed("beamline-process"));
    }
  }

  /**
   * Each window's final multiplicity histogram counts every processed STF of the window once, the
   * first process's included (it was killed while the window was open): its STF count and its TFs
   * (the sum of its bins) equal those of the TF files sampled from the window's STFs.
   */
  private static void checkHistogramsAgainstSamples(Path out, List<StfWriter.Written> stfs)
      throws Exception {
    Path root = out.resolve("stream-process");
    Map<Long, long[]> expected = new TreeMap<>(); // window start ms -> {STFs, sampled TFs}
    List<String> tfFiles;
    try (Stream<Path> s = Files.list(root.resolve("fastmon/run=" + RUN))) {
      tfFiles = s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".tf")).toList();
    }
    for (StfWriter.Written w : stfs) {
      int seq = w.header().sequence();
      if (seq == CORRUPT) {
        continue;
      }
      String stem = StfNames.stf(RUN, seq).replace(".stf", ".tf");
      long tfs = 0;
      for (String n : tfFiles) {
        if (n.startsWith(stem)) {
          String[] range = n.substring(stem.length(), n.length() - 3).split("-");
          tfs += Long.parseLong(range[1]) - Long.parseLong(range[0]) + 1;
        }
      }
      assertTrue(tfs > 0, "no TF files for STF " + seq);
      long startMs = w.header().startEpochNanos() / 1_000_000L;
      long window = startMs - Math.floorMod(startMs, 10_000L);
      long[] e = expected.computeIfAbsent(window, k -> new long[2]);
      e[0]++;
      e[1] += tfs;
    }
    for (Map.Entry<Long, long[]> e : expected.entrySet()) {
      String name = java.time.Instant.ofEpochMilli(e.getKey()).toString().replace(":", "");
      Path f = root.resolve("histograms/run=" + RUN + "/multiplicity/" + name + ".json");
      assertTrue(Files.isRegularFile(f), "no final histogram " + f);
      JsonNode h = Json.read(f);
      long binned = 0;
      for (JsonNode b : h.get("bins")) {
        binned += b.asLong();
      }
      assertEquals(e.getValue()[0], h.get("stf_count").asLong(), f + ": " + h);
      assertEquals(e.getValue()[1], binned, f + ": " + h);
    }
  }

  private static void checkTablesAgainstSummary(Path out, List<StfWriter.Written> stfs)
      throws Exception {
    JsonNode s = Json.read(out.resolve("stream-process/runs/run=" + RUN + "/summary.json"));
    String files = out.resolve("stream-process/stf/run=" + RUN + "/*.parquet").toString();
    String table = out.resolve("stream-process/runs/run=" + RUN + "/stfs.parquet").toString();
    long hits = 0;
    for (StfWriter.Written w : stfs) {
      hits += w.header().sequence() == CORRUPT ? 0 : w.hits();
    }
    try (DuckDb db = DuckDb.inMemory()) {
      List<Object> r =
          db.rows(
                  "SELECT count(*), count(DISTINCT filename),"
                      + " count(*) FILTER (WHERE status = 'processed'), sum(hits),"
                      + " sum(tf_count) FILTER (WHERE status = 'processed'),"
                      + " string_agg(reason, '') FILTER (WHERE status = 'failed')"
                      + " FROM read_parquet("
                      + DuckDb.literal(files)
                      + ")")
              .get(0);
      assertEquals(12L, ((Number) r.get(0)).longValue());
      assertEquals(12L, ((Number) r.get(1)).longValue());
      assertEquals(s.get("processed").asLong(), ((Number) r.get(2)).longValue());
      assertEquals(11L, s.get("processed").asLong());
      assertEquals(1L, s.get("failed").asLong());
      assertEquals(hits, ((Number) r.get(3)).longValue());
      assertEquals(s.get("hits").asLong(), ((Number) r.get(3)).longValue());
      assertEquals(s.get("tf_count").asLong(), ((Number) r.get(4)).longValue());
      assertTrue(String.valueOf(r.get(5)).contains("checksum"), String.valueOf(r.get(5)));
      String a = "read_parquet(" + DuckDb.literal(files) + ")";
      String b = "read_parquet(" + DuckDb.literal(table) + ")";
      assertEquals(STFS, db.count("SELECT * FROM " + b));
      assertEquals(
          List.of(),
          db.rows(
              "(SELECT 'file', * FROM "
                  + a
                  + " EXCEPT SELECT 'file', * FROM "
                  + b
                  + ") UNION ALL"
                  + " (SELECT 'table', * FROM "
                  + b
                  + " EXCEPT SELECT 'table', * FROM "
                  + a
                  + ")"));
    }
  }

  private static void checkMessages(SwfFixture daq) {
    List<JsonNode> sent =
        daq.readAll("swf.processing").stream().map(StreamProcessIT::json).toList();
    Map<String, List<JsonNode>> byType =
        sent.stream()
            .collect(
                Collectors.groupingBy(
                    n -> n.get("msg_type").asText(), TreeMap::new, Collectors.toList()));
    Set<String> processed =
        byType.get("stf_processed").stream()
            .map(n -> n.get("filename").asText())
            .collect(Collectors.toSet());
    assertEquals(STFS, processed.size());
    JsonNode closed = byType.get("run_processed").get(byType.get("run_processed").size() - 1);
    // Every STF's stf_processed is on the topic before the run's end (one partition: in order),
    // across the kill: the restarted process announces again what the killed one committed.
    int end = sent.indexOf(closed);
    Set<String> before =
        sent.subList(0, end).stream()
            .filter(n -> n.get("msg_type").asText().equals("stf_processed"))
            .map(n -> n.get("filename").asText())
            .collect(Collectors.toSet());
    assertEquals(processed, before);
    assertEquals(11, closed.get("processed").asLong());
    assertEquals(1, closed.get("failed").asLong());
    Set<String> tfFiles =
        byType.get("tf_file_registered").stream()
            .map(n -> n.get("tf_filename").asText())
            .collect(Collectors.toSet());
    assertEquals((STFS - 1) * 7, tfFiles.size());
    assertTrue(byType.containsKey("histogram"), byType.keySet().toString());
    List<JsonNode> dead =
        daq.readAll("swf.deadletter").stream().map(StreamProcessIT::json).toList();
    assertTrue(!dead.isEmpty());
    for (JsonNode d : dead) {
      assertTrue(d.get("reason").asText().startsWith("not JSON"), d.toString());
      assertEquals("{oops", d.get("raw").asText());
    }
    assertEquals(1, dead.stream().map(d -> d.get("offset").asLong()).distinct().count());
    Set<String> agents =
        daq.readAll("swf.heartbeat").stream()
            .map(StreamProcessIT::json)
            .map(n -> n.get("agent").asText())
            .collect(Collectors.toSet());
    assertEquals(2, agents.size(), agents.toString());
  }

  private static Process start(
      Path dir, Path out, EmbeddedKafka kafka, String runId, boolean exitAfterRun, String runner)
      throws Exception {
    List<String> args =
        new ArrayList<>(
            List.of(
                "stream",
                "process",
                "--broker",
                kafka.bootstrapServers(),
                "--output-dir",
                out.toString(),
                "--run-id",
                runId,
                "--heartbeat-seconds",
                "1",
                "--runner=" + runner));
    if (exitAfterRun) {
      args.addAll(List.of("--exit-after-runs", "1"));
    }
    return new ProcessBuilder(CrashHarness.javaCommand(args))
        .redirectErrorStream(true)
        .redirectOutput(dir.resolve(runId + ".log").toFile())
        .start();
  }

  /**
   * The local addresses (hex, as in /proc/net/tcp and tcp6) of the TCP sockets that process {@code
   * pid} listens on.
   */
  private static List<String> listeningAddresses(long pid) throws Exception {
    Set<String> inodes = new java.util.HashSet<>();
    try (Stream<Path> fds = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
      for (Path fd : fds.toList()) {
        try {
          String target = Files.readSymbolicLink(fd).toString();
          if (target.startsWith("socket:[")) {
            inodes.add(target.substring(8, target.length() - 1));
          }
        } catch (java.io.IOException closedMeanwhile) {
          // a descriptor closed while listing
        }
      }
    }
    List<String> out = new ArrayList<>();
    for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
      List<String> lines = Files.readAllLines(Path.of(table));
      for (String line : lines.subList(1, lines.size())) {
        String[] f = line.trim().split("\\s+");
        if (f[3].equals("0A") && inodes.contains(f[9])) { // 0A: LISTEN
          out.add(f[1].split(":")[0]);
        }
      }
    }
    return out;
  }

  /** 127.0.0.1, ::1 or ::ffff:127.0.0.1 in /proc/net's hex. */
  private static boolean loopback(String hex) {
    return hex.equals("0100007F")
        || hex.equals("00000000000000000000000001000000")
        || hex.equals("0000000000000000FFFF00000100007F");
  }

  private static String log(Path dir, String runId) throws Exception {
    return CrashHarness.tail(Files.readString(dir.resolve(runId + ".log")));
  }

  private static long records(ItemCommits commits) {
    return commits.readAll().size();
  }

  private static void waitFor(String what, Process p, BooleanSupplier done) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!done.getAsBoolean()) {
      if (!p.isAlive() || System.nanoTime() > deadline) {
        throw new AssertionError("waiting for " + what + ": process alive=" + p.isAlive());
      }
      Thread.sleep(50);
    }
  }

  private static long counter(Path out, String runId, String name) throws Exception {
    JsonNode m = Json.read(out.resolve("runs").resolve(runId).resolve("metrics.json"));
    long total = 0;
    for (JsonNode c : m.get("counters")) {
      if (c.get("name").asText().equals(name)) {
        total += c.get("attempted").asLong();
      }
    }
    return total;
  }

  private static JsonNode json(String s) {
    try {
      return Json.MAPPER.readTree(s);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
