package io.beamline.pipelines.stream.daq;

import io.beamline.framework.BeamlineTool;
import io.beamline.framework.UserInputException;
import io.beamline.framework.run.MonitorUrls;
import io.beamline.framework.run.RunLog;
import io.beamline.io.HostName;
import io.beamline.io.kafka.KafkaPreflight;
import io.beamline.io.kafka.KafkaUnreachableException;
import io.beamline.io.swf.WorkflowMessage;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code beamline stream daq}: the DAQ simulator of the streaming workflow (seed 003, the ePIC
 * streaming testbed's {@code daq_simulator}). It plays the DAQ's state machine ({@link
 * DaqStateMachine}, durations from {@link DaqSchedule}) for one or more runs, writes a synthetic
 * STF file into the buffer directory every STF interval of physics, and publishes the lifecycle and
 * {@code stf_gen} messages on {@code swf.daq} and heartbeats on {@code swf.heartbeat}.
 *
 * <pre>{@code
 * beamline stream daq --broker localhost:9092 --output-dir out --no-realtime --stf-count 20
 * beamline stream daq --broker localhost:9092 --schedule schedule.toml --runs 3
 * }</pre>
 *
 * <p>Everything is checked before anything is written (flags, schedule, monitor, broker): bad input
 * is one line and exit status 2. Library logs go to {@code <output-dir>/logs/<execution>.log}.
 */
public final class StreamDaqTool implements BeamlineTool<DaqOptions> {
  private static final Logger LOG = LoggerFactory.getLogger(StreamDaqTool.class);
  private static final Duration PREFLIGHT = Duration.ofSeconds(5);
  private static final DateTimeFormatter EXECUTION_TIME =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

  @Override
  public List<String> commandPath() {
    return List.of("stream", "daq");
  }

  @Override
  public String summary() {
    return "DAQ simulator: the run state machine, synthetic STF files into a buffer, lifecycle and"
        + " stf_gen messages on Kafka (swf.daq)";
  }

  @Override
  public Class<DaqOptions> optionsClass() {
    return DaqOptions.class;
  }

  /** Everything a run needs, resolved and checked from the flags before anything is written. */
  record Plan(
      DaqStateMachine machine,
      Path outputDir,
      Path bufferDir,
      URI monitor,
      String token,
      String broker,
      String namespace) {}

  @Override
  public int run(DaqOptions o, PrintWriter out, PrintWriter err) throws Exception {
    Plan plan = validate(o);
    Instant start = Instant.now();
    String executionId =
        String.format(
            "daq-%s-%04x",
            EXECUTION_TIME.format(start), ThreadLocalRandom.current().nextInt(1 << 16));
    String host = HostName.get();
    String agent = "daq@" + host + "-" + ProcessHandle.current().pid();
    Files.createDirectories(plan.bufferDir());
    Path logs = Files.createDirectories(plan.outputDir().resolve("logs"));
    Path logFile = logs.resolve(executionId + ".log");
    RunNumbers numbers =
        plan.monitor() == null
            ? RunNumbers.counterFile(plan.outputDir().resolve("run-counter"))
            : RunNumbers.monitor(plan.monitor(), plan.token());
    Consumer<String> progress =
        line -> {
          out.println(line);
          out.flush();
          LOG.info(line);
        };
    WorkflowMessage.Envelope envelope =
        new WorkflowMessage.Envelope(plan.namespace(), executionId, agent);
    DaqSimulator.Settings settings =
        new DaqSimulator.Settings(
            plan.bufferDir(),
            o.getTfsPerStf(),
            o.getHitsPerTf(),
            o.getDetectors(),
            o.getSeed(),
            o.getRuns());
    try (RunLog log = RunLog.attach(logFile, executionId);
        KafkaSink sink = KafkaSink.open(plan.broker(), agent)) {
      out.println(
          "daq: execution "
              + executionId
              + " as "
              + agent
              + ", broker "
              + plan.broker()
              + ", buffer "
              + plan.bufferDir()
              + (o.getNoRealtime() ? ", no real time" : ", real time")
              + "; log: "
              + logFile);
      out.flush();
      DaqSimulator daq =
          new DaqSimulator(
                  plan.machine(),
                  settings,
                  envelope,
                  numbers,
                  sink,
                  o.getNoRealtime() ? DaqSimulator.Pacer.none() : DaqSimulator.Pacer.realtime(),
                  progress)
              .withFaults(
                  new MessageFaults(o.getDuplicateFraction(), o.getDelayFraction(), o.getSeed()));
      List<DaqSimulator.RunSummary> runs;
      // On SIGTERM (testbed stop, Ctrl-C) the run stops where it is, and the EXITED heartbeat
      // and the producer's flush still happen before the JVM exits.
      Thread main = Thread.currentThread();
      CountDownLatch cleaned = new CountDownLatch(1);
      AtomicBoolean signalled = new AtomicBoolean();
      Thread hook =
          new Thread(
              () -> {
                signalled.set(true);
                main.interrupt();
                try {
                  cleaned.await(20, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
              },
              "daq-stop");
      Runtime.getRuntime().addShutdownHook(hook);
      try (Heartbeats beats =
          new Heartbeats(
              sink,
              envelope,
              host,
              DaqSchedule.seconds(o.getHeartbeatSeconds()),
              daq,
              "PROCESSING")) {
        runs = daq.play(start);
      } catch (InterruptedException | IOException e) {
        if (!signalled.get()) {
          throw e;
        }
        sink.close();
        out.println("daq: stopped by a signal during run " + daq.currentRun());
        out.flush();
        return 1;
      } finally {
        cleaned.countDown();
        if (!signalled.get()) {
          Runtime.getRuntime().removeShutdownHook(hook);
        }
      }
      for (DaqSimulator.RunSummary r : runs) {
        out.printf(
            "daq: run %d: %d STFs, %,d bytes, %,d hits, simulated %.1f s, elapsed %.1f s%n",
            r.run(),
            r.stfs(),
            r.bytes(),
            r.hits(),
            r.simulated().toNanos() / 1e9,
            r.elapsed().toNanos() / 1e9);
      }
      if (daq.faults().duplicated() + daq.faults().delayed() > 0) {
        out.printf(
            "daq: injected faults: %d stf_gen sent twice, %d held back (out of order or late)%n",
            daq.faults().duplicated(), daq.faults().delayed());
      }
      out.flush();
    }
    return 0;
  }

  /** Checks every flag, the schedule, the monitor and the broker; writes nothing. */
  static Plan validate(DaqOptions o) {
    range("--runs", o.getRuns(), 1, 1_000_000);
    range("--tfs-per-stf", o.getTfsPerStf(), 1, 100_000);
    range("--detectors", o.getDetectors(), 1, 65_535);
    positive("--stf-interval", o.getStfInterval());
    positive("--heartbeat-seconds", o.getHeartbeatSeconds());
    fraction("--duplicate-fraction", o.getDuplicateFraction());
    fraction("--delay-fraction", o.getDelayFraction());
    if (!(o.getHitsPerTf() >= 0 && o.getHitsPerTf() <= 10_000)) {
      throw new UserInputException("--hits-per-tf must be in [0, 10000], got " + o.getHitsPerTf());
    }
    if (o.getNamespace() == null || o.getNamespace().isBlank()) {
      throw new UserInputException("--namespace is empty; give a name (default: beamline)");
    }
    if (o.getStfCount() != null && o.getDuration() != null) {
      throw new UserInputException(
          "--stf-count and --duration both end a run's physics; give one of them");
    }
    DaqSchedule schedule =
        o.getSchedule() == null
            ? DaqSchedule.defaults()
            : DaqSchedule.read(Paths.get(o.getSchedule()));
    DaqStateMachine.Stop stop = DaqStateMachine.Stop.periods(schedule);
    if (o.getStfCount() != null) {
      range("--stf-count", o.getStfCount(), 1, Integer.MAX_VALUE);
      stop = DaqStateMachine.Stop.stfs(o.getStfCount());
    } else if (o.getDuration() != null) {
      positive("--duration", o.getDuration());
      stop = DaqStateMachine.Stop.duration(o.getDuration());
    }
    DaqStateMachine machine;
    try {
      machine = new DaqStateMachine(schedule, DaqSchedule.seconds(o.getStfInterval()), stop);
    } catch (IllegalArgumentException e) {
      throw new UserInputException(
          "--stf-interval: "
              + e.getMessage()
              + "; lower --stf-interval or raise physics_seconds in the --schedule file",
          e);
    }
    Path outputDir = directory("--output-dir", o.getOutputDir());
    Path bufferDir =
        o.getBufferDir() == null
            ? outputDir.resolve("buffer")
            : directory("--buffer-dir", o.getBufferDir());
    URI monitor = null;
    String token = null;
    if (o.getMonitorUrl() != null) {
      monitor = MonitorUrls.parse(o.getMonitorUrl(), "--monitor-url");
      token = token(o);
    } else if (o.getMonitorToken() != null || o.getMonitorTokenFile() != null) {
      throw new UserInputException(
          "a monitor token without --monitor-url is unused; add --monitor-url or drop the token");
    }
    // Last, the checks that talk to the network (each bounded).
    checkBroker(o.getBroker());
    if (monitor != null) {
      String why = MonitorUrls.unhealthy(monitor, PREFLIGHT);
      if (why != null) {
        throw new UserInputException(
            "--monitor-url: the monitor at "
                + monitor
                + " is "
                + why
                + "; start 'beamline monitor serve' or check --monitor-url");
      }
    }
    return new Plan(machine, outputDir, bufferDir, monitor, token, o.getBroker(), o.getNamespace());
  }

  private static String token(DaqOptions o) {
    if (o.getMonitorToken() != null && o.getMonitorTokenFile() != null) {
      throw new UserInputException("give --monitor-token or --monitor-token-file, not both");
    }
    if (o.getMonitorToken() != null) {
      if (o.getMonitorToken().isBlank()) {
        throw new UserInputException("--monitor-token is empty; give the monitor's token");
      }
      return o.getMonitorToken().trim();
    }
    if (o.getMonitorTokenFile() == null) {
      throw new UserInputException(
          "--monitor-url needs the monitor's token for its writes: add --monitor-token-file"
              + " <monitor output-dir>/monitor.token or --monitor-token TOKEN");
    }
    Path f = Paths.get(o.getMonitorTokenFile());
    try {
      String t = Files.readString(f, StandardCharsets.UTF_8).trim();
      if (t.isEmpty()) {
        throw new UserInputException(
            "--monitor-token-file " + f + " is empty; give the token file");
      }
      return t;
    } catch (IOException e) {
      throw new UserInputException(
          "--monitor-token-file "
              + f
              + " cannot be read ("
              + e.getClass().getSimpleName()
              + ")"
              + "; give the monitor's token file (<monitor output-dir>/monitor.token)",
          e);
    }
  }

  /** One line within seconds for a wrong address, instead of a client retrying for minutes. */
  static void checkBroker(String bootstrap) {
    try {
      KafkaPreflight.check(bootstrap, PREFLIGHT);
    } catch (IllegalArgumentException e) {
      throw new UserInputException("--broker: " + e.getMessage(), e);
    } catch (KafkaUnreachableException e) {
      throw new UserInputException(
          "--broker: "
              + e.getMessage()
              + (e.notKafka()
                  ? "; check --broker"
                  : "; start a broker (e.g. 'beamline stream testbed start') or check --broker"),
          e);
    }
  }

  private static Path directory(String flag, String value) {
    if (value == null || value.isBlank()) {
      throw new UserInputException(flag + " is empty; give a directory");
    }
    Path p = Paths.get(value).toAbsolutePath().normalize();
    if (Files.exists(p) && !Files.isDirectory(p)) {
      throw new UserInputException(flag + " " + p + " exists and is not a directory");
    }
    return p;
  }

  private static void fraction(String flag, double v) {
    if (!(v >= 0 && v <= 1)) {
      throw new UserInputException(flag + " must be in [0, 1], got " + v);
    }
  }

  private static void range(String flag, long v, long min, long max) {
    if (v < min || v > max) {
      throw new UserInputException(flag + " must be in [" + min + ", " + max + "], got " + v);
    }
  }

  private static void positive(String flag, double v) {
    if (!(v > 0) || Double.isInfinite(v) || v > 1e7) {
      throw new UserInputException(flag + " must be a number of seconds in (0, 1e7], got " + v);
    }
  }
}
