package io.beamline.framework.run;

import io.beamline.framework.UserInputException;
import io.beamline.io.HostName;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.InfoSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.metrics.MetricQueryResults;
import org.apache.beam.sdk.metrics.MetricsFilter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Prometheus {@code /metrics} endpoint that shows a run's Beam metrics while the run executes,
 * plus the JVM's own metrics.
 *
 * <p>Once {@link #watch watching} a {@link PipelineResult}, the server asks the runner for the
 * run's metrics every second and serves the latest answer. Names are {@code
 * beamline_<namespace>_<name>}, with every character outside {@code [A-Za-z0-9_]} turned into
 * {@code _}:
 *
 * <ul>
 *   <li>a Beam counter becomes a Prometheus counter, exposed as {@code
 *       beamline_<namespace>_<name>_total};
 *   <li>a Beam distribution becomes a summary without quantiles ({@code ..._count}, {@code
 *       ..._sum}) and two gauges {@code ..._min} and {@code ..._max};
 *   <li>a Beam gauge becomes a Prometheus gauge.
 * </ul>
 *
 * Every series carries the labels {@code pipeline}, {@code run_id} and {@code step} (the Beam step
 * that reported it), and {@code beamline_run_info{pipeline,run_id,runner} 1} names the run. Values
 * are the runner's <em>attempted</em> metrics: on the DirectRunner they move when a bundle
 * finishes, on the SparkRunner when a task finishes.
 *
 * <pre>{@code
 * try (MetricsServer server = MetricsServer.start("127.0.0.1", 0, "demo", runId, "DirectRunner")) {
 *   PipelineResult result = pipeline.run();   // non-blocking run
 *   server.watch(result);
 *   result.waitUntilFinish();
 * }
 * }</pre>
 */
public final class MetricsServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(MetricsServer.class);

  /** Prefix of every metric the server derives from Beam metrics. */
  public static final String PREFIX = "beamline_";

  /** Seconds between two queries of the runner's metrics. */
  public static final long POLL_SECONDS = 1;

  private final HTTPServer http;
  private final URI url;
  private final Labels runLabels;
  private final String runner;
  private final ScheduledExecutorService poller;
  private final Set<String> warned = new HashSet<>();
  private volatile Supplier<MetricQueryResults> source;
  private volatile MetricQueryResults latest;
  private volatile boolean pollFailureLogged;

  private MetricsServer(HTTPServer http, URI url, Labels runLabels, String runner) {
    this.http = http;
    this.url = url;
    this.runLabels = runLabels;
    this.runner = runner;
    this.poller =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "beamline-metrics-poll");
              t.setDaemon(true);
              return t;
            });
  }

  /**
   * Starts serving on {@code host:port} ({@code port} 0 = any free port), with JVM metrics and,
   * once {@link #watch} is called, the run's Beam metrics.
   *
   * @throws UserInputException naming {@code --metrics-port}/{@code --metrics-host} when the
   *     address cannot be bound (port in use, unknown host)
   */
  public static MetricsServer start(
      String host, int port, String pipeline, String runId, String runner) {
    if (port < 0 || port > 65535) {
      throw new UserInputException("--metrics-port must be in 0..65535, got " + port);
    }
    if (host == null || host.isBlank()) {
      throw new UserInputException("--metrics-host must not be empty; use 127.0.0.1 or 0.0.0.0");
    }
    InetAddress address;
    try {
      address = InetAddress.getByName(host);
    } catch (UnknownHostException e) {
      throw new UserInputException(
          "--metrics-host '" + host + "' is not a known host name or address; use 127.0.0.1", e);
    }
    PrometheusRegistry registry = new PrometheusRegistry();
    JvmMetrics.builder().register(registry);
    Labels labels = Labels.of("pipeline", pipeline, "run_id", runId);
    HTTPServer http;
    try {
      http =
          HTTPServer.builder()
              .hostname(address.getHostAddress())
              .port(port)
              .registry(registry)
              .buildAndStart();
    } catch (IOException e) {
      throw new UserInputException(
          "--metrics-port "
              + port
              + ": cannot listen on "
              + host
              + ":"
              + port
              + " ("
              + Runs.oneLine(e)
              + "); choose a free port, or --metrics-port 0 for any free one",
          e);
    }
    MetricsServer server =
        new MetricsServer(http, url(address, http.getPort()), labels, runner == null ? "" : runner);
    registry.register(server.collector());
    return server;
  }

  /** Starts polling {@code result.metrics()} every second. */
  public void watch(PipelineResult result) {
    watch(() -> result.metrics().queryMetrics(MetricsFilter.builder().build()));
  }

  /** Starts polling {@code metrics} every second (the first poll right away). */
  public synchronized void watch(Supplier<MetricQueryResults> metrics) {
    if (source != null) {
      throw new IllegalStateException("already watching a run");
    }
    source = metrics;
    poller.scheduleWithFixedDelay(this::poll, 0, POLL_SECONDS, TimeUnit.SECONDS);
  }

  /** Queries the watched run's metrics now (e.g. once it finished), so scrapes see final values. */
  public void poll() {
    Supplier<MetricQueryResults> s = source;
    if (s == null) {
      return;
    }
    try {
      latest = s.get();
    } catch (RuntimeException e) {
      // The SparkRunner answers only once its accumulators exist; keep the last answer meanwhile.
      if (!pollFailureLogged) {
        pollFailureLogged = true;
        LOG.debug("Run metrics not available yet: {}", Runs.oneLine(e));
      }
    }
  }

  /** {@code http://<host>:<port>/metrics}. */
  public URI url() {
    return url;
  }

  /** The port actually bound (the chosen one when started with 0). */
  public int port() {
    return http.getPort();
  }

  /** Stops polling and the HTTP server; the port is free again when this returns. */
  @Override
  public void close() {
    poller.shutdownNow();
    try {
      poller.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    http.close();
  }

  private MultiCollector collector() {
    return () -> {
      List<MetricSnapshot> out = new ArrayList<>();
      Labels info = runLabels.add("runner", runner);
      out.add(
          InfoSnapshot.builder()
              .name("beamline_run")
              .help("The run these metrics belong to")
              .dataPoint(InfoSnapshot.InfoDataPointSnapshot.builder().labels(info).build())
              .build());
      MetricQueryResults r = latest;
      if (r != null) {
        out.addAll(BeamMetricsExposition.toSnapshots(r, runLabels, this::warnOnce));
      }
      return new MetricSnapshots(out);
    };
  }

  private void warnOnce(String message) {
    synchronized (warned) {
      if (warned.add(message)) {
        LOG.warn(message);
      }
    }
  }

  private static URI url(InetAddress address, int port) {
    String host;
    if (address.isAnyLocalAddress()) {
      host = HostName.get();
    } else if (address instanceof Inet6Address) {
      host = "[" + address.getHostAddress().replaceAll("%.*$", "") + "]";
    } else {
      host = address.getHostAddress();
    }
    return URI.create("http://" + host.toLowerCase(Locale.ROOT) + ":" + port + "/metrics");
  }
}
