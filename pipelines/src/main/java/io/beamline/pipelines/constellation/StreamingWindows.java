package io.beamline.pipelines.constellation;

import io.beamline.io.sensors.SampleClock;
import io.beamline.io.sensors.SensorDriver;
import io.beamline.io.sensors.SensorEvent;
import io.beamline.transforms.sync.Packet;
import io.beamline.transforms.sync.StreamSync;
import java.util.ArrayList;
import java.util.List;

/**
 * The cut of the session timeline into event-time windows ({@code --streaming}): which window each
 * packet belongs to and how one sensor's packets of one window are aligned ({@link StreamSync} on
 * the window alone); and, for batch, the same alignment over the whole session.
 *
 * <p>A packet's event time on the session timeline is the nominal time of its first sample, {@code
 * sessionStart + seq * samplesPerPacket / rate} (its device timestamp carries the clock offset and
 * jitter, which the sync stage estimates; it would move a boundary packet into the neighbouring
 * window). Window {@code w} holds the packets whose event time lies in {@code [w * window, (w + 1)
 * * window)} from the session start, so a window's grid points are exactly its packets' samples and
 * a lost packet is a gap of the window it belonged to.
 */
final class StreamingWindows {
  private StreamingWindows() {}

  /** Event time of packet {@code seq} of {@code d}, ns after the session start. */
  static long packetOffsetNs(SensorDriver d, long seq) {
    return SampleClock.timestampNs(0, seq * SessionPlan.samplesPerPacket(d), d.sampleRate());
  }

  /** Event time of packet {@code seq} of {@code d}, ms since the Unix epoch (floor). */
  static long packetEventTimeMs(SessionPlan plan, SensorDriver d, long seq) {
    return Math.floorDiv(plan.sessionStartNs + packetOffsetNs(d, seq), 1_000_000L);
  }

  /** Window of packet {@code seq} of {@code d}. */
  static long windowOf(SessionPlan plan, SensorDriver d, long seq) {
    return packetOffsetNs(d, seq) / plan.windowNs;
  }

  /** The packets {@code [lo, hi)} of {@code d} in window {@code w} (empty: {@code lo == hi}). */
  static long[] packetRange(SessionPlan plan, SensorDriver d, long w) {
    long packets = plan.spec(d).expectedPackets();
    long lo = 0;
    while (lo < packets && windowOf(plan, d, lo) < w) {
      lo++;
    }
    long hi = lo;
    while (hi < packets && windowOf(plan, d, hi) == w) {
      hi++;
    }
    return new long[] {lo, hi};
  }

  /**
   * {@code d}'s packets {@code events} over the whole session: a {@link StreamSync} on the session
   * grid (batch).
   */
  static StreamSync.Result alignSession(
      SessionPlan plan, SensorDriver d, Iterable<SensorEvent> events) {
    return StreamSync.align(plan.spec(d), packets(events, 0));
  }

  /**
   * The events as sync packets, numbered from packet {@code lo} (an earlier one gets a number
   * {@link StreamSync} rejects); null elements (a stream's marker) are skipped.
   */
  static List<Packet> packets(Iterable<SensorEvent> events, long lo) {
    List<Packet> packets = new ArrayList<>();
    for (SensorEvent e : events) {
      if (e == null) {
        continue;
      }
      long seq = e.seq() - lo;
      if (seq < 0) {
        seq = Long.MAX_VALUE; // not of this window: StreamSync rejects it
      }
      packets.add(
          e.isBytePayload()
              ? Packet.ofBytes(seq, e.timestampNs(), e.sampleCount(), e.bytes())
              : Packet.ofFloats(seq, e.timestampNs(), e.sampleCount(), e.samples()));
    }
    return packets;
  }

  /**
   * One sensor's share of one window, aligned.
   *
   * @param window the window index
   * @param firstIndex session grid index of the window's first sample
   * @param result the window's samples on its grid; report counts refer to the window only
   */
  record Aligned(long window, long firstIndex, StreamSync.Result result) {}

  /**
   * Aligns the packets {@code events} of {@code d} that fell into window {@code w}: a {@link
   * StreamSync} over the window's packet range (packets of other windows are rejected by it).
   */
  static Aligned align(SessionPlan plan, SensorDriver d, long w, Iterable<SensorEvent> events) {
    StreamSync.Spec session = plan.spec(d);
    long[] range = packetRange(plan, d, w);
    long lo = range[0];
    long hi = range[1];
    int spp = session.samplesPerPacket();
    long first = lo * spp;
    long end = Math.min(hi * spp, session.totalSamples());
    StreamSync.Spec spec =
        new StreamSync.Spec(
            session.rate(),
            session.channels(),
            spp,
            Math.max(0, end - first),
            SampleClock.timestampNs(plan.sessionStartNs, first, session.rate()),
            session.bytePayload());
    return new Aligned(w, first, StreamSync.align(spec, packets(events, lo)));
  }
}
