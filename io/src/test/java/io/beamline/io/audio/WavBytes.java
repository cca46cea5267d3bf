package io.beamline.io.audio;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/** Builds WAV files chunk by chunk, so tests can state every header byte by hand. */
final class WavBytes {
  private final ByteArrayOutputStream body = new ByteArrayOutputStream();
  private Integer riffSizeOverride;
  private String riffId = "RIFF";
  private String formId = "WAVE";

  WavBytes riffId(String id) {
    this.riffId = id;
    return this;
  }

  WavBytes formId(String id) {
    this.formId = id;
    return this;
  }

  WavBytes riffSize(int size) {
    this.riffSizeOverride = size;
    return this;
  }

  /** A chunk with its declared size equal to the payload size, padded when odd. */
  WavBytes chunk(String id, byte[] payload) {
    return chunk(id, payload.length, payload, true);
  }

  /** A chunk whose size field says {@code declared} whatever the payload is. */
  WavBytes chunk(String id, long declared, byte[] payload, boolean pad) {
    body.writeBytes(id.getBytes(StandardCharsets.US_ASCII));
    body.writeBytes(le32((int) declared));
    body.writeBytes(payload);
    if (pad && (payload.length & 1) == 1) {
      body.write(0);
    }
    return this;
  }

  /** A 16-byte PCM/float fmt payload. */
  static byte[] fmt(int tag, int channels, int rate, int blockAlign, int bits) {
    ByteBuffer b = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
    b.putShort((short) tag).putShort((short) channels).putInt(rate).putInt(rate * blockAlign);
    b.putShort((short) blockAlign).putShort((short) bits);
    return b.array();
  }

  /** A 40-byte WAVE_FORMAT_EXTENSIBLE payload with the given sub-format code and GUID suffix. */
  static byte[] fmtExtensible(
      int channels, int rate, int bits, int validBits, int subFormat, boolean ksSuffix) {
    int blockAlign = channels * bits / 8;
    ByteBuffer b = ByteBuffer.allocate(40).order(ByteOrder.LITTLE_ENDIAN);
    b.putShort((short) 0xFFFE).putShort((short) channels).putInt(rate).putInt(rate * blockAlign);
    b.putShort((short) blockAlign).putShort((short) bits);
    b.putShort((short) 22).putShort((short) validBits).putInt(0x3);
    b.putShort((short) subFormat);
    byte[] suffix =
        ksSuffix
            ? new byte[] {
              0, 0, 0, 0, 0x10, 0, (byte) 0x80, 0, 0, (byte) 0xAA, 0, 0x38, (byte) 0x9B, 0x71
            }
            : new byte[14];
    b.put(suffix);
    return b.array();
  }

  static byte[] le16(int... values) {
    ByteBuffer b = ByteBuffer.allocate(2 * values.length).order(ByteOrder.LITTLE_ENDIAN);
    for (int v : values) {
      b.putShort((short) v);
    }
    return b.array();
  }

  static byte[] le32(int... values) {
    ByteBuffer b = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
    for (int v : values) {
      b.putInt(v);
    }
    return b.array();
  }

  static byte[] bytes(int... values) {
    byte[] out = new byte[values.length];
    for (int i = 0; i < values.length; i++) {
      out[i] = (byte) values[i];
    }
    return out;
  }

  byte[] build() {
    byte[] b = body.toByteArray();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(riffId.getBytes(StandardCharsets.US_ASCII));
    out.writeBytes(le32(riffSizeOverride != null ? riffSizeOverride : 4 + b.length));
    out.writeBytes(formId.getBytes(StandardCharsets.US_ASCII));
    out.writeBytes(b);
    return out.toByteArray();
  }
}
