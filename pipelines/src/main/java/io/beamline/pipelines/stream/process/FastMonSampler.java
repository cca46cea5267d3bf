package io.beamline.pipelines.stream.process;

import io.beamline.io.swf.StfWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Which time frames fast monitoring samples from an STF, as the original testbed does: the STF's
 * TFs split into {@code partitions} equal parts, one contiguous block of {@code fraction} of each
 * part taken, its start drawn from a generator seeded by (seed, run, sequence), so the same STF
 * gives the same blocks on every attempt. Plain Java, no Beam.
 */
final class FastMonSampler {
  private FastMonSampler() {}

  /**
   * The sampled blocks, each {@code {first, last}} (0-based TF indexes, both included), in order.
   *
   * @param tfCount TFs in the STF, >= 0
   * @param fraction share of each partition to take, in (0, 1]
   * @param partitions parts to split into, >= 1 (fewer when the STF has fewer TFs)
   */
  static List<int[]> blocks(
      int tfCount, double fraction, int partitions, long seed, long run, int sequence) {
    if (!(fraction > 0 && fraction <= 1) || partitions < 1 || tfCount < 0) {
      throw new IllegalArgumentException(
          "fraction must be in (0, 1], partitions >= 1, tfCount >= 0; got "
              + fraction
              + ", "
              + partitions
              + ", "
              + tfCount);
    }
    List<int[]> out = new ArrayList<>();
    int parts = Math.min(partitions, tfCount);
    SplittableRandom r = new SplittableRandom(StfWriter.mix(StfWriter.mix(seed, run), sequence));
    for (int p = 0; p < parts; p++) {
      int lo = (int) ((long) p * tfCount / parts);
      int hi = (int) ((long) (p + 1) * tfCount / parts);
      int size = hi - lo;
      int len = (int) Math.min(size, Math.max(1, Math.round(size * fraction)));
      int first = lo + r.nextInt(size - len + 1);
      out.add(new int[] {first, first + len - 1});
    }
    return out;
  }

  /** The slices of {@code sliceTfs} TFs a block is cut into (the last may be shorter). */
  static List<int[]> slices(int first, int last, int sliceTfs) {
    List<int[]> out = new ArrayList<>();
    for (int s = first; s <= last; s += sliceTfs) {
      out.add(new int[] {s, Math.min(last, s + sliceTfs - 1)});
    }
    return out;
  }
}
