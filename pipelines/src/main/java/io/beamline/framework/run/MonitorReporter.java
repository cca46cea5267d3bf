package io.beamline.framework.run;

import io.beamline.framework.BeamlineOptions;
import io.beamline.framework.UserInputException;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reports a pipeline run to the monitoring service ({@code beamline monitor serve}) when a command
 * is given {@code --monitor-url}: the run when it starts ({@code POST /api/pipeline-runs}), its
 * progress and a heartbeat every few seconds ({@code PATCH /api/pipeline-runs/<run-id>}, {@code
 * POST /api/systemagents/<agent>/heartbeat}), and its final status and an EXITED heartbeat when it
 * ends.
 *
 * <p>Progress is counted from the run's commit records, so the monitor never shows an item before
 * its outputs are committed. The monitor is advisory: when it is down or refuses a request, the run
 * goes on and one warning per kind of failure goes to {@code run.log}.
 */
public final class MonitorReporter implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(MonitorReporter.class);
  private static final Duration TIMEOUT = Duration.ofSeconds(5);

  private final URI base;
  private final String token;
  private final String runId;
  private final String agent;
  private final String agentType;
  private final ItemCommits commits;
  private final HttpClient http;
  private final ScheduledExecutorService timer;
  private final AtomicBoolean warned = new AtomicBoolean();
  private Map<String, Object> manifest;

  private MonitorReporter(
      URI base, String token, String runId, String pipeline, ItemCommits commits, Duration every) {
    this.base = base;
    this.token = token;
    this.runId = runId;
    this.agentType = pipeline;
    this.agent = pipeline + "@" + Runs.host() + "-" + ProcessHandle.current().pid();
    this.commits = commits;
    this.http = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
    this.timer =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "beamline-monitor-reporter");
              t.setDaemon(true);
              return t;
            });
    long ms = every.toMillis();
    timer.scheduleWithFixedDelay(this::tick, ms, ms, TimeUnit.MILLISECONDS);
  }

  /**
   * The monitor's base URL from {@code --monitor-url}, checked before the run writes anything.
   *
   * @throws UserInputException naming the flag and the expected form
   */
  public static URI checkUrl(String url) {
    return MonitorUrls.parse(url, "--monitor-url");
  }

  /**
   * Checks {@code --monitor-url} and {@code --monitor-token-file} of a run before it writes
   * anything; nothing to check without a URL.
   */
  public static void validate(BeamlineOptions options) {
    if (options.getMonitorUrl() != null) {
      checkUrl(options.getMonitorUrl());
      token(options.getMonitorTokenFile());
    }
  }

  /**
   * The write token: the first line of {@code --monitor-token-file}, else the environment variable
   * {@code BEAMLINE_MONITOR_TOKEN}, else null (the monitor then refuses writes, which is logged
   * once). There is no token flag: flags are recorded in the run's options and config files.
   */
  static String token(String tokenFile) {
    if (tokenFile == null) {
      String env = System.getenv("BEAMLINE_MONITOR_TOKEN");
      return env == null || env.isBlank() ? null : env.trim();
    }
    try {
      return Files.readAllLines(Path.of(tokenFile)).stream().findFirst().orElse("").trim();
    } catch (IOException e) {
      throw new UserInputException(
          "--monitor-token-file "
              + tokenFile
              + " cannot be read ("
              + e.getMessage()
              + "); give the token file `beamline monitor serve` printed");
    }
  }

  /**
   * Starts reporting a run that is about to execute, or returns null without {@code --monitor-url}.
   * Closing it sends the manifest's final status.
   */
  public static MonitorReporter forRun(
      BeamlineOptions options, String pipeline, Map<String, Object> manifest, Path outputDir) {
    if (options.getMonitorUrl() == null) {
      return null;
    }
    return start(
        checkUrl(options.getMonitorUrl()),
        token(options.getMonitorTokenFile()),
        options.getRunId(),
        pipeline,
        manifest,
        ItemCommits.of(outputDir, pipeline),
        Duration.ofSeconds(5));
  }

  /** Registers the run and starts reporting every {@code every}. */
  static MonitorReporter start(
      URI base,
      String token,
      String runId,
      String pipeline,
      Map<String, Object> manifest,
      ItemCommits commits,
      Duration every) {
    MonitorReporter r = new MonitorReporter(base, token, runId, pipeline, commits, every);
    r.manifest = manifest;
    Map<String, Object> run = new LinkedHashMap<>();
    run.put("run_id", runId);
    run.put("pipeline", pipeline);
    run.put("status", "running");
    run.put("started", manifest.get("start_utc"));
    run.put("host", manifest.get("host"));
    run.put("pid", manifest.get("pid"));
    run.put("output_dir", manifest.get("output_dir"));
    run.put("command_line", manifest.get("command_line"));
    r.send("POST", "/api/pipeline-runs", run);
    r.heartbeat("PROCESSING");
    return r;
  }

  /** Sends the run's final status (from its manifest), its item counts and an EXITED heartbeat. */
  @Override
  public void close() {
    timer.shutdownNow();
    Map<String, Object> update = progress();
    update.put("status", manifest.get("status"));
    update.put("finished", Instant.now().toString());
    update.put("error", manifest.get("error"));
    send("PATCH", "/api/pipeline-runs/" + runId, update);
    heartbeat("EXITED");
  }

  private void tick() {
    send("PATCH", "/api/pipeline-runs/" + runId, progress());
    heartbeat("PROCESSING");
  }

  private Map<String, Object> progress() {
    ItemCommits.Tally t = commits.tally(runId);
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("items_succeeded", t.succeeded().size());
    m.put("items_failed", t.failed().size());
    m.put("updated", Instant.now().toString());
    return m;
  }

  private void heartbeat(String operationalState) {
    Map<String, Object> hb = new LinkedHashMap<>();
    hb.put("agent_type", agentType);
    hb.put("pid", ProcessHandle.current().pid());
    hb.put("hostname", Runs.host());
    hb.put("operational_state", operationalState);
    hb.put("status", "OK");
    hb.put("run_id", runId);
    send("POST", "/api/systemagents/" + agent + "/heartbeat", hb);
  }

  private void send(String method, String path, Map<String, Object> body) {
    try {
      HttpRequest.Builder b =
          HttpRequest.newBuilder(base.resolve(path))
              .timeout(TIMEOUT)
              .header("Content-Type", "application/json")
              .method(method, HttpRequest.BodyPublishers.ofString(Json.line(body)));
      if (token != null) {
        b.header("Authorization", "Bearer " + token);
      }
      HttpResponse<String> resp = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
      if (resp.statusCode() >= 300) {
        warnOnce(
            method + " " + path + " answered " + resp.statusCode() + ": " + firstLine(resp.body()));
      }
    } catch (IOException e) {
      warnOnce("monitor at " + base + " unreachable: " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void warnOnce(String what) {
    if (warned.compareAndSet(false, true)) {
      LOG.warn("Reporting to the monitor failed ({}); the run goes on", what);
    } else {
      LOG.debug("Reporting to the monitor failed: {}", what);
    }
  }

  private static String firstLine(String s) {
    return s == null ? "" : s.lines().findFirst().orElse("");
  }
}
