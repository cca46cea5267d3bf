package io.beamline.transforms.audio;

/**
 * Band-limited sample-rate conversion between integer rates with a Kaiser-windowed sinc kernel,
 * plus channel downmix.
 *
 * <p>Design (defaults of {@link #of(int, int)}): the low-pass cutoff is {@code 0.96} of the lower
 * Nyquist frequency, the sinc is truncated after {@code 64} zero crossings on each side, and the
 * Kaiser window has {@code beta = 0.1102 * (A - 8.7)} for a stopband attenuation {@code A = 80 dB}.
 * Kaiser's length formula then gives a transition band of about {@code 0.075 * Nyquist} centred on
 * the cutoff, so for 44.1 kHz to 28 kHz: passband up to about 12.9 kHz, stopband from about 13.97
 * kHz, attenuated by at least 80 dB (tests check 80 dB at 14.5-23 kHz; about 90 dB is measured).
 * Frequencies in between are partly attenuated. In the passband a sine comes out within 0.02 % of
 * full scale of the ideal resampled sine (amplitude, frequency and phase; about 0.004 % is
 * measured).
 *
 * <p>The ratio {@code out/in} is reduced to {@code L/M}; when {@code L <= 4096} the kernel is
 * precomputed for each of the {@code L} phases (polyphase), otherwise each output sample computes
 * its own taps (slower, same result). Each phase is normalised to unit sum so a constant signal
 * passes unchanged. Samples outside the input are treated as zero, so the first and last {@link
 * #halfWidthSeconds()} of the output fade toward zero. Instances are immutable and thread-safe.
 *
 * <pre>{@code
 * float[] at28k = Resampler.of(44_100, 28_000).resample(Resampler.downmix(channels));
 * }</pre>
 */
public final class Resampler {
  /** Default cutoff as a fraction of the lower Nyquist frequency. */
  public static final double DEFAULT_CUTOFF = 0.96;

  /** Default number of sinc zero crossings kept on each side. */
  public static final int DEFAULT_ZERO_CROSSINGS = 64;

  /** Default design stopband attenuation in dB. */
  public static final double DEFAULT_ATTENUATION_DB = 80;

  private static final int MAX_PHASES = 4096;

  private final int inRate;
  private final int outRate;
  private final int up; // L
  private final int down; // M
  private final double cutoffHz;
  private final double halfWidth; // in input samples
  private final double beta;
  private final double attenuationDb;
  private final int reach; // taps on each side
  private final double[][] phases; // null when computed per output

  private Resampler(int inRate, int outRate, double cutoff, int zeroCrossings, double attDb) {
    this.inRate = inRate;
    this.outRate = outRate;
    int g = gcd(inRate, outRate);
    this.up = outRate / g;
    this.down = inRate / g;
    this.cutoffHz = cutoff * Math.min(inRate, outRate) / 2.0;
    // Zero crossings of sinc(2 fc t) are 1/(2 fc) apart; in input samples that is in/(2 fc).
    this.halfWidth = zeroCrossings * inRate / (2 * cutoffHz);
    this.attenuationDb = attDb;
    this.beta =
        attDb > 50
            ? 0.1102 * (attDb - 8.7)
            : 0.5842 * Math.pow(attDb - 21, 0.4) + 0.07886 * (attDb - 21);
    this.reach = (int) Math.ceil(halfWidth) + 1;
    if (inRate == outRate) {
      this.phases = null;
    } else if (up <= MAX_PHASES) {
      phases = new double[up][];
      for (int p = 0; p < up; p++) {
        phases[p] = taps((double) p / up);
      }
    } else {
      phases = null;
    }
  }

  /** A resampler with the documented defaults. Rates in Hz, each in {@code [1, 10^7]}. */
  public static Resampler of(int inRate, int outRate) {
    return of(inRate, outRate, DEFAULT_CUTOFF, DEFAULT_ZERO_CROSSINGS, DEFAULT_ATTENUATION_DB);
  }

  /**
   * A resampler with explicit design parameters.
   *
   * @param inRate input rate in Hz, {@code [1, 10^7]}
   * @param outRate output rate in Hz, {@code [1, 10^7]}
   * @param cutoff low-pass cutoff as a fraction of {@code min(in, out) / 2}, in {@code (0, 1]}
   * @param zeroCrossings sinc zero crossings kept per side, {@code [2, 1024]}; more means a
   *     narrower transition band and more work
   * @param attenuationDb Kaiser design attenuation in dB, {@code [21, 200]}
   */
  public static Resampler of(
      int inRate, int outRate, double cutoff, int zeroCrossings, double attenuationDb) {
    if (inRate < 1 || inRate > 10_000_000 || outRate < 1 || outRate > 10_000_000) {
      throw new IllegalArgumentException(
          "Resampler: rates must be in [1, 10^7] Hz, got " + inRate + " -> " + outRate);
    }
    if (!(cutoff > 0 && cutoff <= 1)) {
      throw new IllegalArgumentException("Resampler: cutoff must be in (0, 1], got " + cutoff);
    }
    if (zeroCrossings < 2 || zeroCrossings > 1024) {
      throw new IllegalArgumentException(
          "Resampler: zeroCrossings must be in [2, 1024], got " + zeroCrossings);
    }
    if (!(attenuationDb >= 21 && attenuationDb <= 200)) {
      throw new IllegalArgumentException(
          "Resampler: attenuationDb must be in [21, 200], got " + attenuationDb);
    }
    return new Resampler(inRate, outRate, cutoff, zeroCrossings, attenuationDb);
  }

  /** Input rate in Hz. */
  public int inRate() {
    return inRate;
  }

  /** Output rate in Hz. */
  public int outRate() {
    return outRate;
  }

  /** The -6 dB cutoff of the anti-alias filter in Hz. */
  public double cutoffHz() {
    return cutoffHz;
  }

  /** Half the Kaiser transition width in Hz, from Kaiser's length formula. */
  public double halfTransitionHz() {
    // Kaiser: taps - 1 = (A - 7.95) / (2.285 * dw), dw in rad/sample at the input rate.
    double taps = 2 * halfWidth;
    double dw = (attenuationDb - 7.95) / (2.285 * taps);
    return dw / (2 * Math.PI) * inRate / 2;
  }

  /** Frequencies above this (Hz) are attenuated by the stopband attenuation. */
  public double stopbandEdgeHz() {
    return cutoffHz + halfTransitionHz();
  }

  /** Frequencies below this (Hz) pass with negligible ripple. */
  public double passbandEdgeHz() {
    return cutoffHz - halfTransitionHz();
  }

  /** Half the kernel length in seconds (the edge region affected by zero padding). */
  public double halfWidthSeconds() {
    return halfWidth / inRate;
  }

  /** Output length for {@code n} input samples: {@code round(n * out / in)}. */
  public int outputLength(int n) {
    return (int) Math.round((double) n * outRate / inRate);
  }

  /** Resamples one channel. The identity ratio returns a copy of the input. */
  public float[] resample(float[] x) {
    int n = outputLength(x.length);
    if (inRate == outRate) {
      return x.clone();
    }
    float[] y = new float[n];
    for (int k = 0; k < n; k++) {
      // Output k sits at input position k * M / L = base + phase / L.
      long num = (long) k * down;
      long base = num / up;
      int phase = (int) (num % up);
      double[] h = phases != null ? phases[phase] : taps((double) phase / up);
      long first = base - reach + 1;
      double acc = 0;
      int j0 = (int) Math.max(0, -first);
      int j1 = (int) Math.min(h.length, x.length - first);
      for (int j = j0; j < j1; j++) {
        acc += h[j] * x[(int) (first + j)];
      }
      y[k] = (float) acc;
    }
    return y;
  }

  /** Resamples every channel, {@code [channel][frame]}. */
  public float[][] resample(float[][] channels) {
    float[][] out = new float[channels.length][];
    for (int c = 0; c < channels.length; c++) {
      out[c] = resample(channels[c]);
    }
    return out;
  }

  /** Mean of the channels, frame by frame; all channels must have the same length. */
  public static float[] downmix(float[][] channels) {
    if (channels.length == 0) {
      throw new IllegalArgumentException("downmix: need at least one channel");
    }
    int n = channels[0].length;
    float[] out = new float[n];
    for (int i = 0; i < n; i++) {
      double sum = 0;
      for (float[] ch : channels) {
        if (ch.length != n) {
          throw new IllegalArgumentException("downmix: channels differ in length");
        }
        sum += ch[i];
      }
      out[i] = (float) (sum / channels.length);
    }
    return out;
  }

  /**
   * Kernel taps for an output at input position {@code base + frac}: tap {@code j} weights input
   * {@code base - reach + 1 + j}. Normalised to unit sum.
   */
  private double[] taps(double frac) {
    double[] h = new double[2 * reach];
    double fc = cutoffHz / inRate; // cycles per input sample
    double i0Beta = besselI0(beta);
    double sum = 0;
    for (int j = 0; j < h.length; j++) {
      double t = frac - (j - reach + 1); // distance from the output position, input samples
      double r = t / halfWidth;
      if (Math.abs(r) >= 1) {
        continue;
      }
      double x = 2 * fc * t;
      double sinc = x == 0 ? 1 : Math.sin(Math.PI * x) / (Math.PI * x);
      h[j] = 2 * fc * sinc * besselI0(beta * Math.sqrt(1 - r * r)) / i0Beta;
      sum += h[j];
    }
    for (int j = 0; j < h.length; j++) {
      h[j] /= sum;
    }
    return h;
  }

  /** Modified Bessel function of the first kind, order 0, by its power series. */
  static double besselI0(double x) {
    double sum = 1;
    double term = 1;
    double q = x * x / 4;
    for (int k = 1; k < 500; k++) {
      term *= q / ((double) k * k);
      sum += term;
      if (term < sum * 1e-17) {
        break;
      }
    }
    return sum;
  }

  private static int gcd(int a, int b) {
    while (b != 0) {
      int t = a % b;
      a = b;
      b = t;
    }
    return a;
  }
}
