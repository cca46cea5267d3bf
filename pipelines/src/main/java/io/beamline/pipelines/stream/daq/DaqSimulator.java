package io.beamline.pipelines.stream.daq;

import io.beamline.io.swf.MsgType;
import io.beamline.io.swf.StfHeader;
import io.beamline.io.swf.StfWriter;
import io.beamline.io.swf.SwfTopics;
import io.beamline.io.swf.WorkflowMessage;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Plays {@link DaqStateMachine}'s timeline for one or more runs: takes each run's number, waits for
 * each step ({@link Pacer}), writes each STF into the buffer under its final name and only then
 * publishes its {@code stf_gen}, and publishes every lifecycle message on {@code swf.daq} keyed by
 * the run id.
 *
 * <p>Timestamps are simulated time: the execution's start plus the step's offset. In real time the
 * step is also played at that instant; with {@link Pacer#none()} the steps follow one another at
 * once and carry the same timestamps a real-time run would have.
 */
final class DaqSimulator {

  /** Where the messages go: Kafka in the command, a list in unit tests. */
  interface Sink {
    /** Sends {@code m} to {@code topic} with record key {@code key}; returns once it is stored. */
    void send(String topic, String key, WorkflowMessage m) throws IOException;
  }

  /** Waits until a step's instant (real time) or not at all. */
  interface Pacer {
    /** Returns at {@code at} or later. */
    void until(Instant at) throws InterruptedException;

    /** Real time: sleeps until the instant. */
    static Pacer realtime() {
      return at -> {
        long ms;
        while ((ms = Duration.between(Instant.now(), at).toMillis()) > 0) {
          Thread.sleep(ms);
        }
      };
    }

    /** As fast as possible. */
    static Pacer none() {
      return at -> {};
    }
  }

  /**
   * What each STF holds and how many runs to take.
   *
   * @param bufferDir the directory STF files are written to (exists)
   * @param tfsPerStf time frames per STF
   * @param hitsPerTf mean synthetic hits per time frame
   * @param detectors detectors hits are spread over
   * @param seed the synthetic hits' seed
   * @param runs runs to take, one after the other
   */
  record Settings(
      Path bufferDir, int tfsPerStf, double hitsPerTf, int detectors, long seed, int runs) {}

  /**
   * One finished run.
   *
   * @param run the run number
   * @param stfs STFs written (the {@code stf_count} of its {@code end_run})
   * @param bytes their total size
   * @param hits their total hits
   * @param simulated the run's simulated duration
   * @param elapsed the real time it took
   */
  record RunSummary(
      long run, int stfs, long bytes, long hits, Duration simulated, Duration elapsed) {}

  private final DaqStateMachine machine;
  private final Settings settings;
  private final WorkflowMessage.Envelope envelope;
  private final RunNumbers numbers;
  private final Sink sink;
  private final Pacer pacer;
  private final Consumer<String> progress;
  private volatile long currentRun;
  private volatile long tick;
  private volatile String state = "no_beam";
  private volatile String substate = "not_ready";
  private MessageFaults faults = MessageFaults.none();

  DaqSimulator(
      DaqStateMachine machine,
      Settings settings,
      WorkflowMessage.Envelope envelope,
      RunNumbers numbers,
      Sink sink,
      Pacer pacer,
      Consumer<String> progress) {
    this.machine = machine;
    this.settings = settings;
    this.envelope = envelope;
    this.numbers = numbers;
    this.sink = sink;
    this.pacer = pacer;
    this.progress = progress;
  }

  /** Sends STF announcements through {@code faults} (duplicated, delayed) from now on. */
  DaqSimulator withFaults(MessageFaults faults) {
    this.faults = faults;
    return this;
  }

  /** The faults in effect (their counts for the summary). */
  MessageFaults faults() {
    return faults;
  }

  /** The run being taken, 0 before the first; read by the heartbeat thread. */
  long currentRun() {
    return currentRun;
  }

  /** The tick of the latest step, 0 before the first; read by the heartbeat thread. */
  long tick() {
    return tick;
  }

  /** The DAQ's state now. */
  String state() {
    return state;
  }

  /** The DAQ's substate now. */
  String substate() {
    return substate;
  }

  /** Plays every run from {@code start} (simulated time zero); returns them in order. */
  List<RunSummary> play(Instant start) throws IOException, InterruptedException {
    List<RunSummary> out = new ArrayList<>();
    Duration base = Duration.ZERO;
    for (int r = 0; r < settings.runs(); r++) {
      long run = numbers.next();
      currentRun = run;
      List<DaqStateMachine.Step> steps = machine.run();
      long began = System.nanoTime();
      int stfs = 0;
      long bytes = 0;
      long hits = 0;
      // A run's first step (no_beam/not_ready) is the state the previous run ended in.
      for (int i = r == 0 ? 0 : 1; i < steps.size(); i++) {
        DaqStateMachine.Step step = steps.get(i);
        Duration offset = base.plus(step.at());
        Instant at = start.plus(offset);
        pacer.until(at);
        tick++;
        state = step.state();
        substate = step.substate();
        if (step.isStf()) {
          StfWriter.Written w = writeStf(run, step.sequence(), at);
          stfs++;
          bytes += w.sizeBytes();
          hits += w.hits();
          send(run, stfGen(run, at, step, w));
          progress.accept(
              String.format(
                  "daq: run %d  t=%7.1f s  STF %d %s (%,d bytes, %d hits, %s)",
                  run,
                  seconds(offset),
                  step.sequence(),
                  w.filename(),
                  w.sizeBytes(),
                  w.hits(),
                  w.checksum()));
          continue;
        }
        if (step.type() != null) {
          WorkflowMessage m = message(step.type(), run, at, step);
          if (step.type() == MsgType.PAUSE_RUN) {
            m = m.with("reason", step.reason());
          } else if (step.type() == MsgType.END_RUN) {
            m = m.with("stf_count", (long) step.stfCount());
          }
          send(run, m);
        }
        progress.accept(
            String.format(
                "daq: run %d  t=%7.1f s  %s/%s%s",
                run,
                seconds(offset),
                step.state(),
                step.substate(),
                step.type() == null ? "" : "  " + step.type().wireName() + details(step)));
      }
      for (WorkflowMessage m : faults.drain()) {
        sink.send(SwfTopics.DAQ, Long.toString(run), m);
      }
      Duration simulated = steps.get(steps.size() - 1).at();
      base = base.plus(simulated);
      out.add(
          new RunSummary(
              run, stfs, bytes, hits, simulated, Duration.ofNanos(System.nanoTime() - began)));
    }
    return out;
  }

  private void send(long run, WorkflowMessage m) throws IOException {
    for (WorkflowMessage x : faults.toSend(m)) {
      sink.send(SwfTopics.DAQ, Long.toString(x.runId()), x);
    }
  }

  private StfWriter.Written writeStf(long run, int sequence, Instant end) throws IOException {
    long span = settings.tfsPerStf() * StfHeader.DEFAULT_TF_DURATION_NANOS;
    // The STF's time frames end when it is complete: the file is written after its data.
    long endNanos = end.getEpochSecond() * 1_000_000_000L + end.getNano();
    StfHeader h =
        new StfHeader(
            run,
            sequence,
            settings.tfsPerStf(),
            endNanos - span,
            StfHeader.DEFAULT_TF_DURATION_NANOS,
            settings.detectors(),
            settings.seed());
    return StfWriter.writeSynthetic(settings.bufferDir(), h, settings.hitsPerTf());
  }

  private WorkflowMessage stfGen(
      long run, Instant at, DaqStateMachine.Step step, StfWriter.Written w) {
    return w.announce(message(MsgType.STF_GEN, run, at, step));
  }

  private WorkflowMessage message(MsgType type, long run, Instant at, DaqStateMachine.Step step) {
    return WorkflowMessage.of(type, envelope, run, at, tick, step.state(), step.substate());
  }

  private static String details(DaqStateMachine.Step step) {
    if (step.type() == MsgType.PAUSE_RUN) {
      return " (" + step.reason() + ")";
    }
    if (step.type() == MsgType.END_RUN) {
      return " (stf_count " + step.stfCount() + ")";
    }
    return "";
  }

  private static double seconds(Duration d) {
    return d.toNanos() / 1e9;
  }
}
