package io.beamline.pipelines.stream.process;

import io.beamline.framework.module.Module;
import io.beamline.framework.module.ModuleConfig;
import io.beamline.framework.module.Port;
import java.io.IOException;
import java.util.List;
import org.apache.beam.sdk.coders.BooleanCoder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Distribution;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.state.StateSpec;
import org.apache.beam.sdk.state.StateSpecs;
import org.apache.beam.sdk.state.ValueState;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;
import org.apache.beam.sdk.values.TypeDescriptor;
import org.apache.beam.sdk.values.TypeDescriptors;

/**
 * Module {@code process-stfs}: each {@code stf_gen} keyed by its STF file name, so one STF is
 * handled by one call at a time, then processed at most once ({@link StfSummaries#processOnce}):
 * verified, decoded, summarised and committed, or answered from the commit record an earlier
 * attempt left. Outputs: {@code outcomes} (one per STF and process lifetime; counters {@code
 * stfs_processed}, {@code stfs_failed}, {@code stfs_recovered}) and {@code acks} for messages that
 * repeat an STF already answered in this process (counter {@code duplicate_stf_messages}).
 */
final class ProcessStfsModule
    extends Module<ProcessStfsModule.Config, PCollection<Inbound>, PCollectionTuple> {
  private static final long serialVersionUID = 1L;

  static final Port OUTCOMES = Port.of("outcomes", StfOutcome.class);
  static final Port ACKS = Port.of("acks", Ack.class);
  static final TupleTag<StfOutcome> OUTCOMES_TAG = OUTCOMES.tag();
  static final TupleTag<Ack> ACKS_TAG = ACKS.tag();

  /**
   * Settings of {@code process-stfs}.
   *
   * @param settings the run (output and commit directories, run id)
   */
  record Config(ProcessSettings settings)
      implements ModuleConfig<ProcessStfsModule>, java.io.Serializable {
    Config {
      if (settings == null) {
        throw new IllegalArgumentException("process-stfs needs settings");
      }
    }

    @Override
    public ProcessStfsModule toModule() {
      return new ProcessStfsModule(this);
    }
  }

  private ProcessStfsModule(Config config) {
    super("process-stfs", config);
  }

  @Override
  public List<Port> inputs() {
    return List.of(ReadDaqModule.STF_GEN);
  }

  @Override
  public List<Port> outputs() {
    return List.of(OUTCOMES, ACKS);
  }

  @Override
  public PCollectionTuple expand(PCollection<Inbound> stfGen) {
    PCollectionTuple out =
        stfGen
            .apply(
                "KeyByFilename",
                MapElements.into(
                        TypeDescriptors.kvs(
                            TypeDescriptors.strings(), TypeDescriptor.of(Inbound.class)))
                    .via(in -> KV.of(in.message().string("filename"), in)))
            .setCoder(KvCoder.of(StringUtf8Coder.of(), SerializableCoder.of(Inbound.class)))
            .apply(
                "ProcessOnce",
                ParDo.of(new ProcessOnceFn(config().settings()))
                    .withOutputTags(OUTCOMES_TAG, TupleTagList.of(ACKS_TAG)));
    out.get(OUTCOMES_TAG).setCoder(SerializableCoder.of(StfOutcome.class));
    out.get(ACKS_TAG).setCoder(SerializableCoder.of(Ack.class));
    return out;
  }

  /**
   * Processes an STF the first time this process sees it; later messages for it are acknowledged
   * only (the first one's outputs and message cover them).
   */
  static final class ProcessOnceFn extends DoFn<KV<String, Inbound>, StfOutcome> {
    private final ProcessSettings settings;
    private final Counter processed =
        Metrics.counter(StreamProcessPipeline.NAMESPACE, "stfs_processed");
    private final Counter failed = Metrics.counter(StreamProcessPipeline.NAMESPACE, "stfs_failed");
    private final Counter recovered =
        Metrics.counter(StreamProcessPipeline.NAMESPACE, "stfs_recovered");
    private final Counter duplicates =
        Metrics.counter(StreamProcessPipeline.NAMESPACE, "duplicate_stf_messages");
    private final Distribution hits =
        Metrics.distribution(StreamProcessPipeline.NAMESPACE, "hits_per_stf");

    @StateId("answered")
    private final StateSpec<ValueState<Boolean>> answered = StateSpecs.value(BooleanCoder.of());

    ProcessOnceFn(ProcessSettings settings) {
      this.settings = settings;
    }

    @ProcessElement
    public void process(
        @Element KV<String, Inbound> e,
        @StateId("answered") ValueState<Boolean> answered,
        MultiOutputReceiver out)
        throws IOException {
      Inbound in = e.getValue();
      if (Boolean.TRUE.equals(answered.read())) {
        duplicates.inc();
        out.get(ACKS_TAG).output(in.ack());
        return;
      }
      StfOutcome o = StfSummaries.processOnce(settings, in);
      ProcessControl.of(settings.token()).active();
      if (o.recovered()) {
        recovered.inc();
      } else if (o.processed()) {
        processed.inc();
        hits.update(o.hits());
      } else {
        failed.inc();
      }
      answered.write(true);
      out.get(OUTCOMES_TAG).output(o);
    }
  }
}
