package io.beamline.pipelines.stream.process;

import java.util.List;

/** The workflow's Kafka topics (see the #12 contract). */
final class Topics {
  /** Lifecycle and {@code stf_gen} messages from the DAQ. */
  static final String DAQ = "swf.daq";

  /** What {@code process} did. */
  static final String PROCESSING = "swf.processing";

  /** Every agent's heartbeats. */
  static final String HEARTBEAT = "swf.heartbeat";

  /** Input records {@code process} could not decode, with the reason. */
  static final String DEADLETTER = "swf.deadletter";

  /** All of them, created at start where missing. */
  static final List<String> ALL = List.of(DAQ, PROCESSING, HEARTBEAT, DEADLETTER);

  private Topics() {}
}
