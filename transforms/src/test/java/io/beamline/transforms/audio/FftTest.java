package io.beamline.transforms.audio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class FftTest {

  @ParameterizedTest(name = "n = {0}")
  @ValueSource(ints = {1, 2, 4, 8, 16, 32, 64, 256, 1024})
  void matchesNaiveDft(int n) {
    SplittableRandom r = new SplittableRandom(n);
    double[] x = new double[n];
    for (int i = 0; i < n; i++) {
      x[i] = r.nextDouble(-1, 1);
    }
    double[] re = new double[n / 2 + 1];
    double[] im = new double[n / 2 + 1];
    new Fft(n).forward(x, re, im);
    for (int k = 0; k <= n / 2; k++) {
      double er = 0;
      double ei = 0;
      for (int t = 0; t < n; t++) {
        er += x[t] * Math.cos(2 * Math.PI * k * t / n);
        ei -= x[t] * Math.sin(2 * Math.PI * k * t / n);
      }
      assertEquals(er, re[k], 1e-9 * n, "re[" + k + "]");
      assertEquals(ei, im[k], 1e-9 * n, "im[" + k + "]");
    }
  }

  @Test
  void handValues() {
    // x = [1, 2, 3, 4]: X0 = 10, X1 = -2 + 2i, X2 = -2.
    double[] re = new double[3];
    double[] im = new double[3];
    new Fft(4).forward(new double[] {1, 2, 3, 4}, re, im);
    assertEquals(10, re[0], 1e-12);
    assertEquals(-2, re[1], 1e-12);
    assertEquals(2, im[1], 1e-12);
    assertEquals(-2, re[2], 1e-12);
    assertEquals(0, im[2], 1e-12);
    // A cosine on bin 3 of 16 puts n/2 = 8 there and nothing elsewhere.
    double[] x = new double[16];
    for (int t = 0; t < 16; t++) {
      x[t] = Math.cos(2 * Math.PI * 3 * t / 16);
    }
    double[] p = new Fft(16).power(x);
    for (int k = 0; k < p.length; k++) {
      assertEquals(k == 3 ? 64 : 0, p[k], 1e-9, "bin " + k);
    }
  }

  @Test
  void rejectsNonPowersOfTwo() {
    assertThrows(IllegalArgumentException.class, () -> new Fft(0));
    assertThrows(IllegalArgumentException.class, () -> new Fft(12));
    assertThrows(
        IllegalArgumentException.class,
        () -> new Fft(8).forward(new double[4], new double[5], new double[5]));
  }
}
