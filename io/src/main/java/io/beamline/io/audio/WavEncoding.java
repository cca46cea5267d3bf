package io.beamline.io.audio;

/**
 * How one sample is stored in a WAV {@code data} chunk.
 *
 * <p>Integer samples map to floats by dividing by {@code 2^(bits-1)} (8-bit PCM is unsigned with an
 * offset of 128, as the WAV format requires), so the most negative code maps to exactly {@code
 * -1.0} and the largest to {@code 1 - 2^-(bits-1)}. Float samples are passed through unchanged.
 */
public enum WavEncoding {
  /** Unsigned 8-bit integer PCM (offset 128). */
  PCM_8(8, false),
  /** Signed 16-bit little-endian integer PCM. */
  PCM_16(16, false),
  /** Signed 24-bit little-endian integer PCM (3 bytes per sample). */
  PCM_24(24, false),
  /** Signed 32-bit little-endian integer PCM. */
  PCM_32(32, false),
  /** IEEE 754 32-bit float, little-endian. */
  FLOAT_32(32, true),
  /** IEEE 754 64-bit float, little-endian. */
  FLOAT_64(64, true);

  private final int bits;
  private final boolean floatingPoint;

  WavEncoding(int bits, boolean floatingPoint) {
    this.bits = bits;
    this.floatingPoint = floatingPoint;
  }

  /** Bits per stored sample (the container size: 8, 16, 24, 32 or 64). */
  public int bits() {
    return bits;
  }

  /** Bytes per stored sample. */
  public int bytes() {
    return bits / 8;
  }

  /** True for IEEE float encodings. */
  public boolean isFloat() {
    return floatingPoint;
  }

  /** The encoding for a container size and kind, or {@code null} if there is none. */
  static WavEncoding of(int containerBits, boolean isFloat) {
    for (WavEncoding e : values()) {
      if (e.bits == containerBits && e.floatingPoint == isFloat) {
        return e;
      }
    }
    return null;
  }

  /**
   * The 14 bytes that follow the 2-byte format code in a WAVE_FORMAT_EXTENSIBLE sub-format GUID
   * (KSDATAFORMAT_SUBTYPE_PCM / _IEEE_FLOAT share them). A fresh copy on each call.
   */
  static byte[] extensibleGuidSuffix() {
    return new byte[] {
      0x00,
      0x00,
      0x00,
      0x00,
      0x10,
      0x00,
      (byte) 0x80,
      0x00,
      0x00,
      (byte) 0xAA,
      0x00,
      0x38,
      (byte) 0x9B,
      0x71
    };
  }
}
