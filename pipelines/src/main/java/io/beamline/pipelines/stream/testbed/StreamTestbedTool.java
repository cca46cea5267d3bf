package io.beamline.pipelines.stream.testbed;

import io.beamline.framework.BeamlineTool;
import io.beamline.framework.RunnerNames;
import io.beamline.framework.UserInputException;
import io.beamline.framework.backend.Launch;
import io.beamline.framework.run.MonitorUrls;
import io.beamline.io.kafka.KafkaPreflight;
import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * {@code beamline stream testbed start|status|stop}: the whole streaming workflow on one machine
 * with nothing to install, like the original's {@code swf-testbed start|status|stop}. {@code start}
 * launches a detached supervisor JVM ({@link TestbedSupervisor}) that brings up the embedded Kafka
 * broker, the monitor, {@code stream process} and {@code stream daq} (the agents of {@link
 * TestbedAgents}), waits until they are up and prints the monitor's URL; {@code status} checks each
 * process, the broker and the monitor; {@code stop} stops them all and keeps every output.
 *
 * <pre>{@code
 * beamline stream testbed start --dir tb --stf-count 20
 * beamline stream testbed status --dir tb
 * beamline stream testbed stop --dir tb
 * }</pre>
 */
public final class StreamTestbedTool implements BeamlineTool<TestbedOptions> {
  private static final List<String> ACTIONS = List.of("start", "status", "stop", "supervise");

  @Override
  public List<String> commandPath() {
    return List.of("stream", "testbed");
  }

  @Override
  public String summary() {
    return "start|status|stop: the embedded Kafka broker, the monitor, stream process and stream"
        + " daq in the background, on one machine";
  }

  @Override
  public Class<TestbedOptions> optionsClass() {
    return TestbedOptions.class;
  }

  @Override
  public String positional() {
    return "action";
  }

  @Override
  public int run(TestbedOptions o, PrintWriter out, PrintWriter err) throws Exception {
    if (!ACTIONS.contains(o.getAction())) {
      throw new UserInputException(
          "unknown action '" + o.getAction() + "'; use start, status or stop");
    }
    if (!(o.getGraceSeconds() > 0) || !(o.getStartTimeoutSeconds() > 0)) {
      throw new UserInputException("--grace-seconds and --start-timeout-seconds must be > 0");
    }
    Path dir = Paths.get(o.getDir()).toAbsolutePath().normalize();
    switch (o.getAction()) {
      case "supervise":
        return new TestbedSupervisor(dir, o, out).run();
      case "status":
        return TestbedStatus.print(existing(dir), out);
      case "stop":
        return stop(existing(dir), o, out);
      default:
        return start(dir, o, out);
    }
  }

  private static TestbedState existing(Path dir) throws IOException {
    return TestbedState.read(dir)
        .orElseThrow(
            () ->
                new UserInputException(
                    "no testbed in "
                        + dir
                        + " (no "
                        + TestbedState.FILE
                        + "); start one with 'beamline stream testbed start --dir "
                        + dir
                        + "'"));
  }

  private static int start(Path dir, TestbedOptions o, PrintWriter out) throws Exception {
    List<TestbedAgents.Agent> agents = TestbedAgents.select(o.getAgents());
    if (o.getRuns() < 1 || (o.getStfCount() != null && o.getStfCount() < 1)) {
      throw new UserInputException("--runs and --stf-count must be >= 1");
    }
    if (!PROCESS_RUNNERS.contains(o.getProcessRunner())) {
      throw new UserInputException(
          "--process-runner must be one of "
              + String.join(", ", PROCESS_RUNNERS)
              + ", got '"
              + o.getProcessRunner()
              + "'");
    }
    for (double f : new double[] {o.getDuplicateFraction(), o.getDelayFraction()}) {
      if (!(f >= 0 && f <= 1)) {
        throw new UserInputException(
            "--duplicate-fraction and --delay-fraction must be in [0, 1], got " + f);
      }
    }
    if (o.getSchedule() != null && !Files.isRegularFile(Paths.get(o.getSchedule()))) {
      throw new UserInputException("--schedule " + o.getSchedule() + " is not a file");
    }
    if (Files.exists(dir) && !Files.isDirectory(dir)) {
      throw new UserInputException("--dir " + dir + " exists and is not a directory");
    }
    Optional<TestbedState> old = TestbedState.read(dir);
    // Any process of an earlier testbed here still alive (an agent outliving a killed
    // supervisor too) would share the buffer and the ports: it is stopped first.
    Optional<TestbedState.Proc> alive =
        old.stream()
            .flatMap(s -> s.stopOrder().stream())
            .filter(p -> p.live().isPresent())
            .findFirst();
    if (alive.isPresent()) {
      throw new UserInputException(
          "a testbed already runs in "
              + dir
              + " ("
              + alive.get().name()
              + " pid "
              + alive.get().pid()
              + "); stop it first: beamline stream testbed stop --dir "
              + dir);
    }
    if (agents.stream().anyMatch(a -> a.name().equals("monitor")) && o.getMonitorPort() != 0) {
      checkPortFree(o.getMonitorPort());
    }
    Path logs = Files.createDirectories(dir.resolve("logs"));
    Path log = logs.resolve("supervisor.log");
    List<String> cmd = new ArrayList<>();
    if (Files.isExecutable(Path.of("/usr/bin/setsid"))) {
      // Its own session: a Ctrl-C in the terminal that ran 'start' does not reach the testbed.
      cmd.add("/usr/bin/setsid");
    }
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(Launch.javaFlagList());
    cmd.addAll(Launch.inheritedFlags());
    cmd.add("-Xmx384m");
    cmd.add("-jar");
    cmd.add(Launch.jar(null, StreamTestbedTool.class).toString());
    cmd.addAll(supervisorArgs(dir, o));
    Process p =
        new ProcessBuilder(cmd)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
            .start();
    out.println(
        "testbed: starting in " + dir + " (supervisor pid " + p.pid() + ", log " + log + ")");
    out.flush();
    long deadline = System.nanoTime() + (long) ((o.getStartTimeoutSeconds() + 60) * 1e9);
    while (System.nanoTime() < deadline) {
      Optional<TestbedState> s = TestbedState.read(dir).filter(x -> isOurs(x, p));
      if (s.isPresent() && s.get().state().equals("running")) {
        TestbedStatus.print(s.get(), out);
        if (s.get().monitorUrl() != null) {
          out.println("monitor: " + s.get().monitorUrl() + "/");
        }
        out.println("stop with: beamline stream testbed stop --dir " + dir);
        out.flush();
        return 0;
      }
      if (s.isPresent() && s.get().state().equals("failed")) {
        throw new IllegalStateException(
            "the testbed failed to start: " + s.get().reason() + " (logs in " + logs + ")");
      }
      if (!p.isAlive() && s.isEmpty()) {
        throw new IllegalStateException(
            "the testbed supervisor exited with status " + p.exitValue() + "; see " + log);
      }
      Thread.sleep(300);
    }
    throw new IllegalStateException(
        "the testbed is still starting after "
            + (long) o.getStartTimeoutSeconds()
            + " s; see "
            + logs
            + " and stop it with 'beamline stream testbed stop --dir "
            + dir
            + "'");
  }

  /** Whether {@code s} was written by the supervisor {@code p} (not a previous testbed's). */
  private static boolean isOurs(TestbedState s, Process p) {
    // Through setsid the supervisor is the child itself (setsid execs when it can).
    return s.supervisor() != null
        && (s.supervisor().pid() == p.pid()
            || p.descendants().anyMatch(d -> d.pid() == s.supervisor().pid()));
  }

  /** The runners the process agent may run on. */
  static final List<String> PROCESS_RUNNERS = List.of(RunnerNames.DIRECT, RunnerNames.FLINK);

  private static List<String> supervisorArgs(Path dir, TestbedOptions o) {
    List<String> a = new ArrayList<>();
    a.addAll(
        List.of(
            "stream",
            "testbed",
            "supervise",
            "--dir",
            dir.toString(),
            "--agents",
            o.getAgents(),
            "--monitor-port",
            Integer.toString(o.getMonitorPort()),
            "--runs",
            Integer.toString(o.getRuns()),
            "--process-runner",
            o.getProcessRunner(),
            "--grace-seconds",
            Double.toString(o.getGraceSeconds()),
            "--start-timeout-seconds",
            Double.toString(o.getStartTimeoutSeconds())));
    if (o.getStfCount() != null) {
      a.addAll(List.of("--stf-count", Integer.toString(o.getStfCount())));
    }
    if (o.getNoRealtime()) {
      a.add("--no-realtime");
    }
    if (o.getSchedule() != null) {
      a.addAll(List.of("--schedule", Paths.get(o.getSchedule()).toAbsolutePath().toString()));
    }
    a.addAll(
        List.of(
            "--duplicate-fraction",
            Double.toString(o.getDuplicateFraction()),
            "--delay-fraction",
            Double.toString(o.getDelayFraction())));
    return a;
  }

  private static void checkPortFree(int port) {
    try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
      // Free now; the monitor binds it in a moment.
    } catch (IOException e) {
      throw new UserInputException(
          "--monitor-port "
              + port
              + " is in use on 127.0.0.1; stop what uses it or give another port (0 picks a free"
              + " one)");
    }
  }

  /**
   * Stops the supervisor (which stops its agents and the broker), then whatever of the testbed
   * still runs: SIGTERM, SIGKILL after the grace. Outputs stay.
   */
  private static int stop(TestbedState s, TestbedOptions o, PrintWriter out) throws IOException {
    Duration grace = Duration.ofMillis((long) (o.getGraceSeconds() * 1000));
    Optional<ProcessHandle> sup = s.supervisor().live();
    if (sup.isPresent()) {
      // The supervisor stops each agent with the same grace, then the broker (up to 30 s).
      Duration all = grace.multipliedBy(s.agents().size() + 1).plusSeconds(45);
      out.println(
          "supervisor (pid "
              + s.supervisor().pid()
              + "): "
              + TestbedSupervisor.stop(sup.get(), all));
    } else {
      out.println("supervisor (pid " + s.supervisor().pid() + "): had exited");
    }
    int left = 0;
    for (TestbedState.Proc p : s.stopOrder()) {
      if (p == s.supervisor()) {
        continue;
      }
      Optional<ProcessHandle> h = p.live();
      if (h.isPresent()) {
        String how = TestbedSupervisor.stop(h.get(), grace);
        out.println(p.name() + " (pid " + p.pid() + "): " + how);
        if (h.get().isAlive()) {
          left++;
        }
      }
    }
    TestbedState now = TestbedState.read(Paths.get(s.dir())).orElse(s);
    if (!now.state().equals("stopped")) {
      now.with("stopped", now.reason()).write(Paths.get(s.dir()));
    }
    out.println(
        left == 0
            ? "testbed stopped; outputs kept in " + s.dir()
            : left + " process(es) could not be stopped");
    out.flush();
    return left == 0 ? 0 : 1;
  }

  /** The monitor's health in words, for {@link TestbedStatus}. */
  static String monitorHealth(String url) {
    String why = MonitorUrls.unhealthy(URI.create(url), Duration.ofSeconds(3));
    return why == null ? "healthy" : why;
  }

  /** The broker's health in words, for {@link TestbedStatus}. */
  static String brokerHealth(String address) {
    try {
      KafkaPreflight.check(address, Duration.ofSeconds(3));
      return "answers";
    } catch (RuntimeException e) {
      return e.getMessage();
    }
  }
}
