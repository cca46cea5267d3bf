package io.beamline.pipelines.stream.process;

import java.io.Serializable;
import java.util.List;

/**
 * Records to send to one topic under one key, in order, and the input record they complete (null
 * when they complete none, e.g. a histogram): the input is acknowledged only once all of them are
 * sent, so an STF's TF-file, slice and {@code stf_processed} messages go out together or are sent
 * again after a restart.
 *
 * @param topic the topic
 * @param key the record key (a run id, or a dead letter's source key; null for none)
 * @param values the JSON values
 * @param ack the input record acknowledged once every value is sent, or null
 * @param answers the STF whose {@code stf_processed} is among the values (passed on once they are
 *     sent), or null
 */
record Outbound(String topic, String key, List<String> values, Ack ack, StfAnswered answers)
    implements Serializable {
  private static final long serialVersionUID = 1L;

  Outbound {
    values = List.copyOf(values);
  }

  /** Records that answer no STF. */
  Outbound(String topic, String key, List<String> values, Ack ack) {
    this(topic, key, values, ack, null);
  }

  /** One record. */
  static Outbound of(String topic, String key, String value, Ack ack) {
    return new Outbound(topic, key, List.of(value), ack);
  }
}
