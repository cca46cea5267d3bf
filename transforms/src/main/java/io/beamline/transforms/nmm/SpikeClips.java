package io.beamline.transforms.nmm;

import java.util.Arrays;

/**
 * The steps of DeepSIF's {@code forward/process_raw_nmm.m}, one small pure function each: drop the
 * unconverged start and downsample the 2 kHz simulation to 500 Hz, find spike peaks, keep the
 * source region's isolated spikes, find the sensor-space SNR scaling, rescale the spikes and cut
 * 500-sample clips of all regions.
 *
 * <p>Signals are {@code float[region][sample]} (the simulator's layout; MATLAB's is time x
 * channel). All indices here are <b>0-based</b>; where DeepSIF's MATLAB arithmetic depends on its
 * 1-based indices the conversion is spelled out at the method, so results select the same samples
 * as DeepSIF. Arithmetic is double precision (MATLAB works in single on the float32 data), so
 * values can differ from DeepSIF's in the last float digits.
 *
 * <pre>{@code
 * float[][] nmm = SpikeClips.dropAndDownsample(raw, 1000, 4);      // 2 kHz -> 500 Hz
 * SpikeClips.SourceClips c = SpikeClips.extract(nmm, leadfield, region, 15.0);
 * }</pre>
 */
public final class SpikeClips {

  /** Samples DeepSIF drops at the start of the 2 kHz simulation (0.5 s of transient). */
  public static final int DEEPSIF_DROP_SAMPLES = 1000;

  /** DeepSIF's downsampling factor, 2 kHz to 500 Hz. */
  public static final int DEEPSIF_DOWNSAMPLE_FACTOR = 4;

  /** Spike threshold in mV: values below it are zeroed before looking for peaks. */
  public static final double DEEPSIF_SPIKE_THRESHOLD_MV = 8.0;

  /** Clip length in samples at 500 Hz (1 s). */
  public static final int CLIP_LENGTH = 500;

  /** DeepSIF's default sensor-space SNR target, dB. */
  public static final double DEEPSIF_TARGET_SNR_DB = 15.0;

  /** Peaks closer than this to the start are dropped (need 249 samples before the peak). */
  static final int EDGE_BEFORE = 249;

  /** Peaks must have at least 251 samples after them (MATLAB: {@code t + 250 < length}). */
  static final int EDGE_AFTER = 251;

  /** A peak is kept only if it comes more than this many samples after the previous peak. */
  static final int MIN_GAP = 100;

  private SpikeClips() {}

  /**
   * Drops the first {@code drop} samples of every region, then keeps every {@code factor}-th sample
   * starting with the first kept one: MATLAB's {@code downsample(x(drop+1:end,:), factor)}.
   *
   * <p>This is plain decimation <em>without</em> an anti-aliasing filter, exactly what DeepSIF
   * does: a low-pass would lower and widen the spike peaks and so change which peaks pass the 8 mV
   * threshold. The Jansen-Rit output has little power above the new 250 Hz Nyquist frequency.
   *
   * @param raw {@code [region][sample]}, all rows the same length
   * @param drop samples to drop, >= 0 (DeepSIF: {@value #DEEPSIF_DROP_SAMPLES})
   * @param factor decimation factor, >= 1 (DeepSIF: {@value #DEEPSIF_DOWNSAMPLE_FACTOR})
   * @return {@code [region][ceil((length - drop) / factor)]}, new arrays
   */
  public static float[][] dropAndDownsample(float[][] raw, int drop, int factor) {
    int length = rectangularLength("raw", raw);
    Checks.inRange("drop", drop, 0, length);
    Checks.inRange("factor", factor, 1, Integer.MAX_VALUE);
    int outLength = (length - drop + factor - 1) / factor;
    float[][] out = new float[raw.length][outLength];
    for (int r = 0; r < raw.length; r++) {
      for (int k = 0; k < outLength; k++) {
        out[r][k] = raw[r][drop + k * factor];
      }
    }
    return out;
  }

  /**
   * DeepSIF's fix-up for the 998-region connectivity: four regions have no vertices in the
   * fsaverage5 mapping, so regions 7, 325, 921, 949 take the signals of 994, 997, 996, 995 and only
   * regions 0..993 are kept (MATLAB, 1-based: {@code all_data(:,[8,326,922,950]) =
   * all_data(:,[995,998,997,996]); all_data = all_data(:,1:994)}).
   *
   * @param nmm exactly 998 regions
   * @return 994 regions; rows are shared with the input, not copied
   */
  public static float[][] remapDeepSif998(float[][] nmm) {
    if (nmm == null || nmm.length != 998) {
      throw new IllegalArgumentException(
          "remapDeepSif998 needs 998 regions, got " + (nmm == null ? "null" : nmm.length));
    }
    float[][] out = Arrays.copyOf(nmm, 994);
    out[7] = nmm[994];
    out[325] = nmm[997];
    out[921] = nmm[996];
    out[949] = nmm[995];
    return out;
  }

  /** Spike peaks sorted by time (then region): parallel arrays of 0-based sample and region. */
  public static final class Spikes {
    private final int[] times;
    private final int[] regions;

    Spikes(int[] times, int[] regions) {
      this.times = times;
      this.regions = regions;
    }

    /** Number of peaks. */
    public int count() {
      return times.length;
    }

    /** 0-based sample index of peak {@code k}. */
    public int time(int k) {
      return times[k];
    }

    /** 0-based region of peak {@code k}. */
    public int region(int k) {
      return regions[k];
    }

    /** A copy of all peak times. */
    public int[] times() {
      return times.clone();
    }

    /** A copy of all peak regions. */
    public int[] regions() {
      return regions.clone();
    }
  }

  /**
   * DeepSIF's {@code find_spike_time}: values below {@code thresholdMv} are set to 0; in each
   * region a sample is a peak if it is a local maximum (greater than both neighbours; for a flat
   * top, its middle sample, the lower middle when the run has even length; never the first or last
   * sample). All peaks are sorted by time (ties by region), then a peak is kept only if
   *
   * <ul>
   *   <li>it has at least 249 samples before it and 251 after it (0-based {@code 249 <= t <= length
   *       - 252}; MATLAB, 1-based: {@code t-249 > 0 & t+250 < length}), and
   *   <li>it is the first peak or comes more than 100 samples after the previous peak in the sorted
   *       list of <em>all</em> peaks (before the other rules drop any), any region.
   * </ul>
   *
   * @param nmm {@code [region][sample]} at 500 Hz
   * @param thresholdMv spike threshold (DeepSIF: {@value #DEEPSIF_SPIKE_THRESHOLD_MV} mV)
   */
  public static Spikes findSpikes(float[][] nmm, double thresholdMv) {
    int length = rectangularLength("nmm", nmm);
    Checks.finite("thresholdMv", thresholdMv);
    // Collect (time, region) pairs packed in a long so one sort orders by time, then region.
    long[] packed = new long[16];
    int count = 0;
    for (int r = 0; r < nmm.length; r++) {
      float[] x = nmm[r];
      int t = 1;
      while (t < length - 1) {
        double v = clipped(x[t], thresholdMv);
        if (v > clipped(x[t - 1], thresholdMv)) {
          // Rising into t: find the end of the flat run starting at t.
          int end = t;
          while (end + 1 < length && clipped(x[end + 1], thresholdMv) == v) {
            end++;
          }
          if (end + 1 < length && clipped(x[end + 1], thresholdMv) < v) {
            int peak = t + (end - t) / 2;
            if (count == packed.length) {
              packed = Arrays.copyOf(packed, 2 * count);
            }
            packed[count++] = ((long) peak << 32) | r;
          }
          t = end + 1;
        } else {
          t++;
        }
      }
    }
    packed = Arrays.copyOf(packed, count);
    Arrays.sort(packed);
    int[] times = new int[count];
    int[] regions = new int[count];
    int kept = 0;
    for (int k = 0; k < count; k++) {
      int time = (int) (packed[k] >>> 32);
      int region = (int) (packed[k] & 0xffffffffL);
      boolean inside = time >= EDGE_BEFORE && time + EDGE_AFTER < length;
      boolean apart = k == 0 || time - (int) (packed[k - 1] >>> 32) > MIN_GAP;
      if (inside && apart) {
        times[kept] = time;
        regions[kept] = region;
        kept++;
      }
    }
    return new Spikes(Arrays.copyOf(times, kept), Arrays.copyOf(regions, kept));
  }

  private static double clipped(float value, double threshold) {
    return value < threshold ? 0.0 : value;
  }

  /**
   * First sample of the 500-sample clip DeepSIF cuts for a peak at 0-based sample {@code peak}:
   * {@code floor((peak + 1) / 500) * 500}. DeepSIF computes {@code floor(t/500)*500 + 1} on the
   * 1-based time {@code t = peak + 1}; converting both ends gives this. So the clip is the 1 s
   * block of the 500 Hz signal that contains the peak, except that a peak on the last sample of a
   * block (0-based {@code peak % 500 == 499}) gets the next block: DeepSIF's own off-by-one, kept
   * so clips match.
   */
  public static int clipStart(int peak) {
    Checks.inRange("peak", peak, 0, Integer.MAX_VALUE - 1);
    return (peak + 1) / CLIP_LENGTH * CLIP_LENGTH;
  }

  /**
   * DeepSIF's selection of usable spikes of one source region: its peaks (from {@link #findSpikes})
   * whose window {@code clipStart - 200 .. clipStart + 699} contains no peak of any other region.
   * Peaks whose clip would run past {@code signalLength} are dropped too (DeepSIF would fail with
   * an index error there).
   *
   * @param spikes all kept peaks
   * @param sourceRegion 0-based region that should spike
   * @param signalLength samples in the 500 Hz signal
   * @return 0-based peak times, ascending
   */
  public static int[] selectSourceSpikes(Spikes spikes, int sourceRegion, int signalLength) {
    Checks.notNull("spikes", spikes);
    Checks.inRange("signalLength", signalLength, 0, Integer.MAX_VALUE);
    int[] out = new int[spikes.count()];
    int kept = 0;
    for (int k = 0; k < spikes.count(); k++) {
      if (spikes.region(k) != sourceRegion) {
        continue;
      }
      int start = clipStart(spikes.time(k));
      if (start + CLIP_LENGTH > signalLength) {
        continue;
      }
      boolean clear = true;
      for (int m = 0; m < spikes.count() && clear; m++) {
        int t = spikes.time(m);
        clear = spikes.region(m) == sourceRegion || t < start - 200 || t > start + 699;
      }
      if (clear) {
        out[kept++] = spikes.time(k);
      }
    }
    return Arrays.copyOf(out, kept);
  }

  /**
   * DeepSIF's {@code find_alpha}: the factor by which the source region's signal must be scaled so
   * that, projected to the sensors, signal power over noise power is {@code targetSnrDb}.
   *
   * <p>Sensor signal {@code s(t, ch) = L[ch][region] x_region(t)}, sensor noise {@code n(t, ch) =
   * sum over the other regions r of L[ch][r] x_r(t)}, each minus its mean over the whole signal.
   * Powers are {@code sum of squares / number of indices} over the concatenated windows {@code peak
   * - 99 .. peak + 100} of all spikes (overlapping windows count twice, as in DeepSIF; indices are
   * clamped into the signal). Result: {@code sqrt(10^(snr/10) * Pn / Ps)}.
   *
   * @param nmm {@code [region][sample]}
   * @param leadfield {@code [channel][region]}, same region count as {@code nmm}
   * @param region 0-based source region
   * @param spikeTimes 0-based peak times, at least one
   * @param targetSnrDb target SNR in dB, finite (DeepSIF: {@value #DEEPSIF_TARGET_SNR_DB})
   */
  public static double snrScale(
      float[][] nmm, double[][] leadfield, int region, int[] spikeTimes, double targetSnrDb) {
    double[] powers = sensorPowers(nmm, leadfield, region, spikeTimes);
    Checks.finite("targetSnrDb", targetSnrDb);
    if (!(powers[0] > 0)) {
      throw new IllegalArgumentException(
          "source region " + region + " has no signal power at the sensors around the spikes");
    }
    return Math.sqrt(Math.pow(10.0, targetSnrDb / 10.0) * powers[1] / powers[0]);
  }

  /**
   * The sensor-space SNR in dB, {@code 10 log10(Ps / Pn)}, with powers as in {@link #snrScale}
   * (DeepSIF's {@code calcualate_SNR}).
   */
  public static double sensorSnrDb(
      float[][] nmm, double[][] leadfield, int region, int[] spikeTimes) {
    double[] powers = sensorPowers(nmm, leadfield, region, spikeTimes);
    return 10.0 * Math.log10(powers[0] / powers[1]);
  }

  /** {signal power, noise power} at the sensors over the spike windows. */
  private static double[] sensorPowers(
      float[][] nmm, double[][] leadfield, int region, int[] spikeTimes) {
    int length = rectangularLength("nmm", nmm);
    int regions = nmm.length;
    Checks.notNull("leadfield", leadfield);
    Checks.notNull("spikeTimes", spikeTimes);
    Checks.inRange("region", region, 0, regions - 1);
    if (spikeTimes.length == 0) {
      throw new IllegalArgumentException("spikeTimes must hold at least one spike, got none");
    }
    for (double[] row : leadfield) {
      if (row == null || row.length != regions) {
        throw new IllegalArgumentException(
            "leadfield rows must have " + regions + " regions (one per nmm row)");
      }
    }
    double[] mean = new double[regions];
    for (int r = 0; r < regions; r++) {
      double s = 0;
      for (float v : nmm[r]) {
        s += v;
      }
      mean[r] = s / length;
    }
    double gainSquared = 0;
    for (double[] row : leadfield) {
      gainSquared += row[region] * row[region];
    }
    double signal = 0;
    double noise = 0;
    int indices = 0;
    for (int peak : spikeTimes) {
      for (int offset = -99; offset <= 100; offset++) {
        int t = Math.min(Math.max(peak + offset, 0), length - 1);
        double x = nmm[region][t] - mean[region];
        signal += gainSquared * x * x;
        for (double[] row : leadfield) {
          double n = 0;
          for (int r = 0; r < regions; r++) {
            if (r != region) {
              n += row[r] * (nmm[r][t] - mean[r]);
            }
          }
          noise += n * n;
        }
        indices++;
      }
    }
    return new double[] {signal / indices, noise / indices};
  }

  /**
   * DeepSIF's {@code rescale_nmm_channel}: multiplies each spike of the source region by {@code
   * alpha}, from the zero crossing before the peak to the one after the following trough, leaving
   * the background untouched. Works on the region's signal minus its mean; for each spike (in the
   * given order, each seeing the previous ones' changes), in the 500-sample window {@code w} from
   * {@code peak - 249} to {@code peak + 250} (the peak at {@code w[249]}) and with {@code thre =
   * 0.1}:
   *
   * <ol>
   *   <li>"small" = indices {@code j} in 49..449 with {@code |w[j]| < thre}; the start is the last
   *       small {@code j < 249}; while there is none, {@code thre += 0.05};
   *   <li>{@code m} = the first index of the minimum of {@code w[300..399]}; the end is the first
   *       small {@code j > m + 1} (DeepSIF's 1-based {@code min_ind + 301} is one past the trough);
   *       while there is none, {@code thre += 0.05};
   *   <li>{@code w[start..end]} (inclusive) is multiplied by alpha.
   * </ol>
   *
   * @param nmm {@code [region][sample]}; not modified
   * @param region 0-based source region
   * @param spikeTimes 0-based peak times, each in [249, length - 251)
   * @param alpha scaling factor, finite
   * @return a copy of {@code nmm} whose source row is rescaled (other rows shared, not copied)
   */
  public static float[][] rescaleSpikes(float[][] nmm, int region, int[] spikeTimes, double alpha) {
    int length = rectangularLength("nmm", nmm);
    Checks.inRange("region", region, 0, nmm.length - 1);
    Checks.notNull("spikeTimes", spikeTimes);
    Checks.finite("alpha", alpha);
    double mean = 0;
    for (float v : nmm[region]) {
      mean += v;
    }
    mean /= length;
    double[] x = new double[length];
    for (int t = 0; t < length; t++) {
      x[t] = nmm[region][t] - mean;
    }
    for (int peak : spikeTimes) {
      if (peak < EDGE_BEFORE || peak + EDGE_AFTER > length) {
        throw new IllegalArgumentException(
            "spike at " + peak + " needs 249 samples before and 250 after it; length " + length);
      }
      int base = peak - EDGE_BEFORE;
      double thre = 0.1;
      int start = lastSmallBefore(x, base, thre, 249);
      while (start < 0) {
        thre += 0.05;
        start = lastSmallBefore(x, base, thre, 249);
      }
      int trough = 300;
      for (int j = 301; j <= 399; j++) {
        if (x[base + j] < x[base + trough]) {
          trough = j;
        }
      }
      int end = firstSmallAfter(x, base, thre, trough + 1);
      while (end < 0) {
        thre += 0.05;
        end = firstSmallAfter(x, base, thre, trough + 1);
      }
      for (int j = start; j <= end; j++) {
        x[base + j] *= alpha;
      }
    }
    float[] row = new float[length];
    for (int t = 0; t < length; t++) {
      row[t] = (float) (x[t] + mean);
    }
    float[][] out = nmm.clone();
    out[region] = row;
    return out;
  }

  /** Last window index j in [49, limit) with |w[j]| < thre, or -1. */
  private static int lastSmallBefore(double[] x, int base, double thre, int limit) {
    for (int j = limit - 1; j >= 49; j--) {
      if (Math.abs(x[base + j]) < thre) {
        return j;
      }
    }
    return -1;
  }

  /** First window index j in (after, 449] with |w[j]| < thre, or -1. */
  private static int firstSmallAfter(double[] x, int base, double thre, int after) {
    for (int j = Math.max(after + 1, 49); j <= 449; j++) {
      if (Math.abs(x[base + j]) < thre) {
        return j;
      }
    }
    return -1;
  }

  /**
   * Cuts the 500-sample clip of every region for each spike, starting at {@link #clipStart}.
   *
   * @param nmm {@code [region][sample]}
   * @param spikeTimes 0-based peak times whose clips lie inside the signal
   * @return {@code [spike][region][500]}
   */
  public static float[][][] cutClips(float[][] nmm, int[] spikeTimes) {
    int length = rectangularLength("nmm", nmm);
    Checks.notNull("spikeTimes", spikeTimes);
    float[][][] clips = new float[spikeTimes.length][nmm.length][];
    for (int k = 0; k < spikeTimes.length; k++) {
      int start = clipStart(spikeTimes[k]);
      if (start + CLIP_LENGTH > length) {
        throw new IllegalArgumentException(
            "clip of spike at " + spikeTimes[k] + " ends past the signal (length " + length + ")");
      }
      for (int r = 0; r < nmm.length; r++) {
        clips[k][r] = Arrays.copyOfRange(nmm[r], start, start + CLIP_LENGTH);
      }
    }
    return clips;
  }

  /** The result of {@link #extract}: the source's usable spikes, the SNR scale and the clips. */
  public static final class SourceClips {
    private final int[] spikeTimes;
    private final double alpha;
    private final float[][][] clips;

    SourceClips(int[] spikeTimes, double alpha, float[][][] clips) {
      this.spikeTimes = spikeTimes;
      this.alpha = alpha;
      this.clips = clips;
    }

    /** 0-based peak times at 500 Hz (DeepSIF's {@code spike_time} minus 1). */
    public int[] spikeTimes() {
      return spikeTimes.clone();
    }

    /** The SNR scaling factor applied; NaN when there were no usable spikes. */
    public double alpha() {
      return alpha;
    }

    /** {@code [spike][region][500]} clips; the arrays are not copied. */
    public float[][][] clips() {
      return clips;
    }
  }

  /**
   * The whole per-region step of {@code process_raw_nmm.m} on a 500 Hz signal: {@link #findSpikes}
   * at 8 mV, {@link #selectSourceSpikes}, {@link #snrScale}, {@link #rescaleSpikes}, {@link
   * #cutClips}. A region without usable spikes gives no clips and alpha NaN instead of failing
   * (DeepSIF crashes there).
   *
   * @param nmm {@code [region][sample]} at 500 Hz, after {@link #dropAndDownsample}
   * @param leadfield {@code [channel][region]}
   * @param sourceRegion 0-based spiking region
   * @param targetSnrDb sensor SNR target (DeepSIF: 15 dB)
   */
  public static SourceClips extract(
      float[][] nmm, double[][] leadfield, int sourceRegion, double targetSnrDb) {
    int length = rectangularLength("nmm", nmm);
    Spikes all = findSpikes(nmm, DEEPSIF_SPIKE_THRESHOLD_MV);
    int[] times = selectSourceSpikes(all, sourceRegion, length);
    if (times.length == 0) {
      return new SourceClips(times, Double.NaN, new float[0][][]);
    }
    double alpha = snrScale(nmm, leadfield, sourceRegion, times, targetSnrDb);
    float[][] scaled = rescaleSpikes(nmm, sourceRegion, times, alpha);
    return new SourceClips(times, alpha, cutClips(scaled, times));
  }

  private static int rectangularLength(String name, float[][] x) {
    if (x == null || x.length == 0) {
      throw new IllegalArgumentException(name + " must have at least one region");
    }
    int length = -1;
    for (int r = 0; r < x.length; r++) {
      if (x[r] == null) {
        throw new IllegalArgumentException(name + "[" + r + "] is null");
      }
      if (length >= 0 && x[r].length != length) {
        throw new IllegalArgumentException(
            name
                + " rows must have equal length: row 0 has "
                + length
                + ", row "
                + r
                + " has "
                + x[r].length);
      }
      length = x[r].length;
    }
    return length;
  }
}
