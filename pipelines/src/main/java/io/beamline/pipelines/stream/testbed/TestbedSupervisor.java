package io.beamline.pipelines.stream.testbed;

import io.beamline.framework.backend.Launch;
import io.beamline.framework.run.MonitorUrls;
import io.beamline.framework.run.RunLog;
import io.beamline.io.kafka.EmbeddedKafka;
import io.beamline.io.swf.SwfTopics;
import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The testbed's background JVM ({@code beamline stream testbed supervise}, launched detached by
 * {@code start}): starts the embedded broker, then each agent as a child JVM of the same jar in
 * start order (waiting for the monitor's health before the agents that use it), records everything
 * in {@code testbed.json}, and then watches: an agent that exits is recorded with its status. On
 * SIGTERM ({@code stop}) it stops the agents in reverse order (SIGTERM, then SIGKILL after the
 * grace), then the broker, and records the testbed as stopped. The broker also stops when this JVM
 * is killed outright (it watches a pipe from it).
 */
final class TestbedSupervisor {
  private static final DateTimeFormatter STAMP =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

  private final Path dir;
  private final TestbedOptions options;
  private final List<TestbedAgents.Agent> agents;
  private final PrintWriter out;
  private final Map<String, Process> children = new LinkedHashMap<>();
  private final Map<String, TestbedAgents.Agent> started = new LinkedHashMap<>();

  /** Restarts of one agent at most, before the supervisor leaves it exited. */
  static final int MAX_RESTARTS = 5;

  private TestbedAgents.Context ctx;
  private TestbedState state;
  private EmbeddedKafka broker;
  private volatile boolean stopping;

  TestbedSupervisor(Path dir, TestbedOptions options, PrintWriter out) {
    this.dir = dir;
    this.options = options;
    this.agents = TestbedAgents.select(options.getAgents());
    this.out = out;
  }

  /** Runs until stopped; returns 1 when start-up failed (recorded in testbed.json). */
  int run() throws IOException {
    Path logs = Files.createDirectories(dir.resolve("logs"));
    boolean monitor = agents.stream().anyMatch(a -> a.name().equals("monitor"));
    URI monitorUrl =
        monitor ? URI.create("http://127.0.0.1:" + port(options.getMonitorPort())) : null;
    state =
        new TestbedState(
            "starting",
            null,
            dir.toString(),
            TestbedState.Proc.of(
                "supervisor", ProcessHandle.current(), logs.resolve("supervisor.log"), null),
            null,
            null,
            monitorUrl == null ? null : monitorUrl.toString(),
            monitor ? TestbedAgents.tokenFile(dir).toString() : null,
            List.of(),
            Instant.now().toString());
    write();
    Thread hook = new Thread(this::shutdown, "testbed-stop");
    Runtime.getRuntime().addShutdownHook(hook);
    // Library logs (Kafka's admin client) beside the supervisor's own lines, off any terminal.
    RunLog.attach(logs.resolve("supervisor.log"), "testbed-supervisor");
    try {
      broker =
          EmbeddedKafka.settings()
              .withDataDir(dir.resolve("kafka").resolve(STAMP.format(Instant.now())))
              .start();
      broker.createTopics(SwfTopics.ALL, 1);
      state =
          new TestbedState(
              state.state(),
              null,
              state.dir(),
              state.supervisor(),
              TestbedState.Proc.of(
                  "broker", ProcessHandle.of(broker.pid()).orElseThrow(), broker.logFile(), null),
              broker.bootstrapServers(),
              state.monitorUrl(),
              state.tokenFile(),
              List.of(),
              Instant.now().toString());
      write();
      say("broker at " + broker.bootstrapServers());
      ctx =
          new TestbedAgents.Context(
              dir,
              broker.bootstrapServers(),
              monitorUrl,
              monitor ? TestbedAgents.tokenFile(dir) : null,
              options);
      for (TestbedAgents.Agent a : agents) {
        started.put(a.name(), a);
        launch(a, ctx, logs.resolve(a.name() + ".log"));
        if (a.waitsForHealth()) {
          awaitHealthy(a, monitorUrl);
        }
      }
      synchronized (this) {
        state = state.with("running", null);
        write();
      }
      say("running" + (monitorUrl == null ? "" : "; monitor at " + monitorUrl));
    } catch (IOException | RuntimeException e) {
      String why = e.getMessage() == null ? e.toString() : e.getMessage().replaceAll("\\s+", " ");
      say("start-up failed: " + why);
      synchronized (this) {
        state = state.with("failed", why);
        write();
      }
      stopAll();
      Runtime.getRuntime().removeShutdownHook(hook);
      synchronized (this) {
        write();
      }
      return 1;
    }
    watch();
    return 0;
  }

  private void launch(TestbedAgents.Agent a, TestbedAgents.Context ctx, Path log)
      throws IOException {
    List<String> words = a.command().apply(ctx);
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(Launch.javaFlagList());
    cmd.addAll(Launch.inheritedFlags());
    cmd.add("-Xmx" + a.maxHeap());
    cmd.add("-jar");
    cmd.add(Launch.jar(null, TestbedSupervisor.class).toString());
    cmd.addAll(words);
    Process p =
        new ProcessBuilder(cmd)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
            .start();
    synchronized (this) {
      children.put(a.name(), p);
      state = state.withAgent(TestbedState.Proc.of(a.name(), p.toHandle(), log, words));
      write();
    }
    say(a.name() + " started (pid " + p.pid() + "): beamline " + Launch.shellLine(words));
  }

  private void awaitHealthy(TestbedAgents.Agent a, URI url) throws IOException {
    long deadline = System.nanoTime() + (long) (options.getStartTimeoutSeconds() * 1e9);
    Process p = children.get(a.name());
    while (true) {
      if (!p.isAlive()) {
        throw new IOException(
            a.name() + " exited with status " + p.exitValue() + " while starting; see its log");
      }
      if (MonitorUrls.unhealthy(url, Duration.ofSeconds(2)) == null
          && Files.isRegularFile(TestbedAgents.tokenFile(dir))) {
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new IOException(
            a.name()
                + " not healthy at "
                + url
                + " after "
                + options.getStartTimeoutSeconds()
                + " s");
      }
      sleep(500);
    }
  }

  /**
   * Records agents that exit, until stopped; a long-running agent that dies is started again after
   * a second, at most {@link #MAX_RESTARTS} times (the monitor and {@code stream process} resume
   * from their committed state: the database and the committed offsets and records).
   */
  private void watch() {
    while (!stopping) {
      synchronized (this) {
        for (TestbedState.Proc a : state.agents()) {
          Process p = children.get(a.name());
          if (p == null || p.isAlive() || a.exitCode() != null || stopping) {
            continue;
          }
          int code = p.exitValue();
          TestbedAgents.Agent def = started.get(a.name());
          if (code != 0 && def != null && def.restarts() && a.restarts() < MAX_RESTARTS) {
            say(a.name() + " exited with status " + code + "; starting it again");
            sleep(1000);
            try {
              launch(def, ctx, Path.of(a.log()));
              state = state.withAgent(findAgent(a.name()).restarted(a.restarts() + 1));
              writeQuietly();
            } catch (IOException e) {
              state = state.withAgent(a.exited(code));
              writeQuietly();
              say(a.name() + " could not be started again: " + e.getMessage());
            }
            continue;
          }
          state = state.withAgent(a.exited(code));
          writeQuietly();
          say(a.name() + " exited with status " + code);
        }
      }
      sleep(1000);
    }
  }

  private TestbedState.Proc findAgent(String name) {
    return state.agents().stream().filter(x -> x.name().equals(name)).findFirst().orElseThrow();
  }

  /** The shutdown hook: SIGTERM (from {@code stop}) or an orderly exit. */
  private void shutdown() {
    if (stopping) {
      return;
    }
    synchronized (this) {
      state = state.with("stopping", null);
      writeQuietly();
    }
    stopAll();
    synchronized (this) {
      state = state.with("stopped", null);
      writeQuietly();
    }
  }

  /** Stops the agents last to first (SIGTERM, SIGKILL after the grace), then the broker. */
  private void stopAll() {
    stopping = true;
    List<String> names = new ArrayList<>(children.keySet());
    java.util.Collections.reverse(names);
    for (String n : names) {
      Process p = children.get(n);
      String how = stop(p.toHandle(), Duration.ofMillis((long) (options.getGraceSeconds() * 1000)));
      say(n + " (pid " + p.pid() + "): " + how);
    }
    if (broker != null) {
      try {
        broker.close();
        say("broker stopped");
      } catch (IOException e) {
        say("broker: " + e.getMessage());
      }
    }
  }

  /** Stops {@code p}: SIGTERM, then SIGKILL after {@code grace}; returns what happened in words. */
  static String stop(ProcessHandle p, Duration grace) {
    if (!p.isAlive()) {
      return "had exited";
    }
    p.destroy();
    try {
      p.onExit().get(grace.toMillis(), TimeUnit.MILLISECONDS);
      return "stopped (SIGTERM)";
    } catch (java.util.concurrent.TimeoutException e) {
      p.destroyForcibly();
      try {
        p.onExit().get(10, TimeUnit.SECONDS);
      } catch (Exception ignored) {
        // Reported below by isAlive.
      }
      return p.isAlive()
          ? "still alive after SIGKILL"
          : "killed (SIGKILL after " + grace.toMillis() / 1000.0 + " s)";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "interrupted while stopping";
    } catch (java.util.concurrent.ExecutionException e) {
      return "stopped";
    }
  }

  private static int port(int wanted) throws IOException {
    if (wanted != 0) {
      return wanted;
    }
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private synchronized void write() throws IOException {
    state.write(dir);
  }

  private synchronized void writeQuietly() {
    try {
      state.write(dir);
    } catch (IOException e) {
      say("cannot write " + TestbedState.FILE + ": " + e.getMessage());
    }
  }

  private void say(String line) {
    out.println(Instant.now() + " testbed: " + line);
    out.flush();
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
