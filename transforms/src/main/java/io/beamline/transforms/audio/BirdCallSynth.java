package io.beamline.transforms.audio;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * Seeded synthetic bird-call audio with labels, for training and testing a call detector without
 * real recordings.
 *
 * <p>Call types (all between 1 and 9 kHz, 50 to 800 ms, with smooth onsets and offsets):
 *
 * <ul>
 *   <li>{@code chirp}: one fast exponential FM sweep, up or down, spanning at least 2 kHz, 50-250
 *       ms.
 *   <li>{@code trill}: 10-25 short down-swept notes per second around a centre of 2-7 kHz, 200-800
 *       ms.
 *   <li>{@code whistle}: a tone with {@code f0} of 1-3.5 kHz, up to two more harmonics (all below 9
 *       kHz), vibrato of 4-12 Hz and 1-3 % depth, 300-800 ms.
 * </ul>
 *
 * <p>Background: white noise plus pink-ish noise (a sum of three one-pole low-passed white noises,
 * giving a spectrum falling with frequency) plus occasional broadband clicks (about 0.5 per second,
 * 1-3 ms decaying bursts), scaled to an RMS of -32 to -26 dBFS.
 *
 * <p>SNR definition: {@code 10 log10(P_call / P_background)}, where {@code P_call} is the mean
 * square of that call over its own event span and {@code P_background} the mean square of the
 * background over the whole clip. Each call is scaled to honour it exactly; if the mix would exceed
 * 0.99 full scale, calls and background are scaled down together, which keeps the SNR.
 *
 * <p>Every draw comes from one {@link SplittableRandom} seeded with {@code seed}, so the same
 * arguments give the same samples on every machine.
 *
 * <pre>{@code
 * BirdCallSynth.Clip c = BirdCallSynth.segment("trill", 3.0, 28_000, 42L);
 * BirdCallSynth.Clip quiet = BirdCallSynth.segment(BirdCallSynth.NOISE, 3.0, 28_000, 43L);
 * }</pre>
 */
public final class BirdCallSynth {
  /** Label of a fast FM sweep. */
  public static final String CHIRP = "chirp";

  /** Label of rapid repeated notes. */
  public static final String TRILL = "trill";

  /** Label of a harmonic tone with vibrato. */
  public static final String WHISTLE = "whistle";

  /** Label for a background-only segment (never an event label). */
  public static final String NOISE = "noise";

  /** The call labels, in a fixed order. */
  public static final List<String> CALL_LABELS = List.of(CHIRP, TRILL, WHISTLE);

  /** Lowest sample rate accepted: leaves room above the 9 kHz top of the calls. */
  public static final int MIN_RATE = 20_000;

  /** SNR range in dB that {@link #segment(String, double, int, long)} draws from. */
  public static final double MIN_SEGMENT_SNR_DB = 3;

  /** See {@link #MIN_SEGMENT_SNR_DB}. */
  public static final double MAX_SEGMENT_SNR_DB = 20;

  /**
   * One labelled call.
   *
   * @param label one of {@link #CALL_LABELS}
   * @param startS onset in seconds from the clip start
   * @param endS offset in seconds, {@code > startS}, at most the clip length
   * @param lowHz lowest instantaneous frequency of the call
   * @param highHz highest instantaneous frequency (of the top harmonic for a whistle)
   * @param f0Hz fundamental of a whistle (before vibrato); {@code NaN} for other calls
   */
  public record Event(
      String label, double startS, double endS, double lowHz, double highHz, double f0Hz) {}

  /**
   * A synthetic clip: {@code samples = calls + background} sample by sample (up to float rounding).
   * Arrays are fresh copies owned by the caller.
   *
   * @param samples the mix, within {@code [-0.99, 0.99]}
   * @param calls the calls alone
   * @param background the background alone
   * @param sampleRate Hz
   * @param events the calls, in time order
   * @param snrDb the SNR every call was scaled to; {@code NaN} when there are no calls
   */
  public record Clip(
      float[] samples,
      float[] calls,
      float[] background,
      int sampleRate,
      List<Event> events,
      double snrDb) {}

  private BirdCallSynth() {}

  /**
   * A clip of {@code seconds} with one call per entry of {@code labels}, in that order, each placed
   * at a random offset inside its own equal share of the clip (so calls never overlap).
   *
   * @param seconds clip length, {@code > 0}; each share must be at least 0.06 s
   * @param sampleRate Hz, {@code >= 20000}
   * @param seed any value
   * @param snrDb SNR of every call in dB, {@code [-20, 60]}
   * @param labels call labels from {@link #CALL_LABELS}, possibly empty or repeated
   */
  public static Clip generate(
      double seconds, int sampleRate, long seed, double snrDb, List<String> labels) {
    if (!(seconds > 0) || seconds > 3600) {
      throw new IllegalArgumentException("seconds must be in (0, 3600], got " + seconds);
    }
    if (sampleRate < MIN_RATE) {
      throw new IllegalArgumentException(
          "sampleRate must be >= " + MIN_RATE + " Hz (calls reach 9 kHz), got " + sampleRate);
    }
    if (!(snrDb >= -20 && snrDb <= 60)) {
      throw new IllegalArgumentException("snrDb must be in [-20, 60], got " + snrDb);
    }
    for (String l : labels) {
      if (!CALL_LABELS.contains(l)) {
        throw new IllegalArgumentException("unknown call label '" + l + "'; use " + CALL_LABELS);
      }
    }
    int n = (int) Math.round(seconds * sampleRate);
    SplittableRandom rng = new SplittableRandom(seed);
    double[] background = background(n, sampleRate, rng.split());
    double noisePower = meanSquare(background, 0, n);
    double[] calls = new double[n];
    List<Event> events = new ArrayList<>();
    double slot = seconds / Math.max(1, labels.size());
    if (!labels.isEmpty() && slot < 0.06) {
      throw new IllegalArgumentException(
          labels.size() + " calls do not fit in " + seconds + " s (each needs 0.06 s)");
    }
    for (int i = 0; i < labels.size(); i++) {
      SplittableRandom r = rng.split();
      double maxDur = Math.min(0.8, slot * 0.95);
      double[] call = new double[0];
      Event shape = null;
      switch (labels.get(i)) {
        case CHIRP -> {
          double dur = Math.min(maxDur, r.nextDouble(0.05, 0.25));
          double fa;
          double fb;
          do {
            fa = r.nextDouble(1000, 9000);
            fb = r.nextDouble(1000, 9000);
          } while (Math.abs(fa - fb) < 2000);
          call = chirp(dur, fa, fb, sampleRate);
          shape = new Event(CHIRP, 0, dur, Math.min(fa, fb), Math.max(fa, fb), Double.NaN);
        }
        case TRILL -> {
          double dur = Math.min(maxDur, r.nextDouble(0.2, 0.8));
          double fc = r.nextDouble(2000, 7000);
          double bw = r.nextDouble(300, 1500);
          double noteRate = r.nextDouble(10, 25);
          double duty = r.nextDouble(0.4, 0.7);
          call = trill(dur, fc, bw, noteRate, duty, sampleRate);
          shape = new Event(TRILL, 0, dur, fc - bw / 2, fc + bw / 2, Double.NaN);
        }
        case WHISTLE -> {
          double dur = Math.min(maxDur, r.nextDouble(0.3, 0.8));
          double f0 = r.nextDouble(1000, 3500);
          double vibRate = r.nextDouble(4, 12);
          double depth = r.nextDouble(0.01, 0.03);
          int harmonics = (int) Math.min(3, Math.floor(9000 / (f0 * (1 + depth))));
          double[] amps = {1, r.nextDouble(0.2, 0.5), r.nextDouble(0.05, 0.2)};
          call = whistle(dur, f0, vibRate, depth, harmonics, amps, sampleRate);
          shape = new Event(WHISTLE, 0, dur, f0 * (1 - depth), harmonics * f0 * (1 + depth), f0);
        }
        default -> throw new IllegalStateException(labels.get(i));
      }
      int len = Math.min(call.length, n);
      double slack = slot - (double) len / sampleRate;
      int start = (int) Math.floor((i * slot + r.nextDouble() * Math.max(0, slack)) * sampleRate);
      start = Math.max(0, Math.min(start, n - len));
      double callPower = meanSquare(call, 0, len);
      double gain = Math.sqrt(noisePower * Math.pow(10, snrDb / 10) / callPower);
      for (int k = 0; k < len; k++) {
        calls[start + k] += gain * call[k];
      }
      events.add(
          new Event(
              shape.label(),
              (double) start / sampleRate,
              (double) (start + len) / sampleRate,
              shape.lowHz(),
              shape.highHz(),
              shape.f0Hz()));
    }
    // Scale calls and background together if the mix would clip: the SNR is unchanged.
    double peak = 0;
    for (int k = 0; k < n; k++) {
      peak = Math.max(peak, Math.abs(calls[k] + background[k]));
    }
    double scale = peak > 0.99 ? 0.99 / peak : 1;
    float[] mix = new float[n];
    float[] c = new float[n];
    float[] b = new float[n];
    for (int k = 0; k < n; k++) {
      c[k] = (float) (calls[k] * scale);
      b[k] = (float) (background[k] * scale);
      mix[k] = (float) ((calls[k] + background[k]) * scale);
    }
    return new Clip(
        mix, c, b, sampleRate, List.copyOf(events), labels.isEmpty() ? Double.NaN : snrDb);
  }

  /**
   * One training example with an SNR drawn uniformly from {@code [3, 20]} dB.
   *
   * @param labelOrNoise a call label, or {@link #NOISE} (or {@code null}) for background only
   * @param seconds clip length, usually 3.0
   * @param sampleRate Hz, {@code >= 20000}
   * @param seed any value
   */
  public static Clip segment(String labelOrNoise, double seconds, int sampleRate, long seed) {
    double snr =
        new SplittableRandom(seed ^ 0x5DEECE66DL)
            .nextDouble(MIN_SEGMENT_SNR_DB, MAX_SEGMENT_SNR_DB);
    return segment(labelOrNoise, seconds, sampleRate, seed, snr);
  }

  /** Like {@link #segment(String, double, int, long)} with an explicit SNR in dB. */
  public static Clip segment(
      String labelOrNoise, double seconds, int sampleRate, long seed, double snrDb) {
    List<String> labels =
        labelOrNoise == null || labelOrNoise.equals(NOISE)
            ? List.of()
            : List.of(Objects.requireNonNull(labelOrNoise));
    return generate(seconds, sampleRate, seed, snrDb, labels);
  }

  static double[] chirp(double dur, double fa, double fb, int rate) {
    int len = (int) Math.round(dur * rate);
    double[] x = new double[len];
    double phase = 0;
    for (int k = 0; k < len; k++) {
      double u = (double) k / len;
      double f = fa * Math.pow(fb / fa, u); // exponential sweep: constant octaves per second
      phase += 2 * Math.PI * f / rate;
      x[k] = envelope(u, 0.15) * Math.sin(phase);
    }
    return x;
  }

  static double[] trill(double dur, double fc, double bw, double noteRate, double duty, int rate) {
    int len = (int) Math.round(dur * rate);
    double[] x = new double[len];
    double period = 1 / noteRate;
    double noteLen = duty * period;
    double phase = 0;
    for (int k = 0; k < len; k++) {
      double t = (double) k / rate;
      double inNote = t % period;
      if (inNote >= noteLen) {
        continue; // silence between notes
      }
      double u = inNote / noteLen;
      double f = fc + bw / 2 - bw * u; // each note sweeps down through the band
      phase += 2 * Math.PI * f / rate;
      // Hann-shaped note, inside a gentle overall envelope.
      x[k] = Math.pow(Math.sin(Math.PI * u), 2) * envelope((double) k / len, 0.1) * Math.sin(phase);
    }
    return x;
  }

  static double[] whistle(
      double dur, double f0, double vibRate, double depth, int harmonics, double[] amps, int rate) {
    int len = (int) Math.round(dur * rate);
    double[] x = new double[len];
    double phase = 0;
    for (int k = 0; k < len; k++) {
      double t = (double) k / rate;
      double f = f0 * (1 + depth * Math.sin(2 * Math.PI * vibRate * t));
      phase += 2 * Math.PI * f / rate;
      double v = 0;
      for (int h = 1; h <= harmonics; h++) {
        v += amps[h - 1] * Math.sin(h * phase);
      }
      x[k] = envelope((double) k / len, 0.1) * v;
    }
    return x;
  }

  /** Raised-cosine fade in and out over {@code fade} of the length; 1 in between. */
  static double envelope(double u, double fade) {
    if (u < fade) {
      return Math.pow(Math.sin(Math.PI / 2 * u / fade), 2);
    }
    if (u > 1 - fade) {
      return Math.pow(Math.sin(Math.PI / 2 * (1 - u) / fade), 2);
    }
    return 1;
  }

  static double[] background(int n, int rate, SplittableRandom r) {
    double[] x = new double[n];
    double whiteLevel = r.nextDouble(0.3, 1.0);
    // Three one-pole low-passes (corners ~60 Hz, ~600 Hz, ~3 kHz) summed: a spectrum that falls
    // with frequency, roughly like pink noise over the band that matters here.
    double[] corners = {60, 600, 3000};
    double[] alpha = new double[3];
    double[] gains = {4.0, 2.0, 1.0};
    for (int j = 0; j < 3; j++) {
      alpha[j] = Math.exp(-2 * Math.PI * corners[j] / rate);
    }
    double[] state = new double[3];
    for (int k = 0; k < n; k++) {
      double v = whiteLevel * r.nextGaussian();
      for (int j = 0; j < 3; j++) {
        state[j] = alpha[j] * state[j] + (1 - alpha[j]) * r.nextGaussian();
        v += gains[j] * state[j] * Math.sqrt(1 / (1 - alpha[j])); // keep each band audible
      }
      x[k] = v;
    }
    double rms = Math.sqrt(meanSquare(x, 0, n));
    double target = Math.pow(10, r.nextDouble(-32, -26) / 20);
    for (int k = 0; k < n; k++) {
      x[k] *= target / rms;
    }
    // Clicks: Poisson, ~0.5 per second, 1-3 ms exponentially decaying broadband bursts.
    double clicks = (double) n / rate * 0.5;
    int count = 0;
    double l = Math.exp(-clicks);
    double p = r.nextDouble();
    while (p > l && count < 10_000) {
      count++;
      p *= r.nextDouble();
    }
    for (int c = 0; c < count; c++) {
      int at = r.nextInt(n);
      int len = (int) (r.nextDouble(0.001, 0.003) * rate);
      double amp = target * r.nextDouble(4, 10);
      for (int k = 0; k < len && at + k < n; k++) {
        x[at + k] += amp * Math.exp(-5.0 * k / len) * r.nextGaussian();
      }
    }
    return x;
  }

  static double meanSquare(double[] x, int from, int to) {
    double s = 0;
    for (int k = from; k < to; k++) {
      s += x[k] * x[k];
    }
    return to > from ? s / (to - from) : 0;
  }
}
