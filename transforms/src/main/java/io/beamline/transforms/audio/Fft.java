package io.beamline.transforms.audio;

/**
 * Real-input FFT of a power-of-two length {@code n}, computed as one complex FFT of length {@code
 * n/2} (even samples as real part, odd as imaginary) followed by a split step.
 *
 * <p>Forward transform without scaling: {@code X[k] = sum_t x[t] e^{-2 pi i k t / n}} for {@code k
 * = 0..n/2}. Instances hold only immutable twiddle and bit-reversal tables, so one instance can be
 * shared across threads; callers supply the output arrays.
 *
 * <pre>{@code
 * Fft fft = new Fft(2048);
 * double[] re = new double[1025], im = new double[1025];
 * fft.forward(frame, re, im);
 * }</pre>
 */
public final class Fft {
  private final int n;
  private final int half;
  private final double[] cos; // cos(2 pi k / n), k < n/2
  private final double[] sin; // sin(2 pi k / n)
  private final int[] bitReverse; // for the half-size complex FFT

  /**
   * @param n transform length, a power of two {@code >= 1} and {@code <= 2^28}
   */
  public Fft(int n) {
    if (n < 1 || n > (1 << 28) || Integer.bitCount(n) != 1) {
      throw new IllegalArgumentException("Fft: n must be a power of two in [1, 2^28], got " + n);
    }
    this.n = n;
    this.half = n / 2;
    this.cos = new double[Math.max(half, 1)];
    this.sin = new double[Math.max(half, 1)];
    for (int k = 0; k < half; k++) {
      cos[k] = Math.cos(2 * Math.PI * k / n);
      sin[k] = Math.sin(2 * Math.PI * k / n);
    }
    this.bitReverse = new int[Math.max(half, 1)];
    int bits = Integer.numberOfTrailingZeros(Math.max(half, 1));
    for (int i = 0; i < half; i++) {
      bitReverse[i] = bits == 0 ? 0 : Integer.reverse(i) >>> (32 - bits);
    }
  }

  /** Transform length. */
  public int size() {
    return n;
  }

  /** Number of output bins, {@code n/2 + 1}. */
  public int bins() {
    return n / 2 + 1;
  }

  /**
   * Transforms {@code x} (length {@code n}, unchanged) into bins {@code 0..n/2}.
   *
   * @param re output real parts, length {@code >= n/2 + 1}
   * @param im output imaginary parts, length {@code >= n/2 + 1}
   */
  public void forward(double[] x, double[] re, double[] im) {
    if (x.length != n || re.length < bins() || im.length < bins()) {
      throw new IllegalArgumentException(
          "Fft: need x of length " + n + " and outputs of length >= " + bins());
    }
    if (n == 1) {
      re[0] = x[0];
      im[0] = 0;
      return;
    }
    // Pack even/odd samples as one complex sequence of length n/2, in bit-reversed order.
    for (int i = 0; i < half; i++) {
      int r = bitReverse[i];
      re[r] = x[2 * i];
      im[r] = x[2 * i + 1];
    }
    // Iterative radix-2 butterflies; the half-size twiddle e^{-2 pi i k / half} = W_n^{2k}.
    for (int size = 2; size <= half; size <<= 1) {
      int step = n / size;
      int h = size / 2;
      for (int start = 0; start < half; start += size) {
        for (int k = 0; k < h; k++) {
          double wr = cos[k * step];
          double wi = -sin[k * step];
          int a = start + k;
          int b = a + h;
          double tr = re[b] * wr - im[b] * wi;
          double ti = re[b] * wi + im[b] * wr;
          re[b] = re[a] - tr;
          im[b] = im[a] - ti;
          re[a] += tr;
          im[a] += ti;
        }
      }
    }
    // Split: X[k] = E[k] + W^k O[k], where E = (Z[k] + conj Z[half-k]) / 2 and
    // O = (Z[k] - conj Z[half-k]) / (2i). X[k] and X[half-k] use the same pair, so do both.
    double z0r = re[0];
    double z0i = im[0];
    re[0] = z0r + z0i;
    im[0] = 0;
    re[half] = z0r - z0i;
    im[half] = 0;
    for (int k = 1; k <= half / 2; k++) {
      int j = half - k;
      double ar = re[k];
      double ai = im[k];
      double br = re[j];
      double bi = im[j];
      double er = (ar + br) / 2;
      double ei = (ai - bi) / 2;
      // (Z[k] - conj Z[j]) / (2i) = ((ai + bi) - i (ar - br)) / 2
      double or = (ai + bi) / 2;
      double oi = -(ar - br) / 2;
      double wr = cos[k];
      double wi = -sin[k];
      re[k] = er + (wr * or - wi * oi);
      im[k] = ei + (wr * oi + wi * or);
      if (j != k) {
        // E[j] = conj E[k], O[j] = conj O[k]; W^j = e^{-2 pi i j / n}.
        double vr = cos[j];
        double vi = -sin[j];
        re[j] = er + (vr * or + vi * oi);
        im[j] = -ei + (vi * or - vr * oi);
      }
    }
  }

  /** Power spectrum {@code |X[k]|^2}, {@code k = 0..n/2}, of {@code x}. */
  public double[] power(double[] x) {
    double[] re = new double[bins()];
    double[] im = new double[bins()];
    forward(x, re, im);
    for (int k = 0; k < re.length; k++) {
      re[k] = re[k] * re[k] + im[k] * im[k];
    }
    return re;
  }
}
