package io.beamline.transforms.sync;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class StreamSyncTest {
  private static final long T0 = 1_700_000_000_000_000_000L;

  /** Sample i of channel c is 1000 * c + i, so every value names its own position. */
  private static List<Packet> packets(StreamSync.Spec spec, Set<Long> drop, long[] jitterNs) {
    List<Packet> out = new ArrayList<>();
    double period = 1e9 / spec.rate();
    for (long j = 0; j < spec.expectedPackets(); j++) {
      if (drop.contains(j)) {
        continue;
      }
      int n = spec.samplesInPacket(j);
      float[] v = new float[n * spec.channels()];
      for (int i = 0; i < n; i++) {
        for (int c = 0; c < spec.channels(); c++) {
          v[i * spec.channels() + c] = 1000 * c + (j * spec.samplesPerPacket() + i);
        }
      }
      long t = T0 + Math.round(j * spec.samplesPerPacket() * period);
      out.add(Packet.ofFloats(j, t + (jitterNs == null ? 0 : jitterNs[(int) j]), n, v));
    }
    return out;
  }

  @Test
  void exactClockWithoutLossIsTheIdentity() {
    StreamSync.Spec spec = new StreamSync.Spec(250, 2, 25, 103, T0, false);
    List<Packet> in = packets(spec, Set.of(), null);
    Collections.reverse(in);
    StreamSync.Result r = StreamSync.align(spec, in);
    for (int k = 0; k < 103; k++) {
      assertEquals(k, r.floats()[2 * k], 0f);
      assertEquals(1000 + k, r.floats()[2 * k + 1], 0f);
      assertFalse(r.gap()[k]);
    }
    StreamSync.Report rep = r.report();
    assertEquals(5, rep.packetsExpected());
    assertEquals(5, rep.packetsReceived());
    assertEquals(0, rep.droppedPackets());
    assertEquals(0, rep.gapSamples());
    assertEquals(0.0, rep.offsetSamples());
    assertEquals(0.0, rep.clockOffsetMs(), 1e-6);
    assertEquals(0.0, rep.jitterMs(), 1e-6);
  }

  @Test
  void lostPacketsBecomeGapsAndAreCountedExactly() {
    StreamSync.Spec spec = new StreamSync.Spec(100, 1, 10, 95, T0, false);
    StreamSync.Result r = StreamSync.align(spec, packets(spec, Set.of(0L, 3L, 4L, 9L), null));
    StreamSync.Report rep = r.report();
    assertEquals(10, rep.packetsExpected());
    assertEquals(4, rep.droppedPackets());
    assertEquals(3, rep.gaps());
    // Packets 0, 3, 4 hold 10 samples each; the last (9) holds 5.
    assertEquals(35, rep.missingSamples());
    assertEquals(35, rep.gapSamples());
    for (int k = 0; k < 95; k++) {
      boolean lost = k < 10 || (k >= 30 && k < 50) || k >= 90;
      assertEquals(lost, r.gap()[k], "k=" + k);
      if (lost) {
        assertTrue(Float.isNaN(r.floats()[k]));
      } else {
        assertEquals(k, r.floats()[k], 0f);
      }
    }
  }

  @Test
  void aConstantClockOffsetIsMeasuredAndCorrected() {
    // Device clock 2.5 samples (25 ms at 100 Hz) late: grid point k reads sample k - 2.5.
    StreamSync.Spec spec = new StreamSync.Spec(100, 1, 10, 100, T0, false);
    long[] late = new long[10];
    java.util.Arrays.fill(late, 25_000_000L);
    StreamSync.Result r = StreamSync.align(spec, packets(spec, Set.of(), late));
    assertEquals(25.0, r.report().clockOffsetMs(), 1e-9);
    assertEquals(2.5, r.report().offsetSamples());
    // k = 0..2 fall before the first sample (nearest index -2.5 + 0.5 -> -2, -1, 0 for k = 0, 1, 2;
    // k = 2 reads index -0.5, whose nearest is 0): 2 edge gaps, never invented values.
    assertTrue(r.gap()[0]);
    assertTrue(r.gap()[1]);
    assertFalse(r.gap()[2]);
    assertEquals(0f, r.floats()[2], 0f); // nearest sample 0, its left neighbour does not exist
    assertEquals(7.5f, r.floats()[10], 0f); // halfway between samples 7 and 8
    assertEquals(2, r.report().gapSamples());
    assertEquals(0, r.report().missingSamples());
  }

  @Test
  void jitterIsReportedAndDoesNotChangeGapCounts() {
    StreamSync.Spec spec = new StreamSync.Spec(250, 1, 25, 2500, T0, false);
    Random rnd = new Random(3);
    long[] jitter = new long[100];
    for (int j = 0; j < 100; j++) {
      jitter[j] = Math.round(rnd.nextGaussian() * 2e6);
    }
    StreamSync.Result r = StreamSync.align(spec, packets(spec, Set.of(7L, 8L, 50L), jitter));
    StreamSync.Report rep = r.report();
    assertEquals(3, rep.droppedPackets());
    assertEquals(2, rep.gaps());
    assertEquals(75, rep.missingSamples());
    assertEquals(0, Math.round(rep.offsetSamples()), "sub-sample offset for 2 ms jitter at 250 Hz");
    assertEquals(75, rep.gapSamples());
    assertEquals(2.0, rep.jitterMs(), 0.4);
    assertEquals(2.0 / Math.sqrt(97), rep.alignmentErrorMs(), 0.08);
    assertTrue(Math.abs(rep.driftPpm()) < 2000, "drift " + rep.driftPpm());
  }

  @Test
  void bytePayloadsTakeTheNearestFrameAndZerosAtGaps() {
    StreamSync.Spec spec = new StreamSync.Spec(30, 2, 3, 9, T0, true);
    List<Packet> in = new ArrayList<>();
    for (long j = 0; j < 3; j++) {
      if (j == 1) {
        continue;
      }
      byte[] b = new byte[6];
      for (int i = 0; i < 6; i++) {
        b[i] = (byte) (10 * j + i);
      }
      in.add(Packet.ofBytes(j, T0 + Math.round(j * 3 * 1e9 / 30), 3, b));
    }
    StreamSync.Result r = StreamSync.align(spec, in);
    assertArrayEquals(
        new byte[] {0, 1, 2, 3, 4, 5, 0, 0, 0, 0, 0, 0, 20, 21, 22, 23, 24, 25}, r.bytes());
    assertArrayEquals(
        new boolean[] {false, false, false, true, true, true, false, false, false}, r.gap());
    assertEquals(3, r.report().gapSamples());
  }

  @Test
  void duplicatesAndMisfitsAreCountedAndIgnored() {
    StreamSync.Spec spec = new StreamSync.Spec(100, 1, 10, 30, T0, false);
    List<Packet> in = packets(spec, Set.of(), null);
    in.add(in.get(1));
    in.add(Packet.ofFloats(7, T0, 10, new float[10])); // beyond the stream
    in.add(Packet.ofFloats(2, T0, 3, new float[3])); // wrong size
    StreamSync.Report rep = StreamSync.align(spec, in).report();
    assertEquals(1, rep.duplicatePackets());
    assertEquals(2, rep.rejectedPackets());
    assertEquals(3, rep.packetsReceived());
  }

  @Test
  void noPacketsAtAllIsAllGap() {
    StreamSync.Spec spec = new StreamSync.Spec(10, 1, 5, 20, T0, false);
    StreamSync.Result r = StreamSync.align(spec, List.of());
    assertEquals(20, r.report().gapSamples());
    assertEquals(4, r.report().droppedPackets());
    assertEquals(1, r.report().gaps());
    assertTrue(Double.isNaN(r.report().clockOffsetMs()));
  }

  @Test
  void specRejectsBadValues() {
    assertThrows(IllegalArgumentException.class, () -> new StreamSync.Spec(0, 1, 1, 1, 0, false));
    assertThrows(IllegalArgumentException.class, () -> new StreamSync.Spec(1, 0, 1, 1, 0, false));
    assertThrows(IllegalArgumentException.class, () -> new StreamSync.Spec(1, 1, 0, 1, 0, false));
  }

  @Test
  void sessionGridWindowsAreExact() {
    SessionGrid g = new SessionGrid(2_500_000_000L, 1_000_000_000L);
    assertEquals(3, g.windows());
    assertEquals(625, g.samples(250));
    assertEquals(250, g.firstIndex(250, 1));
    assertEquals(625, g.endIndex(250, 2));
    assertEquals(75, g.samples(30));
    assertEquals(3, g.samples(1));
    assertEquals(2, g.firstIndex(1, 2));
    assertEquals(3, g.endIndex(1, 2));
  }
}
