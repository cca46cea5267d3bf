package io.beamline.pipelines.stream.process;

import io.beamline.framework.module.Module;
import io.beamline.framework.module.ModuleConfig;
import io.beamline.framework.module.Port;
import io.beamline.framework.run.CommitRecord;
import io.beamline.framework.run.ItemCommits;
import io.beamline.io.swf.MsgType;
import io.beamline.io.swf.StfNames;
import io.beamline.io.swf.WorkflowMessage;
import io.beamline.io.swf.WorkflowMessages;
import java.io.IOException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.BitSet;
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
 * closes the run once its {@code end_run} has arrived, every one of its {@code stf_count} STFs is
 * committed ({@link RunSummaries#closeIfComplete}) and each STF this process committed has had its
 * {@code stf_processed} acknowledged by the broker ({@code publish}'s {@code answered}); each STF
 * answered of a run whose end is known checks again. The {@code run_processed} goes out after the
 * {@code stf_processed} of every STF that this process did not answer (committed by an earlier
 * attempt, or recorded as never announced), sent again from its commit record, in the same ordered
 * batch: on {@code swf.processing} a run's end never comes before one of its STFs, so a reader (the
 * monitor) never sees a run processed with an STF still pending. An STF still without a record
 * {@code runTimeoutSeconds} after the {@code end_run} (its {@code stf_gen} never came, or came
 * malformed) is recorded as failed with that reason and the run closes, so a lost message never
 * holds a run, and the offsets behind it, open for ever. Outputs {@code run_processed} (completing
 * the {@code end_run}) and acks for the other lifecycle messages. Counters {@code runs_closed},
 * {@code stfs_never_announced}; {@code --exit-after-runs} is counted here.
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
  record RunSignal(Inbound lifecycle, StfAnswered answered) implements Serializable {
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
    return List.of(ReadDaqModule.LIFECYCLE, PublishModule.ANSWERED);
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
        in.get(PublishModule.ANSWERED_TAG)
            .apply(
                "KeyAnsweredByRun",
                MapElements.into(kv).via(a -> KV.of(a.run(), new RunSignal(null, a))))
            .setCoder(coder);
    PCollectionTuple out =
        PCollectionList.of(lifecycle)
            .and(stfs)
            .apply("LifecycleAndAnswers", Flatten.pCollections())
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
   * One run's lifecycle: its phase, its pending end (and when it arrived), the STFs answered while
   * it is open, whether this process closed it. Subclasses decide when to give up on STFs never
   * announced.
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

    /** The sequence numbers of the run's STFs answered, while the run is open. */
    static StateSpec<ValueState<BitSet>> answeredSpec() {
      return StateSpecs.value(SerializableCoder.of(BitSet.class));
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
    boolean follow(KV<Long, RunSignal> e, RunState state, MultiOutputReceiver out)
        throws IOException {
      ValueState<String> phase = state.phase();
      ValueState<Inbound> end = state.end();
      ValueState<Boolean> closed = state.closed();
      Inbound l = e.getValue().lifecycle();
      boolean isClosed = Boolean.TRUE.equals(closed.read());
      StfAnswered a = e.getValue().answered();
      if (a != null && !isClosed) {
        BitSet answered = state.answered().read();
        answered = answered == null ? new BitSet() : answered;
        answered.set(a.sequence());
        state.answered().write(answered);
      }
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
      tryClose(state, out);
      return ended;
    }

    /** The run's end came long ago and an STF was never announced: record it failed, close. */
    void giveUp(RunState state, MultiOutputReceiver out) throws IOException {
      Inbound pending = state.end().read();
      if (pending == null || Boolean.TRUE.equals(state.closed().read())) {
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
      tryClose(state, out);
    }

    private void tryClose(RunState state, MultiOutputReceiver out) throws IOException {
      ValueState<Inbound> end = state.end();
      ValueState<Boolean> closed = state.closed();
      Inbound pending = end.read();
      if (pending == null || Boolean.TRUE.equals(closed.read())) {
        return;
      }
      WorkflowMessage m = pending.message();
      Optional<List<String>> again = announceAgain(pending, state.answered().read());
      if (again.isEmpty()) {
        return;
      }
      Optional<RunSummaries.Totals> totals =
          RunSummaries.closeIfComplete(settings, m.runId(), m.integer("stf_count"));
      if (totals.isPresent()) {
        out.get(RUN_PROCESSED_TAG)
            .output(
                ProcessMessages.runProcessed(pending, totals.get(), again.get(), settings.agent()));
        closed.write(true);
        end.clear();
        state.answered().clear();
        closedRuns.inc();
        ProcessControl.of(settings.token()).runClosed(settings.exitAfterRuns());
      }
    }

    /**
     * The {@code stf_processed} values to send before the run's {@code run_processed}: those of its
     * STFs not answered here that an earlier attempt committed or that were recorded as never
     * announced, from their commit records, in sequence order; empty (wait) while an STF has no
     * record yet or this process committed it and its answer is still on the way.
     */
    private Optional<List<String>> announceAgain(Inbound endRun, BitSet answered)
        throws IOException {
      WorkflowMessage m = endRun.message();
      long stfCount = m.integer("stf_count");
      ItemCommits commits = settings.commits();
      List<String> again = new ArrayList<>();
      for (int seq = 1; seq <= stfCount; seq++) {
        if (answered != null && answered.get(seq)) {
          continue;
        }
        Optional<CommitRecord> r = commits.read(StfNames.stf(m.runId(), seq));
        if (r.isEmpty()) {
          return Optional.empty();
        }
        if (StfSummaries.answeredBy(r.get(), settings.runId())) {
          return Optional.empty();
        }
        StfOutcome o = StfSummaries.fromRecord(r.get(), null, null);
        again.add(
            WorkflowMessages.encodeString(ProcessMessages.stfProcessed(o, m, settings.agent())));
      }
      return Optional.of(again);
    }
  }

  /**
   * The states of one run, passed together (each subclass declares them: Beam wants a state in the
   * class whose methods use it).
   */
  record RunState(
      ValueState<String> phase,
      ValueState<Inbound> end,
      ValueState<Boolean> closed,
      ValueState<BitSet> answered) {}

  /** Gives up on a run's missing STFs by a processing-time timer set at its {@code end_run}. */
  static final class FollowRunFn extends FollowRunBaseFn {
    @StateId("phase")
    private final StateSpec<ValueState<String>> phaseSpec = phaseSpec();

    @StateId("end")
    private final StateSpec<ValueState<Inbound>> endSpec = endSpec();

    @StateId("closed")
    private final StateSpec<ValueState<Boolean>> closedSpec = closedSpec();

    @StateId("answered")
    private final StateSpec<ValueState<BitSet>> answeredSpec = answeredSpec();

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
        @StateId("answered") ValueState<BitSet> answered,
        @TimerId("give-up") Timer giveUp,
        MultiOutputReceiver out)
        throws IOException {
      if (follow(e, new RunState(phase, end, closed, answered), out) && timeoutSeconds > 0) {
        giveUp.offset(Duration.standardSeconds(timeoutSeconds)).setRelative();
      }
    }

    @OnTimer("give-up")
    public void onGiveUp(
        @StateId("phase") ValueState<String> phase,
        @StateId("end") ValueState<Inbound> end,
        @StateId("closed") ValueState<Boolean> closed,
        @StateId("answered") ValueState<BitSet> answered,
        MultiOutputReceiver out)
        throws IOException {
      giveUp(new RunState(phase, end, closed, answered), out);
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

    @StateId("answered")
    private final StateSpec<ValueState<BitSet>> answeredSpec = answeredSpec();

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
        @StateId("answered") ValueState<BitSet> answered,
        @StateId("end-arrived-ms") ValueState<Long> endArrived,
        MultiOutputReceiver out)
        throws IOException {
      long now = System.currentTimeMillis();
      RunState state = new RunState(phase, end, closed, answered);
      if (follow(e, state, out)) {
        endArrived.write(now);
        return;
      }
      Long since = endArrived.read();
      if (timeoutSeconds > 0 && since != null && now - since >= timeoutSeconds * 1000) {
        giveUp(state, out);
      }
    }
  }
}
