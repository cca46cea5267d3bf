package io.beamline.io.swf;

import java.io.Serializable;
import java.time.Instant;

/**
 * The fixed 64-byte header of an STF file (see {@code docs/stf-format.md}): which run and sequence
 * the file holds, how many time frames, when the first one starts, how long each lasts, and the
 * generator's detector count and seed.
 *
 * @param run the run number
 * @param sequence the STF's 1-based sequence number within the run
 * @param tfCount number of time frames in the file
 * @param startEpochNanos start of the first time frame, nanoseconds since the epoch (UTC)
 * @param tfDurationNanos duration of one time frame (665,600 ns by default: 2^16 bunch crossings)
 * @param detectorCount number of detectors hits are spread over
 * @param seed the seed the synthetic hits were drawn from
 */
public record StfHeader(
    long run,
    int sequence,
    int tfCount,
    long startEpochNanos,
    long tfDurationNanos,
    int detectorCount,
    long seed)
    implements Serializable {
  private static final long serialVersionUID = 1L;

  /** Size of the header in bytes. */
  public static final int BYTES = 64;

  /** The file's first eight bytes. */
  public static final String MAGIC = "SWFSTF01";

  /** The format version this code writes and reads. */
  public static final int VERSION = 1;

  /** Default duration of one time frame: 2^16 bunch crossings of ~10.16 ns. */
  public static final long DEFAULT_TF_DURATION_NANOS = 665_600L;

  /** Start of time frame {@code tf} (0-based). */
  public Instant tfStart(int tf) {
    return instant(startEpochNanos + tf * tfDurationNanos);
  }

  /** Start of the first time frame. */
  public Instant start() {
    return tfStart(0);
  }

  /** End of the last time frame. */
  public Instant end() {
    return tfStart(tfCount);
  }

  private static Instant instant(long epochNanos) {
    return Instant.ofEpochSecond(
        Math.floorDiv(epochNanos, 1_000_000_000L), Math.floorMod(epochNanos, 1_000_000_000L));
  }
}
