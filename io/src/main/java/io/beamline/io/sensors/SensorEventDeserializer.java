package io.beamline.io.sensors;

import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Kafka value deserializer for {@link SensorEvent} ({@link SensorEventCodec}). Malformed bytes
 * raise Kafka's {@link SerializationException} naming the topic; {@code null} stays {@code null}.
 */
public final class SensorEventDeserializer implements Deserializer<SensorEvent> {
  /** Public no-argument constructor, as Kafka instantiates deserializers by class name. */
  public SensorEventDeserializer() {}

  @Override
  public SensorEvent deserialize(String topic, byte[] data) {
    if (data == null) {
      return null;
    }
    try {
      return SensorEventCodec.decode(data);
    } catch (SensorEventFormatException e) {
      throw new SerializationException("topic " + topic + ": " + e.getMessage(), e);
    }
  }
}
