package io.beamline.io.sensors;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Compact, versioned binary encoding of a {@link SensorEvent} (the Kafka record value).
 *
 * <p>Layout, version 1, all integers and floats big-endian:
 *
 * <pre>
 * magic 0xBE 0x5E | version u8 = 1 | flags u8 (bit 0: uint8 payload)
 * subjectId, sessionId, deviceId, modality, sensorId: each u16 byte length + UTF-8
 * timestampNs i64 | seq i64 | sampleRate f64 | channels i32 | valueCount i32
 * payload: valueCount float32 (flags bit 0 clear) or valueCount uint8 (set)
 * meta: u16 entry count, then key and value as u16 length + UTF-8, sorted by key
 * </pre>
 *
 * An EEG event of 25 samples x 32 channels is 3,200 payload bytes plus about 50 bytes of header.
 * {@link #decode} rejects anything malformed with a {@link SensorEventFormatException}.
 */
public final class SensorEventCodec {
  /** First two bytes of every encoded event. */
  static final int MAGIC = 0xBE5E;

  /** The version {@link #encode} writes and the only one {@link #decode} reads. */
  public static final int VERSION = 1;

  private static final int FLAG_BYTES = 1;
  private static final int MAX_STRING = 0xFFFF;

  private SensorEventCodec() {}

  /** Encodes {@code e}; fails if a string or the metadata exceeds 65,535 bytes or entries. */
  public static byte[] encode(SensorEvent e) {
    byte[][] strings = {
      utf8(e.subjectId(), "subjectId"),
      utf8(e.sessionId(), "sessionId"),
      utf8(e.deviceId(), "deviceId"),
      utf8(e.modality(), "modality"),
      utf8(e.sensorId(), "sensorId")
    };
    if (e.meta().size() > MAX_STRING) {
      throw new IllegalArgumentException("meta has " + e.meta().size() + " entries, max 65535");
    }
    byte[][] meta = new byte[e.meta().size() * 2][];
    int i = 0;
    for (Map.Entry<String, String> m : e.meta().entrySet()) {
      meta[i++] = utf8(m.getKey(), "meta key");
      meta[i++] = utf8(m.getValue(), "meta value '" + m.getKey() + "'");
    }
    boolean isBytes = e.isBytePayload();
    int values = isBytes ? e.bytes().length : e.samples().length;
    long size = 4 + 8 + 8 + 8 + 4 + 4 + 2 + (long) values * (isBytes ? 1 : 4);
    for (byte[] s : strings) {
      size += 2 + s.length;
    }
    for (byte[] s : meta) {
      size += 2 + s.length;
    }
    if (size > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException("event too large to encode: " + size + " bytes");
    }
    ByteBuffer out = ByteBuffer.allocate((int) size);
    out.putShort((short) MAGIC).put((byte) VERSION).put((byte) (isBytes ? FLAG_BYTES : 0));
    for (byte[] s : strings) {
      putString(out, s);
    }
    out.putLong(e.timestampNs()).putLong(e.seq()).putDouble(e.sampleRate());
    out.putInt(e.channels()).putInt(values);
    if (isBytes) {
      out.put(e.bytes());
    } else {
      out.asFloatBuffer().put(e.samples());
      out.position(out.position() + values * 4);
    }
    out.putShort((short) e.meta().size());
    for (byte[] s : meta) {
      putString(out, s);
    }
    return out.array();
  }

  /**
   * Decodes bytes written by {@link #encode}.
   *
   * @throws SensorEventFormatException if the bytes are not a complete version-1 event
   */
  public static SensorEvent decode(byte[] data) {
    if (data == null) {
      throw new SensorEventFormatException("sensor event is null");
    }
    ByteBuffer in = ByteBuffer.wrap(data);
    try {
      int magic = in.getShort() & 0xFFFF;
      if (magic != MAGIC) {
        throw new SensorEventFormatException(
            String.format("not a sensor event: magic 0x%04X, expected 0x%04X", magic, MAGIC));
      }
      int version = in.get() & 0xFF;
      if (version != VERSION) {
        throw new SensorEventFormatException(
            "sensor event version "
                + version
                + " is not supported (this reader knows "
                + VERSION
                + ")");
      }
      int flags = in.get() & 0xFF;
      if ((flags & ~FLAG_BYTES) != 0) {
        throw new SensorEventFormatException("sensor event has unknown flags " + flags);
      }
      String subject = getString(in);
      String session = getString(in);
      String device = getString(in);
      String modality = getString(in);
      String sensor = getString(in);
      long timestampNs = in.getLong();
      long seq = in.getLong();
      double rate = in.getDouble();
      int channels = in.getInt();
      int values = in.getInt();
      boolean isBytes = (flags & FLAG_BYTES) != 0;
      long payloadBytes = (long) values * (isBytes ? 1 : 4);
      if (values < 0 || payloadBytes > in.remaining()) {
        throw new SensorEventFormatException(
            "sensor event truncated: payload of "
                + values
                + " values, "
                + in.remaining()
                + " bytes left");
      }
      float[] floats = null;
      byte[] bytes = null;
      if (isBytes) {
        bytes = new byte[values];
        in.get(bytes);
      } else {
        floats = new float[values];
        in.asFloatBuffer().get(floats);
        in.position(in.position() + values * 4);
      }
      int metaCount = in.getShort() & 0xFFFF;
      Map<String, String> meta = new LinkedHashMap<>();
      for (int i = 0; i < metaCount; i++) {
        meta.put(getString(in), getString(in));
      }
      if (in.hasRemaining()) {
        throw new SensorEventFormatException(
            "sensor event has " + in.remaining() + " unexpected trailing bytes");
      }
      return new SensorEvent(
          subject,
          session,
          device,
          modality,
          sensor,
          timestampNs,
          seq,
          rate,
          channels,
          floats,
          bytes,
          meta);
    } catch (BufferUnderflowException e) {
      throw new SensorEventFormatException(
          "sensor event truncated: " + data.length + " bytes end inside the header or metadata");
    } catch (IllegalArgumentException e) {
      if (e instanceof SensorEventFormatException) {
        throw e;
      }
      throw new SensorEventFormatException("invalid sensor event: " + e.getMessage());
    }
  }

  private static byte[] utf8(String s, String what) {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    if (b.length > MAX_STRING) {
      throw new IllegalArgumentException(what + " is " + b.length + " UTF-8 bytes, max 65535");
    }
    return b;
  }

  private static void putString(ByteBuffer out, byte[] s) {
    out.putShort((short) s.length).put(s);
  }

  private static String getString(ByteBuffer in) {
    int n = in.getShort() & 0xFFFF;
    if (n > in.remaining()) {
      throw new SensorEventFormatException(
          "sensor event truncated: string of " + n + " bytes, " + in.remaining() + " left");
    }
    String s = new String(in.array(), in.arrayOffset() + in.position(), n, StandardCharsets.UTF_8);
    in.position(in.position() + n);
    return s;
  }
}
