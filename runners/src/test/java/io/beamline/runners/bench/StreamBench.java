package io.beamline.runners.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.beamline.io.bench.BenchRow;
import io.beamline.io.kafka.EmbeddedKafka;
import io.beamline.io.swf.MsgType;
import io.beamline.io.swf.StfFile;
import io.beamline.io.swf.StfHeader;
import io.beamline.io.swf.SwfTopics;
import io.beamline.io.swf.WorkflowMessage;
import io.beamline.io.swf.WorkflowMessages;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * The streaming workflow's benchmark (run with {@code bench/stream.sh}), one JVM driving real agent
 * processes (each a child JVM of the CLI on this classpath, as production runs them) and an
 * embedded broker:
 *
 * <ol>
 *   <li>throughput: a played-back run of {@code stfs} STFs ({@code stream daq --no-realtime}), then
 *       alternately {@code stream process} (fresh group and output) and, as the baseline, a plain
 *       Kafka consumer loop in this JVM that decodes the same {@code stf_gen} messages and verifies
 *       (size, adler32) and decodes the same STF files; each side's rate is taken over the second
 *       half of its STFs, once warmed up (STFs after the first of that half over the time from its
 *       first done to its last; process: the {@code stf_processed} records' send times; whole-run
 *       rates beside), median of {@code rounds} after one warm-up;
 *   <li>fast-monitor latency: a real-time run of {@code liveStfs} STFs (defaults: one every 2 s,
 *       1000 TFs, 20 hits per TF) through process and the monitor; per STF, from its {@code
 *       stf_gen}'s timestamp (sent right after the file is renamed into place) to the arrival here
 *       of the first {@code histogram} message of its window whose {@code stf_count} covers it;
 *   <li>the monitor under {@code clients} concurrent loopback clients: as many SSE clients
 *       connected during the live run (events delivered), then as many REST clients for {@code
 *       restSeconds} over list and detail reads of the run's rows;
 *   <li>peak RSS ({@code VmHWM}) of the broker, daq, process and monitor of the live run.
 * </ol>
 *
 * <p>The throughput rounds run {@code stream process} on each runner of the system property {@code
 * bench.runners} (default {@code DirectRunner,FlinkRunner}), in turn within each round, and then
 * measure each runner's process waiting for data (its group at the topic's end): CPU seconds per
 * second over 10 s after 25 s of start-up. The live run uses the default runner.
 *
 * <p>System property {@code bench.<command>Opts} ({@code processOpts}, {@code daqOpts}, {@code
 * serveOpts}) adds JVM flags to those children, e.g. a flight recording, and {@code
 * bench.<command>Args} arguments to their command lines.
 *
 * <p>Arguments: {@code [stfs=60] [rounds=3] [liveStfs=20] [clients=50] [restSeconds=15]}; the
 * results directory is the system property {@code bench.results} (default {@code bench/results}).
 */
public final class StreamBench {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final long WINDOW_MS = 10_000;

  private final Path work;
  private final Map<String, Object> results = new LinkedHashMap<>();

  private StreamBench(Path work) {
    this.work = work;
  }

  public static void main(String[] args) throws Exception {
    int stfs = arg(args, 0, 60);
    int rounds = arg(args, 1, 3);
    int liveStfs = arg(args, 2, 20);
    int clients = arg(args, 3, 50);
    int restSeconds = arg(args, 4, 15);
    Path resultsDir = Path.of(System.getProperty("bench.results", "bench/results"));
    StreamBench b = new StreamBench(Files.createTempDirectory("stream-bench"));
    b.results.put("started", Instant.now().toString());
    b.results.put("machine", machine());
    b.throughput(stfs, rounds);
    if (liveStfs > 0) {
      b.live(liveStfs, clients, restSeconds);
    }
    Files.createDirectories(resultsDir);
    Path out = resultsDir.resolve("stream-" + Instant.now().toString().replace(":", "") + ".json");
    Files.writeString(
        out, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(b.results) + "\n");
    b.print();
    System.out.println("results: " + out);
  }

  // ---------------------------------------------------------------- throughput

  private void throughput(int stfs, int rounds) throws Exception {
    List<String> runners = List.of(System.getProperty("bench.runners", RUNNERS).split(","));
    double[][] proc = new double[runners.size()][rounds + 1];
    double[][] procWhole = new double[runners.size()][rounds + 1];
    double[] base = new double[rounds + 1];
    double[] baseWhole = new double[rounds + 1];
    double[] idleCores = new double[runners.size()];
    long bytes;
    try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
      kafka.createTopics(SwfTopics.ALL, 1);
      String broker = kafka.bootstrapServers();
      Process daq =
          agent(
              "tp-daq",
              "512m",
              "stream",
              "daq",
              "--broker",
              broker,
              "--output-dir",
              work.resolve("tp/daq").toString(),
              "--runs",
              "1",
              "--stf-count",
              Integer.toString(stfs),
              "--no-realtime");
      exit(daq, "daq", 600);
      bytes = 0;
      for (WorkflowMessage m : stfGens(broker, stfs)) {
        bytes += m.integer("size_bytes");
      }
      for (int r = 0; r <= rounds; r++) {
        for (int k = 0; k < runners.size(); k++) {
          String runner = runners.get(k);
          long from = endOffset(broker, SwfTopics.PROCESSING);
          Process p = processAgent(broker, "tp-process-" + runner + "-" + r, runner, true);
          exit(p, "process", 900);
          List<Long> done = stfProcessedTimes(broker, from, stfs);
          proc[k][r] = warmRate(done);
          procWhole[k][r] = rate(done);
        }
        List<Long> done = baseline(broker, stfs, "bench-baseline-" + r);
        base[r] = warmRate(done);
        baseWhole[r] = rate(done);
      }
      // A process waiting for data (its group is at the topic's end): what it costs the machine.
      for (int k = 0; k < runners.size(); k++) {
        String runner = runners.get(k);
        Process p = processAgent(broker, "tp-process-" + runner + "-0", runner, false);
        Thread.sleep(IDLE_SETTLE_MS);
        double c0 = cpuSeconds(p.pid());
        long t0 = System.nanoTime();
        Thread.sleep(IDLE_MEASURE_MS);
        idleCores[k] = (cpuSeconds(p.pid()) - c0) / ((System.nanoTime() - t0) / 1e9);
        if (!p.isAlive()) {
          throw new IllegalStateException("idle " + runner + " process exited; logs in " + work);
        }
        p.destroy(); // SIGTERM: drains and exits
        if (!p.waitFor(120, java.util.concurrent.TimeUnit.SECONDS)) {
          p.destroyForcibly();
        }
      }
    }
    double mb = median(Arrays.copyOfRange(base, 1, rounds + 1));
    double mbPerStf = bytes / (double) stfs / 1e6;
    Map<String, Object> t = new LinkedHashMap<>();
    t.put("stfs", stfs);
    t.put("rounds", rounds);
    t.put("stf_mb", mbPerStf);
    t.put("baseline_stfs_per_s", mb);
    t.put("baseline_mb_per_s", mb * mbPerStf);
    t.put("baseline_rounds", rest(base));
    t.put("baseline_stfs_per_s_whole_run", median(Arrays.copyOfRange(baseWhole, 1, rounds + 1)));
    t.put("baseline_rounds_whole_run", rest(baseWhole));
    Map<String, Object> byRunner = new LinkedHashMap<>();
    for (int k = 0; k < runners.size(); k++) {
      double mp = median(Arrays.copyOfRange(proc[k], 1, rounds + 1));
      Map<String, Object> one = new LinkedHashMap<>();
      one.put("process_stfs_per_s", mp);
      one.put("process_mb_per_s", mp * mbPerStf);
      one.put("process_rounds", rest(proc[k]));
      double whole = median(Arrays.copyOfRange(procWhole[k], 1, rounds + 1));
      one.put("process_stfs_per_s_whole_run", whole);
      one.put("process_rounds_whole_run", rest(procWhole[k]));
      one.put("ratio", mp / mb);
      one.put("idle_cores", idleCores[k]);
      byRunner.put(runners.get(k), one);
      BenchRow.emit(
          k == 0 ? "stream-process" : "stream-process-" + runners.get(k),
          "stream process (" + runners.get(k) + "), " + stfs + " STFs",
          "stream process",
          "plain consumer",
          "STFs/s",
          Arrays.copyOfRange(proc[k], 1, rounds + 1),
          Arrays.copyOfRange(base, 1, rounds + 1));
    }
    t.put("runners", byRunner);
    t.put("idle_measure_s", IDLE_MEASURE_MS / 1000.0);
    results.put("throughput", t);
    if (runners.size() > 1) {
      // Higher is better: wall seconds per CPU second while waiting for data.
      BenchRow.emit(
          "stream-process-idle",
          "stream process waiting for data, wall s per CPU s",
          runners.get(1),
          runners.get(0),
          "wall s / CPU s",
          new double[] {1 / Math.max(idleCores[1], 1e-3)},
          new double[] {1 / Math.max(idleCores[0], 1e-3)});
    }
  }

  /** The runners the throughput rounds compare, the first one the default. */
  private static final String RUNNERS = "DirectRunner,FlinkRunner";

  /** Start-up and warm-up of an idle process before its CPU is measured. */
  private static final long IDLE_SETTLE_MS = 25_000;

  private static final long IDLE_MEASURE_MS = 10_000;

  /**
   * {@code stream process} on {@code runner} with its own group and output directory ({@code log}
   * names both), exiting after one run or running until stopped.
   */
  private Process processAgent(String broker, String log, String runner, boolean exitAfterRun)
      throws Exception {
    List<String> words =
        new ArrayList<>(
            List.of(
                "stream",
                "process",
                "--broker",
                broker,
                "--output-dir",
                work.resolve("tp/" + log).toString(),
                "--group",
                log,
                "--runner=" + runner));
    if (exitAfterRun) {
      words.addAll(List.of("--exit-after-runs", "1"));
    } else {
      words.addAll(List.of("--run-id", log + "-idle"));
    }
    return agent(log + (exitAfterRun ? "" : "-idle"), "1g", words.toArray(new String[0]));
  }

  /** User + system CPU seconds of process {@code pid} so far (/proc/PID/stat, clock ticks). */
  private static double cpuSeconds(long pid) throws Exception {
    String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / (double) CLOCK_TICKS;
  }

  /** USER_HZ: 100 on Linux (sysconf(_SC_CLK_TCK)). */
  private static final int CLOCK_TICKS = 100;

  /** The plain consumer: decode each stf_gen, verify and decode its file; times each STF done. */
  private static List<Long> baseline(String broker, int stfs, String group) throws Exception {
    List<Long> done = new ArrayList<>();
    long hits = 0;
    try (KafkaConsumer<byte[], byte[]> c = consumer(broker, group)) {
      c.subscribe(List.of(SwfTopics.DAQ));
      long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
      while (done.size() < stfs && System.nanoTime() < deadline) {
        for (ConsumerRecord<byte[], byte[]> rec : c.poll(Duration.ofMillis(200))) {
          WorkflowMessage m = WorkflowMessages.decode(rec.value());
          if (m.type() != MsgType.STF_GEN) {
            continue;
          }
          try (StfFile f = StfFile.open(Path.of(m.string("path")))) {
            StfFile.Verification v = f.verify(m.integer("size_bytes"), m.string("checksum"));
            if (!v.ok()) {
              throw new IllegalStateException(v.reason());
            }
            StfHeader h = f.header();
            for (int i = 0; i < h.tfCount(); i++) {
              hits += f.frame(i).hits();
            }
          }
          done.add(System.currentTimeMillis());
        }
        c.commitSync();
      }
    }
    if (done.size() != stfs || hits == 0) {
      throw new IllegalStateException("baseline saw " + done.size() + " STFs, " + hits + " hits");
    }
    return done;
  }

  private static List<WorkflowMessage> stfGens(String broker, int stfs) throws Exception {
    List<WorkflowMessage> out = new ArrayList<>();
    for (ConsumerRecord<byte[], byte[]> r : readAll(broker, SwfTopics.DAQ, 0)) {
      WorkflowMessage m = WorkflowMessages.decode(r.value());
      if (m.type() == MsgType.STF_GEN) {
        out.add(m);
      }
    }
    if (out.size() != stfs) {
      throw new IllegalStateException("daq sent " + out.size() + " stf_gen, wanted " + stfs);
    }
    return out;
  }

  /** Send times of the stf_processed records after {@code from}. */
  private static List<Long> stfProcessedTimes(String broker, long from, int stfs) throws Exception {
    List<Long> t = new ArrayList<>();
    for (ConsumerRecord<byte[], byte[]> r : readAll(broker, SwfTopics.PROCESSING, from)) {
      if (JSON.readTree(r.value()).path("msg_type").asText().equals("stf_processed")) {
        t.add(r.timestamp());
      }
    }
    if (t.size() != stfs) {
      throw new IllegalStateException("process sent " + t.size() + " stf_processed of " + stfs);
    }
    return t;
  }

  /** STFs after the first per second between the first and the last done. */
  private static double rate(List<Long> doneMillis) {
    List<Long> s = new ArrayList<>(doneMillis);
    Collections.sort(s);
    return (s.size() - 1) / ((s.get(s.size() - 1) - s.get(0)) / 1e3);
  }

  /**
   * {@link #rate} over the second half of the STFs done: the rate once warmed up. Each {@code
   * process} round is a new JVM whose JIT compiles for its first few hundred STFs (a 1,200-STF
   * Flink round: 49 STFs/s over the first 200, 131-150 over each later 200; its compiler threads
   * used 15-18 CPU seconds), while the plain consumer runs in this JVM, warmed by round 0; a {@code
   * process} agent runs for hours. Both sides are measured the same way; the whole-run rates are
   * reported beside.
   */
  private static double warmRate(List<Long> doneMillis) {
    List<Long> s = new ArrayList<>(doneMillis);
    Collections.sort(s);
    return rate(s.subList(s.size() / 2, s.size()));
  }

  // ---------------------------------------------------------------- live run

  private void live(int stfs, int clients, int restSeconds) throws Exception {
    Map<String, Long> rss = new LinkedHashMap<>();
    try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
      kafka.createTopics(SwfTopics.ALL, 1);
      String broker = kafka.bootstrapServers();
      int port;
      try (ServerSocket s = new ServerSocket(0)) {
        port = s.getLocalPort();
      }
      String base = "http://127.0.0.1:" + port;
      Process monitor =
          agent(
              "monitor",
              "512m",
              "monitor",
              "serve",
              "--broker",
              broker,
              "--output-dir",
              work.resolve("live/monitor").toString(),
              "--port",
              Integer.toString(port));
      HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
      waitHealthy(http, base, monitor);
      RssSampler sampler = new RssSampler();
      sampler.watch("broker", kafka.pid());
      sampler.watch("monitor", monitor.pid());
      Sse sse = new Sse(http, base, clients);
      Watcher watcher = new Watcher(broker);
      Process process =
          agent(
              "process",
              "1g",
              "stream",
              "process",
              "--broker",
              broker,
              "--output-dir",
              work.resolve("live/process").toString(),
              "--exit-after-runs",
              "1");
      sampler.watch("process", process.pid());
      Process daq =
          agent(
              "daq",
              "512m",
              "stream",
              "daq",
              "--broker",
              broker,
              "--output-dir",
              work.resolve("live/daq").toString(),
              "--runs",
              "1",
              "--stf-count",
              Integer.toString(stfs));
      sampler.watch("daq", daq.pid());
      exit(daq, "daq", 600);
      exit(process, "process", 600);
      Thread.sleep(2000);
      results.put("sse", sse.stop());
      watcher.stop();
      results.put("latency", watcher.latency(stfs));
      results.put("rest", rest(http, base, clients, restSeconds, watcher));
      rss.putAll(sampler.stop());
      monitor.destroy();
      exit(monitor, "monitor", 60);
    }
    results.put("peak_rss_mb", rss);
  }

  /** Reads swf.daq and swf.processing as they arrive: stf_gen and histogram messages. */
  private static final class Watcher implements Runnable {
    private final String broker;
    private final AtomicBoolean stop = new AtomicBoolean();
    private final Thread thread;
    private final List<JsonNode> stfGens = Collections.synchronizedList(new ArrayList<>());
    private final List<long[]> histograms = Collections.synchronizedList(new ArrayList<>());
    private volatile Exception failure;

    Watcher(String broker) {
      this.broker = broker;
      thread = new Thread(this, "bench-watcher");
      thread.start();
    }

    @Override
    public void run() {
      try (KafkaConsumer<byte[], byte[]> c = consumer(broker, null)) {
        List<TopicPartition> tps =
            List.of(
                new TopicPartition(SwfTopics.DAQ, 0), new TopicPartition(SwfTopics.PROCESSING, 0));
        c.assign(tps);
        c.seekToBeginning(tps);
        while (!stop.get()) {
          for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(50))) {
            long now = System.currentTimeMillis();
            JsonNode n = JSON.readTree(r.value());
            String type = n.path("msg_type").asText();
            if (type.equals("stf_gen")) {
              stfGens.add(n);
            } else if (type.equals("histogram") && n.path("kind").asText().equals("multiplicity")) {
              histograms.add(
                  new long[] {
                    Instant.parse(n.get("window_start").asText()).toEpochMilli(),
                    n.get("stf_count").asLong(),
                    now
                  });
            }
          }
        }
      } catch (Exception e) {
        failure = e;
      }
    }

    void stop() throws Exception {
      stop.set(true);
      thread.join();
      if (failure != null) {
        throw failure;
      }
    }

    String runNumber() {
      return stfGens.get(0).get("run_id").asText();
    }

    List<String> filenames() {
      return stfGens.stream().map(n -> n.get("filename").asText()).toList();
    }

    Map<String, Object> latency(int stfs) {
      if (stfGens.size() != stfs) {
        throw new IllegalStateException("saw " + stfGens.size() + " stf_gen of " + stfs);
      }
      List<Double> lat = new ArrayList<>();
      Map<String, Double> perStf = new LinkedHashMap<>();
      int missing = 0;
      Map<Long, Integer> rank = new LinkedHashMap<>();
      for (JsonNode g : stfGens) {
        long start = Instant.parse(g.get("start").asText()).toEpochMilli();
        long window = Math.floorDiv(start, WINDOW_MS) * WINDOW_MS;
        int k = rank.merge(window, 1, Integer::sum);
        long written = Instant.parse(g.get("timestamp").asText()).toEpochMilli();
        long first = Long.MAX_VALUE;
        for (long[] h : histograms) {
          if (h[0] == window && h[1] >= k) {
            first = Math.min(first, h[2]);
          }
        }
        if (first == Long.MAX_VALUE) {
          missing++;
        } else {
          lat.add((first - written) / 1e3);
          perStf.put(g.get("filename").asText(), (first - written) / 1e3);
        }
      }
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("stfs", stfs);
      m.put("window_seconds", WINDOW_MS / 1000);
      m.put("histogram_messages", histograms.size());
      m.put("stfs_without_histogram", missing);
      m.put("p50_s", percentile(lat, 50));
      m.put("p99_s", percentile(lat, 99));
      m.put("max_s", percentile(lat, 100));
      m.put("per_stf_s", perStf);
      return m;
    }
  }

  /** SSE clients counting the events delivered to them. */
  private static final class Sse {
    private final List<Thread> threads = new ArrayList<>();
    private final List<java.io.InputStream> bodies =
        Collections.synchronizedList(new ArrayList<>());
    private final AtomicLong events = new AtomicLong();
    private final AtomicLong connected = new AtomicLong();
    private final long t0 = System.nanoTime();
    private final int clients;

    Sse(HttpClient http, String base, int clients) throws Exception {
      this.clients = clients;
      for (int i = 0; i < clients; i++) {
        Thread t =
            new Thread(
                () -> {
                  try {
                    HttpResponse<java.io.InputStream> r =
                        http.send(
                            HttpRequest.newBuilder(URI.create(base + "/api/messages/stream/"))
                                .build(),
                            HttpResponse.BodyHandlers.ofInputStream());
                    bodies.add(r.body());
                    connected.incrementAndGet();
                    BufferedReader in =
                        new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8));
                    for (String l = in.readLine(); l != null; l = in.readLine()) {
                      if (l.startsWith("data:")) {
                        events.incrementAndGet();
                      }
                    }
                  } catch (Exception e) {
                    // closed by stop()
                  }
                },
                "bench-sse-" + i);
        t.setDaemon(true);
        t.start();
        threads.add(t);
      }
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (connected.get() < clients && System.nanoTime() < deadline) {
        Thread.sleep(50);
      }
    }

    Map<String, Object> stop() throws Exception {
      double seconds = (System.nanoTime() - t0) / 1e9;
      long n = events.get();
      for (java.io.InputStream b : bodies) {
        b.close();
      }
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("clients", clients);
      m.put("connected", connected.get());
      m.put("seconds", seconds);
      m.put("events_delivered", n);
      m.put("events_per_s", n / seconds);
      return m;
    }
  }

  /** {@code clients} threads reading list and detail endpoints for {@code seconds}. */
  private static Map<String, Object> rest(
      HttpClient http, String base, int clients, int seconds, Watcher w) throws Exception {
    String run = w.runNumber();
    List<String> files = w.filenames();
    List<String> paths =
        List.of(
            "/api/runs",
            "/api/runs/" + run,
            "/api/stf-files?run=" + run + "&limit=100",
            "/api/stf-files/",
            "/api/fastmon-files?run=" + run + "&limit=100",
            "/api/workflow-messages?run_id=" + run + "&limit=100");
    List<Double> lat = Collections.synchronizedList(new ArrayList<>());
    AtomicLong errors = new AtomicLong();
    long end = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
    List<Thread> ts = new ArrayList<>();
    for (int i = 0; i < clients; i++) {
      final int id = i;
      Thread t =
          new Thread(
              () -> {
                int k = id;
                while (System.nanoTime() < end) {
                  String p = paths.get(k % paths.size());
                  if (p.endsWith("/stf-files/")) {
                    p += files.get(k % files.size());
                  }
                  k++;
                  long t0 = System.nanoTime();
                  try {
                    HttpResponse<byte[]> r =
                        http.send(
                            HttpRequest.newBuilder(URI.create(base + p)).build(),
                            HttpResponse.BodyHandlers.ofByteArray());
                    if (r.statusCode() != 200 || r.body().length == 0) {
                      errors.incrementAndGet();
                    }
                  } catch (Exception e) {
                    errors.incrementAndGet();
                  }
                  lat.add((System.nanoTime() - t0) / 1e6);
                }
              },
              "bench-rest-" + i);
      t.start();
      ts.add(t);
    }
    for (Thread t : ts) {
      t.join();
    }
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("clients", clients);
    m.put("seconds", seconds);
    m.put("requests", lat.size());
    m.put("errors", errors.get());
    m.put("requests_per_s", lat.size() / (double) seconds);
    m.put("p50_ms", percentile(lat, 50));
    m.put("p99_ms", percentile(lat, 99));
    m.put("stf_rows", files.size());
    return m;
  }

  // ---------------------------------------------------------------- helpers

  /** Peak resident set ({@code VmHWM}) of watched processes, read until they end. */
  private static final class RssSampler implements Runnable {
    private final Map<String, Long> pids = new ConcurrentHashMap<>();
    private final Map<String, Long> peakKb = new ConcurrentHashMap<>();
    private final AtomicBoolean stop = new AtomicBoolean();
    private final Thread thread = new Thread(this, "bench-rss");

    RssSampler() {
      thread.setDaemon(true);
      thread.start();
    }

    void watch(String name, long pid) {
      pids.put(name, pid);
    }

    @Override
    public void run() {
      while (!stop.get()) {
        sample();
        try {
          Thread.sleep(200);
        } catch (InterruptedException e) {
          return;
        }
      }
    }

    private void sample() {
      pids.forEach(
          (name, pid) -> {
            try {
              for (String l : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (l.startsWith("VmHWM:")) {
                  long kb = Long.parseLong(l.replaceAll("\\D", ""));
                  peakKb.merge(name, kb, Math::max);
                }
              }
            } catch (Exception e) {
              // the process ended; its last sample stands
            }
          });
    }

    Map<String, Long> stop() throws InterruptedException {
      sample();
      stop.set(true);
      thread.join();
      Map<String, Long> mb = new LinkedHashMap<>();
      for (String n : List.of("broker", "daq", "process", "monitor")) {
        mb.put(n, peakKb.getOrDefault(n, 0L) / 1024);
      }
      return mb;
    }
  }

  /** Starts {@code beamline <words>} as a child JVM on this classpath, output to a log. */
  private Process agent(String log, String heap, String... words) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    String opens = System.getProperty("bench.jvmOpts", "");
    if (!opens.isBlank()) {
      cmd.addAll(Arrays.asList(opens.trim().split("\\s+")));
    }
    String extra = System.getProperty("bench." + words[1] + "Opts", "");
    if (!extra.isBlank()) {
      // e.g. -Dbench.processOpts=-XX:StartFlightRecording=filename=/tmp/process.jfr to profile
      cmd.addAll(Arrays.asList(extra.trim().split("\\s+")));
    }
    cmd.addAll(
        List.of(
            "-Xmx" + heap,
            "-Dai.djl.offline=true",
            "-cp",
            System.getProperty("java.class.path"),
            "io.beamline.runners.Beamline"));
    cmd.addAll(Arrays.asList(words));
    String args = System.getProperty("bench." + words[1] + "Args", "");
    if (!args.isBlank()) {
      // e.g. -Dbench.processArgs=--targetParallelism=4 to try a setting
      cmd.addAll(Arrays.asList(args.trim().split("\\s+")));
    }
    Files.createDirectories(work.resolve("logs"));
    ProcessBuilder pb =
        new ProcessBuilder(cmd)
            .redirectErrorStream(true)
            .redirectOutput(work.resolve("logs").resolve(log + ".log").toFile());
    // Production runs: the DirectRunner's checks off (the build turns them on for tests only).
    pb.environment().remove("BEAMLINE_DIRECT_CHECKS");
    return pb.start();
  }

  private void exit(Process p, String what, int seconds) throws Exception {
    if (!p.waitFor(seconds, java.util.concurrent.TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IllegalStateException(
          what + " did not finish in " + seconds + " s; logs in " + work);
    }
    if (p.exitValue() != 0 && !what.equals("monitor")) {
      throw new IllegalStateException(what + " exited " + p.exitValue() + "; logs in " + work);
    }
  }

  private static void waitHealthy(HttpClient http, String base, Process monitor) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
    while (System.nanoTime() < deadline && monitor.isAlive()) {
      try {
        if (http.send(
                    HttpRequest.newBuilder(URI.create(base + "/api/health")).build(),
                    HttpResponse.BodyHandlers.discarding())
                .statusCode()
            == 200) {
          return;
        }
      } catch (Exception e) {
        // not up yet
      }
      Thread.sleep(200);
    }
    throw new IllegalStateException("monitor not healthy at " + base);
  }

  private static KafkaConsumer<byte[], byte[]> consumer(String broker, String group) {
    Properties p = new Properties();
    p.put("bootstrap.servers", broker);
    if (group != null) {
      p.put("group.id", group);
      p.put("enable.auto.commit", "false");
    }
    p.put("auto.offset.reset", "earliest");
    p.put("key.deserializer", ByteArrayDeserializer.class.getName());
    p.put("value.deserializer", ByteArrayDeserializer.class.getName());
    return new KafkaConsumer<>(p);
  }

  private static long endOffset(String broker, String topic) {
    try (KafkaConsumer<byte[], byte[]> c = consumer(broker, null)) {
      TopicPartition tp = new TopicPartition(topic, 0);
      return c.endOffsets(List.of(tp)).get(tp);
    }
  }

  private static List<ConsumerRecord<byte[], byte[]>> readAll(
      String broker, String topic, long from) {
    List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> c = consumer(broker, null)) {
      TopicPartition tp = new TopicPartition(topic, 0);
      c.assign(List.of(tp));
      long end = c.endOffsets(List.of(tp)).get(tp);
      c.seek(tp, from);
      while (c.position(tp) < end) {
        c.poll(Duration.ofMillis(200)).forEach(out::add);
      }
    }
    return out;
  }

  private static Map<String, Object> machine() throws Exception {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("cores", Runtime.getRuntime().availableProcessors());
    m.put("java", System.getProperty("java.version"));
    String load = Files.readString(Path.of("/proc/loadavg")).trim();
    m.put("loadavg_at_start", load);
    for (String l : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
      if (l.startsWith("model name")) {
        m.put("cpu", l.substring(l.indexOf(':') + 1).trim());
        break;
      }
    }
    return m;
  }

  private static int arg(String[] a, int i, int dflt) {
    return a.length > i ? Integer.parseInt(a[i]) : dflt;
  }

  private static List<Double> rest(double[] v) {
    List<Double> l = new ArrayList<>();
    for (int i = 1; i < v.length; i++) {
      l.add(v[i]);
    }
    return l;
  }

  private static double median(double[] v) {
    double[] s = v.clone();
    Arrays.sort(s);
    return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  }

  private static double percentile(List<Double> v, int p) {
    if (v.isEmpty()) {
      return Double.NaN;
    }
    List<Double> s = new ArrayList<>(v);
    Collections.sort(s);
    int i = (int) Math.ceil(p / 100.0 * s.size()) - 1;
    return s.get(Math.max(0, Math.min(s.size() - 1, i)));
  }

  @SuppressWarnings("unchecked")
  private void print() {
    Map<String, Object> t = (Map<String, Object>) results.get("throughput");
    StringBuilder b = new StringBuilder();
    b.append("stream bench (").append(results.get("machine")).append(")\n");
    b.append("| measure | value |\n| --- | --- |\n");
    Map<String, Map<String, Object>> byRunner = (Map<String, Map<String, Object>>) t.get("runners");
    for (Map.Entry<String, Map<String, Object>> e : byRunner.entrySet()) {
      row(
          b,
          "process on " + e.getKey() + ", STFs/s (MB/s), second half",
          "%.2f (%.2f)",
          e.getValue(),
          "process_stfs_per_s",
          "process_mb_per_s");
      row(
          b,
          "process on " + e.getKey() + ", STFs/s, whole run",
          "%.2f",
          e.getValue(),
          "process_stfs_per_s_whole_run");
    }
    row(
        b,
        "plain consumer STFs/s (MB/s), second half",
        "%.2f (%.2f)",
        t,
        "baseline_stfs_per_s",
        "baseline_mb_per_s");
    row(b, "plain consumer STFs/s, whole run", "%.2f", t, "baseline_stfs_per_s_whole_run");
    for (Map.Entry<String, Map<String, Object>> e : byRunner.entrySet()) {
      row(
          b,
          "ratio process/plain, " + e.getKey() + " (target >= 0.5)",
          "%.3f",
          e.getValue(),
          "ratio");
    }
    for (Map.Entry<String, Map<String, Object>> e : byRunner.entrySet()) {
      row(
          b,
          "process waiting for data, " + e.getKey() + ": cores busy",
          "%.3f",
          e.getValue(),
          "idle_cores");
    }
    if (results.containsKey("latency")) {
      Map<String, Object> l = (Map<String, Object>) results.get("latency");
      Map<String, Object> s = (Map<String, Object>) results.get("sse");
      Map<String, Object> r = (Map<String, Object>) results.get("rest");
      Map<String, Object> m = (Map<String, Object>) results.get("peak_rss_mb");
      row(
          b,
          "histogram latency p50 / p99 / max s (target p99 < 2)",
          "%.2f / %.2f / %.2f",
          l,
          "p50_s",
          "p99_s",
          "max_s");
      row(b, "SSE clients, events/s delivered", "%d, %.0f", s, "clients", "events_per_s");
      row(
          b,
          "REST clients, requests/s, p50 / p99 ms",
          "%d, %.0f, %.1f / %.1f",
          r,
          "clients",
          "requests_per_s",
          "p50_ms",
          "p99_ms");
      row(
          b,
          "peak RSS MB broker / daq / process / monitor",
          "%d / %d / %d / %d",
          m,
          "broker",
          "daq",
          "process",
          "monitor");
    }
    System.out.print(b);
  }

  private static void row(
      StringBuilder b, String name, String format, Map<String, Object> values, String... keys) {
    Object[] v = new Object[keys.length];
    for (int i = 0; i < keys.length; i++) {
      v[i] = values.get(keys[i]);
    }
    b.append("| ")
        .append(name)
        .append(" | ")
        .append(String.format(Locale.ROOT, format, v))
        .append(" |\n");
  }
}
