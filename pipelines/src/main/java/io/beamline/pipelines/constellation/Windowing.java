package io.beamline.pipelines.constellation;

import java.io.Serializable;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.FixedWindows;
import org.apache.beam.sdk.transforms.windowing.IntervalWindow;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.joda.time.Duration;

/**
 * How a constellation graph cuts the session in time; the one setting besides the source in which
 * batch and streaming differ.
 *
 * <p>{@link #session()} (batch): every stream is aligned over the whole session at once, and the
 * outputs that need the whole session (NWB file, OME-Zarr video, one sync report) are written.
 * {@link #eventTime} ({@code --streaming}): fixed event-time windows of the session's window length
 * aligned to its start; each window is aligned and written (sync report, Parquet rows, WebDataset
 * sample) as the watermark passes it.
 *
 * @param eventTime whether the graph runs on event-time windows (else on the whole session)
 * @param sizeMs window length in ms (event time only)
 * @param offsetMs window offset in ms, so that windows start at the session start (event time)
 */
record Windowing(boolean eventTime, long sizeMs, long offsetMs) implements Serializable {

  /** The window index of a whole-session slice. */
  static final long SESSION = -1;

  Windowing {
    if (eventTime && !(sizeMs > 0 && offsetMs >= 0 && offsetMs < sizeMs)) {
      throw new IllegalArgumentException(
          String.format(
              "event-time windows need sizeMs > 0 and offsetMs in [0, sizeMs), got %d and %d",
              sizeMs, offsetMs));
    }
  }

  /** The whole session as one piece (batch). */
  static Windowing session() {
    return new Windowing(false, 0, 0);
  }

  /** Event-time windows of {@code plan}'s window length, starting at its session start. */
  static Windowing eventTime(SessionPlan plan) {
    long sizeMs = plan.windowNs / 1_000_000L;
    return new Windowing(true, sizeMs, Math.floorMod(plan.sessionStartNs / 1_000_000L, sizeMs));
  }

  /**
   * Event-time windows; a window's late packets (up to one window length) fire a further pane,
   * which is written on its own.
   */
  <T> Window<T> windows() {
    Duration size = Duration.millis(sizeMs);
    return Window.<T>into(FixedWindows.of(size).withOffset(Duration.millis(offsetMs)))
        .withAllowedLateness(size)
        .discardingFiredPanes();
  }

  /** The session window index of an event-time window, or {@link #SESSION}. */
  long index(SessionPlan plan, BoundedWindow window) {
    if (!eventTime) {
      return SESSION;
    }
    long startMs = ((IntervalWindow) window).start().getMillis();
    return (startMs - plan.sessionStartNs / 1_000_000L) / sizeMs;
  }
}
