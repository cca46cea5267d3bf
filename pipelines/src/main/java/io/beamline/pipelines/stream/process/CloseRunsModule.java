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
   */
  record Config(ProcessSettings settings, long runTimeoutSeconds)
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
                ParDo.of(new FollowRunFn(config().settings(), config().runTimeoutSeconds()))
                    .withOutputTags(RUN_PROCESSED_TAG, TupleTagList.of(ACKS_TAG)));
    out.get(RUN_PROCESSED_TAG).setCoder(SerializableCoder.of(Outbound.class));
    out.get(ACKS_TAG).setCoder(SerializableCoder.of(Ack.class));
    return out;
  }

  /** One run's lifecycle: its phase, its pending end, whether this process closed it. */
  static final class FollowRunFn extends DoFn<KV<Long, RunSignal>, Outbound> {
    private final ProcessSettings settings;
    private final long timeoutSeconds;
    private final Counter closedRuns =
        Metrics.counter(StreamProcessPipeline.NAMESPACE, "runs_closed");
    private final Counter neverAnnounced =
        Metrics.counter(StreamProcessPipeline.NAMESPACE, "stfs_never_announced");

    @StateId("phase")
    private final StateSpec<ValueState<String>> phaseSpec = StateSpecs.value(StringUtf8Coder.of());

    @StateId("end")
    private final StateSpec<ValueState<Inbound>> endSpec =
        StateSpecs.value(SerializableCoder.of(Inbound.class));

    @StateId("closed")
    private final StateSpec<ValueState<Boolean>> closedSpec = StateSpecs.value(BooleanCoder.of());

    @TimerId("give-up")
    private final TimerSpec giveUpSpec = TimerSpecs.timer(TimeDomain.PROCESSING_TIME);

    FollowRunFn(ProcessSettings settings, long timeoutSeconds) {
      this.settings = settings;
      this.timeoutSeconds = timeoutSeconds;
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
      Inbound l = e.getValue().lifecycle();
      boolean isClosed = Boolean.TRUE.equals(closed.read());
      if (l != null && l.message().type() != MsgType.END_RUN) {
        phase.write(l.message().type().wireName());
        out.get(ACKS_TAG).output(l.ack());
        return;
      }
      if (l != null) {
        phase.write(l.message().type().wireName());
        if (isClosed) {
          // A repeated end_run of a run this process closed: its run_processed was sent.
          out.get(ACKS_TAG).output(l.ack());
          return;
        }
        end.write(l);
        if (timeoutSeconds > 0) {
          giveUp.offset(Duration.standardSeconds(timeoutSeconds)).setRelative();
        }
      }
      tryClose(end, closed, out);
    }

    /** The run's end came long ago and an STF was never announced: record it failed, close. */
    @OnTimer("give-up")
    public void giveUp(
        @StateId("end") ValueState<Inbound> end,
        @StateId("closed") ValueState<Boolean> closed,
        MultiOutputReceiver out)
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
}
