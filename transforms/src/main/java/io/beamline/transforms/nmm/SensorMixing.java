package io.beamline.transforms.nmm;

import java.util.List;

/**
 * The sensor-space step of DeepSIF's training data (what its {@code loaders.SpikeEEGBuild} does
 * from {@code generate_sythetic_source.m}'s table): spike clips placed on their source patches and
 * summed into source activity, projected through the leadfield, and white Gaussian noise added at a
 * target sensor SNR. Plain Java over arrays, seeded; no Beam inside.
 *
 * <pre>{@code
 * SensorMixing.Source s = new SensorMixing.Source(clip, patch, magnitude, scale);
 * SensorMixing.Mixed m = SensorMixing.mix(leadfield, List.of(s), 15.0, seed);
 * double[][] eeg = m.eeg();            // [channel][time]
 * double snr = m.achievedSnrDb();      // about 15 dB
 * }</pre>
 *
 * <p>Per source (DeepSIF's loader): the clip's waveform in the patch centre is normalised to a peak
 * of 1 and multiplied by the source's scale factor; each patch region gets that waveform times its
 * magnitude fall-off; regions outside the patch keep the clip's own background activity. Sources
 * are summed. Noise: per channel, N(0, P_c / 10^(snr/10)) with P_c the channel's mean-square signal
 * over time, so the SNR in dB holds per channel and overall. DeepSIF's {@code add_white_noise}
 * divides that noise power by 2 (its real SNR is about 3 dB above the nominal one); this kernel
 * adds the noise the nominal SNR asks for and reports the SNR it achieved.
 */
public final class SensorMixing {

  private SensorMixing() {}

  /**
   * One source of a sample.
   *
   * @param clip a full-brain spike clip, {@code [time][region]} ({@code nmm_<k>.mat}'s {@code
   *     data})
   * @param patch the patch regions, 0-based, centre first, no padding
   * @param magnitude the fall-off per patch region (1 at the centre), same length as {@code patch}
   * @param scale the factor the peak-normalised centre waveform is multiplied by (DeepSIF's chosen
   *     {@code scale_ratio}), finite
   */
  public record Source(double[][] clip, int[] patch, double[] magnitude, double scale) {}

  /**
   * A mixed sample.
   *
   * @param eeg noisy sensor signal {@code [channel][time]}
   * @param clean the projection before noise {@code [channel][time]}
   * @param achievedSnrDb {@code 10 log10(sum clean^2 / sum noise^2)} over all channels and times
   */
  public record Mixed(double[][] eeg, double[][] clean, double achievedSnrDb) {}

  /**
   * Sums the sources into source activity {@code [time][region]}.
   *
   * @param regions regions of the leadfield, >= 1; every clip must have this many columns
   * @throws IllegalArgumentException naming the source and both shapes when a clip, patch or
   *     magnitude does not fit
   */
  public static double[][] sourceActivity(List<Source> sources, int regions) {
    Checks.notNull("sources", sources);
    if (sources.isEmpty()) {
      throw new IllegalArgumentException("sources must hold at least one source, got none");
    }
    int time = -1;
    double[][] activity = null;
    for (int k = 0; k < sources.size(); k++) {
      Source s = Checks.notNull("source " + k, sources.get(k));
      double[][] clip = Checks.notNull("clip of source " + k, s.clip());
      if (clip.length == 0) {
        throw new IllegalArgumentException("clip of source " + k + " has no time samples");
      }
      if (time < 0) {
        time = clip.length;
        activity = new double[time][regions];
      } else if (clip.length != time) {
        throw new IllegalArgumentException(
            "clip of source "
                + k
                + " has "
                + clip.length
                + " time samples but source 0 has "
                + time
                + "; all clips of a sample must have the same length");
      }
      for (int t = 0; t < time; t++) {
        if (clip[t].length != regions) {
          throw new IllegalArgumentException(
              "clip of source "
                  + k
                  + " is "
                  + clip.length
                  + " x "
                  + clip[t].length
                  + " (time x region) but the leadfield has "
                  + regions
                  + " region columns");
        }
      }
      int[] patch = Checks.notNull("patch of source " + k, s.patch());
      double[] mag = Checks.notNull("magnitude of source " + k, s.magnitude());
      if (patch.length == 0) {
        throw new IllegalArgumentException("patch of source " + k + " is empty");
      }
      if (mag.length != patch.length) {
        throw new IllegalArgumentException(
            "source "
                + k
                + " has "
                + patch.length
                + " patch regions but "
                + mag.length
                + " magnitudes; give one magnitude per patch region");
      }
      for (int r : patch) {
        Checks.inRange("patch region of source " + k, r, 0, regions - 1);
      }
      Checks.finite("scale of source " + k, s.scale());
      int centre = patch[0];
      double peak = Double.NEGATIVE_INFINITY;
      for (double[] row : clip) {
        peak = Math.max(peak, row[centre]);
      }
      if (!(peak > 0) || !Double.isFinite(peak)) {
        throw new IllegalArgumentException(
            "clip of source "
                + k
                + " peaks at "
                + peak
                + " in its centre region "
                + centre
                + "; a spike clip's centre waveform must have a positive peak");
      }
      boolean[] inPatch = new boolean[regions];
      for (int r : patch) {
        inPatch[r] = true;
      }
      for (int t = 0; t < time; t++) {
        double[] row = clip[t];
        double[] out = activity[t];
        double shape = row[centre] / peak * s.scale();
        for (int r = 0; r < regions; r++) {
          if (!inPatch[r]) {
            out[r] += row[r];
          }
        }
        for (int j = 0; j < patch.length; j++) {
          out[patch[j]] += shape * mag[j];
        }
      }
    }
    return activity;
  }

  /**
   * The sensor signal {@code leadfield x activity'}: {@code [channel][time]}.
   *
   * @param leadfield {@code [channel][region]}
   * @param activity {@code [time][region]}
   */
  public static double[][] project(double[][] leadfield, double[][] activity) {
    int regions = checkLeadfield(leadfield);
    Checks.notNull("activity", activity);
    int time = activity.length;
    for (double[] row : activity) {
      if (row.length != regions) {
        throw new IllegalArgumentException(
            "source activity is "
                + time
                + " x "
                + row.length
                + " (time x region) but the leadfield is "
                + leadfield.length
                + " x "
                + regions
                + " (channel x region)");
      }
    }
    int channels = leadfield.length;
    double[][] eeg = new double[channels][time];
    for (int c = 0; c < channels; c++) {
      double[] l = leadfield[c];
      double[] out = eeg[c];
      for (int t = 0; t < time; t++) {
        double[] a = activity[t];
        double s = 0;
        for (int r = 0; r < regions; r++) {
          s += l[r] * a[r];
        }
        out[t] = s;
      }
    }
    return eeg;
  }

  /**
   * Adds seeded white Gaussian noise at {@code snrDb} per channel; the same seed gives the same
   * noise bit for bit. A channel with no signal gets no noise.
   *
   * @param clean {@code [channel][time]}, not changed
   * @param snrDb target SNR in dB, finite (DeepSIF: 5, 10, 15 or 20)
   */
  public static Mixed addNoise(double[][] clean, double snrDb, long seed) {
    Checks.notNull("clean", clean);
    Checks.finite("snrDb", snrDb);
    GaussianNoise noise = new GaussianNoise(seed);
    double ratio = Math.pow(10, snrDb / 10);
    double[][] eeg = new double[clean.length][];
    double signal = 0;
    double added = 0;
    for (int c = 0; c < clean.length; c++) {
      double[] x = clean[c];
      double power = 0;
      for (double v : x) {
        power += v * v;
      }
      signal += power;
      double std = x.length == 0 ? 0 : Math.sqrt(power / x.length / ratio);
      double[] y = new double[x.length];
      for (int t = 0; t < x.length; t++) {
        double n = std * noise.next();
        added += n * n;
        y[t] = x[t] + n;
      }
      eeg[c] = y;
    }
    double achieved = added > 0 ? 10 * Math.log10(signal / added) : Double.POSITIVE_INFINITY;
    return new Mixed(eeg, clean, achieved);
  }

  /** {@link #sourceActivity}, {@link #project} and {@link #addNoise} in one call. */
  public static Mixed mix(double[][] leadfield, List<Source> sources, double snrDb, long seed) {
    int regions = checkLeadfield(leadfield);
    return addNoise(project(leadfield, sourceActivity(sources, regions)), snrDb, seed);
  }

  /** Checks the leadfield is a non-empty rectangle and returns its column (region) count. */
  private static int checkLeadfield(double[][] leadfield) {
    Checks.notNull("leadfield", leadfield);
    if (leadfield.length == 0 || leadfield[0].length == 0) {
      throw new IllegalArgumentException("leadfield is empty; it must be channels x regions");
    }
    int regions = leadfield[0].length;
    for (int c = 1; c < leadfield.length; c++) {
      if (leadfield[c].length != regions) {
        throw new IllegalArgumentException(
            "leadfield row "
                + c
                + " has "
                + leadfield[c].length
                + " columns but row 0 has "
                + regions);
      }
    }
    return regions;
  }
}
