package io.beamline.io.swf;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.Adler32;

/**
 * Reads an STF (or TF) file: the header and TF offset table on {@link #open}, any time frame by
 * index on demand (fast monitoring reads a few contiguous blocks, never the whole file), and the
 * size and adler32 check against what {@code stf_gen} announced.
 *
 * <p>Frames are decoded from a read window of {@link #WINDOW_BYTES} (or one frame, when a frame is
 * larger), so reading the frames in file order takes one read per window instead of two per frame
 * (a 1,000-TF STF took 2,000 reads); a frame outside the window moves it. Not thread-safe: one
 * reader per thread, as its users open one per STF.
 *
 * <pre>{@code
 * try (StfFile stf = StfFile.open(path)) {
 *   if (stf.verify(msg.integer("size_bytes"), msg.string("checksum")).ok()) {
 *     TimeFrame first = stf.frame(0);
 *   }
 * }
 * }</pre>
 */
public final class StfFile implements AutoCloseable {
  private static final int MAX_HITS_PER_TF = 1 << 24;

  /** Bytes read at once for frames: a few whole default STFs' worth of TFs, bounded memory. */
  static final int WINDOW_BYTES = 256 * 1024;

  private final Path path;
  private final FileChannel channel;
  private final long size;
  private final StfHeader header;
  private final long[] offsets;
  private ByteBuffer window;
  private long windowStart;

  private StfFile(Path path, FileChannel channel, long size, StfHeader header, long[] offsets) {
    this.path = path;
    this.channel = channel;
    this.size = size;
    this.header = header;
    this.offsets = offsets;
  }

  /** Opens {@code path} and reads its header and offset table. */
  public static StfFile open(Path path) throws IOException {
    FileChannel ch = FileChannel.open(path, StandardOpenOption.READ);
    try {
      long size = ch.size();
      if (size < StfHeader.BYTES) {
        throw bad(path, "is " + size + " bytes, shorter than the 64-byte header");
      }
      ByteBuffer h = read(ch, 0, StfHeader.BYTES);
      byte[] magic = new byte[8];
      h.get(magic);
      if (!StfHeader.MAGIC.equals(new String(magic, StandardCharsets.US_ASCII))) {
        throw bad(path, "does not start with " + StfHeader.MAGIC);
      }
      int version = h.getInt();
      if (version != StfHeader.VERSION) {
        throw bad(
            path, "has format version " + version + "; this build reads " + StfHeader.VERSION);
      }
      StfHeader header =
          new StfHeader(
              h.getLong(),
              h.getInt(),
              h.getInt(),
              h.getLong(),
              h.getLong(),
              h.getInt(),
              h.getLong());
      if (header.tfCount() < 0 || StfHeader.BYTES + 8L * header.tfCount() > size) {
        throw bad(path, "says " + header.tfCount() + " TFs but is too short for their offsets");
      }
      ByteBuffer t = read(ch, StfHeader.BYTES, 8 * header.tfCount());
      long[] offsets = new long[header.tfCount()];
      long min = StfHeader.BYTES + 8L * header.tfCount();
      for (int i = 0; i < offsets.length; i++) {
        offsets[i] = t.getLong();
        if (offsets[i] < min || offsets[i] + 8 > size) {
          throw bad(path, "has TF " + i + " at offset " + offsets[i] + ", outside the file");
        }
      }
      return new StfFile(path, ch, size, header, offsets);
    } catch (IOException | RuntimeException e) {
      ch.close();
      throw e;
    }
  }

  /** The file's header. */
  public StfHeader header() {
    return header;
  }

  /** The file's size in bytes. */
  public long size() {
    return size;
  }

  /** Time frame {@code i} (0-based, by position in the file). */
  public TimeFrame frame(int i) throws IOException {
    if (i < 0 || i >= offsets.length) {
      throw new IndexOutOfBoundsException("TF " + i + " of " + offsets.length + " in " + path);
    }
    ByteBuffer h = bytes(offsets[i], 8);
    int index = h.getInt();
    int hits = h.getInt();
    if (hits < 0 || hits > MAX_HITS_PER_TF || offsets[i] + 8 + 12L * hits > size) {
      throw bad(path, "has TF " + i + " claiming " + hits + " hits beyond the file's end");
    }
    ByteBuffer b = bytes(offsets[i] + 8, 12 * hits);
    int[] det = new int[hits];
    int[] ch = new int[hits];
    int[] adc = new int[hits];
    int[] dt = new int[hits];
    for (int k = 0; k < hits; k++) {
      det[k] = Short.toUnsignedInt(b.getShort());
      ch[k] = b.getInt();
      adc[k] = Short.toUnsignedInt(b.getShort());
      dt[k] = b.getInt();
    }
    return new TimeFrame(index, det, ch, adc, dt);
  }

  /** Time frames {@code first} to {@code last}, both included. */
  public List<TimeFrame> frames(int first, int last) throws IOException {
    List<TimeFrame> out = new ArrayList<>(last - first + 1);
    for (int i = first; i <= last; i++) {
      out.add(frame(i));
    }
    return out;
  }

  /** The outcome of checking a file against the size and checksum it was announced with. */
  public record Verification(boolean ok, long size, String checksum, String reason) {}

  /** Compares the file with the announced size and {@code ad:} checksum. */
  public Verification verify(long expectedSize, String expectedChecksum) throws IOException {
    String actual = checksum(path);
    if (size != expectedSize) {
      return new Verification(
          false, size, actual, "size " + size + " bytes, announced " + expectedSize);
    }
    if (!actual.equalsIgnoreCase(expectedChecksum)) {
      return new Verification(
          false, size, actual, "checksum " + actual + ", announced " + expectedChecksum);
    }
    return new Verification(true, size, actual, "");
  }

  /** The {@code ad:} adler32 checksum of a whole file, read in 64 KiB blocks. */
  public static String checksum(Path file) throws IOException {
    Adler32 a = new Adler32();
    byte[] buf = new byte[65_536];
    try (InputStream in = Files.newInputStream(file)) {
      int n;
      while ((n = in.read(buf)) > 0) {
        a.update(buf, 0, n);
      }
    }
    return StfWriter.format(a.getValue());
  }

  @Override
  public void close() throws IOException {
    channel.close();
  }

  /**
   * The {@code n} bytes at {@code at} (within the file), positioned at their start: from the read
   * window when it holds them, else from a new window read at {@code at}.
   */
  private ByteBuffer bytes(long at, int n) throws IOException {
    if (window == null || at < windowStart || at + n > windowStart + window.limit()) {
      int len = (int) Math.min(size - at, Math.max(n, WINDOW_BYTES));
      window = read(channel, at, len);
      windowStart = at;
    }
    ByteBuffer b = window.duplicate();
    b.position((int) (at - windowStart));
    b.limit(b.position() + n);
    return b;
  }

  private static ByteBuffer read(FileChannel ch, long at, int n) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(n);
    while (b.hasRemaining()) {
      if (ch.read(b, at + b.position()) < 0) {
        throw new StfFormatException("unexpected end of file at byte " + (at + b.position()));
      }
    }
    return b.flip();
  }

  private static StfFormatException bad(Path path, String what) {
    return new StfFormatException("STF file " + path + " " + what + " (not a valid STF file)");
  }
}
