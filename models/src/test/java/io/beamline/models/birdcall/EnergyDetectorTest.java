package io.beamline.models.birdcall;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The model-free detector of {@code infer run --stub-runner}. */
class EnergyDetectorTest {
  private static float[] toneBurst(double hz, int rate) {
    float[] x = new float[rate];
    SplittableRandom r = new SplittableRandom(1);
    for (int i = 0; i < x.length; i++) {
      double burst = i > rate / 3 && i < rate / 2 ? 0.5 * Math.sin(2 * Math.PI * hz * i / rate) : 0;
      x[i] = (float) (burst + 0.001 * (r.nextDouble() - 0.5));
    }
    return x;
  }

  @Test
  void energyDetectorNamesTheBandOfACallAndNoiseForSteadyNoise() {
    int rate = 28_000;
    String[] expected = {"energy_low", "energy_mid", "energy_high"};
    double[] hz = {800, 3500, 8000};
    for (int b = 0; b < 3; b++) {
      float[] s = EnergyDetector.scores(toneBurst(hz[b], rate), rate);
      int best = 0;
      for (int i = 1; i < s.length; i++) {
        best = s[i] > s[best] ? i : best;
      }
      assertEquals(expected[b], EnergyDetector.LABELS.get(best), hz[b] + " Hz");
      double sum = 0;
      for (float v : s) {
        sum += v;
      }
      assertEquals(1.0, sum, 1e-5);
    }
    float[] noise = new float[rate];
    SplittableRandom r = new SplittableRandom(2);
    for (int i = 0; i < noise.length; i++) {
      noise[i] = (float) (0.2 * (r.nextDouble() - 0.5));
    }
    float[] s = EnergyDetector.scores(noise, rate);
    assertTrue(s[0] > 0.7, "steady noise is mostly 'noise': " + s[0]);
  }
}
