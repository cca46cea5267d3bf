package io.beamline.pipelines.constellation;

import io.beamline.io.sensors.FaultInjection;
import io.beamline.io.sensors.SensorDriver;
import io.beamline.io.sensors.SensorEvent;
import io.beamline.io.sensors.SessionIds;
import io.beamline.io.sensors.Topics;
import io.beamline.transforms.sync.SessionGrid;
import io.beamline.transforms.sync.StreamSync;
import java.io.Serializable;
import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;

/**
 * Everything about one recording session that every stage agrees on: who, when, how long, which
 * devices, how their samples are packed into packets, which faults are injected, and the topics.
 * The ingest stage, the sync stage and the tests all derive their numbers from here, so the number
 * of records each topic must hold is known before anything runs.
 */
final class SessionPlan implements Serializable {
  private static final long serialVersionUID = 1L;

  /** Packet length: every driver batches 100 ms of samples per event (at least one sample). */
  static final long PACKET_NS = 100_000_000L;

  final String subjectId;
  final String sessionId;
  final long sessionStartNs;
  final long durationNs;
  final long windowNs;
  final long seed;
  final boolean faultInjection;
  final String topicPrefix;
  final List<SensorDriver> drivers;

  SessionPlan(
      String subjectId,
      String sessionId,
      long sessionStartNs,
      long durationNs,
      long windowNs,
      long seed,
      boolean faultInjection,
      String topicPrefix,
      List<SensorDriver> drivers) {
    this.subjectId = subjectId;
    this.sessionId = sessionId;
    this.sessionStartNs = sessionStartNs;
    this.durationNs = durationNs;
    this.windowNs = windowNs;
    this.seed = seed;
    this.faultInjection = faultInjection;
    this.topicPrefix = topicPrefix;
    this.drivers = List.copyOf(drivers);
  }

  SessionIds ids() {
    return new SessionIds(subjectId, sessionId);
  }

  Instant sessionStart() {
    return Instant.ofEpochSecond(0, sessionStartNs);
  }

  SessionGrid grid() {
    return new SessionGrid(durationNs, windowNs);
  }

  /**
   * End of window {@code w}, ns after the session start (the last window ends with the session).
   */
  long windowEndNs(long w) {
    return Math.min(durationNs, (w + 1) * windowNs);
  }

  String topic(SensorDriver d) {
    return Topics.of(topicPrefix, d.modality(), d.sensorId());
  }

  Optional<SensorDriver> driver(String sensorId) {
    return drivers.stream().filter(d -> d.sensorId().equals(sensorId)).findFirst();
  }

  /** Samples per packet for {@code d}: 100 ms worth, at least 1. */
  static int samplesPerPacket(SensorDriver d) {
    return (int) Math.max(1, Math.round(d.sampleRate() * PACKET_NS / 1e9));
  }

  StreamSync.Spec spec(SensorDriver d) {
    return new StreamSync.Spec(
        d.sampleRate(),
        d.channels(),
        samplesPerPacket(d),
        grid().samples(d.sampleRate()),
        sessionStartNs,
        d.payload() == SensorDriver.Payload.UINT8);
  }

  /** The faults, or empty without {@code --fault-injection}: 5% drops, 2 ms jitter, seeded. */
  Optional<FaultInjection> faults() {
    return faultInjection ? Optional.of(FaultInjection.seeded(seed)) : Optional.empty();
  }

  /** Seed of one driver's signal: the session seed mixed with the sensor id. */
  long driverSeed(SensorDriver d) {
    long h = seed * 0x9E3779B97F4A7C15L + d.sensorId().hashCode();
    return h ^ (h >>> 31);
  }

  /** The events {@code d} emits in this session, before faults. */
  Iterator<SensorEvent> events(SensorDriver d) {
    return d.events(
        ids(), driverSeed(d), sessionStartNs, Duration.ofNanos(durationNs), samplesPerPacket(d));
  }

  /** The events that survive fault injection, with their faulted timestamps. */
  FaultInjection.FaultedEvents faultedEvents(SensorDriver d) {
    return faults()
        .orElse(FaultInjection.seeded(seed).withDropProbability(0).withJitterMs(0))
        .apply(events(d));
  }

  /**
   * The drivers whose topics receive records in this session (one whose every packet is dropped
   * sends none): the topics the Kafka read reads.
   */
  List<SensorDriver> driversWithRecords() {
    return drivers.stream().filter(d -> expectedRecords(d) > 0).toList();
  }

  /** Records topic {@code topic(d)} receives in this session: packets not dropped. */
  long expectedRecords(SensorDriver d) {
    StreamSync.Spec spec = spec(d);
    long packets = spec.expectedPackets();
    Optional<FaultInjection> faults = faults();
    if (faults.isEmpty()) {
      return packets;
    }
    long kept = 0;
    float[] one = new float[1];
    for (long seq = 0; seq < packets; seq++) {
      // Fault decisions depend only on (seed, modality, sensor id, seq): a one-value stand-in
      // works.
      SensorEvent probe =
          SensorEvent.ofFloats(
              subjectId, sessionId, d.deviceId(), d.modality(), d.sensorId(), 0, seq, 1, 1, one);
      if (!faults.get().decide(probe).dropped()) {
        kept++;
      }
    }
    return kept;
  }

  /** One line for the plan's display data: who, when, how long, which faults and topics. */
  @Override
  public String toString() {
    return String.format(
        java.util.Locale.ROOT,
        "%s/%s from %s for %.3f s, windows of %.3f s, seed %d, fault injection %s, topics %s.*,"
            + " %d drivers",
        subjectId,
        sessionId,
        sessionStart(),
        durationNs / 1e9,
        windowNs / 1e9,
        seed,
        faultInjection ? "on" : "off",
        topicPrefix,
        drivers.size());
  }
}
