package io.beamline.transforms.nmm;

import io.beamline.transforms.signal.SyntheticSignal;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The noisy EEG realisations of one row of DeepSIF's synthetic source table ({@link
 * SyntheticSources}), as its loader's {@code SpikeEEGBuild} makes them: per realisation, each
 * source draws one of its {@code scale_ratio} factors, and the sources are mixed through the
 * leadfield with white noise at the row's SNR ({@link SensorMixing}). Every draw is seeded from the
 * run seed, the row and the realisation, so a realisation does not depend on which worker, batch or
 * partition makes it. Plain Java over arrays; no Beam, no I/O.
 */
public final class SensorSamples {

  private SensorSamples() {}

  /**
   * One source of a table row.
   *
   * @param clip its spike clip, {@code [time][region]}
   * @param patch the patch regions, 0-based, centre first, no padding
   * @param magnitude the fall-off per patch region, same length as {@code patch}
   * @param scaleRatios the row's {@code scale_ratio} factors of this source, >= 1 of them
   */
  public record RowSource(double[][] clip, int[] patch, double[] magnitude, double[] scaleRatios) {}

  /**
   * One realisation.
   *
   * @param eeg the noisy sensor signal {@code [channel][time]}, rounded to single precision
   * @param achievedSnrDb the SNR the noise gave ({@link SensorMixing.Mixed#achievedSnrDb})
   * @param scaleIndex per source, the 0-based index of the factor it drew
   */
  public record Realisation(float[][] eeg, double achievedSnrDb, int[] scaleIndex) {}

  /** A SplitMix64 mix of the run seed and two indices: one independent stream per draw. */
  public static long seed(long seed, long a, long b) {
    return SyntheticSignal.mix(seed, a * 0x10001L + b * 0x3FFFFFFFL);
  }

  /**
   * Realisation {@code realisation} of table row {@code sample}: the scale levels are drawn from
   * stream {@code seed(seed, sample, 2 realisation)}, the noise from {@code seed(seed, sample, 2
   * realisation + 1)}.
   *
   * @param leadfield {@code [channel][region]}
   * @param sources the row's sources, in source order, >= 1
   * @param snrDb the row's {@code current_snr}, finite
   */
  public static Realisation realise(
      double[][] leadfield,
      List<RowSource> sources,
      double snrDb,
      long seed,
      int sample,
      int realisation) {
    Checks.notNull("sources", sources);
    SplittableRandom pick = new SplittableRandom(seed(seed, sample, 2L * realisation));
    List<SensorMixing.Source> mix = new ArrayList<>();
    int[] levels = new int[sources.size()];
    for (int k = 0; k < sources.size(); k++) {
      RowSource s = sources.get(k);
      if (s.scaleRatios().length == 0) {
        throw new IllegalArgumentException("source " + k + " has no scale_ratio factors");
      }
      levels[k] = pick.nextInt(s.scaleRatios().length);
      mix.add(
          new SensorMixing.Source(s.clip(), s.patch(), s.magnitude(), s.scaleRatios()[levels[k]]));
    }
    SensorMixing.Mixed m =
        SensorMixing.mix(leadfield, mix, snrDb, seed(seed, sample, 2L * realisation + 1));
    double[][] eeg = m.eeg();
    float[][] single = new float[eeg.length][];
    for (int c = 0; c < eeg.length; c++) {
      single[c] = new float[eeg[c].length];
      for (int t = 0; t < eeg[c].length; t++) {
        single[c][t] = (float) eeg[c][t];
      }
    }
    return new Realisation(single, m.achievedSnrDb(), levels);
  }
}
