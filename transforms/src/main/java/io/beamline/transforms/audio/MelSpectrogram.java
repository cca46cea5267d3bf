package io.beamline.transforms.audio;

/**
 * Mel spectrogram of one channel: Hann-windowed STFT, power or magnitude, triangular mel
 * filterbank, optional log (dB) with a floor.
 *
 * <p>Framing: frame {@code t} is centred on sample {@code t * hop}; samples outside the signal are
 * zero. The window ({@code windowLength} samples, periodic Hann) sits in the middle of an {@code
 * fftSize}-point frame, zero-padded on both sides. By default there are {@code 1 + n / hop} frames
 * (every sample is the centre of some frame's hop); {@link Builder#frames(int)} fixes the count.
 *
 * <p>Filterbank: {@code bands + 2} points equally spaced on the mel scale from {@code fminHz} to
 * {@code fmaxHz}; band {@code m} is a triangle rising from point {@code m} to 1 at point {@code
 * m+1} and falling to 0 at point {@code m+2}, evaluated at FFT bin frequencies {@code k * rate /
 * fftSize}. HTK mel is {@code 2595 log10(1 + f/700)}; Slaney mel is linear below 1 kHz and
 * logarithmic above. Optional area normalisation scales each triangle by {@code 2 / (right -
 * left)}.
 *
 * <p>Output is {@code [band][frame]} floats: {@code power = 2} gives {@code sum w |X|^2}, {@code
 * power = 1} gives {@code sum w |X|}; with log on, values are {@code 10 log10(max(v, floor))} for
 * power and {@code 20 log10(max(v, floor))} for magnitude. No window or FFT normalisation is
 * applied, so a sine of amplitude {@code a} has power {@code (a * sum(window) / 2)^2} at its bin.
 * Instances are immutable and thread-safe.
 *
 * <pre>{@code
 * float[][] spec = MelSpectrogram.hawkEarsLike().compute(samples28k); // 192 x 384
 * }</pre>
 */
public final class MelSpectrogram {
  /** Mel scale definition. */
  public enum MelScale {
    /** {@code 2595 log10(1 + f / 700)} (HTK, torchaudio default). */
    HTK,
    /** Slaney (Auditory Toolbox, librosa default): linear to 1 kHz, logarithmic above. */
    SLANEY
  }

  private final int sampleRate;
  private final int fftSize;
  private final int windowLength;
  private final int hop;
  private final int bands;
  private final double fminHz;
  private final double fmaxHz;
  private final int power;
  private final MelScale scale;
  private final boolean areaNormalised;
  private final boolean log;
  private final double floor;
  private final int frames; // <= 0: derived from the input length
  private final double[] window;
  private final double[][] filters; // [band][bin]
  private final int[] firstBin;
  private final Fft fft;

  private MelSpectrogram(Builder b) {
    this.sampleRate = b.sampleRate;
    this.fftSize = b.fftSize;
    this.windowLength = b.windowLength;
    this.hop = b.hop;
    this.bands = b.bands;
    this.fminHz = b.fminHz;
    this.fmaxHz = b.fmaxHz;
    this.power = b.power;
    this.scale = b.scale;
    this.areaNormalised = b.areaNormalised;
    this.log = b.log;
    this.floor = b.floor;
    this.frames = b.frames;
    this.fft = new Fft(fftSize);
    this.window = new double[windowLength];
    for (int i = 0; i < windowLength; i++) {
      // Periodic Hann (denominator N, not N-1): overlaps-adds to a constant at hop N/2.
      window[i] = 0.5 - 0.5 * Math.cos(2 * Math.PI * i / windowLength);
    }
    this.filters = filterbank(sampleRate, fftSize, bands, fminHz, fmaxHz, scale, areaNormalised);
    // Triangles are zero below their left edge: start each band's sum at its first non-zero bin.
    this.firstBin = new int[bands];
    for (int m = 0; m < bands; m++) {
      int k = 0;
      while (k < filters[m].length - 1 && filters[m][k] == 0) {
        k++;
      }
      firstBin[m] = k;
    }
  }

  /** A builder with defaults: 1024-point FFT, window 1024, hop 256, 64 bands, 0 Hz to Nyquist. */
  public static Builder builder(int sampleRate) {
    return new Builder(sampleRate);
  }

  /**
   * HawkEars-like input for a 3.0 s segment at 28 kHz: 192 mel bands from 200 to 13000 Hz, 384
   * frames, window 0.058 s.
   *
   * <p>Mapping of those numbers: window {@code 0.058 s * 28000 = 1624} samples, zero-padded to the
   * next power of two, {@code fftSize = 2048} (13.67 Hz bins); hop {@code floor(84000 / 384) = 218}
   * samples (7.79 ms) so that 384 centred frames cover the segment (the last is centred at sample
   * 83494); frame count fixed at 384. Power spectrum ({@code power = 2}), HTK mel without area
   * normalisation, log in dB with floor {@code 1e-10}. This is a re-creation from the published
   * numbers, not a bit-exact copy of HawkEars' own front end.
   */
  public static MelSpectrogram hawkEarsLike() {
    return builder(28_000)
        .fftSize(2048)
        .windowLength(1624)
        .hop(218)
        .frames(384)
        .bands(192)
        .frequencyRange(200, 13_000)
        .power(2)
        .melScale(MelScale.HTK)
        .log(true, 1e-10)
        .build();
  }

  /** Sample rate in Hz. */
  public int sampleRate() {
    return sampleRate;
  }

  /** Number of mel bands (output rows). */
  public int bands() {
    return bands;
  }

  /** Hop between frame centres in samples. */
  public int hop() {
    return hop;
  }

  /** FFT size in samples. */
  public int fftSize() {
    return fftSize;
  }

  /** Number of frames produced for {@code n} input samples. */
  public int frameCount(int n) {
    return frames > 0 ? frames : 1 + n / hop;
  }

  /** A copy of the filterbank weights, {@code [band][bin]} with {@code fftSize/2 + 1} bins. */
  public double[][] filterbank() {
    double[][] copy = new double[bands][];
    for (int m = 0; m < bands; m++) {
      copy[m] = filters[m].clone();
    }
    return copy;
  }

  /** Centre frequency of each band in Hz. */
  public double[] centreFrequencies() {
    double[] c = new double[bands];
    double lo = hzToMel(fminHz, scale);
    double hi = hzToMel(fmaxHz, scale);
    for (int m = 0; m < bands; m++) {
      c[m] = melToHz(lo + (hi - lo) * (m + 1) / (bands + 1), scale);
    }
    return c;
  }

  /** Computes the spectrogram of {@code x}, {@code [band][frame]}. */
  public float[][] compute(float[] x) {
    int nFrames = frameCount(x.length);
    float[][] out = new float[bands][nFrames];
    double[] frame = new double[fftSize];
    double[] re = new double[fft.bins()];
    double[] im = new double[fft.bins()];
    double[] spec = new double[fft.bins()];
    int winStart = (fftSize - windowLength) / 2;
    for (int t = 0; t < nFrames; t++) {
      // The window's centre (winStart + windowLength / 2 in the frame) lands on sample t * hop.
      long first = (long) t * hop - windowLength / 2;
      java.util.Arrays.fill(frame, 0);
      for (int i = 0; i < windowLength; i++) {
        long s = first + i;
        if (s >= 0 && s < x.length) {
          frame[winStart + i] = x[(int) s] * window[i];
        }
      }
      fft.forward(frame, re, im);
      for (int k = 0; k < spec.length; k++) {
        double p = re[k] * re[k] + im[k] * im[k];
        spec[k] = power == 2 ? p : Math.sqrt(p);
      }
      for (int m = 0; m < bands; m++) {
        double[] w = filters[m];
        double acc = 0;
        for (int k = firstBin[m]; k < w.length; k++) {
          acc += w[k] * spec[k];
        }
        if (log) {
          acc = (power == 2 ? 10 : 20) * Math.log10(Math.max(acc, floor));
        }
        out[m][t] = (float) acc;
      }
    }
    return out;
  }

  static double hzToMel(double f, MelScale s) {
    if (s == MelScale.HTK) {
      return 2595 * Math.log10(1 + f / 700);
    }
    // Slaney: 3 mels per 200 Hz up to 1 kHz, then log steps of ln(6.4)/27 per mel.
    double fsp = 200.0 / 3;
    double minLogHz = 1000;
    double minLogMel = minLogHz / fsp;
    double logStep = Math.log(6.4) / 27;
    return f < minLogHz ? f / fsp : minLogMel + Math.log(f / minLogHz) / logStep;
  }

  static double melToHz(double m, MelScale s) {
    if (s == MelScale.HTK) {
      return 700 * (Math.pow(10, m / 2595) - 1);
    }
    double fsp = 200.0 / 3;
    double minLogHz = 1000;
    double minLogMel = minLogHz / fsp;
    double logStep = Math.log(6.4) / 27;
    return m < minLogMel ? m * fsp : minLogHz * Math.exp(logStep * (m - minLogMel));
  }

  static double[][] filterbank(
      int rate, int fftSize, int bands, double fmin, double fmax, MelScale s, boolean area) {
    double lo = hzToMel(fmin, s);
    double hi = hzToMel(fmax, s);
    double[] edges = new double[bands + 2];
    for (int i = 0; i < edges.length; i++) {
      edges[i] = melToHz(lo + (hi - lo) * i / (bands + 1), s);
    }
    int bins = fftSize / 2 + 1;
    double[][] w = new double[bands][bins];
    for (int m = 0; m < bands; m++) {
      double left = edges[m];
      double centre = edges[m + 1];
      double right = edges[m + 2];
      double norm = area ? 2 / (right - left) : 1;
      for (int k = 0; k < bins; k++) {
        double f = (double) k * rate / fftSize;
        double up = (f - left) / (centre - left);
        double down = (right - f) / (right - centre);
        w[m][k] = Math.max(0, Math.min(up, down)) * norm;
      }
    }
    return w;
  }

  /** Configuration for {@link MelSpectrogram}; setters may be called in any order. */
  public static final class Builder {
    private final int sampleRate;
    private int fftSize = 1024;
    private int windowLength = 1024;
    private int hop = 256;
    private int bands = 64;
    private double fminHz = 0;
    private double fmaxHz = Double.NaN;
    private int power = 2;
    private MelScale scale = MelScale.HTK;
    private boolean areaNormalised = false;
    private boolean log = false;
    private double floor = 1e-10;
    private int frames = 0;

    private Builder(int sampleRate) {
      if (sampleRate < 1) {
        throw new IllegalArgumentException("sampleRate must be >= 1 Hz, got " + sampleRate);
      }
      this.sampleRate = sampleRate;
    }

    /** FFT size, a power of two in {@code [2, 2^20]}; default 1024. */
    public Builder fftSize(int n) {
      if (n < 2 || n > (1 << 20) || Integer.bitCount(n) != 1) {
        throw new IllegalArgumentException("fftSize must be a power of two in [2, 2^20], got " + n);
      }
      this.fftSize = n;
      return this;
    }

    /** Hann window length in samples, {@code [1, fftSize]}; default 1024. */
    public Builder windowLength(int n) {
      if (n < 1) {
        throw new IllegalArgumentException("windowLength must be >= 1, got " + n);
      }
      this.windowLength = n;
      return this;
    }

    /** Hop between frame centres in samples, {@code >= 1}; default 256. */
    public Builder hop(int n) {
      if (n < 1) {
        throw new IllegalArgumentException("hop must be >= 1, got " + n);
      }
      this.hop = n;
      return this;
    }

    /** Fixed frame count ({@code >= 1}), or 0 (default) for {@code 1 + n / hop}. */
    public Builder frames(int n) {
      if (n < 0) {
        throw new IllegalArgumentException("frames must be >= 0, got " + n);
      }
      this.frames = n;
      return this;
    }

    /** Number of mel bands, {@code [1, 4096]}; default 64. */
    public Builder bands(int n) {
      if (n < 1 || n > 4096) {
        throw new IllegalArgumentException("bands must be in [1, 4096], got " + n);
      }
      this.bands = n;
      return this;
    }

    /** Band range in Hz, {@code 0 <= fmin < fmax <= rate / 2}; default 0 to Nyquist. */
    public Builder frequencyRange(double fminHz, double fmaxHz) {
      this.fminHz = fminHz;
      this.fmaxHz = fmaxHz;
      return this;
    }

    /** 2 for power (default), 1 for magnitude. */
    public Builder power(int p) {
      if (p != 1 && p != 2) {
        throw new IllegalArgumentException("power must be 1 or 2, got " + p);
      }
      this.power = p;
      return this;
    }

    /** Mel scale; default {@link MelScale#HTK}. */
    public Builder melScale(MelScale s) {
      this.scale = java.util.Objects.requireNonNull(s, "melScale");
      return this;
    }

    /** Scale each triangle by {@code 2 / (right - left)} (Slaney norm); default false. */
    public Builder areaNormalised(boolean on) {
      this.areaNormalised = on;
      return this;
    }

    /** Output dB with values floored at {@code floor > 0}; default off, floor 1e-10. */
    public Builder log(boolean on, double floor) {
      if (!(floor > 0)) {
        throw new IllegalArgumentException("log floor must be > 0, got " + floor);
      }
      this.log = on;
      this.floor = floor;
      return this;
    }

    /** Validates combinations and builds. */
    public MelSpectrogram build() {
      double nyquist = sampleRate / 2.0;
      double fmax = Double.isNaN(fmaxHz) ? nyquist : fmaxHz;
      if (!(fminHz >= 0 && fminHz < fmax && fmax <= nyquist)) {
        throw new IllegalArgumentException(
            "frequency range must satisfy 0 <= fmin < fmax <= "
                + nyquist
                + " Hz, got "
                + fminHz
                + " to "
                + fmax);
      }
      if (windowLength > fftSize) {
        throw new IllegalArgumentException(
            "windowLength " + windowLength + " must be <= fftSize " + fftSize);
      }
      this.fmaxHz = fmax;
      return new MelSpectrogram(this);
    }
  }
}
