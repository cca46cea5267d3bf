package io.beamline.pipelines.regions;

import io.beamline.io.mat.MatMatrix;
import io.beamline.io.mat.MatReader;
import io.beamline.io.mat.MatWriter;
import io.beamline.transforms.nmm.SensorMixing;
import io.beamline.transforms.nmm.SourcePatches;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.RowCoder;
import org.apache.beam.sdk.coders.VarIntCoder;
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
 * <p>Rows are grouped into parts of {@code samplesPerFile} table rows; each part is one work item
 * and writes {@code <dir>/eeg_<part>.mat} atomically:
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
final class MixSensorEeg extends PTransform<PCollection<Row>, PCollection<Row>> {

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

  private final RegionSettings settings;
  private final String dir;
  private final int samplesPerFile;
  private final int nData;

  /**
   * @param dir folder of the {@code eeg_<part>.mat} files
   * @param samplesPerFile table rows per file, >= 1
   * @param nData realisations per table row, >= 1
   */
  MixSensorEeg(RegionSettings settings, String dir, int samplesPerFile, int nData) {
    if (samplesPerFile < 1 || nData < 1) {
      throw new IllegalArgumentException(
          "samplesPerFile and nData must be >= 1, got " + samplesPerFile + " and " + nData);
    }
    this.settings = settings;
    this.dir = dir;
    this.samplesPerFile = samplesPerFile;
    this.nData = nData;
  }

  @Override
  public PCollection<Row> expand(PCollection<Row> sources) {
    return sources
        .apply("KeyByPart", ParDo.of(new KeyByPartFn(samplesPerFile)))
        .setCoder(KvCoder.of(VarIntCoder.of(), RowCoder.of(RegionsPipeline.SYNTHETIC_SOURCES)))
        .apply("GroupParts", GroupByKey.create())
        .apply("MixPart", ParDo.of(new MixPartFn(settings, dir, nData)))
        .setRowSchema(SENSOR_EEG);
  }

  /** Keys each source row by its part, {@code sample / samplesPerFile}. */
  static final class KeyByPartFn extends DoFn<Row, KV<Integer, Row>> {
    private final int samplesPerFile;

    KeyByPartFn(int samplesPerFile) {
      this.samplesPerFile = samplesPerFile;
    }

    @ProcessElement
    public void process(@Element Row row, OutputReceiver<KV<Integer, Row>> out) {
      out.output(KV.of(row.getInt32("sample") / samplesPerFile, row));
    }
  }

  /** A SplitMix64 mix of the run seed and two indices: one independent stream per draw. */
  static long seed(long seed, long a, long b) {
    long z = seed + 0x9E3779B97F4A7C15L * (1 + a * 0x10001L + b * 0x3FFFFFFFL);
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  /** Mixes one part and writes its MAT file; emits one row per mixed sample. */
  static final class MixPartFn extends DoFn<KV<Integer, Iterable<Row>>, Row> {
    private final RegionSettings settings;
    private final String dir;
    private final int nData;
    private final Counter mixed = Metrics.counter(RegionsPipeline.class, "eeg_samples");
    private final Counter files = Metrics.counter(RegionsPipeline.class, "eeg_files");

    MixPartFn(RegionSettings settings, String dir, int nData) {
      this.settings = settings;
      this.dir = dir;
      this.nData = nData;
    }

    @ProcessElement
    public void process(@Element KV<Integer, Iterable<Row>> part, OutputReceiver<Row> out)
        throws Exception {
      // sample -> its rows by source index (the grouping gives them in no particular order).
      TreeMap<Integer, TreeMap<Integer, Row>> bySample = new TreeMap<>();
      for (Row r : part.getValue()) {
        bySample
            .computeIfAbsent(r.getInt32("sample"), k -> new TreeMap<>())
            .put(r.getInt32("source"), r);
      }
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
          List<Float> flat = new ArrayList<>(channels * times);
          for (int c = 0; c < channels; c++) {
            for (int t = 0; t < times; t++) {
              single[c][t] = (float) m.eeg()[c][t];
              flat.add(single[c][t]);
            }
          }
          eeg[i] = single;
          snr[i] = current;
          achieved[i] = m.achievedSnrDb();
          sampleIndex[i] = sample;
          realisation[i] = d;
          List<Integer> levels = new ArrayList<>();
          for (int k = 0; k < sources; k++) {
            levels.add((int) scaleIndex[i * sources + k]);
          }
          out.output(
              Row.withSchema(SENSOR_EEG)
                  .addValues(
                      part.getKey(),
                      sample,
                      d,
                      current,
                      m.achievedSnrDb(),
                      levels,
                      channels,
                      times,
                      flat)
                  .build());
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
      Path target = Paths.get(dir, "eeg_" + part.getKey() + ".mat");
      MatWriter.create()
          .withSingle("eeg_data", MatMatrix.of(new int[] {n, channels, times}, data))
          .withDouble("current_snr", MatMatrix.of(n, 1, snr))
          .withDouble("achieved_snr", MatMatrix.of(n, 1, achieved))
          .withDouble("sample_index", MatMatrix.of(n, 1, sampleIndex))
          .withDouble("realisation", MatMatrix.of(n, 1, realisation))
          .withDouble("scale_index", MatMatrix.of(n, sources, scaleIndex))
          .withDouble("selected_region", MatMatrix.of(new int[] {n, sources, width}, selected))
          .write(target);
      mixed.inc(n);
      files.inc();
    }
  }
}
