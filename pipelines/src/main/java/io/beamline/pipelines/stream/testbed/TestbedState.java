package io.beamline.pipelines.stream.testbed;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.beamline.io.files.AtomicFiles;
import io.beamline.io.json.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * {@code <dir>/testbed.json}: what a running testbed is made of, written (atomically) by its
 * supervisor whenever something changes and read by {@code status} and {@code stop}. Each process
 * is named by pid and start instant, so a pid the system reused for another process is never taken
 * for ours.
 *
 * @param state {@code starting}, {@code running}, {@code stopping}, {@code stopped} or {@code
 *     failed}
 * @param reason why the testbed failed, else null
 * @param dir the testbed directory
 * @param supervisor the supervisor JVM
 * @param broker the Kafka broker (null until it is up)
 * @param brokerAddress its bootstrap address
 * @param monitorUrl the monitor's base URL, or null without a monitor
 * @param tokenFile the monitor's token file, or null without a monitor
 * @param agents the agents, in start order
 * @param updated when this was written
 */
@JsonIgnoreProperties(ignoreUnknown = true)
record TestbedState(
    @JsonProperty("state") String state,
    @JsonProperty("reason") String reason,
    @JsonProperty("dir") String dir,
    @JsonProperty("supervisor") Proc supervisor,
    @JsonProperty("broker") Proc broker,
    @JsonProperty("broker_address") String brokerAddress,
    @JsonProperty("monitor_url") String monitorUrl,
    @JsonProperty("token_file") String tokenFile,
    @JsonProperty("agents") List<Proc> agents,
    @JsonProperty("updated") String updated) {

  /** The file's name in the testbed directory. */
  static final String FILE = "testbed.json";

  /**
   * One process of the testbed.
   *
   * @param name {@code supervisor}, {@code broker} or the agent's name
   * @param pid its process id
   * @param started its start instant as the system reports it (ISO-8601), to tell pid reuse
   * @param log its log file
   * @param command its command line (agents only)
   * @param exitCode its exit status once it ended under the supervisor's watch, else null
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  record Proc(
      @JsonProperty("name") String name,
      @JsonProperty("pid") long pid,
      @JsonProperty("started") String started,
      @JsonProperty("log") String log,
      @JsonProperty("command") List<String> command,
      @JsonProperty("exit_code") Integer exitCode,
      @JsonProperty("restarts") int restarts) {

    /** A process this JVM can see now, described for the file. */
    static Proc of(String name, ProcessHandle p, Path log, List<String> command) {
      return new Proc(
          name,
          p.pid(),
          p.info().startInstant().map(Instant::toString).orElse(null),
          log == null ? null : log.toString(),
          command,
          null,
          0);
    }

    /** The live process this describes, if it still runs (and is not a reused pid). */
    Optional<ProcessHandle> live() {
      return ProcessHandle.of(pid)
          .filter(ProcessHandle::isAlive)
          .filter(
              h ->
                  started == null
                      || h.info().startInstant().map(Instant::toString).orElse("").equals(started));
    }

    Proc exited(int code) {
      return new Proc(name, pid, started, log, command, code, restarts);
    }

    /** This process after its {@code n}-th restart by the supervisor. */
    Proc restarted(int n) {
      return new Proc(name, pid, started, log, command, exitCode, n);
    }
  }

  /** This state with another {@code state} and reason, stamped now. */
  TestbedState with(String newState, String newReason) {
    return new TestbedState(
        newState,
        newReason,
        dir,
        supervisor,
        broker,
        brokerAddress,
        monitorUrl,
        tokenFile,
        agents,
        Instant.now().toString());
  }

  /** This state with {@code agent} added or replaced (by name), stamped now. */
  TestbedState withAgent(Proc agent) {
    List<Proc> next = new ArrayList<>();
    boolean replaced = false;
    for (Proc a : agents) {
      if (a.name().equals(agent.name())) {
        next.add(agent);
        replaced = true;
      } else {
        next.add(a);
      }
    }
    if (!replaced) {
      next.add(agent);
    }
    return new TestbedState(
        state,
        reason,
        dir,
        supervisor,
        broker,
        brokerAddress,
        monitorUrl,
        tokenFile,
        List.copyOf(next),
        Instant.now().toString());
  }

  /** Every process of the testbed: agents last to first, then the broker, then the supervisor. */
  List<Proc> stopOrder() {
    List<Proc> out = new ArrayList<>(agents);
    java.util.Collections.reverse(out);
    if (broker != null) {
      out.add(broker);
    }
    out.add(supervisor);
    return out;
  }

  /** Writes {@code <dir>/testbed.json} under a temporary name, then renames it. */
  void write(Path dir) throws IOException {
    AtomicFiles.writeString(dir.resolve(FILE), Json.pretty(this));
  }

  /** The testbed described in {@code dir}, if there is one. */
  static Optional<TestbedState> read(Path dir) throws IOException {
    Path f = dir.resolve(FILE);
    if (!Files.isRegularFile(f)) {
      return Optional.empty();
    }
    return Optional.of(Json.MAPPER.readValue(f.toFile(), TestbedState.class));
  }
}
