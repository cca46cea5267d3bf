package io.beamline.pipelines.stream.process;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class FastMonSamplerTest {
  @Test
  void oneBlockOfTheFractionFromEachOfSevenPartitions() {
    List<int[]> blocks = FastMonSampler.blocks(1000, 0.15, 7, 42, 100010, 3);
    assertEquals(7, blocks.size());
    int total = 0;
    for (int p = 0; p < 7; p++) {
      int lo = p * 1000 / 7;
      int hi = (p + 1) * 1000 / 7;
      int[] b = blocks.get(p);
      assertTrue(b[0] >= lo && b[1] < hi, "block " + p + " leaves its partition");
      assertEquals(Math.round((hi - lo) * 0.15), b[1] - b[0] + 1);
      total += b[1] - b[0] + 1;
    }
    assertEquals(147, total); // partitions of 142 or 143 TFs, 21 of each: ~15% of 1000
  }

  @Test
  void sameStfSameBlocksAnotherStfOrSeedOthers() {
    List<int[]> a = FastMonSampler.blocks(1000, 0.15, 7, 42, 100010, 3);
    List<int[]> again = FastMonSampler.blocks(1000, 0.15, 7, 42, 100010, 3);
    for (int i = 0; i < a.size(); i++) {
      assertArrayEquals(a.get(i), again.get(i));
    }
    assertNotEquals(starts(a), starts(FastMonSampler.blocks(1000, 0.15, 7, 42, 100010, 4)));
    assertNotEquals(starts(a), starts(FastMonSampler.blocks(1000, 0.15, 7, 43, 100010, 3)));
  }

  @Test
  void smallStfsAndWholeFractions() {
    assertEquals(3, FastMonSampler.blocks(3, 0.15, 7, 1, 1, 1).size());
    List<int[]> all = FastMonSampler.blocks(10, 1.0, 2, 1, 1, 1);
    assertArrayEquals(new int[] {0, 4}, all.get(0));
    assertArrayEquals(new int[] {5, 9}, all.get(1));
    assertTrue(FastMonSampler.blocks(0, 0.5, 7, 1, 1, 1).isEmpty());
    assertThrows(IllegalArgumentException.class, () -> FastMonSampler.blocks(10, 0, 7, 1, 1, 1));
  }

  @Test
  void slicesOfTwoTfsWithAShortLastOne() {
    List<int[]> s = FastMonSampler.slices(10, 14, 2);
    assertEquals(3, s.size());
    assertArrayEquals(new int[] {10, 11}, s.get(0));
    assertArrayEquals(new int[] {14, 14}, s.get(2));
  }

  private static String starts(List<int[]> blocks) {
    StringBuilder b = new StringBuilder();
    blocks.forEach(x -> b.append(x[0]).append(','));
    return b.toString();
  }
}
