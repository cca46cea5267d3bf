package io.beamline.pipelines.regions;

import io.beamline.framework.BeamlineOptions;
import io.beamline.framework.BeamlinePipeline;
import io.beamline.framework.ModuleParameters;
import io.beamline.framework.PlannedItems;
import io.beamline.framework.UserInputException;
import io.beamline.framework.run.ItemCommits;
import io.beamline.framework.run.Runs;
import io.beamline.io.anatomy.Anatomy;
import io.beamline.io.anatomy.Connectivity;
import io.beamline.transforms.nmm.JansenRitSimulator;
import io.beamline.transforms.nmm.RegionConnectivity;
import io.beamline.transforms.nmm.SpikeClips;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.IntStream;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.RowCoder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.Validation;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.Reshuffle;
import org.apache.beam.sdk.transforms.WithKeys;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.Row;
import org.apache.beam.sdk.values.TupleTagList;

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
 *   <li>{@code spike_clips/nmm_<f>.parquet} ({@link #SPIKE_CLIPS}), {@code
 *       region_summary/nmm_<f>.parquet} ({@link #REGION_SUMMARY}) and {@code regions_summary.json}
 *       (the run's regions: succeeded, failed with their records, skipped), derived from the commit
 *       records after the regions ({@link RegionsTables});
 *   <li>with {@code --synthetic-sources}: {@code <mode>_sample_source1.mat} (DeepSIF's {@code
 *       selected_region}, {@code nmm_idx}, {@code random_samples}, {@code current_snr}, {@code
 *       scale_ratio}, {@code mag_change}; see {@link SyntheticSources}) and {@code
 *       synthetic_sources/<mode>_sample_source1.parquet} ({@link #SYNTHETIC_SOURCES}), one
 *       committed item built from every region committed with the run's settings ({@link
 *       SyntheticSourcesFn}; {@code --nper}, {@code --n-iter} override the preset's DeepSIF {@code
 *       nper} and {@code n_iter});
 *   <li>with {@code --mix-eeg} (implies {@code --synthetic-sources}): the table mixed into sensor
 *       EEG as DeepSIF's loader does ({@link MixSensorEeg}), {@code
 *       <mode>_sample_source1_eeg/eeg_<part>.mat} ({@code --eeg-samples-per-file} rows per part)
 *       and {@code sensor_eeg/<mode>/part-<part>.parquet} ({@link MixSensorEeg#SENSOR_EEG}), one
 *       committed item.
 * </ul>
 *
 * <p>Progress: the seed's header, banners per region and step on stdout, one status line per step
 * and a bar of finished regions on stderr ({@link RegionProgress}), and after the run the summary
 * table with each failed region's error and failure record ({@link RegionsTables#summaryText}) on
 * stdout.
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
public final class RegionsPipeline implements BeamlinePipeline<RegionsPipeline.RegionsOptions> {

  /** Default synthetic anatomy: TVB's 76-region connectivity size, DeepSIF's 75 channels. */
  static final int SYNTHETIC_REGIONS = 76;

  static final int SYNTHETIC_CHANNELS = 75;

  /** Clip index table: one row per {@code nmm_<k>.mat} of a committed region. */
  public static final Schema SPIKE_CLIPS =
      Schema.builder()
          .addInt32Field("region")
          .addInt32Field("iteration")
          .addInt32Field("clip")
          .addInt32Field("spike_time")
          .addInt32Field("clip_start")
          .addDoubleField("alpha")
          .addStringField("file")
          .build();

  /**
   * One row per region with a record: {@code status} succeeded or failed (with the {@code error}),
   * and the run that recorded it.
   */
  public static final Schema REGION_SUMMARY =
      Schema.builder()
          .addInt32Field("region")
          .addStringField("label")
          .addStringField("status")
          .addNullableField("error", Schema.FieldType.STRING)
          .addInt32Field("spikes")
          .addDoubleField("seconds")
          .addStringField("run_id")
          .build();

  /** One row per (sample, source) of the synthetic source table. */
  public static final Schema SYNTHETIC_SOURCES =
      Schema.builder()
          .addInt32Field("sample")
          .addInt32Field("source")
          .addInt32Field("centre")
          .addArrayField("regions", Schema.FieldType.INT32)
          .addInt32Field("random_sample")
          .addInt32Field("nmm_idx")
          .addDoubleField("current_snr")
          .addArrayField("scale_ratio", Schema.FieldType.DOUBLE)
          .addArrayField("mag_change", Schema.FieldType.DOUBLE)
          .build();

  /** Options of {@code beamline regions}. */
  public interface RegionsOptions extends BeamlineOptions {
    @Description("First region to process, 0-based, inclusive")
    @Validation.Required
    Integer getStartRegion();

    void setStartRegion(Integer value);

    @Description("Region to stop before, 0-based, exclusive (start 0, end 10 = regions 0..9)")
    @Validation.Required
    Integer getEndRegion();

    void setEndRegion(Integer value);

    @Description("Name of the spike folder: clips go to nmm_<filename>/ (letters, digits, _ and -)")
    @Default.String("spikes")
    String getFilename();

    void setFilename(String value);

    @Description(
        "Leadfield MAT file (v5 or v7.3), channels x regions, e.g. DeepSIF's"
            + " leadfield_75_20k.mat: a path, or a file name looked up in the anatomy folder (see"
            + " --anatomy-dir); alone, its connectivity is connectivity_<regions>.zip beside it."
            + " Default: none, a synthetic anatomy")
    String getLeadfield();

    void setLeadfield(String value);

    @Description(
        "Folder of the anatomy files named by file name (--leadfield, --connectivity,"
            + " --distances, --region-mapping); default: the first of ., ./anatomy, ../anatomy"
            + " (the seed's layout) and <output-dir>/../anatomy that holds the file")
    String getAnatomyDir();

    void setAnatomyDir(String value);

    @Description("Variable holding the leadfield")
    @Default.String("fwd")
    String getLeadfieldVariable();

    void setLeadfieldVariable(String value);

    @Description(
        "TVB connectivity zip (weights.txt, tract_lengths.txt, centres.txt): a path or a file"
            + " name in the anatomy folder; default with --leadfield: connectivity_<regions>.zip")
    String getConnectivity();

    void setConnectivity(String value);

    @Description(
        "Region distance matrix MAT file (regions x regions, mm); default: distances between the"
            + " connectivity's centres")
    String getDistances();

    void setDistances(String value);

    @Description("Variable holding the distance matrix; default: the file's only variable")
    String getDistancesVariable();

    void setDistancesVariable(String value);

    @Description("Vertex-to-region mapping MAT file (checked against the connectivity)")
    String getRegionMapping();

    void setRegionMapping(String value);

    @Description("Variable holding the region mapping; default: the file's only variable")
    String getRegionMappingVariable();

    void setRegionMappingVariable(String value);

    @Description("Index of the first region in the region mapping file: 0 (TVB) or 1 (MATLAB)")
    @Default.Integer(0)
    int getRegionMappingFirstIndex();

    void setRegionMappingFirstIndex(int value);

    @Description("Regions of the synthetic anatomy used when no anatomy files are given, >= 2")
    @Default.Integer(SYNTHETIC_REGIONS)
    int getSyntheticRegions();

    void setSyntheticRegions(int value);

    @Description("Channels of the synthetic anatomy's leadfield, >= 1")
    @Default.Integer(SYNTHETIC_CHANNELS)
    int getSyntheticChannels();

    void setSyntheticChannels(int value);

    @Description("Simulated length of one segment in ms (DeepSIF's siml)")
    @Default.Double(10_000)
    double getSegmentMs();

    void setSegmentMs(double value);

    @Description("Segments per iteration, simulated as one continuous run (DeepSIF: 20)")
    @Default.Integer(20)
    int getSegments();

    void setSegments(int value);

    @Description(
        "DeepSIF's mean_and_std iterations to simulate, each 0..2 (mu 0.087/0.08/0.083 with noise"
            + " std 1/1.7/1.5): a list like 0,1,2 or a range like 0:2 (DeepSIF's iter_list)")
    @Default.String("0:2")
    String getIterations();

    void setIterations(String value);

    @Description("Integration step in ms; the simulator's output rate is 1/dt (DeepSIF: 0.5)")
    @Default.Double(JansenRitSimulator.DEFAULT_DT_MS)
    double getDtMs();

    void setDtMs(double value);

    @Description("Excitatory gain A of the simulated (spiking) region in mV (DeepSIF: 3.5)")
    @Default.Double(3.5)
    double getSourceA();

    void setSourceA(double value);

    @Description("Global coupling strength a of SigmoidalJansenRit (DeepSIF: 1.0)")
    @Default.Double(1.0)
    double getCouplingA();

    void setCouplingA(double value);

    @Description("Conduction speed in mm/ms for the delays (TVB default 3.0)")
    @Default.Double(RegionConnectivity.TVB_DEFAULT_SPEED_MM_PER_MS)
    double getConductionSpeed();

    void setConductionSpeed(double value);

    @Description("Sensor-space SNR in dB the spikes are scaled to (DeepSIF's target_SNR)")
    @Default.Double(SpikeClips.DEEPSIF_TARGET_SNR_DB)
    double getTargetSnr();

    void setTargetSnr(double value);

    @Description("Random seed of the simulation noise and of the synthetic anatomy")
    @Default.Long(42)
    long getSeed();

    void setSeed(long value);

    @Description(
        "After the regions, build DeepSIF's synthetic source table (generate_sythetic_source)"
            + " over every region with clips on disk: <mode>_sample_source1.mat + Parquet")
    @Default.Boolean(false)
    boolean getSyntheticSources();

    void setSyntheticSources(boolean value);

    @Description(
        "Preset of the synthetic sources: test (nper 10, 3 variations per centre) or train (nper"
            + " 100, 48 variations)")
    @Default.String("test")
    String getSourcesMode();

    void setSourcesMode(String value);

    @Description("Sources per synthetic sample (DeepSIF: 2)")
    @Default.Integer(2)
    int getSourcesPerSample();

    void setSourcesPerSample(int value);

    @Description(
        "DeepSIF's nper: spike clips a synthetic source draws from per region; default: the"
            + " --sources-mode preset (test 10, train 100)")
    Integer getNper();

    void setNper(Integer value);

    @Description(
        "DeepSIF's n_iter: variations per centre region in the synthetic source table; default:"
            + " the --sources-mode preset (test 3, train 48)")
    Integer getnIter();

    void setnIter(Integer value);

    @Description(
        "DeepSIF's n_data: noisy EEG samples mixed per source-table row with --mix-eeg, each with"
            + " its own scale level and noise (DeepSIF's script declares n_data but does not use"
            + " it)")
    @Default.Integer(1)
    int getnData();

    void setnData(int value);

    @Description(
        "Mix the synthetic sources into sensor EEG as DeepSIF's loader does (clips on their"
            + " patches, leadfield projection, white noise at each row's SNR):"
            + " <mode>_sample_source1_eeg/eeg_<part>.mat + sensor_eeg Parquet; implies"
            + " --synthetic-sources")
    @Default.Boolean(false)
    boolean getMixEeg();

    void setMixEeg(boolean value);

    @Description("EEG samples per eeg_<part>.mat file with --mix-eeg, >= 1")
    @Default.Integer(100)
    int getEegSamplesPerFile();

    void setEegSamplesPerFile(int value);

    @Description("Neighbours per region (nearest centres) for growing source patches")
    @Default.Integer(6)
    int getPatchNeighbours();

    void setPatchNeighbours(int value);

    @Description(
        "Also keep the raw 2 kHz traces in raw_nmm/a<r>/ (large; for debugging; the seed deletes"
            + " them after each region)")
    @Default.Boolean(false)
    boolean getKeepRaw();

    void setKeepRaw(boolean value);
  }

  @Override
  public String name() {
    return "regions";
  }

  @Override
  public String summary() {
    return "Jansen-Rit simulation region by region -> DeepSIF spike clips (MAT + Parquet)";
  }

  @Override
  public Map<String, List<String>> moduleParameters() {
    return ModuleParameters.of(
            "anatomy",
            "leadfield-variable",
            "distances-variable",
            "region-mapping-variable",
            "region-mapping-first-index",
            "synthetic-regions",
            "synthetic-channels")
        .module(
            "simulate",
            "segment-ms",
            "segments",
            "iterations",
            "dt-ms",
            "source-a",
            "coupling-a",
            "conduction-speed",
            "seed")
        .module("extract-spikes", "target-snr", "filename", "keep-raw")
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
    iterations(o.getIterations());
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
    mode(o.getSourcesMode());
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

  static SyntheticSources.Mode mode(String value) {
    if ("train".equals(value)) {
      return SyntheticSources.Mode.TRAIN;
    }
    if ("test".equals(value)) {
      return SyntheticSources.Mode.TEST;
    }
    throw new UserInputException("--sources-mode must be train or test, got '" + value + "'");
  }

  @Override
  public void build(Pipeline p, RegionsOptions o) {
    RegionsAnatomy.Sources src = RegionsAnatomy.resolve(o);
    Anatomy anatomy = RegionsAnatomy.load(o, src);
    Path root = outputDir(o);
    int start = o.getStartRegion();
    int end = o.getEndRegion();
    // Runs sets the run id before building; a graph built without it (tests) gets its own.
    String runId = o.getRunId() != null ? o.getRunId() : Runs.newRunId(name());
    ItemCommits commits = ItemCommits.of(root, name(), o);
    RegionSettings settings = settings(o, anatomy, root);
    String fingerprint = settings.fingerprint();
    List<Integer> ids = IntStream.range(start, end).boxed().toList();

    PCollection<KV<String, Iterable<Integer>>> ended =
        p.apply("RegionIds", Create.of(ids).withCoder(VarIntCoder.of()))
            // Create keeps its elements in few splits; the reshuffle spreads regions over workers.
            .apply("SpreadRegions", Reshuffle.viaRandomKey())
            .apply(
                "SimulateAndExtract",
                ParDo.of(
                    new ProcessRegionFn(
                        settings,
                        fingerprint,
                        commits,
                        runId,
                        start,
                        end - start,
                        UUID.randomUUID().toString())))
            .apply("KeyRegions", WithKeys.of("regions"))
            // One key: what follows runs once, after every region of the run has ended.
            .apply("GatherRegions", GroupByKey.create());
    ended.apply(
        "DeriveTables",
        ParDo.of(new RegionsTables.DeriveTablesFn(settings, commits, runId, start, end)));
    if (o.getSyntheticSources() || o.getMixEeg()) {
      SyntheticSources.Mode mode = mode(o.getSourcesMode());
      PCollectionTuple table =
          ended.apply(
              "SyntheticSources",
              ParDo.of(
                      new SyntheticSourcesFn(
                          settings,
                          fingerprint,
                          commits,
                          runId,
                          mode,
                          o.getNper() != null ? o.getNper() : mode.nper,
                          o.getnIter() != null ? o.getnIter() : mode.variations,
                          o.getSourcesPerSample(),
                          o.getPatchNeighbours(),
                          o.getMixEeg(),
                          o.getEegSamplesPerFile(),
                          o.getnData()))
                  .withOutputTags(
                      SyntheticSourcesFn.MIX, TupleTagList.of(SyntheticSourcesFn.PLAN)));
      PCollection<KV<Integer, Row>> rows =
          table
              .get(SyntheticSourcesFn.MIX)
              .setCoder(KvCoder.of(VarIntCoder.of(), RowCoder.of(SYNTHETIC_SOURCES)));
      PCollection<Row> plan = table.get(SyntheticSourcesFn.PLAN).setRowSchema(MixSensorEeg.EVENT);
      if (o.getMixEeg()) {
        MixSensorEeg.Staging staging = MixSensorEeg.Staging.of(root, mode, runId);
        PCollection<Row> parts =
            rows.apply("MixSensorEeg", new MixSensorEeg(settings, staging, o.getnData()));
        PCollectionList.of(plan)
            .and(parts)
            .apply("EegEvents", Flatten.pCollections())
            .apply("KeyEeg", WithKeys.of("eeg"))
            .apply("GatherEeg", GroupByKey.create())
            .apply(
                "CommitEeg",
                ParDo.of(
                    new MixSensorEeg.CommitEegFn(commits, MixSensorEeg.key(mode), runId, staging)));
      }
    }
  }

  /**
   * Prints the seed's header (range, filename, leadfield) before the regions start, as its
   * orchestrator does.
   */
  @Override
  public AutoCloseable beforeRun(RegionsOptions o, Path runDir) {
    String bar = "=".repeat(80);
    System.out.println(
        String.join(
            "\n",
            bar,
            "DEEPSIF DATA GENERATION PIPELINE",
            bar,
            "Start Region: " + o.getStartRegion(),
            "End Region: " + o.getEndRegion(),
            "Total Regions: " + (o.getEndRegion() - o.getStartRegion()),
            "Filename: " + o.getFilename(),
            "Leadfield: " + RegionsAnatomy.resolve(o).describe(o),
            "Output: " + outputDir(o),
            bar));
    System.out.flush();
    return () -> {};
  }

  /**
   * Prints the final summary of the run ({@link RegionsTables#summaryText}) on stdout once the
   * pipeline has finished: in the driver, so it ends the command's output on every runner.
   */
  @Override
  public void afterRun(RegionsOptions o, Path runDir, PipelineResult result) throws IOException {
    Path json = outputDir(o).resolve(RegionsTables.SUMMARY_JSON);
    if (Files.isRegularFile(json)
        && Files.readString(json).contains("\"run_id\" : \"" + o.getRunId() + "\"")) {
      System.out.print(RegionsTables.summaryText(json));
      System.out.flush();
    }
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
      SyntheticSources.Mode mode = mode(o.getSourcesMode());
      roots.add(root.resolve(MixSensorEeg.key(mode)));
      roots.add(root.resolve("sensor_eeg").resolve(mode.name().toLowerCase(java.util.Locale.ROOT)));
    }
    return roots;
  }

  /** The output directory, absolute: the seed's {@code source/} folder. */
  public static Path outputDir(RegionsOptions o) {
    return Paths.get(o.getOutputDir()).toAbsolutePath().normalize();
  }

  /**
   * DeepSIF's iteration list: {@code a:b} (inclusive, as MATLAB) or a comma-separated list, each in
   * 0..2, no repeats.
   */
  static int[] iterations(String spec) {
    String s = spec == null ? "" : spec.strip();
    int[] out;
    try {
      if (s.matches("\\d+:\\d+")) {
        String[] ab = s.split(":");
        out = IntStream.rangeClosed(Integer.parseInt(ab[0]), Integer.parseInt(ab[1])).toArray();
      } else {
        out =
            java.util.Arrays.stream(s.split(","))
                .map(String::strip)
                .mapToInt(Integer::parseInt)
                .toArray();
      }
    } catch (NumberFormatException e) {
      out = new int[0];
    }
    if (out.length == 0
        || IntStream.of(out).anyMatch(m -> m < 0 || m > 2)
        || IntStream.of(out).distinct().count() != out.length) {
      throw new UserInputException(
          "--iterations must be distinct values in 0..2 as a list (0,1,2) or range (0:2), got '"
              + spec
              + "'");
    }
    return out;
  }

  private static void positive(String flag, double v) {
    if (!(v > 0) || !Double.isFinite(v)) {
      throw new UserInputException(flag + " must be a number > 0, got " + v);
    }
  }

  /** The run's anatomy, resolved and loaded ({@link RegionsAnatomy}). */
  static Anatomy loadAnatomy(RegionsOptions o) {
    return RegionsAnatomy.load(o, RegionsAnatomy.resolve(o));
  }

  static RegionSettings settings(RegionsOptions o, Anatomy anatomy, Path root) {
    Connectivity c = anatomy.connectivity();
    return new RegionSettings(
        c.weights().toArray2d(),
        c.tractLengths().toArray2d(),
        anatomy.leadfield().toArray2d(),
        c.labels().toArray(new String[0]),
        c.centres().toArray2d(),
        anatomy.distances().toArray2d(),
        o.getConductionSpeed(),
        o.getCouplingA(),
        o.getDtMs(),
        o.getSegmentMs(),
        o.getSegments(),
        iterations(o.getIterations()),
        o.getSourceA(),
        o.getTargetSnr(),
        o.getSeed(),
        o.getKeepRaw(),
        root.toString(),
        o.getFilename());
  }
}
