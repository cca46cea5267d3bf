package io.beamline.pipelines.regions;

import io.beamline.transforms.nmm.RegionConnectivity;
import io.beamline.transforms.nmm.RegionSimulation;
import io.beamline.transforms.nmm.SigmoidalJansenRitCoupling;
import io.beamline.transforms.nmm.SpikeClips;
import java.io.Serializable;
import java.util.Arrays;

/**
 * How each region is simulated (DeepSIF's {@code generate_tvb_data.py} settings) and its spikes
 * extracted ({@code process_raw_nmm.m}'s target SNR).
 *
 * @param conductionSpeed mm/ms, > 0
 * @param couplingA global coupling strength of SigmoidalJansenRit, finite
 * @param dtMs integration step in ms, > 0
 * @param segmentMs simulated length of one segment in ms, > 0
 * @param segments segments per iteration, one continuous run, >= 1
 * @param iterations DeepSIF's mean_and_std iterations, distinct, each 0..2
 * @param sourceA excitatory gain of the spiking region in mV, > 0
 * @param targetSnrDb sensor-space SNR the spikes are scaled to, finite
 * @param seed the noise seed of the run
 * @param keepRaw whether the raw 2 kHz traces are kept
 */
record SimulationConfig(
    double conductionSpeed,
    double couplingA,
    double dtMs,
    double segmentMs,
    int segments,
    int[] iterations,
    double sourceA,
    double targetSnrDb,
    long seed,
    boolean keepRaw)
    implements Serializable {

  SimulationConfig {
    positive("conductionSpeed", conductionSpeed);
    positive("dtMs", dtMs);
    positive("segmentMs", segmentMs);
    positive("sourceA", sourceA);
    if (!(Double.isFinite(couplingA) && Double.isFinite(targetSnrDb))) {
      throw new IllegalArgumentException(
          "couplingA and targetSnrDb must be finite, got " + couplingA + " and " + targetSnrDb);
    }
    if (segments < 1) {
      throw new IllegalArgumentException("segments must be >= 1, got " + segments);
    }
    iterations = iterations.clone();
    if (iterations.length == 0
        || Arrays.stream(iterations).anyMatch(m -> m < 0 || m > 2)
        || Arrays.stream(iterations).distinct().count() != iterations.length) {
      throw new IllegalArgumentException(
          "iterations must be distinct values in 0..2, got " + Arrays.toString(iterations));
    }
    if (segments * segmentMs / dtMs <= SpikeClips.DEEPSIF_DROP_SAMPLES) {
      throw new IllegalArgumentException(
          "segments x segmentMs / dtMs must be > "
              + SpikeClips.DEEPSIF_DROP_SAMPLES
              + " samples (the transient DeepSIF drops), got "
              + segments * segmentMs / dtMs);
    }
  }

  private static void positive(String name, double v) {
    if (!(v > 0 && Double.isFinite(v))) {
      throw new IllegalArgumentException(name + " must be finite and > 0, got " + v);
    }
  }

  @Override
  public int[] iterations() {
    return iterations.clone();
  }

  /** Whether {@code m} is one of the {@link #iterations}. */
  boolean simulates(int m) {
    return Arrays.stream(iterations).anyMatch(x -> x == m);
  }

  /** Integration steps (= 2 kHz samples at dt 0.5 ms) per segment. */
  long samplesPerSegment() {
    return RegionSimulation.samplesPerSegment(segmentMs, dtMs);
  }

  SigmoidalJansenRitCoupling coupling() {
    return SigmoidalJansenRitCoupling.tvbDefaults().withA(couplingA);
  }

  RegionConnectivity connectivity(RegionAnatomy anatomy) {
    return RegionConnectivity.of(anatomy.weights, anatomy.tractLengthsMm, conductionSpeed);
  }
}
