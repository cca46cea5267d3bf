package io.beamline.pipelines.regions;

import io.beamline.framework.module.Module;
import io.beamline.framework.module.ModuleConfig;
import io.beamline.framework.module.Port;
import io.beamline.framework.run.ItemCommits;
import io.beamline.transforms.nmm.SensorSamples;
import io.beamline.transforms.nmm.SyntheticSources;
import java.io.Serializable;
import java.util.List;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.WithKeys;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.PDone;

/**
 * The sensor-space step of DeepSIF's training data (its loader's {@code SpikeEEGBuild}) over the
 * synthetic source table ({@link SourceRow}s from {@link BuildSyntheticSources}): for every table
 * row and each of {@code nData} realisations, every source's spike clip ({@code nmm_<k>.mat} of its
 * centre region, clip {@code random_sample + 1}) is placed on its patch with one of its {@code
 * scale_ratio} factors (drawn, as DeepSIF's loader draws it) and its {@code mag_change} fall-off,
 * the sources are summed, projected through the leadfield and white noise is added at the row's
 * {@code current_snr} (kernel: {@link SensorSamples} in {@code transforms}).
 *
 * <p>The whole mixed EEG is one committed item (key {@code <mode>_sample_source1_eeg}): rows come
 * keyed by part ({@code sample / samplesPerFile}); each part is mixed in parallel into the run's
 * staging folders ({@link MixPartFn}: {@code eeg_<part>.mat} and {@code part-<part>.parquet}), and
 * {@link CommitEegFn}, once every part has ended, moves them into staged directories that replace
 * {@code <mode>_sample_source1_eeg/} and {@code sensor_eeg/<mode>/} as a whole, then writes the
 * record. A re-run with fewer parts therefore leaves no older {@code eeg_<k>.mat} with a higher
 * {@code k}; a killed run leaves only temporaries (removed by the next run) and no record, so the
 * next run mixes again. A part that fails gives the item a failure record.
 *
 * <p>{@code eeg_<part>.mat}:
 *
 * <ul>
 *   <li>{@code eeg_data}: single, samples x channels x time (noisy, not normalised);
 *   <li>{@code current_snr}, {@code achieved_snr}: samples x 1, dB;
 *   <li>{@code sample_index} (0-based row of the source table, as the Parquet {@code sample}),
 *       {@code realisation} (0-based): samples x 1;
 *   <li>{@code scale_index}: samples x sources, 0-based index into the row's {@code scale_ratio};
 *   <li>{@code selected_region}: samples x sources x 70, DeepSIF's labels padded with 15213.
 * </ul>
 *
 * <p>Every random draw is seeded from the run seed, the table row and the realisation, so the files
 * do not depend on the partitioning, the runner or the worker.
 */
final class MixEeg extends Module<MixEeg.Config, PCollectionTuple, PDone> {
  private static final long serialVersionUID = 1L;

  /**
   * @param settings anatomy (leadfield), simulation (its seed) and output (the clips) of the run
   * @param runId the run the record names; it also names the staging folders
   * @param mode DeepSIF's preset the table was built with (names the folders)
   * @param nData realisations per table row, >= 1
   */
  record Config(RegionSettings settings, String runId, SyntheticSources.Mode mode, int nData)
      implements ModuleConfig<MixEeg>, Serializable {
    Config {
      if (settings == null || runId == null || mode == null) {
        throw new IllegalArgumentException("settings, runId and mode are required");
      }
      if (nData < 1) {
        throw new IllegalArgumentException("nData must be >= 1, got " + nData);
      }
    }

    @Override
    public MixEeg toModule() {
      return new MixEeg(this);
    }
  }

  private MixEeg(Config config) {
    super("mix-eeg", config);
  }

  @Override
  public List<Port> inputs() {
    return List.of(BuildSyntheticSources.ROWS, BuildSyntheticSources.PLAN);
  }

  @Override
  public List<Port> outputs() {
    return List.of();
  }

  @Override
  public PDone expand(PCollectionTuple sources) {
    Config c = config();
    RegionsOutput files = c.settings().output();
    EegStaging staging = EegStaging.of(files.rootDir(), c.mode(), c.runId());
    ItemCommits commits = files.commits();
    SerializableCoder<EegEvent> events = SerializableCoder.of(EegEvent.class);
    PCollection<KV<Integer, SourceRow>> rows = sources.get(BuildSyntheticSources.ROWS.tag());
    PCollection<EegEvent> plan = sources.get(BuildSyntheticSources.PLAN.tag());
    PCollection<EegEvent> parts =
        rows.apply("GroupParts", GroupByKey.create())
            .apply("MixPart", ParDo.of(new MixPartFn(c.settings(), staging, c.nData())))
            .setCoder(events);
    PCollectionList.of(plan)
        .and(parts)
        .apply("EegEvents", Flatten.pCollections())
        .apply("KeyEeg", WithKeys.of("eeg"))
        .setCoder(KvCoder.of(StringUtf8Coder.of(), events))
        .apply("GatherEeg", GroupByKey.create())
        .apply(
            "CommitEeg",
            ParDo.of(new CommitEegFn(commits, RegionsOutput.eegKey(c.mode()), c.runId(), staging)));
    return PDone.in(sources.getPipeline());
  }
}
