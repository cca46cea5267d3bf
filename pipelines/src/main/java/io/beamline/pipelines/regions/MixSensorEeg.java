package io.beamline.pipelines.regions;

import io.beamline.framework.run.ItemCommits;
import io.beamline.framework.run.Runs;
import io.beamline.io.files.AtomicFiles;
import io.beamline.io.mat.MatMatrix;
import io.beamline.io.mat.MatReader;
import io.beamline.io.mat.MatWriter;
import io.beamline.transforms.nmm.SensorMixing;
import io.beamline.transforms.nmm.SourcePatches;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.UUID;
import java.util.stream.Stream;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.Row;

/**
 * The sensor-space step of DeepSIF's training data (its loader's {@code SpikeEEGBuild}) over the
 * synthetic source table ({@link RegionsPipeline#SYNTHETIC_SOURCES} rows): for every table row and
 * each of {@code nData} realisations, every source's spike clip ({@code nmm_<k>.mat} of its centre
 * region, clip {@code random_sample + 1}) is placed on its patch with one of its {@code
 * scale_ratio} factors (drawn, as DeepSIF's loader draws it) and its {@code mag_change} fall-off,
 * the sources are summed, projected through the leadfield and white noise is added at the row's
 * {@code current_snr} ({@link SensorMixing}).
 *
 * <p>The whole mixed EEG is one committed item (key {@code <mode>_sample_source1_eeg}): rows come
 * keyed by part ({@code sample / samplesPerFile}); each part is mixed in parallel into the run's
 * staging folders ({@code eeg_<part>.mat} and {@code part-<part>.parquet}), and {@link
 * CommitEegFn}, once every part has ended, moves them into staged directories that replace {@code
 * <mode>_sample_source1_eeg/} and {@code sensor_eeg/<mode>/} as a whole, then writes the record. A
 * re-run with fewer parts therefore leaves no older {@code eeg_<k>.mat} with a higher {@code k}; a
 * killed run leaves only temporaries (removed by the next run) and no record, so the next run mixes
 * again. A part that fails gives the item a failure record.
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
final class MixSensorEeg extends PTransform<PCollection<KV<Integer, Row>>, PCollection<Row>> {

  /** One row per mixed EEG sample; {@code eeg} is channel-major ({@code c * times + t}). */
  static final Schema SENSOR_EEG =
      Schema.builder()
          .addInt32Field("part")
          .addInt32Field("sample")
          .addInt32Field("realisation")
          .addDoubleField("current_snr")
          .addDoubleField("achieved_snr")
          .addArrayField("scale_index", Schema.FieldType.INT32)
          .addInt32Field("channels")
          .addInt32Field("times")
          .addArrayField("eeg", Schema.FieldType.FLOAT)
          .build();

  /**
   * What the EEG commit hears about: the plan ({@code part} -1: how many {@code parts}, the item's
   * {@code fingerprint}) and each part's end ({@code samples} mixed, or its {@code error}).
   */
  static final Schema EVENT =
      Schema.builder()
          .addInt32Field("part")
          .addInt32Field("parts")
          .addInt32Field("samples")
          .addNullableField("fingerprint", Schema.FieldType.STRING)
          .addNullableField("error", Schema.FieldType.STRING)
          .build();

  private final RegionSettings settings;
  private final Staging staging;
  private final int nData;

  /**
   * @param staging the run's staging folders of the parts
   * @param nData realisations per table row, >= 1
   */
  MixSensorEeg(RegionSettings settings, Staging staging, int nData) {
    if (nData < 1) {
      throw new IllegalArgumentException("nData must be >= 1, got " + nData);
    }
    this.settings = settings;
    this.staging = staging;
    this.nData = nData;
  }

  /** {@code <mode>_sample_source1_eeg}: the item key and the folder of the EEG files. */
  static String key(SyntheticSources.Mode mode) {
    return SyntheticSourcesFn.key(mode) + "_eeg";
  }

  static Row event(int part, int parts, int samples, String fingerprint, String error) {
    return Row.withSchema(EVENT).addValues(part, parts, samples, fingerprint, error).build();
  }

  /**
   * The final folders of the EEG item and the run's staging folders the parts are mixed into. The
   * staging names are temporary ones ({@link AtomicFiles#isTemporary}) derived from the run id, so
   * every worker of a run agrees on them and a killed run's are removed by the next run.
   */
  record Staging(String eegDir, String tableDir, String eegStaging, String tableStaging)
      implements java.io.Serializable {
    static Staging of(Path root, SyntheticSources.Mode mode, String runId) {
      Path eeg = root.resolve(key(mode));
      Path table = root.resolve("sensor_eeg").resolve(mode.name().toLowerCase(Locale.ROOT));
      return new Staging(
          eeg.toString(),
          table.toString(),
          staged(eeg, runId).toString(),
          staged(table, runId).toString());
    }

    private static Path staged(Path target, String runId) {
      String id =
          UUID.nameUUIDFromBytes((runId + "/" + target).getBytes(StandardCharsets.UTF_8))
              .toString();
      return target.resolveSibling("." + target.getFileName() + "." + id + AtomicFiles.TEMP_SUFFIX);
    }
  }

  @Override
  public PCollection<Row> expand(PCollection<KV<Integer, Row>> rows) {
    return rows.apply("GroupParts", GroupByKey.create())
        .apply("MixPart", ParDo.of(new MixPartFn(settings, staging, nData)))
        .setRowSchema(EVENT);
  }

  /** A SplitMix64 mix of the run seed and two indices: one independent stream per draw. */
  static long seed(long seed, long a, long b) {
    long z = seed + 0x9E3779B97F4A7C15L * (1 + a * 0x10001L + b * 0x3FFFFFFFL);
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  /**
   * Mixes one part into the staging folders ({@code eeg_<part>.mat}, {@code part-<part>.parquet});
   * emits its end event, with the error when it failed.
   */
  static final class MixPartFn extends DoFn<KV<Integer, Iterable<Row>>, Row> {
    private final RegionSettings settings;
    private final Staging staging;
    private final int nData;
    private final Counter mixed = Metrics.counter(RegionsPipeline.class, "eeg_samples");
    private final Counter files = Metrics.counter(RegionsPipeline.class, "eeg_files");

    MixPartFn(RegionSettings settings, Staging staging, int nData) {
      this.settings = settings;
      this.staging = staging;
      this.nData = nData;
    }

    @ProcessElement
    public void process(@Element KV<Integer, Iterable<Row>> part, OutputReceiver<Row> out) {
      try {
        int samples = mix(part);
        out.output(event(part.getKey(), -1, samples, null, null));
      } catch (Exception | OutOfMemoryError e) {
        out.output(
            event(
                part.getKey(), -1, 0, null, "EEG part " + part.getKey() + ": " + Runs.oneLine(e)));
      }
    }

    private int mix(KV<Integer, Iterable<Row>> part) throws Exception {
      // sample -> its rows by source index (the grouping gives them in no particular order).
      TreeMap<Integer, TreeMap<Integer, Row>> bySample = new TreeMap<>();
      for (Row r : part.getValue()) {
        bySample
            .computeIfAbsent(r.getInt32("sample"), k -> new TreeMap<>())
            .put(r.getInt32("source"), r);
      }
      Files.createDirectories(Paths.get(staging.eegStaging()));
      Files.createDirectories(Paths.get(staging.tableStaging()));
      RegionWork work = new RegionWork(settings, null);
      Map<String, double[][]> clips = new HashMap<>();
      double[][] leadfield = settings.leadfield;
      int channels = leadfield.length;
      int sources = bySample.firstEntry().getValue().size();
      int width = SourcePatches.DEEPSIF_MAX_SIZE;
      int n = bySample.size() * nData;
      int times = -1;
      float[][][] eeg = new float[n][][];
      double[] snr = new double[n];
      double[] achieved = new double[n];
      double[] sampleIndex = new double[n];
      double[] realisation = new double[n];
      double[] scaleIndex = new double[n * sources];
      double[] selected = new double[n * sources * width];
      java.util.Arrays.fill(selected, SourcePatches.DEEPSIF_PAD);
      int i = 0;
      for (Map.Entry<Integer, TreeMap<Integer, Row>> e : bySample.entrySet()) {
        int sample = e.getKey();
        List<Row> rows = new ArrayList<>(e.getValue().values());
        if (rows.size() != sources) {
          throw new IllegalStateException(
              "sample " + sample + " has " + rows.size() + " sources, expected " + sources);
        }
        for (int d = 0; d < nData; d++) {
          SplittableRandom pick = new SplittableRandom(seed(settings.seed, sample, 2L * d));
          List<SensorMixing.Source> mix = new ArrayList<>();
          for (int k = 0; k < sources; k++) {
            Row r = rows.get(k);
            int centre = r.getInt32("centre");
            int clip = r.getInt32("random_sample") + 1;
            double[][] data = clips.get(centre + "/" + clip);
            if (data == null) {
              data = MatReader.readMatrix(work.clipFile(centre, clip), "data").toArray2d();
              clips.put(centre + "/" + clip, data);
            }
            List<Double> ratios = new ArrayList<>(r.getArray("scale_ratio"));
            int level = pick.nextInt(ratios.size());
            List<Integer> patch = new ArrayList<>(r.getArray("regions"));
            List<Double> mag = new ArrayList<>(r.getArray("mag_change"));
            mix.add(
                new SensorMixing.Source(
                    data,
                    patch.stream().mapToInt(Integer::intValue).toArray(),
                    mag.stream().mapToDouble(Double::doubleValue).toArray(),
                    ratios.get(level)));
            scaleIndex[i * sources + k] = level;
            for (int j = 0; j < patch.size(); j++) {
              selected[(i * sources + k) * width + j] = patch.get(j);
            }
          }
          double current = rows.get(0).getDouble("current_snr");
          SensorMixing.Mixed m =
              SensorMixing.mix(leadfield, mix, current, seed(settings.seed, sample, 2L * d + 1));
          times = m.eeg()[0].length;
          float[][] single = new float[channels][times];
          for (int c = 0; c < channels; c++) {
            for (int t = 0; t < times; t++) {
              single[c][t] = (float) m.eeg()[c][t];
            }
          }
          eeg[i] = single;
          snr[i] = current;
          achieved[i] = m.achievedSnrDb();
          sampleIndex[i] = sample;
          realisation[i] = d;
          i++;
        }
      }
      double[] data = new double[n * channels * times];
      for (int s = 0; s < n; s++) {
        for (int c = 0; c < channels; c++) {
          for (int t = 0; t < times; t++) {
            data[(s * channels + c) * times + t] = eeg[s][c][t];
          }
        }
      }
      Path target = Paths.get(staging.eegStaging(), "eeg_" + part.getKey() + ".mat");
      MatWriter.create()
          .withSingle("eeg_data", MatMatrix.of(new int[] {n, channels, times}, data))
          .withDouble("current_snr", MatMatrix.of(n, 1, snr))
          .withDouble("achieved_snr", MatMatrix.of(n, 1, achieved))
          .withDouble("sample_index", MatMatrix.of(n, 1, sampleIndex))
          .withDouble("realisation", MatMatrix.of(n, 1, realisation))
          .withDouble("scale_index", MatMatrix.of(n, sources, scaleIndex))
          .withDouble("selected_region", MatMatrix.of(new int[] {n, sources, width}, selected))
          .write(target);
      Path table = Paths.get(staging.tableStaging(), "part-" + part.getKey() + ".parquet");
      Files.deleteIfExists(table);
      // Rows are built one at a time while the file is written: boxed floats of a whole part
      // would cost several times the part's arrays.
      int partKey = part.getKey();
      int length = times;
      Iterable<Row> rowsOfPart =
          () ->
              java.util.stream.IntStream.range(0, n)
                  .mapToObj(
                      s -> {
                        List<Float> flat = new ArrayList<>(channels * length);
                        for (int c = 0; c < channels; c++) {
                          for (int t = 0; t < length; t++) {
                            flat.add(eeg[s][c][t]);
                          }
                        }
                        List<Integer> levels = new ArrayList<>();
                        for (int k = 0; k < sources; k++) {
                          levels.add((int) scaleIndex[s * sources + k]);
                        }
                        return Row.withSchema(SENSOR_EEG)
                            .addValues(
                                partKey,
                                (int) sampleIndex[s],
                                (int) realisation[s],
                                snr[s],
                                achieved[s],
                                levels,
                                channels,
                                length,
                                flat)
                            .build();
                      })
                  .iterator();
      RegionsTables.writeParquet(SENSOR_EEG, "sensor_eeg", rowsOfPart, table);
      mixed.inc(n);
      files.inc();
      return n;
    }
  }

  /**
   * Commits the EEG item once every part has ended (the plan and all part events arrive grouped
   * under one key): the staged parts move into directories that replace the final folders whole,
   * then the record is written; a failed or missing part fails the item instead.
   */
  static final class CommitEegFn extends DoFn<KV<String, Iterable<Row>>, Void> {
    private final ItemCommits commits;
    private final String key;
    private final String runId;
    private final Staging staging;

    CommitEegFn(ItemCommits commits, String key, String runId, Staging staging) {
      this.commits = commits;
      this.key = key;
      this.runId = runId;
      this.staging = staging;
    }

    @ProcessElement
    public void process(@Element KV<String, Iterable<Row>> events) throws IOException {
      Row plan = null;
      TreeMap<Integer, Row> parts = new TreeMap<>();
      for (Row e : events.getValue()) {
        if (e.getInt32("part") < 0) {
          plan = e;
        } else {
          parts.put(e.getInt32("part"), e);
        }
      }
      Path eegStaging = Paths.get(staging.eegStaging());
      Path tableStaging = Paths.get(staging.tableStaging());
      try {
        if (plan == null) {
          return; // nothing was planned: the item was committed already
        }
        String error = null;
        int samples = 0;
        for (int k = 0; k < plan.getInt32("parts") && error == null; k++) {
          Row p = parts.get(k);
          if (p == null) {
            error = "EEG part " + k + " was never mixed";
          } else if (p.getString("error") != null) {
            error = p.getString("error");
          } else {
            samples += p.getInt32("samples");
          }
        }
        if (error != null) {
          commits
              .begin(key)
              .detail("fingerprint", plan.getString("fingerprint"))
              .fail(runId, error);
          System.out.println("\u2717 Mixed EEG failed: " + error);
          return;
        }
        ItemCommits.Item item = commits.begin(key);
        moveAll(eegStaging, item.stageDirectory(Paths.get(staging.eegDir())));
        moveAll(tableStaging, item.stageDirectory(Paths.get(staging.tableDir())));
        item.detail("fingerprint", plan.getString("fingerprint"))
            .detail("parts", plan.getInt32("parts"))
            .detail("samples", samples)
            .commit(runId);
        System.out.println(
            "\u2713 Mixed EEG: "
                + samples
                + " samples in "
                + plan.getInt32("parts")
                + " files -> "
                + staging.eegDir());
      } finally {
        AtomicFiles.deleteTree(eegStaging);
        AtomicFiles.deleteTree(tableStaging);
      }
    }

    private static void moveAll(Path from, Path to) throws IOException {
      if (!Files.isDirectory(from)) {
        return;
      }
      try (Stream<Path> s = Files.list(from)) {
        for (Path f : s.toList()) {
          if (!AtomicFiles.isTemporary(f.getFileName().toString())) {
            Files.move(f, to.resolve(f.getFileName()));
          }
        }
      }
    }
  }
}
