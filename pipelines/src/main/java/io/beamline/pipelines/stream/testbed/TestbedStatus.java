package io.beamline.pipelines.stream.testbed;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code beamline stream testbed status}: one row per process of the testbed (supervisor, broker,
 * agents) with its pid, whether it runs, and for the broker and the monitor whether they answer.
 */
final class TestbedStatus {
  private TestbedStatus() {}

  /**
   * Prints the table; returns 0 when the testbed is running and everything that should run does and
   * answers (an agent that finished with status 0, like the daq after its runs, is fine), else 1.
   */
  static int print(TestbedState s, PrintWriter out) {
    boolean ok = s.state().equals("running");
    List<String[]> rows = new ArrayList<>();
    rows.add(new String[] {"NAME", "PID", "PROCESS", "HEALTH", "LOG"});
    ok &= row(rows, s.supervisor(), "-");
    if (s.broker() != null) {
      String health =
          s.broker().live().isPresent() ? StreamTestbedTool.brokerHealth(s.brokerAddress()) : "-";
      ok &= row(rows, s.broker(), s.brokerAddress() + " " + health);
      ok &= health.equals("answers");
    }
    for (TestbedState.Proc a : s.agents()) {
      String health = "-";
      if (a.name().equals("monitor") && s.monitorUrl() != null && a.live().isPresent()) {
        health = s.monitorUrl() + " " + StreamTestbedTool.monitorHealth(s.monitorUrl());
        ok &= health.endsWith(" healthy");
      }
      ok &= row(rows, a, health);
    }
    out.println(
        "testbed "
            + s.dir()
            + ": "
            + s.state()
            + (s.reason() == null ? "" : " (" + s.reason() + ")")
            + ", updated "
            + s.updated());
    int[] width = new int[5];
    for (String[] r : rows) {
      for (int i = 0; i < 4; i++) {
        width[i] = Math.max(width[i], r[i].length());
      }
    }
    for (String[] r : rows) {
      out.printf(
          "  %-" + width[0] + "s  %-" + width[1] + "s  %-" + width[2] + "s  %-" + width[3]
              + "s  %s%n",
          (Object[]) r);
    }
    out.flush();
    return ok ? 0 : 1;
  }

  /** Adds {@code p}'s row; returns whether it is as it should be. */
  private static boolean row(List<String[]> rows, TestbedState.Proc p, String health) {
    boolean alive = p.live().isPresent();
    String process;
    boolean ok;
    if (alive) {
      process = "running";
      ok = true;
    } else if (p.exitCode() != null) {
      process = "exited " + p.exitCode();
      ok = p.exitCode() == 0;
    } else {
      process = "gone";
      ok = false;
    }
    rows.add(
        new String[] {
          p.name(), Long.toString(p.pid()), process, health, p.log() == null ? "-" : p.log()
        });
    return ok;
  }
}
