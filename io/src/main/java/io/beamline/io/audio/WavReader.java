package io.beamline.io.audio;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Reads RIFF/WAVE files: PCM 8/16/24/32-bit integer, IEEE float 32/64, and {@code
 * WAVE_FORMAT_EXTENSIBLE} with either sub-format, any channel count and sample rate.
 *
 * <p>Chunks other than {@code fmt } and {@code data} (LIST, fact, bext, cue, ...) are skipped,
 * honouring the pad byte after odd-sized chunks. The RIFF size field is not trusted (many writers
 * get it wrong); the real file size is used instead. Only the header is read until samples are
 * asked for, and {@link #read(SeekableByteChannel, String, long, int)} seeks straight to the frame
 * range, so a 3-second chunk of a 10-hour recording costs 3 seconds of I/O.
 *
 * <pre>{@code
 * WavHeader h = WavReader.readHeader(path);
 * Audio chunk = WavReader.read(path, 28_000L * 60, 3 * 28_000); // minute 1, 3 s
 * }</pre>
 *
 * <p>Problems with the file itself raise {@link WavFormatException} with a one-line message; I/O
 * failures raise other {@link IOException}s; a frame range outside the file is an {@link
 * IllegalArgumentException}.
 */
public final class WavReader {
  static final int FORMAT_PCM = 0x0001;
  static final int FORMAT_IEEE_FLOAT = 0x0003;
  static final int FORMAT_EXTENSIBLE = 0xFFFE;

  /** Decode in blocks of this many bytes so that huge ranges need no huge byte buffer. */
  private static final int BLOCK_BYTES = 1 << 20;

  private WavReader() {}

  /** Reads only the header of {@code path}. */
  public static WavHeader readHeader(Path path) throws IOException {
    try (SeekableByteChannel ch = Files.newByteChannel(path, StandardOpenOption.READ)) {
      return readHeader(ch, name(path));
    }
  }

  /** Reads and decodes the whole of {@code path}. */
  public static Audio read(Path path) throws IOException {
    try (SeekableByteChannel ch = Files.newByteChannel(path, StandardOpenOption.READ)) {
      WavHeader h = readHeader(ch, name(path));
      if (h.frames() > Integer.MAX_VALUE) {
        throw new IllegalArgumentException(
            "WAV "
                + h.fileName()
                + " has "
                + h.frames()
                + " frames, more than one array holds;"
                + " read it in ranges with read(path, startFrame, frameCount)");
      }
      return decode(ch, h, 0, (int) h.frames());
    }
  }

  /**
   * Decodes {@code frameCount} frames starting at {@code startFrame} of {@code path}, seeking past
   * the rest.
   *
   * @param startFrame first frame, in {@code [0, frames]}
   * @param frameCount number of frames, {@code >= 0}, with {@code startFrame + frameCount <=
   *     frames}
   */
  public static Audio read(Path path, long startFrame, int frameCount) throws IOException {
    try (SeekableByteChannel ch = Files.newByteChannel(path, StandardOpenOption.READ)) {
      return read(ch, name(path), startFrame, frameCount);
    }
  }

  /**
   * Like {@link #read(Path, long, int)} over any seekable channel (for example Beam's {@code
   * ReadableFile.openSeekable()}); {@code fileName} is used in messages. The channel is not closed.
   */
  public static Audio read(SeekableByteChannel ch, String fileName, long startFrame, int frameCount)
      throws IOException {
    WavHeader h = readHeader(ch, fileName);
    return decode(ch, h, startFrame, frameCount);
  }

  /**
   * Reads the header from the start of {@code ch}; {@code fileName} is used in messages. The
   * channel's position is changed; it is not closed.
   */
  public static WavHeader readHeader(SeekableByteChannel ch, String fileName) throws IOException {
    long size = ch.size();
    ch.position(0);
    if (size < 12) {
      throw new WavFormatException(
          "not a WAV file "
              + fileName
              + ": only "
              + size
              + " bytes, a RIFF/WAVE header needs 12; check the file is complete audio");
    }
    ByteBuffer riff = readFully(ch, 12, fileName);
    String riffId = fourCc(riff, 0);
    String waveId = fourCc(riff, 8);
    if (!riffId.equals("RIFF")) {
      String hint =
          riffId.equals("RF64") || riffId.equals("RIFX")
              ? riffId + " WAV files are not supported; convert with sox to a plain RIFF WAV"
              : "check that it is a WAV file (e.g. not FLAC or MP3 renamed)";
      throw new WavFormatException(
          "not a WAV file "
              + fileName
              + ": starts with '"
              + riffId
              + "' instead of 'RIFF'; "
              + hint);
    }
    if (!waveId.equals("WAVE")) {
      throw new WavFormatException(
          "not a WAV file "
              + fileName
              + ": RIFF form type is '"
              + waveId
              + "' instead of 'WAVE'; check that it is a WAV file (e.g. not AVI)");
    }

    ByteBuffer fmt = null;
    long dataOffset = -1;
    long dataSize = -1;
    long pos = 12;
    while (pos + 8 <= size && (fmt == null || dataOffset < 0)) {
      ch.position(pos);
      ByteBuffer head = readFully(ch, 8, fileName);
      String id = fourCc(head, 0);
      long chunkSize = Integer.toUnsignedLong(head.getInt(4));
      long remaining = size - pos - 8;
      if (chunkSize > remaining) {
        throw new WavFormatException(
            "truncated WAV "
                + fileName
                + ": "
                + id.trim()
                + " chunk says "
                + chunkSize
                + " bytes but only "
                + remaining
                + " remain; re-copy the file");
      }
      if (id.equals("fmt ")) {
        if (chunkSize < 16) {
          throw new WavFormatException(
              "corrupt WAV "
                  + fileName
                  + ": fmt chunk is "
                  + chunkSize
                  + " bytes, needs at least 16; re-export the file");
        }
        fmt = readFully(ch, (int) Math.min(chunkSize, 64), fileName);
      } else if (id.equals("data")) {
        dataOffset = pos + 8;
        dataSize = chunkSize;
      }
      // Chunks are word-aligned: an odd-sized chunk is followed by one pad byte.
      pos += 8 + chunkSize + (chunkSize & 1);
    }
    if (fmt == null) {
      throw new WavFormatException(
          "corrupt WAV "
              + fileName
              + ": no fmt chunk, so the sample format is unknown;"
              + " re-export the file");
    }
    if (dataOffset < 0) {
      throw new WavFormatException(
          "corrupt WAV "
              + fileName
              + ": no data chunk, so there are no samples;"
              + " re-copy or re-export the file");
    }
    return parseFmt(fmt, fileName, dataOffset, dataSize);
  }

  private static WavHeader parseFmt(ByteBuffer fmt, String fileName, long dataOffset, long dataSize)
      throws WavFormatException {
    int formatTag = Short.toUnsignedInt(fmt.getShort(0));
    int channels = Short.toUnsignedInt(fmt.getShort(2));
    long sampleRate = Integer.toUnsignedLong(fmt.getInt(4));
    int blockAlign = Short.toUnsignedInt(fmt.getShort(12));
    int bits = Short.toUnsignedInt(fmt.getShort(14));
    int validBits = bits;
    boolean isFloat;
    if (formatTag == FORMAT_EXTENSIBLE) {
      int cbSize = fmt.limit() >= 18 ? Short.toUnsignedInt(fmt.getShort(16)) : 0;
      if (fmt.limit() < 40 || cbSize < 22) {
        throw new WavFormatException(
            "corrupt WAV "
                + fileName
                + ": WAVE_FORMAT_EXTENSIBLE fmt chunk is "
                + fmt.limit()
                + " bytes with cbSize "
                + cbSize
                + ", needs 40 and 22; re-export the file");
      }
      validBits = Short.toUnsignedInt(fmt.getShort(18));
      // The sub-format GUID starts with the classic format code; the remaining 14 bytes are the
      // fixed KSDATAFORMAT suffix 00000000-0010-0080-00AA00389B71.
      int sub = Short.toUnsignedInt(fmt.getShort(24));
      if (!hasKsSuffix(fmt) || (sub != FORMAT_PCM && sub != FORMAT_IEEE_FLOAT)) {
        throw new WavFormatException(
            "unsupported WAV encoding in "
                + fileName
                + ": extensible sub-format "
                + guid(fmt)
                + " is neither PCM nor IEEE float; convert with"
                + " 'sox in.wav -e signed-integer out.wav'");
      }
      isFloat = sub == FORMAT_IEEE_FLOAT;
      if (validBits == 0 || validBits > bits) {
        validBits = bits;
      }
    } else if (formatTag == FORMAT_PCM || formatTag == FORMAT_IEEE_FLOAT) {
      isFloat = formatTag == FORMAT_IEEE_FLOAT;
    } else {
      throw new WavFormatException(
          "unsupported WAV encoding in "
              + fileName
              + ": format code "
              + String.format("0x%04X", formatTag)
              + " "
              + formatName(formatTag)
              + " is not PCM or IEEE float; convert with"
              + " 'sox in.wav -e signed-integer out.wav'");
    }
    if (channels == 0) {
      throw new WavFormatException(
          "corrupt WAV " + fileName + ": fmt chunk says 0 channels; re-export the file");
    }
    if (sampleRate == 0 || sampleRate > Integer.MAX_VALUE) {
      throw new WavFormatException(
          "corrupt WAV "
              + fileName
              + ": fmt chunk says sample rate "
              + sampleRate
              + " Hz; re-export the file");
    }
    // Plain PCM may declare e.g. 12 bits stored in 16-bit containers: round up to whole bytes.
    int containerBits = (bits + 7) / 8 * 8;
    WavEncoding encoding = WavEncoding.of(containerBits, isFloat);
    if (encoding == null) {
      throw new WavFormatException(
          "unsupported WAV encoding in "
              + fileName
              + ": "
              + bits
              + "-bit "
              + (isFloat ? "float" : "integer")
              + " samples (supported: integer 8/16/24/32,"
              + " float 32/64); convert with 'sox in.wav -b 16 out.wav'");
    }
    if (blockAlign != channels * encoding.bytes()) {
      throw new WavFormatException(
          "corrupt WAV "
              + fileName
              + ": fmt chunk says "
              + blockAlign
              + " bytes per frame but "
              + channels
              + " channels of "
              + containerBits
              + " bits need "
              + channels * encoding.bytes()
              + "; re-export the file");
    }
    long frames = dataSize / blockAlign;
    return new WavHeader(
        fileName,
        (int) sampleRate,
        channels,
        validBits,
        encoding,
        formatTag,
        frames,
        dataOffset,
        blockAlign);
  }

  /** Decodes frames {@code [start, start + count)} of the file described by {@code h}. */
  static Audio decode(SeekableByteChannel ch, WavHeader h, long start, int count)
      throws IOException {
    if (start < 0 || count < 0 || start > h.frames() || count > h.frames() - start) {
      throw new IllegalArgumentException(
          "WAV "
              + h.fileName()
              + ": frame range ["
              + start
              + ", "
              + (start + count)
              + ") is outside [0, "
              + h.frames()
              + "]");
    }
    int channels = h.channels();
    float[][] out = new float[channels][count];
    ch.position(h.dataOffset() + start * h.blockAlign());
    int framesPerBlock = Math.max(1, BLOCK_BYTES / h.blockAlign());
    int done = 0;
    while (done < count) {
      int n = Math.min(framesPerBlock, count - done);
      ByteBuffer buf = readFully(ch, n * h.blockAlign(), h.fileName());
      decodeBlock(buf, h.encoding(), channels, out, done, n);
      done += n;
    }
    return Audio.wrap(h.sampleRate(), out);
  }

  private static void decodeBlock(
      ByteBuffer buf, WavEncoding enc, int channels, float[][] out, int offset, int n) {
    for (int i = 0; i < n; i++) {
      for (int c = 0; c < channels; c++) {
        float v;
        switch (enc) {
          case PCM_8 -> v = ((buf.get() & 0xFF) - 128) / 128f;
          case PCM_16 -> v = buf.getShort() / 32768f;
          case PCM_24 -> {
            int b0 = buf.get() & 0xFF;
            int b1 = buf.get() & 0xFF;
            int b2 = buf.get(); // sign-extends
            v = ((b2 << 16) | (b1 << 8) | b0) / 8388608f;
          }
          // Divide in double: a float has too few bits to hold every 32-bit code.
          case PCM_32 -> v = (float) (buf.getInt() / 2147483648.0);
          case FLOAT_32 -> v = buf.getFloat();
          case FLOAT_64 -> v = (float) buf.getDouble();
          default -> throw new IllegalStateException("unhandled encoding " + enc);
        }
        out[c][offset + i] = v;
      }
    }
  }

  private static ByteBuffer readFully(SeekableByteChannel ch, int n, String fileName)
      throws IOException {
    ByteBuffer buf = ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN);
    while (buf.hasRemaining()) {
      if (ch.read(buf) < 0) {
        // The header said the bytes exist; the file shrank or lied about its size.
        throw new WavFormatException(
            "truncated WAV "
                + fileName
                + ": ended after "
                + buf.position()
                + " of "
                + n
                + " expected bytes at offset "
                + (ch.position() - buf.position())
                + "; re-copy the file");
      }
    }
    buf.flip();
    return buf;
  }

  private static boolean hasKsSuffix(ByteBuffer fmt) {
    byte[] suffix = WavEncoding.extensibleGuidSuffix();
    for (int i = 0; i < suffix.length; i++) {
      if (fmt.get(26 + i) != suffix[i]) {
        return false;
      }
    }
    return true;
  }

  private static String guid(ByteBuffer fmt) {
    StringBuilder sb = new StringBuilder();
    for (int i = 24; i < 40; i++) {
      sb.append(String.format("%02x", fmt.get(i) & 0xFF));
    }
    return sb.toString();
  }

  private static String formatName(int tag) {
    return switch (tag) {
      case 0x0002 -> "(MS ADPCM)";
      case 0x0006 -> "(A-law)";
      case 0x0007 -> "(mu-law)";
      case 0x0011 -> "(IMA ADPCM)";
      case 0x0055 -> "(MP3)";
      default -> "(unknown)";
    };
  }

  private static String fourCc(ByteBuffer b, int at) {
    byte[] id = new byte[4];
    for (int i = 0; i < 4; i++) {
      byte c = b.get(at + i);
      // Keep messages one printable line whatever garbage the file holds.
      id[i] = c >= 0x20 && c < 0x7F ? c : (byte) '?';
    }
    return new String(id, StandardCharsets.US_ASCII);
  }

  private static String name(Path path) {
    Path f = path.getFileName();
    return f == null ? path.toString() : f.toString();
  }
}
