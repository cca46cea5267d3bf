package io.beamline.pipelines.regions;

import java.io.Serializable;
import java.util.Arrays;
import java.util.List;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.values.Row;

/**
 * One (sample, source) of the synthetic source table, as it travels from the {@code
 * synthetic-sources} module to {@code mix-eeg}; a row of {@code synthetic_sources/} ({@link
 * #SCHEMA}) at the file boundary.
 *
 * @param sample 0-based row of the table
 * @param source 0-based source of the sample
 * @param centre the patch's centre region (its first region)
 * @param regions the patch regions, centre first, no padding
 * @param randomSample 0-based clip of the centre region the source uses ({@code nmm_<k + 1>.mat})
 * @param nmmIdx DeepSIF's {@code nmm_idx}
 * @param currentSnr the sample's SNR level, dB
 * @param scaleRatio the factors putting the clip at each of the preset's sensor SNRs
 * @param magChange the magnitude fall-off per patch region
 */
record SourceRow(
    int sample,
    int source,
    int centre,
    int[] regions,
    int randomSample,
    int nmmIdx,
    double currentSnr,
    double[] scaleRatio,
    double[] magChange)
    implements Serializable {

  /** One row per (sample, source) of the synthetic source table. */
  static final Schema SCHEMA =
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

  /** This row as a {@link #SCHEMA} row, for the Parquet table. */
  Row toRow() {
    List<Integer> patch = Arrays.stream(regions).boxed().toList();
    List<Double> ratios = Arrays.stream(scaleRatio).boxed().toList();
    List<Double> mag = Arrays.stream(magChange).boxed().toList();
    return Row.withSchema(SCHEMA)
        .addValues(sample, source, centre, patch, randomSample, nmmIdx, currentSnr, ratios, mag)
        .build();
  }
}
