package io.beamline.pipelines.regions;

import io.beamline.framework.BeamlinePipeline;
import io.beamline.framework.ModuleParameters;
import io.beamline.framework.PlannedItems;
import io.beamline.framework.UserInputException;
import io.beamline.framework.module.Module;
import io.beamline.framework.run.CommitProgress;
import io.beamline.framework.run.ItemCommits;
import io.beamline.framework.run.Runs;
import io.beamline.transforms.nmm.SpikeClips;
import io.beamline.transforms.nmm.SyntheticSources;
import java.io.IOException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;

/**
 * DeepSIF's data generation ({@code generate_tvb_data.py} + {@code process_raw_nmm.m}, driven
 * region by region as its {@code pipeline_orchestrator.py} does) as one Beam pipeline. Regions
 * {@code --start-region .. --end-region - 1} (0-based, end exclusive, as the seed) are the parallel
 * work items; each is simulated with the Jansen-Rit network kernel (its excitability A raised) and
 * its spikes extracted in the same step, so raw traces never reach the disk unless {@code
 * --keep-raw}.
 *
 * <p>The output directory is the seed's {@code source/} folder ({@code <f>} = {@code --filename},
 * {@code <mode>} = {@code --sources-mode}):
 *
 * <ul>
 *   <li>{@code nmm_<f>/a<r>/nmm_<k>.mat} and {@code nmm_<f>/clip_info/iter<m>/iter_<m>_i_<r>.mat},
 *       DeepSIF's files (see {@link RegionWork}), committed per region ({@link ProcessRegionFn});
 *   <li>{@code commits/regions/nmm_<f>.region-<r>.json}: each region's commit record (its outputs
 *       with their sizes and the settings fingerprint) or failure record (its one-line error);
 *   <li>{@code spike_clips/nmm_<f>.parquet} ({@link RegionsTables#SPIKE_CLIPS}), {@code
 *       region_summary/nmm_<f>.parquet} ({@link RegionsTables#REGION_SUMMARY}) and {@code
 *       regions_summary.json} (the run's regions: succeeded, failed with their records, skipped),
 *       derived from the commit records after the regions ({@link RegionsTables});
 *   <li>with {@code --synthetic-sources}: {@code <mode>_sample_source1.mat} (DeepSIF's {@code
 *       selected_region}, {@code nmm_idx}, {@code random_samples}, {@code current_snr}, {@code
 *       scale_ratio}, {@code mag_change}; see {@link SyntheticSources}) and {@code
 *       synthetic_sources/<mode>_sample_source1.parquet} ({@link SourceRow#SCHEMA}), one committed
 *       item built from every region committed with the run's settings ({@link SyntheticSourcesFn};
 *       {@code --nper}, {@code --n-iter} override the preset's DeepSIF {@code nper} and {@code
 *       n_iter});
 *   <li>with {@code --mix-eeg} (implies {@code --synthetic-sources}): the table mixed into sensor
 *       EEG as DeepSIF's loader does ({@link MixEeg}), {@code
 *       <mode>_sample_source1_eeg/eeg_<part>.mat} ({@code --eeg-samples-per-file} rows per part)
 *       and {@code sensor_eeg/<mode>/part-<part>.parquet} ({@link MixPartFn#SENSOR_EEG}), one
 *       committed item.
 * </ul>
 *
 * <p>Progress: the seed's header, banners per region and step on stdout, one status line per step
 * and a bar of finished regions on stderr ({@link RegionProgress}), and after the run the summary
 * table with each failed region's error and failure record ({@link RegionsConsole}) on stdout.
 *
 * <p>The graph is four modules: {@link RegionRange} -> {@link SimulateRegions} (simulate and
 * extract spikes, one committed item per region) -> {@link DeriveTables}, and after the regions
 * {@link BuildSyntheticSources} -> {@link MixEeg}; their configs are resolved once from the options
 * ({@link RegionsConfigs}).
 *
 * <p>The anatomy is resolved and read (or, with neither {@code --leadfield} nor {@code
 * --connectivity}, generated with {@code SyntheticAnatomy}) once, in the driver, checked (including
 * the region range against its region count), and shipped to the workers as arrays ({@link
 * RegionsAnatomy}). Re-running a command resumes it: committed regions are skipped, and batches run
 * separately give the same files as one run.
 *
 * <pre>{@code
 * beamline regions --start-region 0 --end-region 10 --output-dir out            # synthetic anatomy
 * beamline regions --start_region 0 --end_region 10 --leadfield leadfield_75_20k.mat \
 *     --connectivity connectivity_76.zip --anatomy-dir ../anatomy --output-dir ../source
 * }</pre>
 */
public final class RegionsPipeline implements BeamlinePipeline<RegionsOptions> {

  /** The pipeline's name: the command, and the commit records' pipeline. */
  static final String NAME = "regions";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public String summary() {
    return "Jansen-Rit simulation region by region -> DeepSIF spike clips (MAT + Parquet)";
  }

  @Override
  public Map<String, List<String>> moduleParameters() {
    return ModuleParameters.of(
            "region-range",
            "leadfield-variable",
            "distances-variable",
            "region-mapping-variable",
            "region-mapping-first-index",
            "synthetic-regions",
            "synthetic-channels")
        .module(
            "simulate-regions",
            "segment-ms",
            "segments",
            "iterations",
            "dt-ms",
            "source-a",
            "coupling-a",
            "conduction-speed",
            "seed",
            "target-snr",
            "filename",
            "keep-raw")
        .module(
            "synthetic-sources",
            "synthetic-sources",
            "sources-mode",
            "sources-per-sample",
            "nper",
            "patch-neighbours")
        .module("mix-eeg", "mix-eeg", "eeg-samples-per-file")
        .asMap();
  }

  @Override
  public List<String> inputParameters() {
    return List.of("leadfield", "anatomy-dir", "connectivity", "distances", "region-mapping");
  }

  @Override
  public Map<String, String> itemModules() {
    return RegionsItems.MODULES;
  }

  @Override
  public PlannedItems plannedItems(RegionsOptions o) {
    return RegionsItems.of(o);
  }

  @Override
  public Class<RegionsOptions> optionsClass() {
    return RegionsOptions.class;
  }

  @Override
  public void validate(RegionsOptions o) {
    if (o.getStartRegion() == null || o.getEndRegion() == null) {
      throw new UserInputException(
          "--start-region and --end-region are required (e.g. --start-region 0 --end-region 10)");
    }
    int start = o.getStartRegion();
    int end = o.getEndRegion();
    if (start < 0) {
      throw new UserInputException("--start-region must be >= 0, got " + start);
    }
    if (end <= start) {
      throw new UserInputException(
          "--end-region must be greater than --start-region (it is exclusive), got start "
              + start
              + " and end "
              + end);
    }
    if (o.getFilename() == null || !o.getFilename().matches("[A-Za-z0-9_-]+")) {
      throw new UserInputException(
          "--filename must be letters, digits, _ or -, got '" + o.getFilename() + "'");
    }
    RegionsConfigs.iterations(o.getIterations());
    positive("--segment-ms", o.getSegmentMs());
    positive("--dt-ms", o.getDtMs());
    positive("--source-a", o.getSourceA());
    positive("--conduction-speed", o.getConductionSpeed());
    if (o.getSegments() < 1) {
      throw new UserInputException("--segments must be >= 1, got " + o.getSegments());
    }
    if (!Double.isFinite(o.getTargetSnr()) || !Double.isFinite(o.getCouplingA())) {
      throw new UserInputException("--target-snr and --coupling-a must be finite numbers");
    }
    double totalSamples = o.getSegments() * o.getSegmentMs() / o.getDtMs();
    if (totalSamples <= SpikeClips.DEEPSIF_DROP_SAMPLES) {
      throw new UserInputException(
          "--segments x --segment-ms gives "
              + (long) totalSamples
              + " samples, not more than the "
              + SpikeClips.DEEPSIF_DROP_SAMPLES
              + " DeepSIF drops as transient; simulate longer");
    }
    if (o.getSyntheticRegions() < 2 || o.getSyntheticChannels() < 1) {
      throw new UserInputException(
          "--synthetic-regions must be >= 2 and --synthetic-channels >= 1, got "
              + o.getSyntheticRegions()
              + " and "
              + o.getSyntheticChannels());
    }
    RegionsConfigs.mode(o.getSourcesMode());
    if (o.getSourcesPerSample() < 1 || o.getPatchNeighbours() < 1) {
      throw new UserInputException(
          "--sources-per-sample and --patch-neighbours must be >= 1, got "
              + o.getSourcesPerSample()
              + " and "
              + o.getPatchNeighbours());
    }
    for (Object[] f :
        new Object[][] {
          {"--nper", o.getNper()},
          {"--n-iter", o.getnIter()},
          {"--n-data", o.getnData()},
          {"--eeg-samples-per-file", o.getEegSamplesPerFile()}
        }) {
      if (f[1] != null && (Integer) f[1] < 1) {
        throw new UserInputException(f[0] + " must be >= 1, got " + f[1]);
      }
    }
    RegionsAnatomy.Sources src = RegionsAnatomy.resolve(o);
    RegionsAnatomy.check(o, src, RegionsAnatomy.load(o, src));
  }

  @Override
  public void build(Pipeline p, RegionsOptions o) {
    // Runs sets the run id before building; a graph built without it (tests) gets its own.
    String runId = o.getRunId() != null ? o.getRunId() : Runs.newRunId(NAME);
    RegionsConfigs c = RegionsConfigs.resolve(o, runId);
    // Modules as typed locals: javac cannot infer Module.from's type inside apply(...).
    RegionRange regions = Module.from(c.range());
    SimulateRegions simulateAndExtract = Module.from(c.simulate());
    DeriveTables tables = Module.from(c.tables());
    PCollection<RegionsEnded> ended = p.apply(regions).apply(simulateAndExtract);
    ended.apply(tables);
    if (c.sources().isPresent()) {
      BuildSyntheticSources sources = Module.from(c.sources().get());
      PCollectionTuple table = ended.apply(sources);
      if (c.mixEeg().isPresent()) {
        MixEeg mixEeg = Module.from(c.mixEeg().get());
        table.apply(mixEeg);
      }
    }
  }

  /**
   * Prints the seed's header (range, filename, leadfield) before the regions start, as its
   * orchestrator does.
   */
  @Override
  public AutoCloseable beforeRun(RegionsOptions o, Path runDir) {
    RegionsConsole.header(System.out, o, RegionsAnatomy.resolve(o).describe(o), outputDir(o));
    if (!CommitProgress.workersElsewhere(o)) {
      // The workers are in this JVM and print each region's banner and progress bar here.
      return () -> {};
    }
    // On a cluster those go to the executors' logs: the driver counts the committed regions.
    SimulateRegions.Config c = RegionsConfigs.resolve(o, o.getRunId()).simulate();
    RegionSettings s = c.settings();
    ItemCommits commits = s.output().commits();
    int toDo = 0;
    for (int r = c.range().start(); r < c.range().end(); r++) {
      String key = ProcessRegionFn.key(s.output().spikeFolder(), r);
      if (ProcessRegionFn.committed(commits, key, s.fingerprint()).isEmpty()) {
        toDo++;
      }
    }
    CommitProgress progress =
        CommitProgress.ofRecords(
                "regions",
                "regions",
                commits.directory(),
                f -> f.matches(".*\\.region-\\d+\\.json"),
                toDo,
                System.err)
            .start();
    return progress::stop;
  }

  /**
   * Prints the final summary of the run ({@link RegionsConsole#summaryText}) on stdout once the
   * pipeline has finished: in the driver, so it ends the command's output on every runner.
   */
  @Override
  public void afterRun(RegionsOptions o, Path runDir, PipelineResult result) throws IOException {
    RegionsConsole.summary(System.out, outputDir(o), o.getRunId());
  }

  @Override
  public List<Path> inputFiles(RegionsOptions o) {
    return RegionsAnatomy.resolve(o).files();
  }

  /**
   * The folders this run writes in (the output directory itself also holds {@code runs/}, {@code
   * commits/}, {@code regions_summary.json} and the source table).
   */
  @Override
  public List<Path> outputRoots(RegionsOptions o) {
    Path root = outputDir(o);
    List<Path> roots = new java.util.ArrayList<>();
    roots.add(root.resolve("nmm_" + o.getFilename()));
    if (o.getKeepRaw()) {
      roots.add(root.resolve("raw_nmm"));
    }
    roots.add(root.resolve("spike_clips"));
    roots.add(root.resolve("region_summary"));
    if (o.getSyntheticSources() || o.getMixEeg()) {
      roots.add(root.resolve("synthetic_sources"));
    }
    if (o.getMixEeg()) {
      SyntheticSources.Mode mode = RegionsConfigs.mode(o.getSourcesMode());
      roots.add(root.resolve(RegionsOutput.eegKey(mode)));
      roots.add(root.resolve("sensor_eeg").resolve(RegionsOutput.modeName(mode)));
    }
    return roots;
  }

  /** The output directory, absolute: the seed's {@code source/} folder. */
  public static Path outputDir(RegionsOptions o) {
    return Paths.get(o.getOutputDir()).toAbsolutePath().normalize();
  }

  private static void positive(String flag, double v) {
    if (!(v > 0) || !Double.isFinite(v)) {
      throw new UserInputException(flag + " must be a number > 0, got " + v);
    }
  }
}
