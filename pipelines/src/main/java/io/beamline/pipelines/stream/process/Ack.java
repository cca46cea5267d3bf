package io.beamline.pipelines.stream.process;

import java.io.Serializable;

/**
 * One input record whose effects are durable: the {@code commit-offsets} stage moves the consumer
 * group's offset over it once every earlier record of its partition is acknowledged too.
 *
 * @param topic the record's topic
 * @param partition its partition
 * @param offset its offset
 */
record Ack(String topic, int partition, long offset) implements Serializable {
  private static final long serialVersionUID = 1L;

  /** {@code topic/partition}, the key offsets are tracked under. */
  String partitionKey() {
    return topic + "/" + partition;
  }

  @Override
  public String toString() {
    return topic + "/" + partition + "@" + offset;
  }
}
