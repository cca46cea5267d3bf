package io.beamline.pipelines.constellation;

import io.beamline.framework.module.Port;
import io.beamline.io.failures.Failure;
import io.beamline.io.sensors.SensorEvent;
import java.util.List;
import org.apache.beam.sdk.values.TupleTag;

/**
 * The outputs every constellation source module has, so that either source feeds the same align and
 * outputs modules: the session's sensor events, and the records it rejected.
 */
final class SourcePorts {
  private SourcePorts() {}

  /** The session's sensor events (packets), in any order. */
  static final Port EVENTS = Port.of("events", SensorEvent.class);

  /** Records rejected while reading (malformed, or of another session). */
  static final Port FAILURES = Port.of("failures", Failure.class);

  static final TupleTag<SensorEvent> EVENTS_TAG = EVENTS.tag();
  static final TupleTag<Failure> FAILURES_TAG = FAILURES.tag();

  /** Both, in order. */
  static final List<Port> ALL = List.of(EVENTS, FAILURES);
}
