package io.beamline.pipelines.stream.testbed;

import io.beamline.framework.Spelling;
import io.beamline.framework.UserInputException;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * The one list of the testbed's agents, in start order, with the command line each runs (words
 * after {@code beamline}). A new agent is one more entry here.
 */
final class TestbedAgents {
  private TestbedAgents() {}

  /**
   * What an agent's command line is made from.
   *
   * @param dir the testbed directory
   * @param broker the broker's bootstrap address
   * @param monitorUrl the monitor's base URL, or null when the monitor is not started
   * @param tokenFile the monitor's token file, or null
   * @param options the testbed's flags
   */
  record Context(Path dir, String broker, URI monitorUrl, Path tokenFile, TestbedOptions options) {}

  /**
   * One agent.
   *
   * @param name its name in {@code --agents}, {@code testbed.json} and {@code logs/<name>.log}
   * @param maxHeap its JVM's {@code -Xmx}
   * @param waitsForHealth whether later agents wait for its {@code /api/health} (the monitor)
   * @param restarts whether the supervisor starts it again when it dies (a long-running service,
   *     like supervisord's {@code autorestart}; not the daq, whose exit ends its runs)
   * @param command its command line
   */
  record Agent(
      String name,
      String maxHeap,
      boolean waitsForHealth,
      boolean restarts,
      Function<Context, List<String>> command) {}

  /** The monitor's output directory under the testbed directory. */
  static Path monitorDir(Path dir) {
    return dir.resolve("monitor");
  }

  /** Where the monitor writes its token (the monitor's {@code <output-dir>/monitor.token}). */
  static Path tokenFile(Path dir) {
    return monitorDir(dir).resolve("monitor.token");
  }

  static final List<Agent> ALL =
      List.of(
          new Agent(
              "monitor",
              "512m",
              true,
              true,
              c ->
                  List.of(
                      "monitor",
                      "serve",
                      "--broker",
                      c.broker(),
                      "--output-dir",
                      monitorDir(c.dir()).toString(),
                      "--port",
                      Integer.toString(c.monitorUrl().getPort()))),
          new Agent(
              "process",
              "1g",
              false,
              true,
              c ->
                  List.of(
                      "stream",
                      "process",
                      "--broker",
                      c.broker(),
                      "--output-dir",
                      c.dir().resolve("process").toString(),
                      "--runner=" + c.options().getProcessRunner())),
          new Agent("daq", "512m", false, false, TestbedAgents::daq));

  private static List<String> daq(Context c) {
    TestbedOptions o = c.options();
    List<String> a = new ArrayList<>();
    a.addAll(
        List.of(
            "stream",
            "daq",
            "--broker",
            c.broker(),
            "--output-dir",
            c.dir().resolve("daq").toString(),
            "--runs",
            Integer.toString(o.getRuns())));
    if (c.monitorUrl() != null) {
      a.addAll(
          List.of(
              "--monitor-url",
              c.monitorUrl().toString(),
              "--monitor-token-file",
              c.tokenFile().toString()));
    }
    if (o.getStfCount() != null) {
      a.addAll(List.of("--stf-count", Integer.toString(o.getStfCount())));
    }
    if (o.getNoRealtime()) {
      a.add("--no-realtime");
    }
    if (o.getDuplicateFraction() > 0) {
      a.addAll(List.of("--duplicate-fraction", Double.toString(o.getDuplicateFraction())));
    }
    if (o.getDelayFraction() > 0) {
      a.addAll(List.of("--delay-fraction", Double.toString(o.getDelayFraction())));
    }
    if (o.getSchedule() != null) {
      a.addAll(List.of("--schedule", Path.of(o.getSchedule()).toAbsolutePath().toString()));
    }
    return a;
  }

  /** The agents named by {@code --agents}, in start order; unknown names are one error line. */
  static List<Agent> select(String names) {
    List<String> known = ALL.stream().map(Agent::name).toList();
    Set<String> wanted = new LinkedHashSet<>();
    for (String n : names.split(",")) {
      String name = n.trim();
      if (name.isEmpty()) {
        continue;
      }
      if (!known.contains(name)) {
        String near = Spelling.nearest(name, known);
        throw new UserInputException(
            "--agents: unknown agent '"
                + name
                + "'"
                + (near == null ? "" : " (did you mean '" + near + "'?)")
                + "; agents: "
                + String.join(", ", known));
      }
      wanted.add(name);
    }
    if (wanted.isEmpty()) {
      throw new UserInputException("--agents is empty; name some of " + String.join(", ", known));
    }
    return ALL.stream().filter(a -> wanted.contains(a.name())).toList();
  }
}
