package io.beamline.io.sensors;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.closeTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class FaultInjectionTest {
  private static final SessionIds SESSION = new SessionIds("S01", "A");
  private static final long T0 = 1_700_000_000_000_000_000L;
  private static final SensorDriver PHONE = new PhoneDriver("phone01", 50);

  private static Iterator<SensorEvent> stream(int seconds) {
    // 50 Hz, one sample per event: 50 events per second.
    return PHONE.events(SESSION, 1, T0, Duration.ofSeconds(seconds), 1);
  }

  @Test
  void dropsAboutTheConfiguredFractionAndCountsExactly() {
    FaultInjection.FaultedEvents out = FaultInjection.seeded(7).apply(stream(2000));
    List<SensorEvent> kept = new ArrayList<>();
    out.forEachRemaining(kept::add);
    FaultInjection.Tally t = out.tally();
    assertEquals(100_000, t.eventsIn());
    assertEquals(t.eventsIn(), kept.size() + t.eventsDropped());
    assertEquals(t.eventsDropped(), t.samplesDropped());
    assertEquals(t.eventsDropped(), t.droppedSeqs().size());
    // Binomial(100000, 0.05): sd 69, so 5000 +- 300 is a 4-sigma band.
    assertThat((double) t.eventsDropped(), closeTo(5000, 300));
    // The dropped seqs are exactly the gaps in the kept ones.
    Set<Long> seen = new HashSet<>();
    kept.forEach(e -> seen.add(e.seq()));
    List<Long> gaps = new ArrayList<>();
    for (long s = 0; s < t.eventsIn(); s++) {
      if (!seen.contains(s)) {
        gaps.add(s);
      }
    }
    assertEquals(gaps, t.droppedSeqs());
  }

  @Test
  void jitterIsNormalWithTheConfiguredSd() {
    FaultInjection f = FaultInjection.seeded(3).withDropProbability(0).withJitterMs(2);
    double sum = 0;
    double sumSq = 0;
    int n = 0;
    for (Iterator<SensorEvent> it = stream(1000); it.hasNext(); n++) {
      SensorEvent e = it.next();
      double ms = (f.decide(e).timestampNs() - e.timestampNs()) / 1e6;
      sum += ms;
      sumSq += ms * ms;
    }
    double mean = sum / n;
    double sd = Math.sqrt(sumSq / n - mean * mean);
    assertEquals(50_000, n);
    assertThat(mean, closeTo(0, 0.05));
    assertThat(sd, closeTo(2, 0.05));
  }

  @Test
  void clockDriftScalesElapsedTime() {
    FaultInjection f =
        FaultInjection.seeded(3).withDropProbability(0).withJitterMs(0).withClockDrift(50, T0);
    SensorEvent e =
        SensorEvent.ofFloats(
            "s", "x", "d", "eeg", "eeg01", T0 + 100_000_000_000L, 9, 250, 1, new float[1]);
    // 100 s at +50 ppm: 5 ms fast.
    assertEquals(T0 + 100_005_000_000L, f.decide(e).timestampNs());
  }

  @Test
  void decisionsAreDeterministicPerSeedAndIndependentOfOrder() {
    FaultInjection a = FaultInjection.seeded(11).withDropProbability(0.2);
    List<SensorEvent> events = new ArrayList<>();
    stream(20).forEachRemaining(events::add);
    List<FaultInjection.Decision> forward = new ArrayList<>();
    for (SensorEvent e : events) {
      forward.add(a.decide(e));
    }
    List<FaultInjection.Decision> backward = new ArrayList<>();
    for (int i = events.size() - 1; i >= 0; i--) {
      backward.add(0, FaultInjection.seeded(11).withDropProbability(0.2).decide(events.get(i)));
    }
    assertEquals(forward, backward);
    List<FaultInjection.Decision> other = new ArrayList<>();
    for (SensorEvent e : events) {
      other.add(FaultInjection.seeded(12).withDropProbability(0.2).decide(e));
    }
    assertNotEquals(forward, other);
    // The same seq on another sensor gets its own decision stream.
    FaultInjection.FaultedEvents x = a.apply(stream(20));
    x.forEachRemaining(e -> {});
    FaultInjection.FaultedEvents y =
        a.apply(new PhoneDriver("phone02", 50).events(SESSION, 1, T0, Duration.ofSeconds(20), 1));
    y.forEachRemaining(e -> {});
    assertNotEquals(x.tally().droppedSeqs(), y.tally().droppedSeqs());
  }

  @Test
  void noFaultsPassesEverythingUnchanged() {
    FaultInjection none = FaultInjection.seeded(1).withDropProbability(0).withJitterMs(0);
    Iterator<SensorEvent> src = stream(2);
    FaultInjection.FaultedEvents out = none.apply(stream(2));
    while (src.hasNext()) {
      assertEquals(src.next(), out.next());
    }
    assertFalse(out.hasNext());
    assertEquals(0, out.tally().eventsDropped());
  }

  @Test
  void validatesItsSettings() {
    assertThrows(
        IllegalArgumentException.class, () -> FaultInjection.seeded(1).withDropProbability(1));
    assertThrows(IllegalArgumentException.class, () -> FaultInjection.seeded(1).withJitterMs(-1));
    assertThrows(
        IllegalArgumentException.class, () -> FaultInjection.seeded(1).withClockDrift(1e6, 0));
  }
}
