package io.beamline.io.audio;

import io.beamline.io.files.AtomicFiles;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * Writes {@link Audio} as a RIFF/WAVE file.
 *
 * <p>Header layout: integer PCM follows Microsoft's rule, a plain {@code WAVE_FORMAT_PCM} {@code
 * fmt } chunk for mono/stereo of at most 16 bits and {@code WAVE_FORMAT_EXTENSIBLE} with a channel
 * mask for more channels or bits. Float files always use the plain {@code WAVE_FORMAT_IEEE_FLOAT}
 * tag with an 18-byte {@code fmt } chunk and a {@code fact} chunk (what SoX writes and reads
 * without warnings). Recommended encodings are {@link WavEncoding#PCM_16}, {@link
 * WavEncoding#PCM_24} and {@link WavEncoding#FLOAT_32}; the others are written too.
 *
 * <p>Integer quantisation multiplies by {@code 2^(bits-1)}, rounds to nearest and clamps to the
 * code range, so every value the reader produces from an integer file is written back bit-exactly
 * and {@code 1.0} becomes the largest code. Float encodings store values unchanged.
 *
 * <pre>{@code
 * WavWriter.write(dir.resolve("chunk.wav"), audio, WavEncoding.PCM_16);
 * }</pre>
 */
public final class WavWriter {
  private static final int BLOCK_FRAMES = 1 << 14;

  private WavWriter() {}

  /**
   * Writes {@code audio} to {@code target} atomically: a temporary sibling is written, flushed and
   * renamed, so {@code target} never holds a partial file. Parent directories are created.
   */
  public static void write(Path target, Audio audio, WavEncoding encoding) throws IOException {
    AtomicFiles.write(target, out -> write(out, audio, encoding));
  }

  /** Writes the whole file to {@code out} (not closed). */
  public static void write(OutputStream out, Audio audio, WavEncoding encoding) throws IOException {
    int channels = audio.channels();
    int frames = audio.frames();
    int blockAlign = channels * encoding.bytes();
    long dataBytes = (long) frames * blockAlign;
    // Float files always use the plain IEEE_FLOAT tag, as SoX does: SoX warns about the
    // extensible float layout, and every reader that knows float knows tag 3.
    boolean extensible = !encoding.isFloat() && (channels > 2 || encoding.bits() > 16);
    int fmtSize = extensible ? 40 : encoding.isFloat() ? 18 : 16;
    boolean fact = encoding.isFloat();
    long riffSize = 4 + (8 + fmtSize) + (fact ? 12 : 0) + 8 + dataBytes + (dataBytes & 1);
    if (riffSize > 0xFFFFFFFFL) {
      throw new IllegalArgumentException(
          "WavWriter: "
              + dataBytes
              + " bytes of samples exceed the 4 GiB RIFF limit; write"
              + " shorter files");
    }

    ByteBuffer h = ByteBuffer.allocate(12 + 8 + fmtSize + (fact ? 12 : 0) + 8);
    h.order(ByteOrder.LITTLE_ENDIAN);
    h.put(ascii("RIFF")).putInt((int) riffSize).put(ascii("WAVE"));
    h.put(ascii("fmt ")).putInt(fmtSize);
    int tag = encoding.isFloat() ? WavReader.FORMAT_IEEE_FLOAT : WavReader.FORMAT_PCM;
    h.putShort((short) (extensible ? WavReader.FORMAT_EXTENSIBLE : tag));
    h.putShort((short) channels);
    h.putInt(audio.sampleRate());
    h.putInt(audio.sampleRate() * blockAlign);
    h.putShort((short) blockAlign);
    h.putShort((short) encoding.bits());
    if (extensible) {
      h.putShort((short) 22);
      h.putShort((short) encoding.bits()); // valid bits
      h.putInt(channelMask(channels));
      // KSDATAFORMAT_SUBTYPE_PCM / _IEEE_FLOAT: the format code then a fixed 14-byte suffix.
      h.putShort((short) tag);
      h.put(WavEncoding.extensibleGuidSuffix());
    } else if (encoding.isFloat()) {
      h.putShort((short) 0); // cbSize
    }
    if (fact) {
      h.put(ascii("fact")).putInt(4).putInt(frames);
    }
    h.put(ascii("data")).putInt((int) dataBytes);
    out.write(h.array(), 0, h.position());

    ByteBuffer buf =
        ByteBuffer.allocate(Math.min(frames, BLOCK_FRAMES) * blockAlign + 1)
            .order(ByteOrder.LITTLE_ENDIAN);
    for (int start = 0; start < frames; start += BLOCK_FRAMES) {
      buf.clear();
      int end = Math.min(frames, start + BLOCK_FRAMES);
      for (int i = start; i < end; i++) {
        for (int c = 0; c < channels; c++) {
          put(buf, encoding, audio.sample(c, i));
        }
      }
      out.write(buf.array(), 0, buf.position());
    }
    if ((dataBytes & 1) == 1) {
      out.write(0); // pad byte after an odd-sized chunk
    }
  }

  /** The file as bytes (for tests and small clips). */
  public static byte[] toBytes(Audio audio, WavEncoding encoding) {
    var bytes = new java.io.ByteArrayOutputStream();
    try {
      write(bytes, audio, encoding);
    } catch (IOException e) {
      throw new IllegalStateException("in-memory write failed", e);
    }
    return bytes.toByteArray();
  }

  private static void put(ByteBuffer buf, WavEncoding enc, float v) {
    switch (enc) {
      case PCM_8 -> buf.put((byte) (quantise(v, 8) + 128));
      case PCM_16 -> buf.putShort((short) quantise(v, 16));
      case PCM_24 -> {
        int q = (int) quantise(v, 24);
        buf.put((byte) q).put((byte) (q >> 8)).put((byte) (q >> 16));
      }
      case PCM_32 -> buf.putInt((int) quantise(v, 32));
      case FLOAT_32 -> buf.putFloat(v);
      case FLOAT_64 -> buf.putDouble(v);
      default -> throw new IllegalStateException("unhandled encoding " + enc);
    }
  }

  /** Rounds {@code v * 2^(bits-1)} to the nearest code and clamps it to the code range. */
  static long quantise(float v, int bits) {
    double full = Math.scalb(1.0, bits - 1);
    long q = Math.round(v * full);
    return Math.max((long) -full, Math.min((long) full - 1, q));
  }

  private static int channelMask(int channels) {
    if (channels == 1) {
      return 0x4; // front centre
    }
    // Speaker positions in their standard order; beyond 18 there are no defined positions.
    return channels <= 18 ? (1 << channels) - 1 : 0;
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }
}
