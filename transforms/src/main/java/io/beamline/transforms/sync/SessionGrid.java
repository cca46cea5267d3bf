package io.beamline.transforms.sync;

/**
 * The session's common timeline cut into windows: window {@code w} covers {@code [w * window, (w +
 * 1) * window)} from the session start, and a stream at {@code rate} has grid points {@code k /
 * rate} on it. Index arithmetic is exact for integral rates and whole-ns windows.
 *
 * <pre>{@code
 * SessionGrid g = new SessionGrid(10_000_000_000L, 1_000_000_000L);
 * long first = g.firstIndex(250, 3);   // 750: EEG sample at 3.000 s
 * }</pre>
 *
 * @param durationNs session length in ns, >= 0
 * @param windowNs window length in ns, > 0
 */
public record SessionGrid(long durationNs, long windowNs) {
  private static final long NS = 1_000_000_000L;

  /** Checks the ranges. */
  public SessionGrid {
    if (durationNs < 0) {
      throw new IllegalArgumentException("durationNs must be >= 0, got " + durationNs);
    }
    if (windowNs <= 0) {
      throw new IllegalArgumentException("windowNs must be > 0, got " + windowNs);
    }
  }

  /** Windows covering the session: {@code ceil(duration / window)}. */
  public long windows() {
    return (durationNs + windowNs - 1) / windowNs;
  }

  /** Grid points of a stream at {@code rate} in the session: those before its end. */
  public static long samplesBefore(long ns, double rate) {
    long r = (long) rate;
    if (r == rate) {
      return ns / NS * r + ((ns % NS) * r + NS - 1) / NS;
    }
    return (long) Math.ceil(ns * rate / NS);
  }

  /** Grid points of a stream at {@code rate} over the whole session. */
  public long samples(double rate) {
    return samplesBefore(durationNs, rate);
  }

  /** First grid index of window {@code w} for a stream at {@code rate}. */
  public long firstIndex(double rate, long w) {
    return Math.min(samples(rate), samplesBefore(Math.multiplyExact(w, windowNs), rate));
  }

  /** One past the last grid index of window {@code w} for a stream at {@code rate}. */
  public long endIndex(double rate, long w) {
    return firstIndex(rate, w + 1);
  }
}
