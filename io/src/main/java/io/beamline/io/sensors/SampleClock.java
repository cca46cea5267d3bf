package io.beamline.io.sensors;

import java.time.Duration;

/** Exact sample timing: where sample {@code i} falls and how many samples fit in a duration. */
public final class SampleClock {
  private static final long NS = 1_000_000_000L;

  private SampleClock() {}

  /**
   * Timestamp of sample {@code index}: {@code startNs + round(index * 1e9 / rate)}, exact (integer
   * arithmetic, no overflow) for integral rates.
   */
  public static long timestampNs(long startNs, long index, double rate) {
    long r = (long) rate;
    if (r == rate) {
      long whole = index / r;
      long rem = index % r;
      return startNs + whole * NS + (rem * NS + r / 2) / r;
    }
    return startNs + Math.round(index * (NS / rate));
  }

  /**
   * Number of samples with a timestamp before {@code start + duration}: {@code ceil(duration *
   * rate)}, exact for integral rates.
   */
  public static long samplesIn(Duration duration, double rate) {
    long ns = duration.toNanos();
    long r = (long) rate;
    if (r == rate) {
      long whole = ns / NS;
      long rem = ns % NS;
      return whole * r + (rem * r + NS - 1) / NS;
    }
    return (long) Math.ceil(ns * rate / NS);
  }
}
