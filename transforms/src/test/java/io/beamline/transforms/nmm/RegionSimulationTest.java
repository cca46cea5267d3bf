package io.beamline.transforms.nmm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.beamline.transforms.signal.SyntheticSignal;
import org.junit.jupiter.api.Test;

class RegionSimulationTest {
  private static final int N = 6;

  private static JansenRitSimulator simulator(int region, int iteration, long seed) {
    return JansenRitSimulator.create(
        RegionSimulation.parameters(N, region, iteration, 3.6),
        SigmoidalJansenRitCoupling.tvbDefaults(),
        TestNetworks.randomSparse(N, 0.4, 5L),
        JansenRitSimulator.DEFAULT_DT_MS,
        RegionSimulation.noiseSeed(seed, region, iteration));
  }

  @Test
  void streamedDecimationEqualsDropAndDownsampleOfTheWholeTrace() {
    long total = 3_001; // not a multiple of the block or the factor
    float[][] raw = new float[N][(int) total];
    simulator(2, 1, 9L)
        .run(
            total,
            512,
            (first, length, b) -> {
              for (int r = 0; r < N; r++) {
                System.arraycopy(b[r], 0, raw[r], (int) first, length);
              }
            });
    float[][] expected = SpikeClips.dropAndDownsample(raw, 1000, 4);
    for (int block : new int[] {1, 7, 999, 1000, 4096}) {
      float[][] got = RegionSimulation.run(simulator(2, 1, 9L), N, total, block, null);
      assertEquals(501, got[0].length); // ceil((3001 - 1000) / 4)
      for (int r = 0; r < N; r++) {
        assertArrayEquals(expected[r], got[r], "block " + block + ", region " + r);
      }
    }
  }

  @Test
  void theTapSeesEveryRawSampleOnce() {
    long[] seen = new long[1];
    long[] next = new long[1];
    RegionSimulation.run(
        simulator(0, 0, 1L),
        N,
        2_500,
        600,
        (first, length, b) -> {
          assertEquals(next[0], first);
          next[0] = first + length;
          seen[0] += length;
        });
    assertEquals(2_500, seen[0]);
  }

  @Test
  void keptLengthDropsTheTransientAndDecimates() {
    assertEquals(1, RegionSimulation.keptLength(1_001));
    assertEquals(1, RegionSimulation.keptLength(1_004));
    assertEquals(2, RegionSimulation.keptLength(1_005));
    assertEquals(99_750, RegionSimulation.keptLength(400_000)); // DeepSIF: 20 x 10 s at 2 kHz
    assertThrows(IllegalArgumentException.class, () -> RegionSimulation.keptLength(1_000));
  }

  @Test
  void noiseSeedsAreSplitMixStreamsPerRegionAndIteration() {
    // Values of the seed formula the committed regions were made with; they must never change.
    assertEquals(5120214421805786385L, RegionSimulation.noiseSeed(42L, 3, 1));
    assertEquals(1535794788149611518L, RegionSimulation.noiseSeed(-7L, 75, 2));
    assertEquals(SyntheticSignal.mix(42L, 3 * 8 + 1), RegionSimulation.noiseSeed(42L, 3, 1));
  }

  @Test
  void sourceARaisesOnlyTheSpikingRegion() {
    JansenRitParameters deepSif = JansenRitParameters.deepSif(N, 4, 2);
    JansenRitParameters same = RegionSimulation.parameters(N, 4, 2, 3.5);
    for (int r = 0; r < N; r++) {
      assertEquals(deepSif.bigA(r), same.bigA(r));
    }
    JansenRitParameters raised = RegionSimulation.parameters(N, 4, 2, 3.9);
    assertEquals(3.9, raised.bigA(4));
    assertEquals(3.25, raised.bigA(0));
    assertEquals(3.25, raised.bigA(5));
    assertThrows(IllegalArgumentException.class, () -> RegionSimulation.parameters(N, 4, 2, 0));
  }

  @Test
  void samplesPerSegmentRoundsToWholeSteps() {
    assertEquals(20_000, RegionSimulation.samplesPerSegment(10_000, 0.5));
    assertEquals(3, RegionSimulation.samplesPerSegment(1, 0.4));
    assertThrows(IllegalArgumentException.class, () -> RegionSimulation.samplesPerSegment(1, 0));
  }
}
