package io.beamline.pipelines.regions;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.beamline.io.anatomy.Anatomy;
import io.beamline.io.anatomy.AnatomyException;
import io.beamline.io.anatomy.AnatomyFiles;
import io.beamline.io.anatomy.Connectivity;
import io.beamline.io.anatomy.SyntheticAnatomy;
import io.beamline.io.anatomy.TvbConnectivity;
import io.beamline.io.failures.Failure;
import io.beamline.io.failures.FailureIO;
import io.beamline.io.files.AtomicFiles;
import io.beamline.io.mat.MatFileException;
import io.beamline.io.mat.MatReader;
import io.beamline.io.parquet.ParquetTableIO;
import io.beamline.pipelines.BeamlineOptions;
import io.beamline.pipelines.BeamlinePipeline;
import io.beamline.pipelines.Inputs;
import io.beamline.pipelines.UserInputException;
import io.beamline.transforms.nmm.JansenRitSimulator;
import io.beamline.transforms.nmm.RegionConnectivity;
import io.beamline.transforms.nmm.SpikeClips;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.Validation;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.Reshuffle;
import org.apache.beam.sdk.transforms.WithKeys;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.Row;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;

/**
 * DeepSIF's data generation ({@code generate_tvb_data.py} + {@code process_raw_nmm.m}, driven
 * region by region as its {@code pipeline_orchestrator.py} does) as one Beam pipeline. Regions
 * {@code --start-region .. --end-region - 1} are the parallel work items; each is simulated with
 * the Jansen-Rit network kernel (its excitability A raised) and its spikes extracted in the same
 * step, so raw traces never reach the disk unless {@code --keep-raw}.
 *
 * <p>Outputs under {@code <output-dir>/regions/} ({@code <f>} = {@code --filename}, {@code <range>}
 * = {@code r<start>-<end>}):
 *
 * <ul>
 *   <li>{@code nmm_<f>/a<r>/nmm_<k>.mat} and {@code nmm_<f>/clip_info/iter<m>/iter_<m>_i_<r>.mat},
 *       DeepSIF's files (see {@link RegionWork});
 *   <li>{@code spike_clips/spike_clips-<range>-*.parquet}: one row per clip file ({@link
 *       #SPIKE_CLIPS});
 *   <li>{@code region_summary/region_summary-<range>-*.parquet} ({@link #REGION_SUMMARY}) and
 *       {@code regions_summary.json}: succeeded, failed (with the error), skipped, seconds per
 *       region, of the latest run;
 *   <li>{@code failures/failures-<range>-*.jsonl}: one record per failed region;
 *   <li>with {@code --synthetic-sources}: {@code <mode>_sample_source1.mat} (DeepSIF's {@code
 *       selected_region}, {@code nmm_idx}, {@code random_samples}, {@code current_snr}, {@code
 *       scale_ratio}, {@code mag_change}; see {@link SyntheticSources}) and {@code
 *       synthetic_sources/*.parquet} ({@link #SYNTHETIC_SOURCES}), built after the run's regions
 *       from every region with clips on disk.
 * </ul>
 *
 * <p>The anatomy is read (or, with neither {@code --leadfield} nor {@code --connectivity},
 * generated with {@link SyntheticAnatomy}) once, in the driver, checked, and shipped to the workers
 * as arrays. A region whose clip_info markers all exist is skipped and its rows re-read from the
 * markers, so re-running a command resumes it and batches run separately give the same files as one
 * run.
 *
 * <pre>{@code
 * beamline regions --start-region 0 --end-region 10 --output-dir out            # synthetic anatomy
 * beamline regions --start_region 0 --end_region 10 --leadfield leadfield_75_20k.mat \
 *     --connectivity connectivity_76.zip --output-dir out --runner=SparkRunner
 * }</pre>
 */
public final class RegionsPipeline implements BeamlinePipeline<RegionsPipeline.RegionsOptions> {

  /** Default synthetic anatomy: TVB's 76-region connectivity size, DeepSIF's 75 channels. */
  static final int SYNTHETIC_REGIONS = 76;

  static final int SYNTHETIC_CHANNELS = 75;

  /** Clip index table: one row per {@code nmm_<k>.mat}. */
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

  /** Per-region outcome of one run; {@code status} is succeeded, failed or skipped. */
  public static final Schema REGION_SUMMARY =
      Schema.builder()
          .addInt32Field("region")
          .addStringField("label")
          .addStringField("status")
          .addNullableField("error", Schema.FieldType.STRING)
          .addInt32Field("spikes")
          .addDoubleField("seconds")
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

  static final TupleTag<Row> SUMMARY = new TupleTag<Row>() {};
  static final TupleTag<Row> CLIPS = new TupleTag<Row>() {};
  static final TupleTag<Failure> FAILURES = new TupleTag<Failure>() {};

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
            + " leadfield_75_20k.mat; give it with --connectivity, or neither for a synthetic"
            + " anatomy")
    String getLeadfield();

    void setLeadfield(String value);

    @Description("Variable holding the leadfield")
    @Default.String("fwd")
    String getLeadfieldVariable();

    void setLeadfieldVariable(String value);

    @Description("TVB connectivity zip (weights.txt, tract_lengths.txt, centres.txt)")
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

    @Description("Also write the raw 2 kHz traces to raw_nmm/ (large; for debugging)")
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
    loadAnatomy(o);
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
    Anatomy anatomy = loadAnatomy(o);
    Path root = outputDir(o);
    int start = o.getStartRegion();
    int end = o.getEndRegion();
    String range = "r" + start + "-" + end;
    RegionSettings settings = settings(o, anatomy, root);
    List<Integer> ids = IntStream.range(start, end).boxed().toList();

    PCollectionTuple results =
        p.apply("RegionIds", Create.of(ids).withCoder(VarIntCoder.of()))
            // Create keeps its elements in few splits; the reshuffle spreads regions over workers.
            .apply("SpreadRegions", Reshuffle.viaRandomKey())
            .apply(
                "SimulateAndExtract",
                ParDo.of(new ProcessRegionFn(settings, start, end - start))
                    .withOutputTags(SUMMARY, TupleTagList.of(CLIPS).and(FAILURES)));
    PCollection<Row> summary = results.get(SUMMARY).setRowSchema(REGION_SUMMARY);
    PCollection<Row> clips = results.get(CLIPS).setRowSchema(SPIKE_CLIPS);
    PCollection<Failure> failures =
        results.get(FAILURES).setCoder(SerializableCoder.of(Failure.class));

    clips.apply(
        "WriteSpikeClips",
        ParquetTableIO.write(SPIKE_CLIPS)
            .to(root.resolve("spike_clips").toString())
            .withPrefix("spike_clips-" + range)
            .withNumShards(1));
    summary.apply(
        "WriteRegionSummary",
        ParquetTableIO.write(REGION_SUMMARY)
            .to(root.resolve("region_summary").toString())
            .withPrefix("region_summary-" + range)
            .withNumShards(1));
    failures.apply(
        "WriteFailures",
        FailureIO.write().to(root.resolve("failures").toString()).withPrefix("failures-" + range));
    PCollection<KV<String, Iterable<Row>>> gathered =
        summary
            .apply("KeySummary", WithKeys.of("regions"))
            .apply("GatherSummary", GroupByKey.create());
    gathered.apply(
        "WriteSummaryJson",
        ParDo.of(new WriteSummaryFn(root.resolve("regions_summary.json").toString(), start, end)));
    if (o.getSyntheticSources() || o.getMixEeg()) {
      SyntheticSources.Mode mode = mode(o.getSourcesMode());
      int nper = o.getNper() != null ? o.getNper() : mode.nper;
      int variations = o.getnIter() != null ? o.getnIter() : mode.variations;
      // Runs once, after every region of this run (it consumes their gathered summary).
      PCollection<Row> sources =
          gathered
              .apply(
                  "SyntheticSources",
                  ParDo.of(
                      new SyntheticSourcesFn(
                          settings,
                          mode,
                          nper,
                          variations,
                          o.getSourcesPerSample(),
                          o.getPatchNeighbours())))
              .setRowSchema(SYNTHETIC_SOURCES);
      sources.apply(
          "WriteSyntheticSources",
          ParquetTableIO.write(SYNTHETIC_SOURCES)
              .to(root.resolve("synthetic_sources").toString())
              .withPrefix("synthetic_sources")
              .withNumShards(1));
      if (o.getMixEeg()) {
        sources
            .apply(
                "MixSensorEeg",
                new MixSensorEeg(
                    settings,
                    root.resolve(eegDirName(mode)).toString(),
                    o.getEegSamplesPerFile(),
                    o.getnData()))
            .apply(
                "WriteSensorEeg",
                ParquetTableIO.write(MixSensorEeg.SENSOR_EEG)
                    .to(root.resolve("sensor_eeg").toString())
                    .withPrefix("sensor_eeg")
                    .withNumShards(1));
      }
    }
  }

  /** {@code <mode>_sample_source1_eeg}, the folder of the mixed EEG files. */
  static String eegDirName(SyntheticSources.Mode mode) {
    return mode.name().toLowerCase(java.util.Locale.ROOT) + "_sample_source1_eeg";
  }

  @Override
  public List<Path> inputFiles(RegionsOptions o) {
    List<Path> files = new ArrayList<>();
    for (String f :
        new String[] {
          o.getLeadfield(), o.getConnectivity(), o.getDistances(), o.getRegionMapping()
        }) {
      if (f != null) {
        files.add(Paths.get(f));
      }
    }
    return files;
  }

  /** {@code <output-dir>/regions}. */
  public static Path outputDir(RegionsOptions o) {
    return Paths.get(o.getOutputDir()).toAbsolutePath().normalize().resolve("regions");
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

  /**
   * Reads the anatomy files (or generates the synthetic anatomy) and checks that they fit together;
   * every problem is a one-line {@link UserInputException} naming the file.
   */
  static Anatomy loadAnatomy(RegionsOptions o) {
    boolean hasLeadfield = o.getLeadfield() != null;
    boolean hasConnectivity = o.getConnectivity() != null;
    Anatomy anatomy;
    if (!hasLeadfield && !hasConnectivity) {
      if (o.getDistances() != null || o.getRegionMapping() != null) {
        throw new UserInputException(
            "--distances and --region-mapping need --leadfield and --connectivity; give all of"
                + " them or none for a synthetic anatomy");
      }
      anatomy =
          SyntheticAnatomy.generate(o.getSeed(), o.getSyntheticRegions(), o.getSyntheticChannels());
    } else if (hasLeadfield != hasConnectivity) {
      throw new UserInputException(
          "--leadfield and --connectivity go together: give both (e.g. leadfield_75_20k.mat and"
              + " connectivity_76.zip) or neither for a synthetic anatomy");
    } else {
      Path lf = Inputs.requireReadableFile("--leadfield", o.getLeadfield());
      Path zip = Inputs.requireReadableFile("--connectivity", o.getConnectivity());
      try {
        Connectivity c = TvbConnectivity.read(zip);
        anatomy = Anatomy.of(c, AnatomyFiles.readLeadfield(lf, o.getLeadfieldVariable()));
        if (o.getDistances() != null) {
          Path d = Inputs.requireReadableFile("--distances", o.getDistances());
          anatomy =
              anatomy.withDistances(
                  AnatomyFiles.readDistances(d, variable(d, o.getDistancesVariable())));
        }
        if (o.getRegionMapping() != null) {
          Path m = Inputs.requireReadableFile("--region-mapping", o.getRegionMapping());
          anatomy =
              anatomy.withRegionMapping(
                  AnatomyFiles.readRegionMapping(
                      m,
                      variable(m, o.getRegionMappingVariable()),
                      o.getRegionMappingFirstIndex()));
        }
      } catch (AnatomyException | MatFileException e) {
        throw new UserInputException(e.getMessage(), e);
      } catch (IllegalArgumentException e) {
        // Shape errors of the connectivity's own matrices name both shapes; add the file.
        throw new UserInputException(
            e.getMessage() + " (" + o.getConnectivity() + ", " + o.getLeadfield() + ")", e);
      }
    }
    List<String> problems = anatomy.problems();
    if (!problems.isEmpty()) {
      throw new UserInputException(
          "invalid anatomy"
              + (hasLeadfield ? " (" + o.getLeadfield() + ", " + o.getConnectivity() + ")" : "")
              + ": "
              + String.join("; ", problems));
    }
    return anatomy;
  }

  /** The named variable, or the file's only variable when none is named. */
  private static String variable(Path file, String named) throws MatFileException {
    if (named != null) {
      return named;
    }
    try (MatReader r = MatReader.open(file)) {
      List<String> vars = r.variables();
      if (vars.size() != 1) {
        throw new UserInputException(
            file
                + " holds "
                + vars.size()
                + " variables "
                + vars
                + "; name the one to use with its --...-variable flag");
      }
      return vars.get(0);
    }
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

  /**
   * Simulates one region and extracts its spikes ({@link RegionWork}); emits one summary row, its
   * clip rows, and for a region that throws a {@link Failure} instead of clip rows. Status lines go
   * to stdout: a region is minutes of work, so one banner per region and step is the progress
   * report DeepSIF's users know, not per-element logging.
   */
  static final class ProcessRegionFn extends DoFn<Integer, Row> {
    private final RegionSettings settings;
    private final int first;
    private final int count;
    private final Counter succeeded = Metrics.counter(RegionsPipeline.class, "regions_succeeded");
    private final Counter failed = Metrics.counter(RegionsPipeline.class, "regions_failed");
    private final Counter skipped = Metrics.counter(RegionsPipeline.class, "regions_skipped");
    private final Counter clipsWritten = Metrics.counter(RegionsPipeline.class, "spike_clips");

    ProcessRegionFn(RegionSettings settings, int first, int count) {
      this.settings = settings;
      this.first = first;
      this.count = count;
    }

    @ProcessElement
    public void process(@Element Integer region, MultiOutputReceiver out) {
      PrintStream progress = System.out;
      long t0 = System.nanoTime();
      String label = region >= 0 && region < settings.labels.length ? settings.labels[region] : "";
      // One print per banner: regions run in parallel and their lines must not interleave.
      String bar = "#".repeat(80);
      progress.println(
          bar
              + "\n# Processing Region "
              + region
              + " ("
              + (region - first + 1)
              + "/"
              + count
              + ")\n"
              + bar);
      RegionWork work = new RegionWork(settings, progress);
      try {
        RegionWork.Result r = work.process(region);
        double seconds = (System.nanoTime() - t0) / 1e9;
        for (RegionWork.Clip c : r.clips()) {
          out.get(CLIPS)
              .output(
                  Row.withSchema(SPIKE_CLIPS)
                      .addValues(
                          c.region(),
                          c.iteration(),
                          c.clip(),
                          c.spikeTime(),
                          c.clipStart(),
                          c.alpha(),
                          c.file())
                      .build());
        }
        if (r.skipped()) {
          skipped.inc();
          progress.println(
              "\u2713 Region " + region + " already processed (clip_info found), skipped");
        } else {
          succeeded.inc();
          clipsWritten.inc(r.clips().size());
          progress.printf("\u2713 Completed region %d in %.2f seconds%n", region, seconds);
        }
        out.get(SUMMARY)
            .output(
                Row.withSchema(REGION_SUMMARY)
                    .addValues(
                        region,
                        label,
                        r.skipped() ? "skipped" : "succeeded",
                        null,
                        r.spikes(),
                        seconds)
                    .build());
      } catch (Exception | OutOfMemoryError e) {
        double seconds = (System.nanoTime() - t0) / 1e9;
        String error = io.beamline.pipelines.run.Runs.oneLine(e);
        failed.inc();
        progress.println("\u2717 Region " + region + " failed: " + error);
        out.get(FAILURES)
            .output(new Failure("regions", "region " + region, "SimulateAndExtract", error));
        out.get(SUMMARY)
            .output(
                Row.withSchema(REGION_SUMMARY)
                    .addValues(region, label, "failed", error, 0, seconds)
                    .build());
      }
    }
  }

  /**
   * Writes {@code regions_summary.json} atomically from all summary rows of the run and prints the
   * final summary.
   */
  static final class WriteSummaryFn extends DoFn<KV<String, Iterable<Row>>, Void> {
    private final String target;
    private final int start;
    private final int end;

    WriteSummaryFn(String target, int start, int end) {
      this.target = target;
      this.start = start;
      this.end = end;
    }

    @ProcessElement
    public void process(@Element KV<String, Iterable<Row>> all) throws IOException {
      List<Row> rows = new ArrayList<>();
      all.getValue().forEach(rows::add);
      rows.sort(Comparator.comparingInt(r -> r.getInt32("region")));
      List<Integer> succeeded = new ArrayList<>();
      List<Integer> skipped = new ArrayList<>();
      List<Map<String, Object>> failed = new ArrayList<>();
      List<Map<String, Object>> regions = new ArrayList<>();
      double total = 0;
      for (Row r : rows) {
        int region = r.getInt32("region");
        String status = r.getString("status");
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("region", region);
        entry.put("label", r.getString("label"));
        entry.put("status", status);
        entry.put("spikes", r.getInt32("spikes"));
        entry.put("seconds", r.getDouble("seconds"));
        if (r.getString("error") != null) {
          entry.put("error", r.getString("error"));
        }
        regions.add(entry);
        total += r.getDouble("seconds");
        switch (status) {
          case "succeeded" -> succeeded.add(region);
          case "skipped" -> skipped.add(region);
          default -> failed.add(Map.of("region", region, "error", r.getString("error")));
        }
      }
      Map<String, Object> json = new LinkedHashMap<>();
      json.put("start_region", start);
      json.put("end_region", end);
      json.put("succeeded", succeeded);
      json.put("failed", failed);
      json.put("skipped", skipped);
      json.put("regions", regions);
      json.put("total_seconds", total);
      ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
      AtomicFiles.writeString(Paths.get(target), mapper.writeValueAsString(json) + "\n");

      PrintStream out = System.out;
      out.println("#".repeat(80));
      out.printf(
          "# Summary: regions %d..%d: %d succeeded, %d failed, %d skipped (%.2f s)%n",
          start, end - 1, succeeded.size(), failed.size(), skipped.size(), total);
      out.println("#".repeat(80));
      for (Map<String, Object> f : failed) {
        out.println("\u2717 region " + f.get("region") + ": " + f.get("error"));
      }
      out.println("summary: " + target);
    }
  }

  /**
   * DeepSIF's {@code generate_sythetic_source} step ({@link SyntheticSources}) over every region of
   * the anatomy whose clip_info markers are all on disk (from this run or earlier batches); writes
   * {@code <mode>_sample_source1.mat} atomically and emits the table rows.
   */
  static final class SyntheticSourcesFn extends DoFn<KV<String, Iterable<Row>>, Row> {
    private final RegionSettings settings;
    private final SyntheticSources.Mode mode;
    private final int nper;
    private final int variations;
    private final int sources;
    private final int neighbours;

    SyntheticSourcesFn(
        RegionSettings settings,
        SyntheticSources.Mode mode,
        int nper,
        int variations,
        int sources,
        int neighbours) {
      this.settings = settings;
      this.mode = mode;
      this.nper = nper;
      this.variations = variations;
      this.sources = sources;
      this.neighbours = neighbours;
    }

    @ProcessElement
    public void process(@Element KV<String, Iterable<Row>> ignored, OutputReceiver<Row> out)
        throws Exception {
      PrintStream progress = System.out;
      String bar = "=".repeat(80);
      progress.println(
          bar
              + "\nSTEP 4: Generating synthetic sources ("
              + mode.name().toLowerCase(java.util.Locale.ROOT)
              + ")\n"
              + bar);
      RegionWork work = new RegionWork(settings, null);
      int n = settings.regions();
      int[] clips = new int[n];
      int lastIteration = settings.iterations[settings.iterations.length - 1];
      for (int r = 0; r < n; r++) {
        if (work.done(r)) {
          clips[r] =
              (int) MatReader.readMatrix(work.clipInfo(lastIteration, r), "num_spike").getFlat(0);
        }
      }
      Map<String, double[][]> cache = new java.util.HashMap<>();
      SyntheticSources.ClipSource source =
          (region, k) -> {
            String key = region + "/" + k;
            double[][] c = cache.get(key);
            if (c == null) {
              c = MatReader.readMatrix(work.clipFile(region, k), "data").toArray2d();
              cache.put(key, c);
            }
            return c;
          };
      SyntheticSources.Samples s =
          SyntheticSources.generate(
              SyntheticSources.nearestNeighbours(settings.centres, neighbours),
              settings.centres,
              settings.distances,
              settings.leadfield,
              clips,
              source,
              mode,
              nper,
              variations,
              sources,
              settings.seed);
      int rows = s.count();
      int width = io.beamline.transforms.nmm.SourcePatches.DEEPSIF_MAX_SIZE;
      int levels = mode.scaleSnrs.length;
      double[] selected = new double[rows * sources * width];
      double[] magnitude = new double[rows * sources * width];
      double[] scale = new double[rows * sources * levels];
      double[] idx = new double[rows * sources];
      double[] picks = new double[rows * sources];
      for (int i = 0; i < rows; i++) {
        for (int k = 0; k < sources; k++) {
          int cell = i * sources + k;
          idx[cell] = s.nmmIdx()[i][k];
          picks[cell] = s.randomSamples()[i][k];
          for (int j = 0; j < width; j++) {
            selected[cell * width + j] = s.selectedRegion()[i][k][j];
            magnitude[cell * width + j] = s.magChange()[i][k][j];
          }
          for (int j = 0; j < levels; j++) {
            scale[cell * levels + j] = s.scaleRatio()[i][k][j];
          }
          List<Integer> patch = new ArrayList<>();
          List<Double> mag = new ArrayList<>();
          for (int j = 0; j < width; j++) {
            if (s.selectedRegion()[i][k][j]
                != io.beamline.transforms.nmm.SourcePatches.DEEPSIF_PAD) {
              patch.add(s.selectedRegion()[i][k][j]);
              mag.add(s.magChange()[i][k][j]);
            }
          }
          List<Double> ratios = new ArrayList<>();
          for (double v : s.scaleRatio()[i][k]) {
            ratios.add(v);
          }
          out.output(
              Row.withSchema(SYNTHETIC_SOURCES)
                  .addValues(
                      i,
                      k,
                      patch.get(0),
                      patch,
                      s.randomSamples()[i][k],
                      s.nmmIdx()[i][k],
                      s.currentSnr()[i],
                      ratios,
                      mag)
                  .build());
        }
      }
      Path target =
          Paths.get(
              settings.root,
              mode.name().toLowerCase(java.util.Locale.ROOT) + "_sample_source1.mat");
      io.beamline.io.mat.MatWriter.create()
          .withDouble(
              "selected_region",
              io.beamline.io.mat.MatMatrix.of(new int[] {rows, sources, width}, selected))
          .withDouble("nmm_idx", io.beamline.io.mat.MatMatrix.of(rows, sources, idx))
          .withDouble("random_samples", io.beamline.io.mat.MatMatrix.of(rows, sources, picks))
          .withDouble("current_snr", io.beamline.io.mat.MatMatrix.of(rows, 1, s.currentSnr()))
          .withDouble(
              "scale_ratio",
              io.beamline.io.mat.MatMatrix.of(new int[] {rows, sources, levels}, scale))
          .withDouble(
              "mag_change",
              io.beamline.io.mat.MatMatrix.of(new int[] {rows, sources, width}, magnitude))
          .write(target);
      progress.println(
          "\u2713 Synthetic sources: "
              + rows
              + " samples over "
              + java.util.Arrays.stream(clips).filter(c -> c > 0).count()
              + " centre regions -> "
              + target);
    }
  }
}
