package io.beamline.pipelines.stream.process;

import io.beamline.framework.module.Module;
import io.beamline.framework.module.ModuleConfig;
import io.beamline.framework.module.Port;
import io.beamline.io.swf.MsgType;
import io.beamline.io.swf.WorkflowMessage;
import java.io.IOException;
import java.io.Serializable;
import java.util.List;
import java.util.Optional;
import org.apache.beam.sdk.coders.BooleanCoder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.state.StateSpec;
import org.apache.beam.sdk.state.StateSpecs;
import org.apache.beam.sdk.state.TimeDomain;
import org.apache.beam.sdk.state.Timer;
import org.apache.beam.sdk.state.TimerSpec;
import org.apache.beam.sdk.state.TimerSpecs;
import org.apache.beam.sdk.state.ValueState;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;
import org.apache.beam.sdk.values.TypeDescriptor;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.joda.time.Duration;

/**
 * Module {@code close-runs}: follows each run's lifecycle messages (state keyed by run id) and
 * closes the run once its {@code end_run} has arrived and every one of its {@code stf_count} STFs
 * is committed ({@link RunSummaries#closeIfComplete}); each STF outcome of a run whose end is known
 * checks again. An STF still without a record {@code runTimeoutSeconds} after the {@code end_run}
 * (its {@code stf_gen} never came, or came malformed) is recorded as failed with that reason and
 * the run closes, so a lost message never holds a run, and the offsets behind it, open for ever.
 * Outputs {@code run_processed} (completing the {@code end_run}) and acks for the other lifecycle
 * messages. Counters {@code runs_closed}, {@code stfs_never_announced}; {@code --exit-after-runs}
 * is counted here.
 *
 * <p>A run's end is kept in state only until the run closes, and its {@code end_run} is not
 * acknowledged before: a process stopped in between reads the {@code end_run} again.
 */
final class CloseRunsModule
    extends Module<CloseRunsModule.Config, PCollectionTuple, PCollectionTuple> {
  private static final long serialVersionUID = 1L;

  static final Port RUN_PROCESSED = Port.of("run-processed", Outbound.class);
  static final Port ACKS = Port.of("acks", Ack.class);
  static final TupleTag<Outbound> RUN_PROCESSED_TAG = RUN_PROCESSED.tag();
  static final TupleTag<Ack> ACKS_TAG = ACKS.tag();

  /** A lifecycle message or the news that one of the run's STFs was answered. */
  record RunSignal(Inbound lifecycle, String stf) implements Serializable {
    private static final long serialVersionUID = 1L;
  }

  /**
   * Settings of {@code close-runs}.
   *
   * @param settings the run (directories, agent name, {@code --exit-after-runs})
   * @param runTimeoutSeconds how long after {@code end_run} to wait for an STF never announced
   *     before recording it as failed and closing the run; 0 waits for ever
   * @param timers whether the runner has processing-time timers in a streaming stateful step (the
   *     SparkRunner has not): without them the timeout is checked when the run's next signal
   *     arrives (a late STF), so a run whose last STF was never announced stays open
   */
  record Config(ProcessSettings settings, long runTimeoutSeconds, boolean timers)
      implements ModuleConfig<CloseRunsModule>, java.io.Serializable {
    Config {
      if (settings == null) {
        throw new IllegalArgumentException("close-runs needs settings");
      }
      if (runTimeoutSeconds < 0) {
        throw new IllegalArgumentException(
            "runTimeoutSeconds must be >= 0, got " + runTimeoutSeconds);
      }
    }

    @Override
    public CloseRunsModule toModule() {
      return new CloseRunsModule(this);
    }
  }

  private CloseRunsModule(Config config) {
    super("close-runs", config);
  }

  @Override
  public List<Port> inputs() {
    return List.of(ReadDaqModule.LIFECYCLE, ProcessStfsModule.OUTCOMES);
  }

  @Override
  public List<Port> outputs() {
    return List.of(RUN_PROCESSED, ACKS);
  }

  @Override
  public PCollectionTuple expand(PCollectionTuple in) {
    TypeDescriptor<KV<Long, RunSignal>> kv =
        TypeDescriptors.kvs(TypeDescriptors.longs(), TypeDescriptor.of(RunSignal.class));
    KvCoder<Long, RunSignal> coder =
        KvCoder.of(VarLongCoder.of(), SerializableCoder.of(RunSignal.class));
    PCollection<KV<Long, RunSignal>> lifecycle =
        in.get(ReadDaqModule.LIFECYCLE_TAG)
            .apply(
                "KeyLifecycleByRun",
                MapElements.into(kv).via(l -> KV.of(l.message().runId(), new RunSignal(l, null))))
            .setCoder(coder);
    PCollection<KV<Long, RunSignal>> stfs =
        in.get(ProcessStfsModule.OUTCOMES_TAG)
            .apply(
                "KeyOutcomesByRun",
                MapElements.into(kv).via(o -> KV.of(o.run(), new RunSignal(null, o.filename()))))
            .setCoder(coder);
    PCollectionTuple out =
        PCollectionList.of(lifecycle)
            .and(stfs)
            .apply("LifecycleAndOutcomes", Flatten.pCollections())
            .apply(
                "FollowRuns",
                ParDo.of(
                        config().timers()
                            ? new FollowRunFn(config().settings(), config().runTimeoutSeconds())
                            : new FollowRunByArrivalFn(
                                config().settings(), config().runTimeoutSeconds()))
                    .withOutputTags(RUN_PROCESSED_TAG, TupleTagList.of(ACKS_TAG)));
    out.get(RUN_PROCESSED_TAG).setCoder(SerializableCoder.of(Outbound.class));
    out.get(ACKS_TAG).setCoder(SerializableCoder.of(Ack.class));
    return out;
  }

  /**
   * One run's lifecycle: its phase, its pending end (and when it arrived), whether this process
   * closed it. Subclasses decide when to give up on STFs never announced.
   */
  abstract static class FollowRunBaseFn extends DoFn<KV<Long, RunSignal>, Outbound> {
    // Beam wants each state declared in the class whose methods use it: the subclasses declare
    // phase, end and closed with these specs.
    static StateSpec<ValueState<String>> phaseSpec() {
      return StateSpecs.value(StringUtf8Coder.of());
    }

    static StateSpec<ValueState<Inbound>> endSpec() {
      return StateSpecs.value(SerializableCoder.of(Inbound.class));
    }

    static StateSpec<ValueState<Boolean>> closedSpec() {
      return StateSpecs.value(BooleanCoder.of());
    }

    final ProcessSettings settings;
    final long timeoutSeconds;
    private final Counter closedRuns =
        Metrics.counter(StreamProcessPipeline.NAMESPACE, "runs_closed");
    private final Counter neverAnnounced =
        Metrics.counter(StreamProcessPipeline.NAMESPACE, "stfs_never_announced");

    FollowRunBaseFn(ProcessSettings settings, long timeoutSeconds) {
      this.settings = settings;
      this.timeoutSeconds = timeoutSeconds;
    }

    /**
     * Takes one signal; returns true when it was the run's first {@code end_run} (the wait for its
     * missing STFs starts), after trying to close the run.
     */
    boolean follow(
        KV<Long, RunSignal> e,
        ValueState<String> phase,
        ValueState<Inbound> end,
        ValueState<Boolean> closed,
        MultiOutputReceiver out)
        throws IOException {
      Inbound l = e.getValue().lifecycle();
      boolean isClosed = Boolean.TRUE.equals(closed.read());
      if (l != null && l.message().type() != MsgType.END_RUN) {
        phase.write(l.message().type().wireName());
        out.get(ACKS_TAG).output(l.ack());
        return false;
      }
      boolean ended = false;
      if (l != null) {
        phase.write(l.message().type().wireName());
        if (isClosed) {
          // A repeated end_run of a run this process closed: its run_processed was sent.
          out.get(ACKS_TAG).output(l.ack());
          return false;
        }
        ended = end.read() == null;
        end.write(l);
      }
      tryClose(end, closed, out);
      return ended;
    }

    /** The run's end came long ago and an STF was never announced: record it failed, close. */
    void giveUp(ValueState<Inbound> end, ValueState<Boolean> closed, MultiOutputReceiver out)
        throws IOException {
      Inbound pending = end.read();
      if (pending == null || Boolean.TRUE.equals(closed.read())) {
        return;
      }
      WorkflowMessage m = pending.message();
      neverAnnounced.inc(
          RunSummaries.recordMissing(
              settings,
              m.runId(),
              m.integer("stf_count"),
              m.timestamp().toEpochMilli(),
              "no stf_gen for this STF within " + timeoutSeconds + " s of end_run"));
      tryClose(end, closed, out);
    }

    private void tryClose(
        ValueState<Inbound> end, ValueState<Boolean> closed, MultiOutputReceiver out)
        throws IOException {
      Inbound pending = end.read();
      if (pending == null || Boolean.TRUE.equals(closed.read())) {
        return;
      }
      WorkflowMessage m = pending.message();
      Optional<RunSummaries.Totals> totals =
          RunSummaries.closeIfComplete(settings, m.runId(), m.integer("stf_count"));
      if (totals.isPresent()) {
        out.get(RUN_PROCESSED_TAG)
            .output(ProcessMessages.runProcessed(pending, totals.get(), settings.agent()));
        closed.write(true);
        end.clear();
        closedRuns.inc();
        ProcessControl.of(settings.token()).runClosed(settings.exitAfterRuns());
      }
    }
  }

  /** Gives up on a run's missing STFs by a processing-time timer set at its {@code end_run}. */
  static final class FollowRunFn extends FollowRunBaseFn {
    @StateId("phase")
    private final StateSpec<ValueState<String>> phaseSpec = phaseSpec();

    @StateId("end")
    private final StateSpec<ValueState<Inbound>> endSpec = endSpec();

    @StateId("closed")
    private final StateSpec<ValueState<Boolean>> closedSpec = closedSpec();

    @TimerId("give-up")
    private final TimerSpec giveUpSpec = TimerSpecs.timer(TimeDomain.PROCESSING_TIME);

    FollowRunFn(ProcessSettings settings, long timeoutSeconds) {
      super(settings, timeoutSeconds);
    }

    @ProcessElement
    public void process(
        @Element KV<Long, RunSignal> e,
        @StateId("phase") ValueState<String> phase,
        @StateId("end") ValueState<Inbound> end,
        @StateId("closed") ValueState<Boolean> closed,
        @TimerId("give-up") Timer giveUp,
        MultiOutputReceiver out)
        throws IOException {
      if (follow(e, phase, end, closed, out) && timeoutSeconds > 0) {
        giveUp.offset(Duration.standardSeconds(timeoutSeconds)).setRelative();
      }
    }

    @OnTimer("give-up")
    public void onGiveUp(
        @StateId("end") ValueState<Inbound> end,
        @StateId("closed") ValueState<Boolean> closed,
        MultiOutputReceiver out)
        throws IOException {
      giveUp(end, closed, out);
    }
  }

  /**
   * Gives up on a run's missing STFs when one of its signals arrives after the timeout (for runners
   * without timers in streaming stateful steps).
   */
  static final class FollowRunByArrivalFn extends FollowRunBaseFn {
    @StateId("phase")
    private final StateSpec<ValueState<String>> phaseSpec = phaseSpec();

    @StateId("end")
    private final StateSpec<ValueState<Inbound>> endSpec = endSpec();

    @StateId("closed")
    private final StateSpec<ValueState<Boolean>> closedSpec = closedSpec();

    @StateId("end-arrived-ms")
    private final StateSpec<ValueState<Long>> endArrivedSpec = StateSpecs.value(VarLongCoder.of());

    FollowRunByArrivalFn(ProcessSettings settings, long timeoutSeconds) {
      super(settings, timeoutSeconds);
    }

    @ProcessElement
    public void process(
        @Element KV<Long, RunSignal> e,
        @StateId("phase") ValueState<String> phase,
        @StateId("end") ValueState<Inbound> end,
        @StateId("closed") ValueState<Boolean> closed,
        @StateId("end-arrived-ms") ValueState<Long> endArrived,
        MultiOutputReceiver out)
        throws IOException {
      long now = System.currentTimeMillis();
      if (follow(e, phase, end, closed, out)) {
        endArrived.write(now);
        return;
      }
      Long since = endArrived.read();
      if (timeoutSeconds > 0 && since != null && now - since >= timeoutSeconds * 1000) {
        giveUp(end, closed, out);
      }
    }
  }
}
