package io.beamline.transforms.nmm;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeSet;

/**
 * The sample table of DeepSIF's {@code generate_sythetic_source.m}: for every centre region and
 * variation, the source patches (a centre patch and further patches around random centres), the
 * spike clip each source uses, the SNR level, the scaling factors that put a clip at given sensor
 * SNRs, and the magnitude fall-off inside each patch. DeepSIF's training loader mixes the clips,
 * projects them through the leadfield and adds noise from these parameters; this class computes the
 * parameters, {@link SensorSamples} the mixed EEG. Plain Java over arrays, seeded; no Beam, no I/O
 * (clips come through {@link ClipSource}).
 *
 * <p>Differences from DeepSIF, on purpose: neighbours come from the region centres (each region's
 * {@code k} nearest, made symmetric) because the pipeline has no cortical surface; only regions
 * with at least one spike clip can be sources, and a source's clip is drawn from the clips its
 * centre region really has ({@code min(nper, clips)}), where DeepSIF assumes {@code nper} clips per
 * region; random draws come from {@link SplittableRandom}, not MATLAB's stream.
 */
public final class SyntheticSources {
  /** DeepSIF's SNR levels (dB), one copy of every sample per level. */
  private static final double[] SNR_LEVELS = {5, 10, 15, 20};

  /** Reads clip {@code k} (1-based) of {@code region} as {@code [time][region]}. */
  public interface ClipSource {
    double[][] clip(int region, int k) throws Exception;
  }

  /** DeepSIF's presets. */
  public enum Mode {
    /** nper 100, 48 variations per centre, scale SNRs 10:2:20, patch k-th candidate first. */
    TRAIN(100, 48, new double[] {10, 12, 14, 16, 18, 20}),
    /** nper 10, 3 variations per centre, scale SNRs 10 and 15. */
    TEST(10, 3, new double[] {10, 15});

    private final int nper;
    private final int variations;
    private final double[] scaleSnrs;

    Mode(int nper, int variations, double[] scaleSnrs) {
      this.nper = nper;
      this.variations = variations;
      this.scaleSnrs = scaleSnrs;
    }

    /** DeepSIF's {@code nper}: spike clips a source may draw from per region. */
    public int nper() {
      return nper;
    }

    /** DeepSIF's {@code n_iter}: variations per centre region. */
    public int variations() {
      return variations;
    }

    /** The sensor SNRs (dB) each source gets a {@code scale_ratio} factor for. */
    public double[] scaleSnrs() {
      return scaleSnrs.clone();
    }

    /** Number of {@link #scaleSnrs}. */
    public int scaleLevels() {
      return scaleSnrs.length;
    }
  }

  /** The generated table; arrays indexed [sample][source][...]. */
  public record Samples(
      int[][][] selectedRegion,
      int[][] randomSamples,
      int[][] nmmIdx,
      double[] currentSnr,
      double[][][] scaleRatio,
      double[][][] magChange,
      double halfDistance) {
    /** Number of samples (table rows). */
    public int count() {
      return currentSnr.length;
    }
  }

  private SyntheticSources() {}

  /**
   * Each region's {@code k} nearest regions by centre distance, plus every region that has it among
   * its own {@code k} nearest (so the relation is symmetric, like surface adjacency); sorted.
   */
  public static int[][] nearestNeighbours(double[][] centres, int k) {
    int n = centres.length;
    List<TreeSet<Integer>> nb = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      nb.add(new TreeSet<>());
    }
    for (int i = 0; i < n; i++) {
      Integer[] order = new Integer[n];
      double[] d = new double[n];
      for (int j = 0; j < n; j++) {
        order[j] = j;
        double s = 0;
        for (int x = 0; x < 3; x++) {
          double diff = centres[i][x] - centres[j][x];
          s += diff * diff;
        }
        d[j] = s;
      }
      Arrays.sort(
          order, (a, b) -> a.equals(b) ? 0 : d[a] != d[b] ? Double.compare(d[a], d[b]) : a - b);
      int taken = 0;
      for (int j = 0; j < n && taken < k; j++) {
        if (order[j] != i) {
          nb.get(i).add(order[j]);
          nb.get(order[j]).add(i);
          taken++;
        }
      }
    }
    int[][] out = new int[n][];
    for (int i = 0; i < n; i++) {
      out[i] = nb.get(i).stream().mapToInt(Integer::intValue).toArray();
    }
    return out;
  }

  /**
   * Builds the samples.
   *
   * @param clipsPerRegion spike clips available per region (0 = cannot be a source)
   * @param sources sources per sample, >= 1 (DeepSIF: 2)
   */
  public static Samples generate(
      int[][] neighbours,
      double[][] centres,
      double[][] distances,
      double[][] leadfield,
      int[] clipsPerRegion,
      ClipSource clips,
      Mode mode,
      int sources,
      long seed)
      throws Exception {
    return generate(
        neighbours,
        centres,
        distances,
        leadfield,
        clipsPerRegion,
        clips,
        mode,
        mode.nper,
        mode.variations,
        sources,
        seed);
  }

  /**
   * Builds the samples with DeepSIF's {@code nper} (clips a source may draw from per region) and
   * {@code n_iter} (variations per centre region) given instead of the preset's.
   *
   * @param nper >= 1
   * @param variations >= 1
   */
  public static Samples generate(
      int[][] neighbours,
      double[][] centres,
      double[][] distances,
      double[][] leadfield,
      int[] clipsPerRegion,
      ClipSource clips,
      Mode mode,
      int nper,
      int variations,
      int sources,
      long seed)
      throws Exception {
    if (nper < 1 || variations < 1) {
      throw new IllegalArgumentException(
          "nper and n_iter must be >= 1, got " + nper + " and " + variations);
    }
    int[] eligible =
        java.util.stream.IntStream.range(0, clipsPerRegion.length)
            .filter(r -> clipsPerRegion[r] > 0)
            .toArray();
    if (eligible.length == 0) {
      throw new IllegalArgumentException(
          "no region has spike clips, so no synthetic source can be built; simulate longer or"
              + " more regions");
    }
    List<List<int[]>> candidates = new ArrayList<>();
    for (int r : eligible) {
      List<int[]> c =
          SourcePatches.grow(neighbours, centres, r, SourcePatches.DEEPSIF_MAX_SIZE, seed * 31 + r);
      candidates.add(c.isEmpty() ? List.of(new int[] {r}) : c);
    }
    SplittableRandom random = new SplittableRandom(seed);
    int e = eligible.length;
    // Partner centres: one random permutation of the eligible centres per variation and extra
    // source.
    int[][][] partner = new int[variations][Math.max(sources - 1, 0)][];
    for (int v = 0; v < variations; v++) {
      for (int s = 0; s < sources - 1; s++) {
        partner[v][s] = permutation(e, random);
      }
    }
    int n = e * variations * SNR_LEVELS.length;
    int[][][] selected = new int[n][sources][];
    int[][] randomSamples = new int[n][sources];
    int[][] nmmIdx = new int[n][sources];
    double[] snr = new double[n];
    double[][][] scale = new double[n][sources][];
    double[][][] mag = new double[n][sources][];
    double halfDistance = 40 + random.nextInt(21);
    int row = 0;
    for (int i = 0; i < e; i++) {
      for (int v = 0; v < variations; v++) {
        int[][] patches = new int[sources][];
        List<int[]> own = candidates.get(i);
        patches[0] =
            mode == Mode.TRAIN && v < own.size() ? own.get(v) : own.get(random.nextInt(own.size()));
        for (int s = 1; s < sources; s++) {
          List<int[]> other = candidates.get(partner[v][s - 1][i]);
          patches[s] = other.get(random.nextInt(other.size()));
        }
        for (double level : SNR_LEVELS) {
          snr[row] = level;
          for (int s = 0; s < sources; s++) {
            int centre = patches[s][0];
            int available = Math.min(nper, clipsPerRegion[centre]);
            int pick = random.nextInt(available);
            selected[row][s] =
                SourcePatches.padded(
                    patches[s], SourcePatches.DEEPSIF_MAX_SIZE, SourcePatches.DEEPSIF_PAD);
            randomSamples[row][s] = pick;
            nmmIdx[row][s] = (centre + 1) * nper + pick + 1;
            scale[row][s] =
                scaleRatio(clips.clip(centre, pick + 1), leadfield, patches[s], mode.scaleSnrs);
            double[] m = SourcePatches.magnitudeFalloff(distances, patches[s], halfDistance);
            double[] padded = new double[SourcePatches.DEEPSIF_MAX_SIZE];
            Arrays.fill(padded, SourcePatches.DEEPSIF_PAD);
            System.arraycopy(m, 0, padded, 0, m.length);
            mag[row][s] = padded;
          }
          row++;
        }
      }
    }
    return new Samples(selected, randomSamples, nmmIdx, snr, scale, mag, halfDistance);
  }

  private static int[] permutation(int n, SplittableRandom random) {
    int[] p = java.util.stream.IntStream.range(0, n).toArray();
    for (int i = n - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int t = p[i];
      p[i] = p[j];
      p[j] = t;
    }
    return p;
  }

  /**
   * DeepSIF's {@code find_alpha} for a patch: the centre's clip waveform, normalised to a peak of
   * 1, is copied to every patch region; signal = the patch seen at the sensors, noise = all other
   * regions, each minus its mean over the clip; powers (sum of squares per time index) over samples
   * {@code max(peak - 50, 0) .. max(peak + 50, 499)} (0-based); one factor per SNR: {@code
   * sqrt(10^(snr/10) Pn / Ps)}.
   *
   * @param clip {@code [time][region]}
   */
  public static double[] scaleRatio(
      double[][] clip, double[][] leadfield, int[] patch, double[] snrs) {
    int length = clip.length;
    int regions = clip[0].length;
    int centre = patch[0];
    double max = Double.NEGATIVE_INFINITY;
    int peak = 0;
    for (int t = 0; t < length; t++) {
      if (clip[t][centre] > max) {
        max = clip[t][centre];
        peak = t;
      }
    }
    boolean[] inPatch = new boolean[regions];
    for (int r : patch) {
      inPatch[r] = true;
    }
    int channels = leadfield.length;
    double[][] sig = new double[length][channels];
    double[][] noise = new double[length][channels];
    for (int t = 0; t < length; t++) {
      double shape = clip[t][centre] / max;
      for (int c = 0; c < channels; c++) {
        double s = 0;
        double nz = 0;
        for (int r = 0; r < regions; r++) {
          if (inPatch[r]) {
            s += leadfield[c][r] * shape;
          } else {
            nz += leadfield[c][r] * clip[t][r];
          }
        }
        sig[t][c] = s;
        noise[t][c] = nz;
      }
    }
    removeMean(sig);
    removeMean(noise);
    int from = Math.max(peak - 50, 0);
    int to = Math.min(Math.max(peak + 50, length - 1), length - 1);
    double ps = 0;
    double pn = 0;
    for (int t = from; t <= to; t++) {
      for (int c = 0; c < channels; c++) {
        ps += sig[t][c] * sig[t][c];
        pn += noise[t][c] * noise[t][c];
      }
    }
    double[] out = new double[snrs.length];
    for (int k = 0; k < snrs.length; k++) {
      out[k] = Math.sqrt(Math.pow(10, snrs[k] / 10) * pn / ps);
    }
    return out;
  }

  private static void removeMean(double[][] x) {
    int channels = x[0].length;
    for (int c = 0; c < channels; c++) {
      double m = 0;
      for (double[] row : x) {
        m += row[c];
      }
      m /= x.length;
      for (double[] row : x) {
        row[c] -= m;
      }
    }
  }
}
