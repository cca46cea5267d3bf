package io.beamline.pipelines.constellation;

import io.beamline.framework.module.Module;
import io.beamline.framework.module.Port;
import io.beamline.io.failures.Failure;
import io.beamline.io.sensors.SensorEvent;
import io.beamline.io.sensors.SensorEventCoder;
import java.util.List;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTag;

/**
 * A source of a constellation graph ({@link DriverSource}, {@link KafkaSource}): whichever it is,
 * it has the same two outputs, so that either feeds the same align and outputs modules.
 *
 * @param <C> the source's config record
 */
abstract class SessionSource<C extends Record> extends Module<C, PBegin, PCollectionTuple> {
  private static final long serialVersionUID = 1L;

  /** The session's sensor events (packets), in any order. */
  static final Port EVENTS = Port.of("events", SensorEvent.class);

  /** Records rejected while reading (malformed, or of another session). */
  static final Port FAILURES = Port.of("failures", Failure.class);

  static final TupleTag<SensorEvent> EVENTS_TAG = EVENTS.tag();
  static final TupleTag<Failure> FAILURES_TAG = FAILURES.tag();

  SessionSource(String name, C config) {
    super(name, config);
  }

  @Override
  public final List<Port> inputs() {
    return List.of();
  }

  @Override
  public final List<Port> outputs() {
    return List.of(EVENTS, FAILURES);
  }

  @Override
  public final PCollectionTuple expand(PBegin begin) {
    PCollectionTuple out = read(begin);
    out.get(EVENTS_TAG).setCoder(SensorEventCoder.of());
    out.get(FAILURES_TAG).setCoder(SerializableCoder.of(Failure.class));
    return out;
  }

  /** The events ({@link #EVENTS_TAG}) and rejected records ({@link #FAILURES_TAG}). */
  abstract PCollectionTuple read(PBegin begin);
}
