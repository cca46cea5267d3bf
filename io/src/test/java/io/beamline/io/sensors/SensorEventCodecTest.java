package io.beamline.io.sensors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.Map;
import org.apache.beam.sdk.testing.CoderProperties;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

class SensorEventCodecTest {
  private static SensorEvent floats() {
    return new SensorEvent(
        "S01",
        "sessA",
        "synthetic-eeg/eeg01",
        "eeg",
        "eeg01",
        1_700_000_000_123_456_789L,
        42,
        250,
        2,
        new float[] {1.5f, -2.25f, Float.NaN, 3e-7f, 0f, -0f},
        null,
        Map.of("b", "2", "a", "ü"));
  }

  private static SensorEvent frames() {
    byte[] b = new byte[2 * 12];
    for (int i = 0; i < b.length; i++) {
      b[i] = (byte) (i * 37);
    }
    return new SensorEvent(
        "S01", "sessA", "cam", "video", "video01", 5, 0, 30, 12, null, b, Map.of());
  }

  @Test
  void roundTripsFloatAndBytePayloads() {
    for (SensorEvent e : new SensorEvent[] {floats(), frames()}) {
      byte[] bytes = SensorEventCodec.encode(e);
      SensorEvent back = SensorEventCodec.decode(bytes);
      assertEquals(e, back);
      assertArrayEquals(bytes, SensorEventCodec.encode(back));
    }
    assertEquals(3, floats().sampleCount());
    assertEquals(2, frames().sampleCount());
  }

  @Test
  void headerLayoutIsVersionOneBigEndian() {
    byte[] bytes = SensorEventCodec.encode(floats());
    assertEquals((byte) 0xBE, bytes[0]);
    assertEquals((byte) 0x5E, bytes[1]);
    assertEquals(1, bytes[2]);
    assertEquals(0, bytes[3]);
    assertEquals(1, SensorEventCodec.encode(frames())[3]);
    // header 4 + strings (5 x 2 + 3 + 5 + 19 + 3 + 5) + 8 + 8 + 8 + 4 + 4 + payload 24 + meta
    int meta = 2 + (2 + 1 + 2 + 2) + (2 + 1 + 2 + 1);
    assertEquals(4 + 10 + 35 + 32 + 24 + meta, bytes.length);
  }

  @Test
  void rejectsMalformedBytesWithOneLine() {
    byte[] good = SensorEventCodec.encode(floats());
    byte[] badMagic = good.clone();
    badMagic[0] = 0;
    assertEquals(
        "not a sensor event: magic 0x005E, expected 0xBE5E",
        assertThrows(SensorEventFormatException.class, () -> SensorEventCodec.decode(badMagic))
            .getMessage());
    byte[] badVersion = good.clone();
    badVersion[2] = 9;
    assertEquals(
        "sensor event version 9 is not supported (this reader knows 1)",
        assertThrows(SensorEventFormatException.class, () -> SensorEventCodec.decode(badVersion))
            .getMessage());
    for (int cut : new int[] {0, 3, 20, 60, good.length - 1}) {
      byte[] truncated = Arrays.copyOf(good, cut);
      SensorEventFormatException e =
          assertThrows(SensorEventFormatException.class, () -> SensorEventCodec.decode(truncated));
      assertEquals(-1, e.getMessage().indexOf('\n'));
    }
    byte[] trailing = Arrays.copyOf(good, good.length + 1);
    assertThrows(SensorEventFormatException.class, () -> SensorEventCodec.decode(trailing));
  }

  @Test
  void kafkaSerdeRoundTripsAndWrapsErrors() {
    try (var ser = new SensorEventSerializer();
        var de = new SensorEventDeserializer()) {
      assertEquals(
          floats(), de.deserialize("raw.eeg.eeg01", ser.serialize("raw.eeg.eeg01", floats())));
      assertNull(ser.serialize("t", null));
      assertNull(de.deserialize("t", null));
      SerializationException e =
          assertThrows(
              SerializationException.class, () -> de.deserialize("raw.x.y", new byte[] {1}));
      assertEquals(
          "topic raw.x.y: sensor event truncated: 1 bytes end inside the header or metadata",
          e.getMessage());
    }
  }

  @Test
  void beamCoderIsDeterministicAndRoundTrips() throws Exception {
    CoderProperties.coderDecodeEncodeEqual(SensorEventCoder.of(), floats());
    CoderProperties.coderDecodeEncodeEqual(SensorEventCoder.of(), frames());
    CoderProperties.coderDeterministic(SensorEventCoder.of(), floats(), floats());
    CoderProperties.coderSerializable(SensorEventCoder.of());
  }

  @Test
  void eventValidatesItsPayload() {
    assertThrows(
        IllegalArgumentException.class,
        () -> SensorEvent.ofFloats("s", "x", "d", "eeg", "eeg01", 0, 0, 250, 3, new float[4]));
    assertThrows(
        IllegalArgumentException.class,
        () -> SensorEvent.ofFloats("s", "x", "d", "eeg", "eeg01", 0, 0, 250, 1, new float[0]));
    assertThrows(
        IllegalArgumentException.class,
        () ->
            new SensorEvent(
                "s", "x", "d", "v", "v1", 0, 0, 30, 1, new float[1], new byte[1], Map.of()));
    assertThrows(
        IllegalArgumentException.class,
        () -> SensorEvent.ofFloats("s", "x", "d", "eeg", "eeg01", 0, 0, 0, 1, new float[1]));
  }
}
