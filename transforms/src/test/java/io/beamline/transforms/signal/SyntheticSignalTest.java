package io.beamline.transforms.signal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class SyntheticSignalTest {

  /** Power of {@code x} at frequency {@code f} (single DFT bin). */
  static double power(double[] x, double f, double rate) {
    double re = 0;
    double im = 0;
    for (int i = 0; i < x.length; i++) {
      double w = 2 * Math.PI * f * i / rate;
      re += x[i] * Math.cos(w);
      im -= x[i] * Math.sin(w);
    }
    return (re * re + im * im) / x.length;
  }

  @Test
  void sameSeedSameSamplesOtherSeedOrChannelDiffer() {
    SyntheticSignal s = SyntheticSignal.alphaLike();
    double[] a = s.generate(7, 0, 250, 1000);
    assertArrayEquals(a, s.generate(7, 0, 250, 1000));
    assertFalse(Arrays.equals(a, s.generate(8, 0, 250, 1000)));
    assertFalse(Arrays.equals(a, s.generate(7, 1, 250, 1000)));
  }

  @Test
  void rhythmDominatesAtItsFrequency() {
    double[] x = SyntheticSignal.alphaLike().withFrequency(11).generate(1, 0, 250, 2500);
    double at11 = power(x, 11, 250);
    for (double f : new double[] {3, 7, 15, 30, 60}) {
      assertTrue(at11 > 50 * power(x, f, 250), "11 Hz vs " + f + " Hz");
    }
  }

  @Test
  void noiseHasTheRequestedStandardDeviation() {
    double[] x = new SyntheticSignal(5, 0, 0.3, 0, 0).generate(3, 0, 1000, 200_000);
    WindowSummary.Stats st = WindowSummary.Stats.of(x);
    assertEquals(0.0, st.mean, 0.005);
    assertEquals(0.3, st.std, 0.005);
  }

  @Test
  void spikesAppearAtTheRequestedRate() {
    double[] x = new SyntheticSignal(5, 0, 0, 0.01, 8).generate(3, 0, 1000, 100_000);
    long spikes = Arrays.stream(x).filter(v -> v > 4).count();
    assertEquals(1000, spikes, 120);
  }

  @Test
  void rejectsBadParameters() {
    assertThrows(IllegalArgumentException.class, () -> new SyntheticSignal(0, 1, 1, 0, 0));
    assertThrows(IllegalArgumentException.class, () -> new SyntheticSignal(1, 1, 1, 2, 0));
    assertThrows(
        IllegalArgumentException.class, () -> SyntheticSignal.alphaLike().generate(1, 0, -1, 10));
  }

  @Test
  void statsOfKnownValues() {
    WindowSummary.Stats st = WindowSummary.Stats.of(new double[] {1, 2, 3, 4});
    assertEquals(2.5, st.mean, 0);
    assertEquals(Math.sqrt(1.25), st.std, 1e-15);
    assertEquals(1, st.min, 0);
    assertEquals(4, st.max, 0);
    assertEquals(Math.sqrt(7.5), st.rms, 1e-15);
    assertThrows(IllegalArgumentException.class, () -> WindowSummary.Stats.of(new double[0]));
  }
}
