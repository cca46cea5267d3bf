package io.beamline.pipelines.constellation;

import java.io.Serializable;

/**
 * One sensor's stream aligned over one piece of the session: the whole session (batch, {@code
 * window} {@link Windowing#SESSION}) or one event-time window (streaming).
 *
 * @param window the session window index, or {@link Windowing#SESSION}
 * @param pane the index of the pane it was aligned in (0 unless late packets fired another)
 * @param firstIndex the session grid index of the stream's first sample
 * @param stream the samples on the grid, gaps flagged, with the sync figures of this piece
 */
record AlignedSlice(long window, long pane, long firstIndex, AlignedStream stream)
    implements Serializable {

  boolean wholeSession() {
    return window == Windowing.SESSION;
  }
}
