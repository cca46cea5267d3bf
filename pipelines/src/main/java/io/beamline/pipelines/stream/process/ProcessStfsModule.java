package io.beamline.pipelines.stream.process;

import io.beamline.framework.module.Module;
import io.beamline.framework.module.ModuleConfig;
import io.beamline.framework.module.Port;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Distribution;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.state.MapState;
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
 * Module {@code process-stfs}: each {@code stf_gen} keyed by the shard of its STF file name, so one
 * STF is handled by one call at a time, then processed at most once ({@link
 * StfSummaries#processOnce}): verified, decoded, summarised and committed, or answered from the
 * commit record an earlier attempt left. Outputs: {@code outcomes} (one per STF and process
 * lifetime; counters {@code stfs_processed}, {@code stfs_failed}, {@code stfs_recovered}) and
 * {@code acks} for messages that repeat an STF already answered in this process (counter {@code
 * duplicate_stf_messages}).
 *
 * <p>Why shards and not the file name as the key: a runner hands a stateful step one key's elements
 * per bundle, so a key per STF made every STF cross this and every later step as a bundle of one,
 * and the per-bundle cost of the DirectRunner (~3 ms a step) was most of {@code process}'s time. A
 * few shards keep one STF on one key (its duplicates wait for it) while the STFs that arrive
 * together travel on together.
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
   * @param shards keys the STFs are spread over, >= 1: at most this many STFs are processed at the
   *     same time
   */
  record Config(ProcessSettings settings, int shards)
      implements ModuleConfig<ProcessStfsModule>, java.io.Serializable {
    /** Shards when none are given: a few per core of a laptop. */
    static final int DEFAULT_SHARDS = 8;

    Config {
      if (settings == null) {
        throw new IllegalArgumentException("process-stfs needs settings");
      }
      if (shards < 1) {
        throw new IllegalArgumentException("process-stfs needs shards >= 1, got " + shards);
      }
    }

    Config(ProcessSettings settings) {
      this(settings, DEFAULT_SHARDS);
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
    int shards = config().shards();
    PCollectionTuple out =
        stfGen
            .apply(
                "KeyByShard",
                MapElements.into(
                        TypeDescriptors.kvs(
                            TypeDescriptors.integers(), TypeDescriptor.of(Inbound.class)))
                    .via(in -> KV.of(shard(in.message().string("filename"), shards), in)))
            .setCoder(KvCoder.of(VarIntCoder.of(), SerializableCoder.of(Inbound.class)))
            .apply(
                "ProcessOnce",
                ParDo.of(new ProcessOnceFn(config().settings()))
                    .withOutputTags(OUTCOMES_TAG, TupleTagList.of(ACKS_TAG)));
    out.get(OUTCOMES_TAG).setCoder(SerializableCoder.of(StfOutcome.class));
    out.get(ACKS_TAG).setCoder(SerializableCoder.of(Ack.class));
    return out;
  }

  /** The shard of the STF file {@code filename}: stable across processes and runners. */
  static int shard(String filename, int shards) {
    return Math.floorMod(filename.hashCode(), shards);
  }

  /**
   * Processes an STF the first time this process sees it; later messages for it are acknowledged
   * only (the first one's outputs and message cover them). A shard remembers the STFs it answered
   * for {@link #REMEMBER} (pruned at most every {@link #PRUNE_EVERY}), so a long-running process
   * holds the STFs of the last hour, not of its lifetime; a message older than that is answered
   * from the STF's commit record (counted as recovered, nothing redone: its {@code stf_processed}
   * is sent again, which the monitor upserts, and its event time is behind the histograms'
   * watermark).
   */
  static final class ProcessOnceFn extends DoFn<KV<Integer, Inbound>, StfOutcome> {
    static final java.time.Duration REMEMBER = java.time.Duration.ofHours(1);
    static final java.time.Duration PRUNE_EVERY = java.time.Duration.ofMinutes(10);

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

    /** The STF file names of this shard answered by this process, with when (epoch ms). */
    @StateId("answered")
    private final StateSpec<MapState<String, Long>> answeredSpec =
        StateSpecs.map(StringUtf8Coder.of(), VarLongCoder.of());

    /** When this shard was last pruned (epoch ms). */
    @StateId("pruned")
    private final StateSpec<ValueState<Long>> prunedSpec = StateSpecs.value(VarLongCoder.of());

    ProcessOnceFn(ProcessSettings settings) {
      this.settings = settings;
    }

    @ProcessElement
    public void process(
        @Element KV<Integer, Inbound> e,
        @StateId("answered") MapState<String, Long> answered,
        @StateId("pruned") ValueState<Long> pruned,
        MultiOutputReceiver out)
        throws IOException {
      long now = System.currentTimeMillis();
      prune(answered, pruned, now);
      Inbound in = e.getValue();
      String filename = in.message().string("filename");
      if (answered.get(filename).read() != null) {
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
      answered.put(filename, now);
      out.get(OUTCOMES_TAG).output(o);
    }

    /** Forgets the STFs answered longer than {@link #REMEMBER} ago, once per prune interval. */
    static void prune(MapState<String, Long> answered, ValueState<Long> pruned, long now) {
      Long last = pruned.read();
      if (last == null) {
        pruned.write(now);
        return;
      }
      if (now - last < PRUNE_EVERY.toMillis()) {
        return;
      }
      long forgetBefore = now - REMEMBER.toMillis();
      List<String> old = new java.util.ArrayList<>();
      for (Map.Entry<String, Long> a : answered.entries().read()) {
        if (a.getValue() < forgetBefore) {
          old.add(a.getKey());
        }
      }
      old.forEach(answered::remove);
      pruned.write(now);
    }
  }
}
