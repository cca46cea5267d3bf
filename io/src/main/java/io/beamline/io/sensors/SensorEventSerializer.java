package io.beamline.io.sensors;

import org.apache.kafka.common.serialization.Serializer;

/**
 * Kafka value serializer for {@link SensorEvent} ({@link SensorEventCodec}); {@code null} stays
 * {@code null} (a tombstone).
 */
public final class SensorEventSerializer implements Serializer<SensorEvent> {
  /** Public no-argument constructor, as Kafka instantiates serializers by class name. */
  public SensorEventSerializer() {}

  @Override
  public byte[] serialize(String topic, SensorEvent event) {
    return event == null ? null : SensorEventCodec.encode(event);
  }
}
