package io.beamline.transforms.nmm;

import io.beamline.transforms.signal.SyntheticSignal;
import java.util.Arrays;

/**
 * One region of DeepSIF's data generation ({@code generate_tvb_data.py}): the Jansen-Rit network
 * with the region's excitability A raised, simulated as one continuous run and streamed, block by
 * block, through DeepSIF's transient drop and 4x decimation ({@code process_raw_nmm.m}), so the 2
 * kHz trace never has to be held whole. Plain Java over arrays; no Beam, no I/O.
 *
 * <pre>{@code
 * JansenRitParameters p = RegionSimulation.parameters(76, 12, 0, 3.5);
 * JansenRitSimulator sim = JansenRitSimulator.create(p, coupling, connectivity, 0.5,
 *     RegionSimulation.noiseSeed(42L, 12, 0));
 * float[][] nmm = RegionSimulation.run(sim, 76, 400_000, 4096, null); // [region][500 Hz sample]
 * }</pre>
 */
public final class RegionSimulation {

  private RegionSimulation() {}

  /**
   * DeepSIF's parameters for {@code region} and background pair {@code iteration}, with the source
   * region's A set to {@code sourceA} (the others keep DeepSIF's background A).
   *
   * @param regions regions of the network, >= 1
   * @param region the spiking region, 0-based
   * @param iteration DeepSIF's mean_and_std pair, 0..2
   * @param sourceA excitatory gain of {@code region} in mV, > 0
   */
  public static JansenRitParameters parameters(
      int regions, int region, int iteration, double sourceA) {
    Checks.positive("sourceA", sourceA);
    JansenRitParameters p = JansenRitParameters.deepSif(regions, region, iteration);
    if (sourceA != JansenRitParameters.DEEPSIF_SOURCE_A) {
      double[] perRegion = new double[regions];
      Arrays.fill(perRegion, JansenRitParameters.DEEPSIF_BACKGROUND_A);
      perRegion[region] = sourceA;
      p = p.withRegionA(perRegion);
    }
    return p;
  }

  /**
   * The noise seed of one simulation: a SplitMix64 mix of the run seed, the region and the
   * iteration, so every (region, iteration) has its own stream whatever worker or batch runs it.
   */
  public static long noiseSeed(long seed, int region, int iteration) {
    return SyntheticSignal.mix(seed, region * 8L + iteration);
  }

  /**
   * Integration steps (= 2 kHz samples at dt 0.5 ms) of a segment of {@code segmentMs}.
   *
   * @param segmentMs > 0
   * @param dtMs > 0
   */
  public static long samplesPerSegment(double segmentMs, double dtMs) {
    Checks.positive("segmentMs", segmentMs);
    Checks.positive("dtMs", dtMs);
    return Math.round(segmentMs / dtMs);
  }

  /**
   * Length of the trace {@link #run} returns for {@code total} simulated samples: those at or after
   * DeepSIF's {@value SpikeClips#DEEPSIF_DROP_SAMPLES}-sample transient, one in {@value
   * SpikeClips#DEEPSIF_DOWNSAMPLE_FACTOR}.
   *
   * @param total simulated samples, > the transient
   */
  public static long keptLength(long total) {
    int drop = SpikeClips.DEEPSIF_DROP_SAMPLES;
    int factor = SpikeClips.DEEPSIF_DOWNSAMPLE_FACTOR;
    if (total <= drop) {
      throw new IllegalArgumentException(
          "total must be > " + drop + " (the transient DeepSIF drops), got " + total);
    }
    return (total - drop + factor - 1) / factor;
  }

  /**
   * Runs {@code sim} for {@code total} samples and returns the 500 Hz signal after DeepSIF's drop
   * of the first {@value SpikeClips#DEEPSIF_DROP_SAMPLES} samples: {@code [region][sample]}, the
   * same as {@link SpikeClips#dropAndDownsample} over the whole 2 kHz trace.
   *
   * @param sim a freshly created simulator of {@code regions} regions
   * @param total samples to simulate, > the transient, at most {@code 4 * Integer.MAX_VALUE}
   * @param blockLength samples per block handed out by the kernel, >= 1 (the 500 Hz signal does not
   *     depend on it)
   * @param tap sees every 2 kHz block after it was decimated (e.g. to keep the raw traces), or null
   */
  public static float[][] run(
      JansenRitKernel sim, int regions, long total, int blockLength, SampleBlockConsumer tap) {
    Checks.notNull("sim", sim);
    Checks.inRange("regions", regions, 1, Integer.MAX_VALUE);
    long outLength = keptLength(total);
    if (outLength > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("simulation too long for one region: " + total);
    }
    int drop = SpikeClips.DEEPSIF_DROP_SAMPLES;
    int factor = SpikeClips.DEEPSIF_DOWNSAMPLE_FACTOR;
    float[][] out = new float[regions][(int) outLength];
    sim.run(
        total,
        blockLength,
        (first, length, b) -> {
          // First kept sample at or after `first` on the decimation grid drop + k * factor.
          long start = Math.max(first, drop);
          long offset = (start - drop) % factor;
          if (offset != 0) {
            start += factor - offset;
          }
          for (long g = start; g < first + length; g += factor) {
            int t = (int) (g - first);
            int o = (int) ((g - drop) / factor);
            for (int r = 0; r < regions; r++) {
              out[r][o] = b[r][t];
            }
          }
          if (tap != null) {
            tap.accept(first, length, b);
          }
        });
    return out;
  }
}
