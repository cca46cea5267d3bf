package io.beamline.pipelines.regions;

import io.beamline.framework.run.CommitRecord;
import io.beamline.framework.run.ItemCommit;
import io.beamline.framework.run.ItemCommits;
import io.beamline.framework.run.Runs;
import io.beamline.io.mat.MatMatrix;
import io.beamline.io.mat.MatReader;
import io.beamline.io.mat.MatWriter;
import io.beamline.transforms.nmm.SourcePatches;
import io.beamline.transforms.nmm.SyntheticSources;
import java.io.PrintStream;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.values.KV;
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
 * <p>With {@code mixEeg} it also plans the EEG item ({@link MixEeg}): unless that item is committed
 * with the same fingerprint, it emits the table rows keyed by their EEG part on {@link #ROWS} and
 * one {@link EegEvent#plan} on {@link #PLAN}.
 */
final class SyntheticSourcesFn extends DoFn<RegionsEnded, KV<Integer, SourceRow>> {
  static final TupleTag<KV<Integer, SourceRow>> ROWS = BuildSyntheticSources.ROWS.tag();
  static final TupleTag<EegEvent> PLAN = BuildSyntheticSources.PLAN.tag();

  private final BuildSyntheticSources.Config c;
  private final RegionSettings settings;
  private final String fingerprint;
  private final ItemCommits commits;

  /**
   * @param fingerprint {@link RegionSettings#fingerprint} of the config's settings
   */
  SyntheticSourcesFn(BuildSyntheticSources.Config config, String fingerprint, ItemCommits commits) {
    this.c = config;
    this.settings = config.settings();
    this.fingerprint = fingerprint;
    this.commits = commits;
  }

  @ProcessElement
  public void process(@Element RegionsEnded ignored, MultiOutputReceiver out) throws Exception {
    PrintStream progress = System.out;
    SyntheticSources.Mode mode = c.mode();
    String key = RegionsOutput.sourcesKey(mode);
    String eegKey = RegionsOutput.eegKey(mode);
    RegionsOutput files = settings.output();
    int n = settings.anatomy().regions();
    int[] clips = new int[n];
    MessageDigest d = Digests.sha256();
    Digests.update(d, "beamline-synthetic-sources-1");
    Digests.update(d, fingerprint);
    Digests.update(d, settings.anatomy().centres);
    Digests.update(d, settings.anatomy().distances);
    Digests.update(d, mode.name());
    Digests.update(d, c.nper(), c.variations(), c.sources(), c.neighbours());
    // The regions the table is built from, in region order, each with the commit it comes from.
    TreeMap<Integer, CommitRecord> regions = new TreeMap<>();
    for (CommitRecord r : commits.readAll().values()) {
      int region = ProcessRegionFn.region(files.spikeFolder(), r.item());
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
      Digests.update(d, e.getKey() + "@" + e.getValue().committedUtc());
    }
    String sourcesFingerprint = HexFormat.of().formatHex(d.digest());
    MessageDigest e = Digests.sha256();
    Digests.update(e, sourcesFingerprint);
    Digests.update(e, c.samplesPerFile(), c.nData());
    String eegFingerprint = HexFormat.of().formatHex(e.digest());
    Optional<CommitRecord> table = committed(key, sourcesFingerprint);
    boolean eegNeeded = c.mixEeg() && committed(eegKey, eegFingerprint).isEmpty();
    String bar = "=".repeat(80);
    if (table.isPresent() && !eegNeeded) {
      progress.println(
          "\u2713 Synthetic sources "
              + (c.mixEeg() ? "and mixed EEG " : "")
              + "already built from these regions (committed by run "
              + table.get().runId()
              + "), skipped");
      return;
    }
    progress.println(
        bar
            + "\nSTEP 4: Generating synthetic sources ("
            + RegionsOutput.modeName(mode)
            + ")\n"
            + bar);
    SyntheticSources.Samples s;
    try {
      Map<String, double[][]> cache = new HashMap<>();
      s =
          SyntheticSources.generate(
              SyntheticSources.nearestNeighbours(settings.anatomy().centres, c.neighbours()),
              settings.anatomy().centres,
              settings.anatomy().distances,
              settings.anatomy().leadfield,
              clips,
              (region, k) ->
                  cache.computeIfAbsent(
                      region + "/" + k,
                      x -> {
                        try {
                          return MatReader.readMatrix(files.clipFile(region, k), "data")
                              .toArray2d();
                        } catch (Exception ex) {
                          throw new IllegalStateException(ex.getMessage(), ex);
                        }
                      }),
              mode,
              c.nper(),
              c.variations(),
              c.sources(),
              settings.simulation().seed());
    } catch (Exception | OutOfMemoryError ex) {
      String error = Runs.oneLine(ex);
      commits.begin(key).detail("fingerprint", sourcesFingerprint).fail(c.runId(), error);
      progress.println("\u2717 Synthetic sources failed: " + error);
      return;
    }
    List<SourceRow> rows = rows(s);
    Path root = files.rootDir();
    if (table.isEmpty()) {
      ItemCommit item = commits.begin(key);
      write(s, item.stage(root.resolve(key + ".mat")));
      RegionsTables.writeParquet(
          SourceRow.SCHEMA,
          "synthetic_sources",
          rows.stream().map(SourceRow::toRow).toList(),
          item.stage(root.resolve("synthetic_sources").resolve(key + ".parquet")));
      item.detail("fingerprint", sourcesFingerprint)
          .detail("spike_folder", files.spikeFolder())
          .detail("regions", new ArrayList<>(regions.keySet()))
          .detail("samples", s.count())
          .commit(c.runId());
      progress.println(
          "\u2713 Synthetic sources: "
              + s.count()
              + " samples over "
              + Arrays.stream(clips).filter(c -> c > 0).count()
              + " centre regions -> "
              + root.resolve(key + ".mat"));
    }
    if (eegNeeded) {
      int perFile = c.samplesPerFile();
      int parts = (s.count() + perFile - 1) / perFile;
      out.get(PLAN).output(EegEvent.plan(parts, eegFingerprint));
      for (SourceRow r : rows) {
        out.get(ROWS).output(KV.of(r.sample() / perFile, r));
      }
    }
  }

  private Optional<CommitRecord> committed(String key, String fp) {
    return commits.committed(key).filter(r -> fp.equals(r.details().get("fingerprint")));
  }

  /** One {@link SourceRow} per (sample, source). */
  private List<SourceRow> rows(SyntheticSources.Samples s) {
    List<SourceRow> out = new ArrayList<>();
    int width = SourcePatches.DEEPSIF_MAX_SIZE;
    for (int i = 0; i < s.count(); i++) {
      for (int k = 0; k < c.sources(); k++) {
        int[] selected = s.selectedRegion()[i][k];
        int size =
            (int) Arrays.stream(selected).filter(r -> r != SourcePatches.DEEPSIF_PAD).count();
        int[] patch = new int[size];
        double[] mag = new double[size];
        int j = 0;
        for (int x = 0; x < width; x++) {
          if (selected[x] != SourcePatches.DEEPSIF_PAD) {
            patch[j] = selected[x];
            mag[j] = s.magChange()[i][k][x];
            j++;
          }
        }
        out.add(
            new SourceRow(
                i,
                k,
                patch[0],
                patch,
                s.randomSamples()[i][k],
                s.nmmIdx()[i][k],
                s.currentSnr()[i],
                s.scaleRatio()[i][k].clone(),
                mag));
      }
    }
    return out;
  }

  /** DeepSIF's MAT table: {@code selected_region}, {@code nmm_idx}, ... (see the class doc). */
  private void write(SyntheticSources.Samples s, Path target) throws Exception {
    int rows = s.count();
    int width = SourcePatches.DEEPSIF_MAX_SIZE;
    int sources = c.sources();
    int levels = c.mode().scaleLevels();
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
