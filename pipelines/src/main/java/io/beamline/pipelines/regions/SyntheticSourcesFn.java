package io.beamline.pipelines.regions;

import io.beamline.framework.run.CommitRecord;
import io.beamline.framework.run.ItemCommits;
import io.beamline.framework.run.Runs;
import io.beamline.io.mat.MatMatrix;
import io.beamline.io.mat.MatReader;
import io.beamline.io.mat.MatWriter;
import io.beamline.transforms.nmm.SourcePatches;
import java.io.PrintStream;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.Row;
import org.apache.beam.sdk.values.TupleTag;

/**
 * DeepSIF's {@code generate_sythetic_source} step ({@link SyntheticSources}) as a committed item
 * (key {@code <mode>_sample_source1}): built over every region of the spike folder committed with
 * this run's settings (from this run or earlier batches), it writes {@code
 * <mode>_sample_source1.mat} and {@code synthetic_sources/<mode>_sample_source1.parquet} to staged
 * names and commits them together with a fingerprint of its inputs (the regions' records and the
 * table's parameters). A re-run whose inputs did not change finds the record and skips the step; a
 * run killed during it commits it next time. A table that cannot be built (no region has clips)
 * gets a failure record.
 *
 * <p>With {@code --mix-eeg} it also plans the EEG item ({@link MixSensorEeg}): unless that item is
 * committed with the same fingerprint, it emits the table rows keyed by their EEG part on {@link
 * #MIX} and one plan event ({@link MixSensorEeg#EVENT}) on {@link #PLAN}.
 */
final class SyntheticSourcesFn extends DoFn<KV<String, Iterable<Integer>>, KV<Integer, Row>> {
  static final TupleTag<KV<Integer, Row>> MIX = new TupleTag<KV<Integer, Row>>() {};
  static final TupleTag<Row> PLAN = new TupleTag<Row>() {};

  private final RegionSettings settings;
  private final String fingerprint;
  private final ItemCommits commits;
  private final String runId;
  private final SyntheticSources.Mode mode;
  private final int nper;
  private final int variations;
  private final int sources;
  private final int neighbours;
  private final boolean mixEeg;
  private final int samplesPerFile;
  private final int nData;

  SyntheticSourcesFn(
      RegionSettings settings,
      String fingerprint,
      ItemCommits commits,
      String runId,
      SyntheticSources.Mode mode,
      int nper,
      int variations,
      int sources,
      int neighbours,
      boolean mixEeg,
      int samplesPerFile,
      int nData) {
    this.settings = settings;
    this.fingerprint = fingerprint;
    this.commits = commits;
    this.runId = runId;
    this.mode = mode;
    this.nper = nper;
    this.variations = variations;
    this.sources = sources;
    this.neighbours = neighbours;
    this.mixEeg = mixEeg;
    this.samplesPerFile = samplesPerFile;
    this.nData = nData;
  }

  /** {@code test_sample_source1} or {@code train_sample_source1}: the item key and file stem. */
  static String key(SyntheticSources.Mode mode) {
    return mode.name().toLowerCase(Locale.ROOT) + "_sample_source1";
  }

  @ProcessElement
  public void process(@Element KV<String, Iterable<Integer>> ignored, MultiOutputReceiver out)
      throws Exception {
    PrintStream progress = System.out;
    String key = key(mode);
    String eegKey = MixSensorEeg.key(mode);
    int n = settings.regions();
    int[] clips = new int[n];
    MessageDigest d = RegionSettings.sha256();
    RegionSettings.update(d, "beamline-synthetic-sources-1");
    RegionSettings.update(d, fingerprint);
    RegionSettings.update(d, settings.centres);
    RegionSettings.update(d, settings.distances);
    RegionSettings.update(d, mode.name());
    RegionSettings.update(d, nper, variations, sources, neighbours);
    // The regions the table is built from, in region order, each with the commit it comes from.
    TreeMap<Integer, CommitRecord> regions = new TreeMap<>();
    for (CommitRecord r : commits.readAll().values()) {
      int region = ProcessRegionFn.region(settings.spikeFolder(), r.item());
      if (region >= 0
          && region < n
          && r.succeeded()
          && fingerprint.equals(r.details().get("fingerprint"))
          && commits.outputsPresent(r)) {
        regions.put(region, r);
      }
    }
    for (Map.Entry<Integer, CommitRecord> e : regions.entrySet()) {
      clips[e.getKey()] = RegionsTables.number(e.getValue().details().get("spikes")).intValue();
      RegionSettings.update(d, e.getKey() + "@" + e.getValue().committedUtc());
    }
    String sourcesFingerprint = HexFormat.of().formatHex(d.digest());
    MessageDigest e = RegionSettings.sha256();
    RegionSettings.update(e, sourcesFingerprint);
    RegionSettings.update(e, samplesPerFile, nData);
    String eegFingerprint = HexFormat.of().formatHex(e.digest());
    Optional<CommitRecord> table = committed(key, sourcesFingerprint);
    boolean eegNeeded = mixEeg && committed(eegKey, eegFingerprint).isEmpty();
    String bar = "=".repeat(80);
    if (table.isPresent() && !eegNeeded) {
      progress.println(
          "\u2713 Synthetic sources "
              + (mixEeg ? "and mixed EEG " : "")
              + "already built from these regions (committed by run "
              + table.get().runId()
              + "), skipped");
      return;
    }
    progress.println(
        bar
            + "\nSTEP 4: Generating synthetic sources ("
            + mode.name().toLowerCase(Locale.ROOT)
            + ")\n"
            + bar);
    RegionWork work = new RegionWork(settings, null);
    SyntheticSources.Samples s;
    try {
      Map<String, double[][]> cache = new HashMap<>();
      s =
          SyntheticSources.generate(
              SyntheticSources.nearestNeighbours(settings.centres, neighbours),
              settings.centres,
              settings.distances,
              settings.leadfield,
              clips,
              (region, k) ->
                  cache.computeIfAbsent(
                      region + "/" + k,
                      x -> {
                        try {
                          return MatReader.readMatrix(work.clipFile(region, k), "data").toArray2d();
                        } catch (Exception ex) {
                          throw new IllegalStateException(ex.getMessage(), ex);
                        }
                      }),
              mode,
              nper,
              variations,
              sources,
              settings.seed);
    } catch (Exception | OutOfMemoryError ex) {
      String error = Runs.oneLine(ex);
      commits.begin(key).detail("fingerprint", sourcesFingerprint).fail(runId, error);
      progress.println("\u2717 Synthetic sources failed: " + error);
      return;
    }
    List<Row> rows = rows(s);
    Path root = Paths.get(settings.root);
    if (table.isEmpty()) {
      ItemCommits.Item item = commits.begin(key);
      write(s, item.stage(root.resolve(key + ".mat")));
      RegionsTables.writeParquet(
          RegionsPipeline.SYNTHETIC_SOURCES,
          "synthetic_sources",
          rows,
          item.stage(root.resolve("synthetic_sources").resolve(key + ".parquet")));
      item.detail("fingerprint", sourcesFingerprint)
          .detail("spike_folder", settings.spikeFolder())
          .detail("regions", new ArrayList<>(regions.keySet()))
          .detail("samples", s.count())
          .commit(runId);
      progress.println(
          "\u2713 Synthetic sources: "
              + s.count()
              + " samples over "
              + java.util.Arrays.stream(clips).filter(c -> c > 0).count()
              + " centre regions -> "
              + root.resolve(key + ".mat"));
    }
    if (eegNeeded) {
      int parts = (s.count() + samplesPerFile - 1) / samplesPerFile;
      out.get(PLAN).output(MixSensorEeg.event(-1, parts, 0, eegFingerprint, null));
      for (Row r : rows) {
        out.get(MIX).output(KV.of(r.getInt32("sample") / samplesPerFile, r));
      }
    }
  }

  private Optional<CommitRecord> committed(String key, String fp) {
    return commits.committed(key).filter(r -> fp.equals(r.details().get("fingerprint")));
  }

  /** One {@link RegionsPipeline#SYNTHETIC_SOURCES} row per (sample, source). */
  private List<Row> rows(SyntheticSources.Samples s) {
    List<Row> out = new ArrayList<>();
    int width = SourcePatches.DEEPSIF_MAX_SIZE;
    for (int i = 0; i < s.count(); i++) {
      for (int k = 0; k < sources; k++) {
        List<Integer> patch = new ArrayList<>();
        List<Double> mag = new ArrayList<>();
        for (int j = 0; j < width; j++) {
          if (s.selectedRegion()[i][k][j] != SourcePatches.DEEPSIF_PAD) {
            patch.add(s.selectedRegion()[i][k][j]);
            mag.add(s.magChange()[i][k][j]);
          }
        }
        List<Double> ratios = new ArrayList<>();
        for (double v : s.scaleRatio()[i][k]) {
          ratios.add(v);
        }
        out.add(
            Row.withSchema(RegionsPipeline.SYNTHETIC_SOURCES)
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
    return out;
  }

  /** DeepSIF's MAT table: {@code selected_region}, {@code nmm_idx}, ... (see the class doc). */
  private void write(SyntheticSources.Samples s, Path target) throws Exception {
    int rows = s.count();
    int width = SourcePatches.DEEPSIF_MAX_SIZE;
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
      }
    }
    MatWriter.create()
        .withDouble("selected_region", MatMatrix.of(new int[] {rows, sources, width}, selected))
        .withDouble("nmm_idx", MatMatrix.of(rows, sources, idx))
        .withDouble("random_samples", MatMatrix.of(rows, sources, picks))
        .withDouble("current_snr", MatMatrix.of(rows, 1, s.currentSnr()))
        .withDouble("scale_ratio", MatMatrix.of(new int[] {rows, sources, levels}, scale))
        .withDouble("mag_change", MatMatrix.of(new int[] {rows, sources, width}, magnitude))
        .write(target);
  }
}
