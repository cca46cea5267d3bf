package io.beamline.io.sensors;

import java.io.Serializable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;

/**
 * A sensor device: what it measures and a seeded stream of its samples, batched into {@link
 * SensorEvent}s. A new device (for example an LSL outlet) is one class: usually extending {@link
 * AbstractSensorDriver} (name, modality, unit, sensor id, rate) and supplying its channels and
 * {@link SignalGenerator}; batching, timestamps and sequence numbers come from the default methods.
 *
 * <pre>{@code
 * SensorDriver eeg = new EegDriver("eeg01");
 * Iterator<SensorEvent> it =
 *     eeg.events(new SessionIds("S01", "A"), 42L, startNs, Duration.ofSeconds(10), 25);
 * }</pre>
 */
public interface SensorDriver extends Serializable {
  /** Payload type of a driver's samples. */
  enum Payload {
    /** float32 values in {@link SensorEvent#samples()}. */
    FLOAT32,
    /** uint8 values in {@link SensorEvent#bytes()}. */
    UINT8
  }

  /** Human-readable device model, e.g. {@code "synthetic-eeg"}. */
  String name();

  /** Modality id, e.g. {@code eeg}; Kafka topic characters without dots. */
  String modality();

  /** Sensor id, e.g. {@code eeg01}; Kafka topic characters without dots. */
  String sensorId();

  /** Device id stamped on events; default {@code name()/sensorId()}. */
  default String deviceId() {
    return name() + "/" + sensorId();
  }

  /** Nominal sampling rate in Hz. */
  double sampleRate();

  /** Values per sample (for video, height x width x 3). */
  int channels();

  /** Unit of the sample values, e.g. {@code uV}, {@code mV}, {@code uS}. */
  String unit();

  /** One name per channel; default {@code ch0..ch<n-1>}. */
  default List<String> channelNames() {
    List<String> names = new ArrayList<>(channels());
    for (int c = 0; c < channels(); c++) {
      names.add("ch" + c);
    }
    return names;
  }

  /** Payload type; default {@link Payload#FLOAT32}. */
  default Payload payload() {
    return Payload.FLOAT32;
  }

  /** Metadata put on every event (e.g. frame geometry); default none. */
  default Map<String, String> meta() {
    return Map.of();
  }

  /** A fresh sample stream; the same seed always gives the same samples. */
  SignalGenerator generator(long seed);

  /**
   * The events covering {@code duration} from {@code startNs}: {@link SampleClock#samplesIn}
   * samples in events of {@code samplesPerEvent} (the last may be shorter), {@code seq} from 0,
   * each stamped with its first sample's {@link SampleClock#timestampNs}.
   *
   * @param samplesPerEvent at least 1
   */
  default Iterator<SensorEvent> events(
      SessionIds session, long seed, long startNs, Duration duration, int samplesPerEvent) {
    if (duration == null || duration.isNegative()) {
      throw new IllegalArgumentException("duration must be >= 0, got " + duration);
    }
    return new DriverEvents(
        this,
        session,
        seed,
        startNs,
        SampleClock.samplesIn(duration, sampleRate()),
        samplesPerEvent);
  }

  /**
   * Like {@link #events} but never ends. Events come as fast as they are pulled; a live source
   * paces itself by sleeping until each event's timestamp.
   */
  default Iterator<SensorEvent> unboundedEvents(
      SessionIds session, long seed, long startNs, int samplesPerEvent) {
    return new DriverEvents(this, session, seed, startNs, Long.MAX_VALUE, samplesPerEvent);
  }

  /** Iterator behind {@link #events} and {@link #unboundedEvents}. */
  final class DriverEvents implements Iterator<SensorEvent> {
    private final SensorDriver driver;
    private final SessionIds session;
    private final SignalGenerator generator;
    private final long startNs;
    private final long totalSamples;
    private final int samplesPerEvent;
    private final String modality;
    private final String sensorId;
    private final String deviceId;
    private final Map<String, String> meta;
    private long nextSample;
    private long seq;

    DriverEvents(
        SensorDriver driver,
        SessionIds session,
        long seed,
        long startNs,
        long totalSamples,
        int samplesPerEvent) {
      if (samplesPerEvent < 1) {
        throw new IllegalArgumentException("samplesPerEvent must be >= 1, got " + samplesPerEvent);
      }
      this.driver = driver;
      this.session = java.util.Objects.requireNonNull(session, "session");
      this.generator = driver.generator(seed);
      this.startNs = startNs;
      this.totalSamples = totalSamples;
      this.samplesPerEvent = samplesPerEvent;
      this.modality = Topics.checkPart("modality", driver.modality(), false);
      this.sensorId = Topics.checkPart("sensorId", driver.sensorId(), false);
      this.deviceId = driver.deviceId();
      this.meta = driver.meta();
    }

    @Override
    public boolean hasNext() {
      return nextSample < totalSamples;
    }

    @Override
    public SensorEvent next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      int n = (int) Math.min(samplesPerEvent, totalSamples - nextSample);
      int channels = driver.channels();
      float[] floats = null;
      byte[] bytes = null;
      if (driver.payload() == Payload.UINT8) {
        bytes = new byte[n * channels];
        generator.next(bytes, 0, n);
      } else {
        floats = new float[n * channels];
        generator.next(floats, 0, n);
      }
      SensorEvent e =
          new SensorEvent(
              session.subjectId(),
              session.sessionId(),
              deviceId,
              modality,
              sensorId,
              SampleClock.timestampNs(startNs, nextSample, driver.sampleRate()),
              seq++,
              driver.sampleRate(),
              channels,
              floats,
              bytes,
              meta);
      nextSample += n;
      return e;
    }
  }
}
