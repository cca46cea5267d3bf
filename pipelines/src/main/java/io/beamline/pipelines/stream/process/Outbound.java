package io.beamline.pipelines.stream.process;

import java.io.Serializable;

/**
 * A record to send: topic, key, JSON value, and the input record it completes (null when it
 * completes none, e.g. a fast-monitoring message).
 *
 * @param topic the topic
 * @param key the record key (a run id, or a dead letter's source key)
 * @param value the JSON value
 * @param ack the input record acknowledged once this record is sent, or null
 */
record Outbound(String topic, String key, String value, Ack ack) implements Serializable {
  private static final long serialVersionUID = 1L;
}
