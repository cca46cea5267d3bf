package io.beamline.transforms.nmm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SensorSamplesTest {
  private static final double[][] LEADFIELD = {{1, 0.5, 0.2, 0}, {0.1, 1, 0.3, 0.4}};

  private static double[][] clip(int centre, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    double[][] c = new double[50][4];
    for (int t = 0; t < 50; t++) {
      for (int x = 0; x < 4; x++) {
        c[t][x] = 0.1 * r.nextGaussian();
      }
      c[t][centre] += Math.exp(-Math.pow((t - 25) / 4.0, 2));
    }
    return c;
  }

  private static List<SensorSamples.RowSource> row() {
    return List.of(
        new SensorSamples.RowSource(
            clip(0, 1), new int[] {0, 1}, new double[] {1, 0.5}, new double[] {2, 4, 8}),
        new SensorSamples.RowSource(
            clip(3, 2), new int[] {3}, new double[] {1}, new double[] {1.5, 3}));
  }

  @Test
  void aRealisationIsTheMixOfTheDrawnScales() {
    SensorSamples.Realisation r = SensorSamples.realise(LEADFIELD, row(), 10, 42L, 7, 1);
    // The levels come from stream (sample, 2 d), the noise from (sample, 2 d + 1).
    SplittableRandom pick = new SplittableRandom(SensorSamples.seed(42L, 7, 2));
    int first = pick.nextInt(3);
    int second = pick.nextInt(2);
    assertArrayEquals(new int[] {first, second}, r.scaleIndex());
    List<SensorSamples.RowSource> s = row();
    SensorMixing.Mixed m =
        SensorMixing.mix(
            LEADFIELD,
            List.of(
                new SensorMixing.Source(
                    s.get(0).clip(),
                    s.get(0).patch(),
                    s.get(0).magnitude(),
                    s.get(0).scaleRatios()[first]),
                new SensorMixing.Source(
                    s.get(1).clip(),
                    s.get(1).patch(),
                    s.get(1).magnitude(),
                    s.get(1).scaleRatios()[second])),
            10,
            SensorSamples.seed(42L, 7, 3));
    assertEquals(m.achievedSnrDb(), r.achievedSnrDb());
    assertEquals(2, r.eeg().length);
    for (int c = 0; c < 2; c++) {
      assertEquals(50, r.eeg()[c].length);
      for (int t = 0; t < 50; t++) {
        assertEquals((float) m.eeg()[c][t], r.eeg()[c][t]);
      }
    }
  }

  @Test
  void realisationsAreReproducibleAndDiffer() {
    SensorSamples.Realisation a = SensorSamples.realise(LEADFIELD, row(), 15, 3L, 0, 0);
    SensorSamples.Realisation b = SensorSamples.realise(LEADFIELD, row(), 15, 3L, 0, 0);
    SensorSamples.Realisation c = SensorSamples.realise(LEADFIELD, row(), 15, 3L, 0, 1);
    assertArrayEquals(a.eeg()[1], b.eeg()[1]);
    assertTrue(a.eeg()[1][10] != c.eeg()[1][10]);
    assertTrue(Math.abs(a.achievedSnrDb() - 15) < 3, "SNR " + a.achievedSnrDb());
  }

  @Test
  void seedsAreTheSplitMixStreamsOfRowAndDraw() {
    // The formula mixed EEG files were made with; it must never change.
    assertEquals(-3607955544675632043L, SensorSamples.seed(42L, 5, 3));
  }

  @Test
  void aSourceWithoutFactorsIsRefused() {
    List<SensorSamples.RowSource> bad =
        List.of(
            new SensorSamples.RowSource(
                clip(0, 1), new int[] {0}, new double[] {1}, new double[0]));
    assertThrows(
        IllegalArgumentException.class, () -> SensorSamples.realise(LEADFIELD, bad, 10, 1L, 0, 0));
  }
}
