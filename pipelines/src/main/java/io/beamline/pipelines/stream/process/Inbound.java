package io.beamline.pipelines.stream.process;

import io.beamline.io.swf.WorkflowMessage;
import java.io.Serializable;

/**
 * A decoded message of this namespace and the record it came from.
 *
 * @param message the message
 * @param ack the record, acknowledged once the message's effects are durable
 */
record Inbound(WorkflowMessage message, Ack ack) implements Serializable {
  private static final long serialVersionUID = 1L;
}
