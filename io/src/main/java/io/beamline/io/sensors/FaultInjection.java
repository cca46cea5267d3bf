package io.beamline.io.sensors;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.SplittableRandom;

/**
 * Seeded network and clock faults for sensor streams: drops whole events (packets), jitters their
 * timestamps (normal, in ms) and optionally lets the device clock drift (ppm).
 *
 * <p>Every decision is a pure function of (seed, modality, sensor id, seq), so the same events are
 * dropped and the same jitter applied however the events are batched, ordered or distributed across
 * workers, and a later stage can recompute exactly what was lost. {@link #apply(Iterator)} also
 * keeps an exact {@link Tally}.
 *
 * <pre>{@code
 * FaultInjection faults = FaultInjection.seeded(7).withDropProbability(0.05).withJitterMs(2);
 * FaultInjection.FaultedEvents out = faults.apply(driver.events(session, 1, t0, tenSeconds, 25));
 * while (out.hasNext()) publish(out.next());
 * long lost = out.tally().eventsDropped();
 * }</pre>
 */
public final class FaultInjection implements Serializable {
  private static final long serialVersionUID = 1L;

  private final long seed;
  private final double dropProbability;
  private final double jitterMs;
  private final double driftPpm;
  private final long driftOriginNs;

  private FaultInjection(
      long seed, double dropProbability, double jitterMs, double driftPpm, long driftOriginNs) {
    this.seed = seed;
    this.dropProbability = dropProbability;
    this.jitterMs = jitterMs;
    this.driftPpm = driftPpm;
    this.driftOriginNs = driftOriginNs;
  }

  /** Faults with the given seed: 5% drops, 2 ms jitter (standard deviation), no drift. */
  public static FaultInjection seeded(long seed) {
    return new FaultInjection(seed, 0.05, 2.0, 0, 0);
  }

  /** Probability that an event is dropped, in [0, 1). Default 0.05. */
  public FaultInjection withDropProbability(double p) {
    if (!(p >= 0 && p < 1)) {
      throw new IllegalArgumentException("dropProbability must be in [0, 1), got " + p);
    }
    return new FaultInjection(seed, p, jitterMs, driftPpm, driftOriginNs);
  }

  /** Standard deviation of the normal timestamp jitter in ms, in [0, 1000]. Default 2. */
  public FaultInjection withJitterMs(double sd) {
    if (!(sd >= 0 && sd <= 1000)) {
      throw new IllegalArgumentException("jitterMs must be in [0, 1000], got " + sd);
    }
    return new FaultInjection(seed, dropProbability, sd, driftPpm, driftOriginNs);
  }

  /**
   * Device clock drift: a timestamp {@code t} becomes {@code t + (t - originNs) * ppm / 1e6}.
   * Default none.
   *
   * @param ppm parts per million, in [-10000, 10000]
   * @param originNs the instant at which the device clock was right (e.g. the session start)
   */
  public FaultInjection withClockDrift(double ppm, long originNs) {
    if (!(ppm >= -10_000 && ppm <= 10_000)) {
      throw new IllegalArgumentException("drift ppm must be in [-10000, 10000], got " + ppm);
    }
    return new FaultInjection(seed, dropProbability, jitterMs, ppm, originNs);
  }

  /** What happens to one event: whether it is dropped, and its timestamp if kept. */
  public record Decision(boolean dropped, long timestampNs) {}

  /** Decides the fate of {@code e}; the same inputs always give the same decision. */
  public Decision decide(SensorEvent e) {
    SplittableRandom rng = new SplittableRandom(key(e.modality(), e.sensorId(), e.seq()));
    // Always draw both numbers, so jitter does not depend on the drop probability.
    boolean dropped = rng.nextDouble() < dropProbability;
    double jitterNs = rng.nextGaussian() * jitterMs * 1e6;
    long t = e.timestampNs();
    double driftNs = (t - driftOriginNs) * (driftPpm * 1e-6);
    return new Decision(dropped, t + Math.round(jitterNs + driftNs));
  }

  /** {@code e} with its faulted timestamp, or empty if it is dropped. */
  public Optional<SensorEvent> apply(SensorEvent e) {
    Decision d = decide(e);
    return d.dropped() ? Optional.empty() : Optional.of(e.withTimestampNs(d.timestampNs()));
  }

  /** The surviving events of {@code events}, lazily, with a running {@link Tally}. */
  public FaultedEvents apply(Iterator<SensorEvent> events) {
    return new FaultedEvents(this, events);
  }

  private long key(String modality, String sensorId, long seq) {
    long h = mix(seed ^ 0x9E3779B97F4A7C15L);
    h = mix(h ^ modality.hashCode());
    h = mix(h ^ sensorId.hashCode());
    return mix(h ^ seq);
  }

  /** SplitMix64's finaliser: spreads every input bit over the output. */
  private static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  /**
   * Exact counts of what {@link FaultedEvents} passed and dropped so far.
   *
   * @param eventsIn events read from the source
   * @param eventsDropped events dropped
   * @param samplesIn samples (time points) read
   * @param samplesDropped samples in dropped events
   * @param droppedSeqs sequence numbers of dropped events, in source order
   */
  public record Tally(
      long eventsIn,
      long eventsDropped,
      long samplesIn,
      long samplesDropped,
      List<Long> droppedSeqs) {
    /** Copies the list. */
    public Tally {
      droppedSeqs = List.copyOf(droppedSeqs);
    }
  }

  /** Iterator over the events that survive, counting the ones that do not. */
  public static final class FaultedEvents implements Iterator<SensorEvent> {
    private final FaultInjection faults;
    private final Iterator<SensorEvent> source;
    private final List<Long> droppedSeqs = new ArrayList<>();
    private long eventsIn;
    private long samplesIn;
    private long samplesDropped;
    private SensorEvent pending;

    private FaultedEvents(FaultInjection faults, Iterator<SensorEvent> source) {
      this.faults = faults;
      this.source = source;
    }

    @Override
    public boolean hasNext() {
      while (pending == null && source.hasNext()) {
        SensorEvent e = source.next();
        eventsIn++;
        samplesIn += e.sampleCount();
        Decision d = faults.decide(e);
        if (d.dropped()) {
          droppedSeqs.add(e.seq());
          samplesDropped += e.sampleCount();
        } else {
          pending = e.withTimestampNs(d.timestampNs());
        }
      }
      return pending != null;
    }

    @Override
    public SensorEvent next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      SensorEvent e = pending;
      pending = null;
      return e;
    }

    /** Counts so far (final once {@link #hasNext()} has returned false). */
    public Tally tally() {
      return new Tally(
          eventsIn,
          droppedSeqs.size(),
          samplesIn,
          samplesDropped,
          Collections.unmodifiableList(droppedSeqs));
    }
  }
}
