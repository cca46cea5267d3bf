package io.beamline.pipelines.regions;

import io.beamline.framework.module.Module;
import io.beamline.framework.module.ModuleConfig;
import io.beamline.framework.module.Port;
import io.beamline.framework.run.ItemCommits;
import io.beamline.transforms.nmm.SyntheticSources;
import java.io.Serializable;
import java.util.List;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTagList;
import org.apache.beam.sdk.values.TypeDescriptor;

/**
 * DeepSIF's synthetic source table, built once every region has ended, over every region committed
 * with the run's settings: {@code <mode>_sample_source1.mat} and its Parquet table, one committed
 * item ({@link SyntheticSourcesFn}, kernel {@link SyntheticSources} in {@code transforms}). With
 * {@code mixEeg} its outputs feed {@link MixEeg}: the table rows keyed by EEG part ({@link #ROWS})
 * and the EEG item's plan ({@link #PLAN}), both empty when the EEG is committed already.
 */
final class BuildSyntheticSources
    extends Module<BuildSyntheticSources.Config, PCollection<RegionsEnded>, PCollectionTuple> {
  private static final long serialVersionUID = 1L;

  /** Table rows keyed by the EEG part ({@code sample / samplesPerFile}) they are mixed in. */
  static final Port ROWS = Port.of("rows", new TypeDescriptor<KV<Integer, SourceRow>>() {});

  /** The plan of the EEG item: how many parts make it, with which fingerprint. */
  static final Port PLAN = Port.of("plan", EegEvent.class);

  /**
   * @param settings anatomy, simulation (its seed) and output of the run
   * @param runId the run the commit records name
   * @param mode DeepSIF's preset (test or train)
   * @param nper clips a source draws from per region, >= 1 (DeepSIF's nper)
   * @param variations variations per centre region, >= 1 (DeepSIF's n_iter)
   * @param sources sources per sample, >= 1
   * @param neighbours nearest centres per region for growing patches, >= 1
   * @param mixEeg whether the rows go on to be mixed into EEG
   * @param samplesPerFile table rows per EEG part, >= 1
   * @param nData EEG realisations per table row, >= 1 (part of the EEG item's fingerprint)
   */
  record Config(
      RegionSettings settings,
      String runId,
      SyntheticSources.Mode mode,
      int nper,
      int variations,
      int sources,
      int neighbours,
      boolean mixEeg,
      int samplesPerFile,
      int nData)
      implements ModuleConfig<BuildSyntheticSources>, Serializable {
    Config {
      if (settings == null || runId == null || mode == null) {
        throw new IllegalArgumentException("settings, runId and mode are required");
      }
      atLeastOne("nper", nper);
      atLeastOne("variations", variations);
      atLeastOne("sources", sources);
      atLeastOne("neighbours", neighbours);
      atLeastOne("samplesPerFile", samplesPerFile);
      atLeastOne("nData", nData);
    }

    static void atLeastOne(String name, int value) {
      if (value < 1) {
        throw new IllegalArgumentException(name + " must be >= 1, got " + value);
      }
    }

    @Override
    public BuildSyntheticSources toModule() {
      return new BuildSyntheticSources(this);
    }
  }

  private BuildSyntheticSources(Config config) {
    super("synthetic-sources", config);
  }

  @Override
  public List<Port> inputs() {
    return List.of(SimulateRegions.ENDED);
  }

  @Override
  public List<Port> outputs() {
    return List.of(ROWS, PLAN);
  }

  @Override
  public PCollectionTuple expand(PCollection<RegionsEnded> ended) {
    RegionSettings settings = config().settings();
    ItemCommits commits = settings.output().commits();
    PCollectionTuple out =
        ended.apply(
            "SyntheticSources",
            ParDo.of(new SyntheticSourcesFn(config(), settings.fingerprint(), commits))
                .withOutputTags(SyntheticSourcesFn.ROWS, TupleTagList.of(SyntheticSourcesFn.PLAN)));
    out.get(SyntheticSourcesFn.ROWS)
        .setCoder(KvCoder.of(VarIntCoder.of(), SerializableCoder.of(SourceRow.class)));
    out.get(SyntheticSourcesFn.PLAN).setCoder(SerializableCoder.of(EegEvent.class));
    return out;
  }
}
