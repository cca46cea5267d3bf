package io.beamline.runners.monitor;

import com.sun.net.httpserver.HttpServer;
import io.beamline.io.bench.BenchRow;
import io.beamline.io.json.Json;
import io.beamline.runners.monitor.db.MonitorDatabase;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Benchmark (not a test) of the monitor under concurrent loopback clients: REST reads (a filtered,
 * paged STF list) and writes (workflow messages, each applied and journalled), against a plain JDK
 * HTTP server answering the same bytes from memory to the same clients (the HTTP ceiling of this
 * machine); then live-stream delivery to many SSE clients at once. Prints rates, ratios and the
 * JVM's peak RSS; the two rounds of reads and of writes are also reported as {@link BenchRow}s. Run
 * with {@code bench/monitor.sh}.
 *
 * <p>Arguments: {@code [clients=50] [seconds=5 (0: stream only)] [h2|jdbc:postgresql://...] [stream
 * messages=2000]}.
 */
public final class MonitorBench {
  private MonitorBench() {}

  public static void main(String[] argv) throws Exception {
    int clients = argv.length > 0 ? Integer.parseInt(argv[0]) : 50;
    double seconds = argv.length > 1 ? Double.parseDouble(argv[1]) : 5;
    Path dir = Files.createTempDirectory("monitor-bench");
    String url = argv.length > 2 && !argv[2].equals("h2") ? argv[2] : MonitorDatabase.h2Url(dir);
    try (MonitorDatabase db = MonitorDatabase.open(url, null, null);
        MonitorServer server =
            MonitorServer.start(
                db, "127.0.0.1", 0, MonitorSuite.TOKEN, Duration.ofSeconds(180), 30)) {
      MonitorClient api = new MonitorClient(server.port(), MonitorSuite.TOKEN);
      long run = 100010;
      api.post("/api/runs", Map.of("run_number", run, "status", "running"));
      for (int seq = 1; seq <= 200; seq++) {
        api.post("/api/workflow-messages", MonitorSuite.stfGen(run, seq));
      }
      String readPath = "/api/stf-files?run=" + run + "&limit=20";
      byte[] same = api.get(readPath).body().toString().getBytes(StandardCharsets.UTF_8);
      HttpServer plain = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 128);
      ExecutorService plainThreads = Executors.newFixedThreadPool(clients);
      plain.setExecutor(plainThreads);
      plain.createContext(
          "/",
          ex -> {
            ex.getResponseHeaders().add("Content-Type", "application/json");
            ex.sendResponseHeaders(200, same.length);
            try (OutputStream o = ex.getResponseBody()) {
              o.write(same);
            }
          });
      plain.start();
      String plainBase = "http://127.0.0.1:" + plain.getAddress().getPort();
      int rounds = seconds > 0 ? 2 : 0;
      double[] bases = new double[rounds];
      double[] readRates = new double[rounds];
      double[] writeRates = new double[rounds];
      for (int round = 1; round <= rounds; round++) {
        double base = rate(clients, seconds, i -> get(plainBase + readPath));
        double reads = rate(clients, seconds, i -> get(api.base() + readPath));
        AtomicInteger seq = new AtomicInteger(1000 + round * 1_000_000);
        double writes =
            rate(
                clients,
                seconds,
                i -> {
                  MonitorClient.Reply r =
                      api.post(
                          "/api/workflow-messages",
                          MonitorSuite.stfGen(run, seq.incrementAndGet()));
                  if (r.status() != 201) {
                    throw new IllegalStateException("write answered " + r.status());
                  }
                });
        System.out.printf(
            "round %d, %d clients: plain %.0f req/s; monitor reads %.0f req/s (ratio %.3f),"
                + " message writes %.0f msg/s (ratio %.3f)%n",
            round, clients, base, reads, reads / base, writes, writes / base);
        bases[round - 1] = base;
        readRates[round - 1] = reads;
        writeRates[round - 1] = writes;
      }
      if (rounds > 0) {
        BenchRow.emit(
            "monitor-reads",
            "monitor REST reads (STF list), " + clients + " clients",
            "monitor",
            "plain JDK HTTP server",
            "requests/s",
            readRates,
            bases);
        BenchRow.emit(
            "monitor-writes",
            "monitor message writes (applied, journalled), " + clients + " clients",
            "monitor",
            "plain JDK HTTP server (reads)",
            "requests/s",
            writeRates,
            bases);
      }
      plain.stop(0);
      // HttpServer.stop leaves its executor's threads, which kept the JVM from exiting.
      plainThreads.shutdown();
      stream(server, clients, run, argv.length > 3 ? Integer.parseInt(argv[3]) : 2_000);
    }
    System.out.println("peak RSS " + peakRssMb() + " MB (" + url.replaceAll(";.*", "") + ")");
  }

  /** Delivery of {@code messages} messages to {@code clients} stream clients at once. */
  private static void stream(MonitorServer server, int clients, long run, int messages)
      throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    CountDownLatch open = new CountDownLatch(clients);
    CountDownLatch done = new CountDownLatch(clients);
    AtomicLong received = new AtomicLong();
    // The streams stay open until the clients close them: daemon readers, and every body closed
    // at the end, so neither the JVM nor the server's stop waits on a stream nobody reads.
    List<InputStream> bodies = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
    ExecutorService readers =
        Executors.newFixedThreadPool(
            clients,
            task -> {
              Thread t = new Thread(task, "sse-client");
              t.setDaemon(true);
              return t;
            });
    for (int c = 0; c < clients; c++) {
      readers.submit(
          () -> {
            HttpResponse<InputStream> r =
                http.send(
                    HttpRequest.newBuilder(
                            URI.create(
                                "http://127.0.0.1:" + server.port() + "/api/messages/stream/"))
                        .build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            bodies.add(r.body());
            try (BufferedReader in =
                new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
              // Subscribed once the opening comment arrives: it is queued after the subscription.
              for (String line; (line = in.readLine()) != null && !line.equals(": connected"); ) {
                // headers of the stream, if any
              }
              open.countDown();
              int n = 0;
              for (String line; n < messages && (line = in.readLine()) != null; ) {
                if (line.startsWith("data: ")) {
                  n++;
                  received.incrementAndGet();
                }
              }
            }
            done.countDown();
            return null;
          });
    }
    open.await(30, TimeUnit.SECONDS);
    long t0 = System.nanoTime();
    Map<String, Object> histogram = MonitorSuite.message("histogram", run, "process@bench");
    histogram.put("window_start", "2026-12-06T21:15:00Z");
    histogram.put("window_end", "2026-12-06T21:15:01Z");
    histogram.put("kind", "multiplicity");
    histogram.put("bins", List.of(3, 14, 25, 9, 1));
    histogram.put("stf_count", 1);
    for (int i = 0; i < messages; i++) {
      server.ingest().accept(Json.MAPPER.valueToTree(histogram), MessageIngest.Source.REST, false);
    }
    long published = System.nanoTime();
    boolean all = done.await(60, TimeUnit.SECONDS);
    double secs = (System.nanoTime() - t0) / 1e9;
    System.out.printf(
        "stream: %d messages to %d clients: published in %.2f s (%.0f msg/s), %d of %d events"
            + " delivered in %.2f s (%.0f events/s)%s%n",
        messages,
        clients,
        (published - t0) / 1e9,
        messages / ((published - t0) / 1e9),
        received.get(),
        (long) messages * clients,
        secs,
        received.get() / secs,
        all ? "" : " (INCOMPLETE)");
    synchronized (bodies) {
      for (InputStream b : bodies) {
        try {
          b.close();
        } catch (java.io.IOException e) {
          // closing a stream the server already ended
        }
      }
    }
    readers.shutdownNow();
  }

  private interface Call {
    void run(int client) throws Exception;
  }

  private static double rate(int clients, double seconds, Call call) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(clients);
    long end = System.nanoTime() + (long) (seconds * 1e9);
    AtomicLong done = new AtomicLong();
    long t0 = System.nanoTime();
    List<Future<?>> fs = new ArrayList<>();
    for (int c = 0; c < clients; c++) {
      int id = c;
      fs.add(
          pool.submit(
              () -> {
                while (System.nanoTime() < end) {
                  call.run(id);
                  done.incrementAndGet();
                }
                return null;
              }));
    }
    for (Future<?> f : fs) {
      f.get();
    }
    pool.shutdown();
    return done.get() / ((System.nanoTime() - t0) / 1e9);
  }

  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private static void get(String url) throws Exception {
    HttpResponse<byte[]> r =
        HTTP.send(
            HttpRequest.newBuilder(URI.create(url)).build(),
            HttpResponse.BodyHandlers.ofByteArray());
    if (r.statusCode() != 200) {
      throw new IllegalStateException(url + " answered " + r.statusCode());
    }
  }

  private static long peakRssMb() throws Exception {
    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (line.startsWith("VmHWM:")) {
        return Long.parseLong(line.replaceAll("\\D", "")) / 1024;
      }
    }
    return -1;
  }
}
