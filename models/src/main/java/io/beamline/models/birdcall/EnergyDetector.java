package io.beamline.models.birdcall;

import io.beamline.transforms.audio.Fft;
import java.util.Arrays;
import java.util.List;

/**
 * The detector of {@code infer run --stub-runner}: no model, labels from spectral energy. It is
 * deterministic plain Java, so the pipeline, its retries, telemetry and outputs run without a
 * trained model.
 *
 * <p>The chunk (channels averaged) is cut into 1024-sample Hann frames with hop 512; each frame's
 * power spectrum is summed in three bands: {@code energy_low} 200-2000 Hz, {@code energy_mid}
 * 2000-5000 Hz, {@code energy_high} 5000-13000 Hz (clipped at Nyquist). Activity is how far the
 * loudest frame stands above the median frame, {@code clamp((peak_dB - median_dB) / 20, 0, 1)}.
 * Scores, in {@link #LABELS} order: {@code noise = 1 - activity}, and each band {@code activity *
 * (band's share of the total band energy)}; they sum to 1.
 */
public final class EnergyDetector {
  public static final String MODEL = "stub-energy";
  public static final String VERSION = "energy-bands-1";
  public static final List<String> LABELS =
      List.of("noise", "energy_low", "energy_mid", "energy_high");

  private static final int FRAME = 1024;
  private static final int HOP = 512;
  private static final double[][] BANDS = {{200, 2000}, {2000, 5000}, {5000, 13000}};

  private EnergyDetector() {}

  /** Scores of one mono chunk at {@code rate} Hz. */
  public static float[] scores(float[] x, int rate) {
    Fft fft = new Fft(FRAME);
    double[] window = new double[FRAME];
    for (int i = 0; i < FRAME; i++) {
      window[i] = 0.5 - 0.5 * Math.cos(2 * Math.PI * i / FRAME);
    }
    int frames = x.length < FRAME ? 1 : 1 + (x.length - FRAME) / HOP;
    double[] bandTotal = new double[BANDS.length];
    double[] frameEnergy = new double[frames];
    double[] buf = new double[FRAME];
    for (int f = 0; f < frames; f++) {
      int off = f * HOP;
      for (int i = 0; i < FRAME; i++) {
        int j = off + i;
        buf[i] = j < x.length ? x[j] * window[i] : 0;
      }
      double[] p = fft.power(buf);
      double e = 0;
      for (int b = 0; b < BANDS.length; b++) {
        int lo = bin(BANDS[b][0], rate, p.length);
        int hi = bin(Math.min(BANDS[b][1], rate / 2.0), rate, p.length);
        double s = 0;
        for (int k = lo; k < hi; k++) {
          s += p[k];
        }
        bandTotal[b] += s;
        e += s;
      }
      frameEnergy[f] = e;
    }
    double[] sorted = frameEnergy.clone();
    Arrays.sort(sorted);
    double median = sorted[sorted.length / 2];
    double peak = sorted[sorted.length - 1];
    double activity =
        Math.max(0, Math.min(1, (10 * Math.log10((peak + 1e-12) / (median + 1e-12))) / 20.0));
    double total = 0;
    for (double b : bandTotal) {
      total += b;
    }
    float[] out = new float[LABELS.size()];
    out[0] = (float) (1 - activity);
    for (int b = 0; b < BANDS.length; b++) {
      out[b + 1] = (float) (total > 0 ? activity * bandTotal[b] / total : 0);
    }
    return out;
  }

  private static int bin(double hz, int rate, int bins) {
    return (int) Math.max(0, Math.min(bins, Math.round(hz * FRAME / rate)));
  }
}
