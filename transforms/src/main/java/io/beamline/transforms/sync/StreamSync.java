package io.beamline.transforms.sync;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Aligns one sensor stream on the session timeline and resamples it onto the session's grid for
 * that stream: grid point {@code k} is at {@code sessionStart + k / rate}, for {@code k} in {@code
 * [0, totalSamples)}.
 *
 * <p><b>Clock.</b> Packet {@code j} holds samples {@code j * samplesPerPacket ...}; its first
 * sample's device timestamp minus the nominal time of that sample index is one measurement of the
 * device clock's offset from the session timeline. The offset is their mean (least squares with the
 * nominal rate); its standard error is the stream's alignment error. The residuals are the
 * timestamp jitter. A least-squares slope over the same points gives the clock drift in ppm, which
 * is reported, not corrected (device clocks are taken to run at their nominal rate).
 *
 * <p><b>Resampling.</b> With the offset {@code d} in samples (rounded to 1/1000 of a sample, so an
 * exact clock is an exact identity), grid point {@code k} reads the stream at fractional sample
 * position {@code u = k - d}: linear interpolation between the two neighbouring samples when both
 * were received, otherwise the nearest sample when that one was received (it is within half a
 * sample period), otherwise a gap. Byte payloads (video frames) always take the nearest sample.
 *
 * <p><b>Gaps.</b> Nothing is invented: a grid point whose nearest sample was lost, or lies outside
 * the stream, is a gap ({@code NaN} for floats, zeros for bytes) and flagged in {@link
 * Result#gap()}. Lost packets are known exactly from the sequence numbers, independently of the
 * grid: {@link Report#droppedPackets()} and {@link Report#missingSamples()}. With a whole-sample
 * offset of zero, {@link Report#gapSamples()} equals {@link Report#missingSamples()}; otherwise the
 * grid also has {@code |round(d)|} edge points outside the stream.
 *
 * <pre>{@code
 * StreamSync.Result r = StreamSync.align(new StreamSync.Spec(250, 32, 25, 2500, t0, false), packets);
 * float[] eeg = r.floats();          // 2500 x 32, NaN where packets were lost
 * long lost = r.report().droppedPackets();
 * }</pre>
 */
public final class StreamSync {
  private static final double NS = 1e9;

  private StreamSync() {}

  /**
   * What a stream should contain.
   *
   * @param rate nominal samples per second, > 0
   * @param channels values per sample, >= 1
   * @param samplesPerPacket samples in every packet but the last, >= 1
   * @param totalSamples samples the stream holds over the session (the grid length), >= 0
   * @param sessionStartNs session start, ns since the Unix epoch (grid point 0)
   * @param bytePayload whether packets carry bytes (uint8) rather than floats
   */
  public record Spec(
      double rate,
      int channels,
      int samplesPerPacket,
      long totalSamples,
      long sessionStartNs,
      boolean bytePayload) {
    /** Checks the ranges. */
    public Spec {
      if (!(rate > 0) || Double.isInfinite(rate)) {
        throw new IllegalArgumentException("rate must be > 0 and finite, got " + rate);
      }
      if (channels < 1) {
        throw new IllegalArgumentException("channels must be >= 1, got " + channels);
      }
      if (samplesPerPacket < 1) {
        throw new IllegalArgumentException(
            "samplesPerPacket must be >= 1, got " + samplesPerPacket);
      }
      if (totalSamples < 0 || totalSamples * (long) channels > Integer.MAX_VALUE - 8) {
        throw new IllegalArgumentException(
            "totalSamples must be >= 0 and fit one array, got " + totalSamples);
      }
    }

    /** Packets the stream is made of: {@code ceil(totalSamples / samplesPerPacket)}. */
    public long expectedPackets() {
      return (totalSamples + samplesPerPacket - 1) / samplesPerPacket;
    }

    /** Samples in packet {@code seq}: {@code samplesPerPacket}, or fewer for the last one. */
    public int samplesInPacket(long seq) {
      return (int) Math.min(samplesPerPacket, totalSamples - seq * samplesPerPacket);
    }
  }

  /**
   * Per-stream synchronisation figures. Times in ms; {@code NaN} where a figure needs more packets
   * than were received (offset and jitter need 1 and 2, drift 2 distinct packets).
   *
   * @param samples grid points (= samples the stream should hold)
   * @param packetsExpected packets the stream should hold
   * @param packetsReceived distinct, well-formed packets received
   * @param droppedPackets packets missing, from the sequence numbers
   * @param gaps runs of consecutive missing packets
   * @param missingSamples samples in the missing packets
   * @param gapSamples grid points flagged as gaps
   * @param duplicatePackets packets received more than once (the copies are ignored)
   * @param rejectedPackets packets ignored because their sequence number or size does not fit
   * @param clockOffsetMs device clock minus session timeline, estimated
   * @param alignmentErrorMs standard error of {@code clockOffsetMs}: how well the stream is placed
   * @param jitterMs RMS of the packet timestamps around the fitted clock
   * @param maxResidualMs largest absolute packet timestamp residual
   * @param driftPpm least-squares clock drift (reported, not corrected)
   * @param offsetSamples the offset applied to the grid, in samples (1/1000 resolution)
   */
  public record Report(
      long samples,
      long packetsExpected,
      long packetsReceived,
      long droppedPackets,
      long gaps,
      long missingSamples,
      long gapSamples,
      long duplicatePackets,
      long rejectedPackets,
      double clockOffsetMs,
      double alignmentErrorMs,
      double jitterMs,
      double maxResidualMs,
      double driftPpm,
      double offsetSamples)
      implements java.io.Serializable {}

  /**
   * The stream on its grid.
   *
   * @param floats {@code samples x channels} values, {@code NaN} at gaps (null for bytes)
   * @param bytes {@code samples x channels} values, zero at gaps (null for floats)
   * @param gap one flag per grid point
   * @param report the figures
   */
  public record Result(float[] floats, byte[] bytes, boolean[] gap, Report report) {}

  /**
   * Aligns and resamples {@code packets} (any order; duplicates and packets that do not fit the
   * spec are counted and ignored).
   */
  public static Result align(Spec spec, List<Packet> packets) {
    long expected = spec.expectedPackets();
    int spp = spec.samplesPerPacket();
    int channels = spec.channels();
    List<Packet> sorted = new ArrayList<>(packets);
    sorted.sort(Comparator.comparingLong(Packet::seq));
    Packet[] bySeq = new Packet[(int) expected];
    long duplicates = 0;
    long rejected = 0;
    for (Packet p : sorted) {
      if (p.seq() >= expected
          || p.samples() != spec.samplesInPacket(p.seq())
          || (p.bytes() != null) != spec.bytePayload()
          || payloadLength(p) != (long) p.samples() * channels) {
        rejected++;
      } else if (bySeq[(int) p.seq()] != null) {
        duplicates++;
      } else {
        bySeq[(int) p.seq()] = p;
      }
    }

    long received = 0;
    long gaps = 0;
    long missingSamples = 0;
    for (int j = 0; j < bySeq.length; j++) {
      if (bySeq[j] != null) {
        received++;
      } else {
        missingSamples += spec.samplesInPacket(j);
        if (j == 0 || bySeq[j - 1] != null) {
          gaps++;
        }
      }
    }

    Clock clock = fitClock(spec, bySeq);
    double offsetSamples = Double.isNaN(clock.offsetNs) ? 0 : clock.offsetNs * spec.rate() / NS;
    // An exact device clock gives an offset of a few ns of rounding: keep the identity exact.
    offsetSamples = Math.rint(offsetSamples * 1000) / 1000;

    int n = (int) spec.totalSamples();
    boolean[] gap = new boolean[n];
    float[] floats = spec.bytePayload() ? null : new float[n * channels];
    byte[] bytes = spec.bytePayload() ? new byte[n * channels] : null;
    long gapSamples = 0;
    for (int k = 0; k < n; k++) {
      double u = k - offsetSamples;
      long nearest = (long) Math.floor(u + 0.5);
      if (!has(bySeq, spp, n, nearest)) {
        gap[k] = true;
        gapSamples++;
        if (floats != null) {
          Arrays.fill(floats, k * channels, (k + 1) * channels, Float.NaN);
        }
        continue;
      }
      if (bytes != null) {
        copyBytes(bySeq, spp, channels, nearest, bytes, k);
        continue;
      }
      long lo = (long) Math.floor(u);
      double w = u - lo;
      if (w == 0 || !has(bySeq, spp, n, lo) || !has(bySeq, spp, n, lo + 1)) {
        for (int c = 0; c < channels; c++) {
          floats[k * channels + c] = value(bySeq, spp, channels, nearest, c);
        }
      } else {
        for (int c = 0; c < channels; c++) {
          double a = value(bySeq, spp, channels, lo, c);
          double b = value(bySeq, spp, channels, lo + 1, c);
          floats[k * channels + c] = (float) (a + (b - a) * w);
        }
      }
    }

    Report report =
        new Report(
            n,
            expected,
            received,
            expected - received,
            gaps,
            missingSamples,
            gapSamples,
            duplicates,
            rejected,
            clock.offsetNs / 1e6,
            clock.stderrNs / 1e6,
            clock.jitterNs / 1e6,
            clock.maxResidualNs / 1e6,
            clock.driftPpm,
            offsetSamples);
    return new Result(floats, bytes, gap, report);
  }

  private static long payloadLength(Packet p) {
    return p.floats() != null ? p.floats().length : p.bytes().length;
  }

  private static boolean has(Packet[] bySeq, int spp, int n, long index) {
    return index >= 0 && index < n && bySeq[(int) (index / spp)] != null;
  }

  private static float value(Packet[] bySeq, int spp, int channels, long index, int c) {
    Packet p = bySeq[(int) (index / spp)];
    return p.floats()[(int) (index % spp) * channels + c];
  }

  private static void copyBytes(
      Packet[] bySeq, int spp, int channels, long index, byte[] out, int k) {
    Packet p = bySeq[(int) (index / spp)];
    System.arraycopy(p.bytes(), (int) (index % spp) * channels, out, k * channels, channels);
  }

  /** Offset (mean), its standard error, RMS and max residual, drift of the device clock. */
  private record Clock(
      double offsetNs, double stderrNs, double jitterNs, double maxResidualNs, double driftPpm) {}

  static Clock fitClock(Spec spec, Packet[] bySeq) {
    int spp = spec.samplesPerPacket();
    double periodNs = NS / spec.rate();
    int n = 0;
    double sum = 0;
    double sumIndex = 0;
    for (int j = 0; j < bySeq.length; j++) {
      if (bySeq[j] != null) {
        double index = (double) j * spp;
        sum += offsetOf(bySeq[j], index, spec.sessionStartNs(), periodNs);
        sumIndex += index;
        n++;
      }
    }
    if (n == 0) {
      return new Clock(Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN);
    }
    double mean = sum / n;
    double meanIndex = sumIndex / n;
    double ss = 0;
    double max = 0;
    double sxx = 0;
    double sxy = 0;
    for (int j = 0; j < bySeq.length; j++) {
      if (bySeq[j] != null) {
        double index = (double) j * spp;
        double r = offsetOf(bySeq[j], index, spec.sessionStartNs(), periodNs) - mean;
        ss += r * r;
        max = Math.max(max, Math.abs(r));
        sxx += (index - meanIndex) * (index - meanIndex);
        sxy += (index - meanIndex) * r;
      }
    }
    double stderr = n >= 2 ? Math.sqrt(ss / (n - 1)) / Math.sqrt(n) : Double.NaN;
    double jitter = n >= 2 ? Math.sqrt(ss / n) : Double.NaN;
    double drift = sxx > 0 ? (sxy / sxx) / periodNs * 1e6 : Double.NaN;
    return new Clock(mean, stderr, jitter, n >= 2 ? max : Double.NaN, drift);
  }

  /** Packet timestamp minus the nominal session time of its first sample, in ns. */
  private static double offsetOf(Packet p, double index, long sessionStartNs, double periodNs) {
    return (double) (p.timestampNs() - sessionStartNs) - index * periodNs;
  }
}
