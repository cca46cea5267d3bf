package io.beamline.pipelines.regions;

import io.beamline.framework.run.Runs;
import io.beamline.io.mat.MatMatrix;
import io.beamline.io.mat.MatReader;
import io.beamline.io.mat.MatWriter;
import io.beamline.transforms.nmm.SensorSamples;
import io.beamline.transforms.nmm.SourcePatches;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.Row;

/**
 * Mixes one part into the staging folders ({@code eeg_<part>.mat}, {@code part-<part>.parquet});
 * emits its end event, with the error when it failed.
 */
final class MixPartFn extends DoFn<KV<Integer, Iterable<SourceRow>>, EegEvent> {
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
  private final EegStaging staging;
  private final int nData;
  private final Counter mixed = Metrics.counter(RegionsPipeline.class, "eeg_samples");
  private final Counter files = Metrics.counter(RegionsPipeline.class, "eeg_files");

  MixPartFn(RegionSettings settings, EegStaging staging, int nData) {
    this.settings = settings;
    this.staging = staging;
    this.nData = nData;
  }

  @ProcessElement
  public void process(
      @Element KV<Integer, Iterable<SourceRow>> part, OutputReceiver<EegEvent> out) {
    try {
      out.output(EegEvent.mixed(part.getKey(), mix(part)));
    } catch (Exception | OutOfMemoryError e) {
      out.output(
          EegEvent.failed(part.getKey(), "EEG part " + part.getKey() + ": " + Runs.oneLine(e)));
    }
  }

  private int mix(KV<Integer, Iterable<SourceRow>> part) throws Exception {
    // sample -> its rows by source index (the grouping gives them in no particular order).
    TreeMap<Integer, TreeMap<Integer, SourceRow>> bySample = new TreeMap<>();
    for (SourceRow r : part.getValue()) {
      bySample.computeIfAbsent(r.sample(), k -> new TreeMap<>()).put(r.source(), r);
    }
    Files.createDirectories(Paths.get(staging.eegStaging()));
    Files.createDirectories(Paths.get(staging.tableStaging()));
    RegionsOutput output = settings.output();
    long seed = settings.simulation().seed();
    Map<String, double[][]> clips = new HashMap<>();
    double[][] leadfield = settings.anatomy().leadfield;
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
    for (Map.Entry<Integer, TreeMap<Integer, SourceRow>> e : bySample.entrySet()) {
      int sample = e.getKey();
      List<SourceRow> rows = new ArrayList<>(e.getValue().values());
      if (rows.size() != sources) {
        throw new IllegalStateException(
            "sample " + sample + " has " + rows.size() + " sources, expected " + sources);
      }
      List<SensorSamples.RowSource> row = new ArrayList<>();
      for (SourceRow r : rows) {
        int clip = r.randomSample() + 1;
        double[][] data = clips.get(r.centre() + "/" + clip);
        if (data == null) {
          data = MatReader.readMatrix(output.clipFile(r.centre(), clip), "data").toArray2d();
          clips.put(r.centre() + "/" + clip, data);
        }
        row.add(new SensorSamples.RowSource(data, r.regions(), r.magChange(), r.scaleRatio()));
      }
      double current = rows.get(0).currentSnr();
      for (int d = 0; d < nData; d++) {
        SensorSamples.Realisation m =
            SensorSamples.realise(leadfield, row, current, seed, sample, d);
        for (int k = 0; k < sources; k++) {
          scaleIndex[i * sources + k] = m.scaleIndex()[k];
          int[] patch = rows.get(k).regions();
          for (int j = 0; j < patch.length; j++) {
            selected[(i * sources + k) * width + j] = patch[j];
          }
        }
        times = m.eeg()[0].length;
        eeg[i] = m.eeg();
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
