package io.beamline.transforms.audio;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.beamline.transforms.audio.Chunker.Chunk;
import java.util.List;
import org.junit.jupiter.api.Test;

class ChunkerTest {

  private static List<String> ids(List<Chunk> plan) {
    return plan.stream().map(Chunk::id).toList();
  }

  @Test
  void sevenSecondsGivesTwoFullChunksAndOnePaddedPartial() {
    List<Chunk> plan = Chunker.defaults().plan("rec1", 7 * 28_000, 28_000);
    assertEquals(List.of("rec1_0_3000", "rec1_3000_6000", "rec1_6000_7000"), ids(plan));
    Chunk last = plan.get(2);
    assertEquals(
        new Chunk("rec1_6000_7000", "rec1", 2, 168_000, 196_000, 84_000, 6000, 7000, true), last);
    assertEquals(56_000, last.paddingFrames());
    assertFalse(plan.get(1).partial());
    assertEquals(0, plan.get(1).paddingFrames());
  }

  @Test
  void exactMultipleHasNoPartialChunk() {
    List<Chunk> plan = Chunker.defaults().plan("r", 6 * 44_100, 44_100);
    assertEquals(List.of("r_0_3000", "r_3000_6000"), ids(plan));
    assertEquals(132_300, plan.get(1).startFrame());
    assertEquals(264_600, plan.get(1).endFrame());
  }

  @Test
  void overlapStepsBackAndStopsAtTheEnd() {
    Chunker c = Chunker.defaults().withOverlapSeconds(1);
    assertEquals(
        List.of("r_0_3000", "r_2000_5000", "r_4000_6000"), ids(c.plan("r", 6 * 1000, 1000)));
    // 5 s: the second chunk reaches the end, so no third chunk inside it.
    assertEquals(List.of("r_0_3000", "r_2000_5000"), ids(c.plan("r", 5 * 1000, 1000)));
    assertEquals(
        List.of("r_0_2000", "r_1500_3500", "r_3000_4000"),
        ids(Chunker.defaults().withChunkSeconds(2).withOverlapSeconds(0.5).plan("r", 4000, 1000)));
  }

  @Test
  void dropPolicyAndShortRecordings() {
    Chunker drop = Chunker.defaults().withPartial(Chunker.Partial.DROP);
    assertEquals(List.of("a_0_3000", "a_3000_6000"), ids(drop.plan("a", 7 * 16_000, 16_000)));
    assertTrue(drop.plan("a", 2 * 16_000, 16_000).isEmpty());
    List<Chunk> one = Chunker.defaults().plan("a", 2 * 16_000, 16_000);
    assertEquals(List.of("a_0_2000"), ids(one));
    assertTrue(one.get(0).partial());
    assertTrue(Chunker.defaults().plan("a", 0, 16_000).isEmpty());
  }

  @Test
  void millisecondsRoundToNearest() {
    // 100 frames at 44.1 kHz = 2.2676 ms -> 2; 23 frames = 0.5215 ms -> 1; 22 frames -> 0.
    assertEquals("x_0_2", Chunker.defaults().plan("x", 100, 44_100).get(0).id());
    assertEquals("x_0_1", Chunker.defaults().plan("x", 23, 44_100).get(0).id());
    assertEquals("x_0_0", Chunker.defaults().plan("x", 22, 44_100).get(0).id());
  }

  @Test
  void extractPadsThePartialChunkWithZeros() {
    float[] x = new float[7];
    for (int i = 0; i < 7; i++) {
      x[i] = i + 1;
    }
    List<Chunk> plan = Chunker.defaults().plan("t", 7, 1); // 3-frame chunks at 1 Hz
    assertArrayEquals(new float[] {1, 2, 3}, Chunker.extract(x, plan.get(0)));
    assertArrayEquals(new float[] {4, 5, 6}, Chunker.extract(x, plan.get(1)));
    assertArrayEquals(new float[] {7, 0, 0}, Chunker.extract(x, plan.get(2)));
    assertThrows(IllegalArgumentException.class, () -> Chunker.extract(new float[5], plan.get(2)));
  }

  @Test
  void validation() {
    assertThrows(
        IllegalArgumentException.class,
        () -> Chunker.defaults().withOverlapSeconds(3).plan("r", 10, 1000));
    assertThrows(IllegalArgumentException.class, () -> Chunker.defaults().withChunkSeconds(0));
    assertThrows(IllegalArgumentException.class, () -> Chunker.defaults().plan("", 10, 1000));
    assertThrows(IllegalArgumentException.class, () -> Chunker.defaults().plan("r", -1, 1000));
  }
}
