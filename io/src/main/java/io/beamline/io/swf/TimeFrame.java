package io.beamline.io.swf;

/**
 * One time frame of an STF: its index and its hits as parallel primitive arrays (one entry per
 * hit), the shape the decoder and the fast-monitoring histograms work on.
 *
 * @param index the time frame's 0-based index within its STF
 * @param detector detector id of each hit (0 .. detectorCount-1)
 * @param channel channel of each hit (0 .. 1023)
 * @param adc amplitude of each hit (0 .. 4095)
 * @param timeOffsetNanos time of each hit from the time frame's start
 */
public record TimeFrame(
    int index, int[] detector, int[] channel, int[] adc, int[] timeOffsetNanos) {
  /** Number of hits. */
  public int hits() {
    return detector.length;
  }

  /** Bytes this time frame takes in an STF file. */
  public long encodedBytes() {
    return 8L + 12L * hits();
  }
}
