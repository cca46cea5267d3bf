package io.beamline.io.swf;

import io.beamline.io.files.AtomicFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.zip.Adler32;

/**
 * Writes STF files (and the fast-monitoring TF files, which use the same container): the header,
 * the TF offset table, then the time frames, assembled in memory (an STF of 1,000 TFs with 20 hits
 * each is ~250 KB) and written under a temporary name, then renamed, so a reader never sees a
 * partial file under its final name.
 *
 * <p>{@link #synthetic} draws a TF's hits from a generator seeded by (seed, run, sequence, TF
 * index): the same seed gives the same bytes on every machine.
 *
 * <pre>{@code
 * StfHeader h = new StfHeader(100010, 1, 1000, startNanos, StfHeader.DEFAULT_TF_DURATION_NANOS, 8, 42);
 * StfWriter.Written w = StfWriter.writeSynthetic(bufferDir, h, 20.0);
 * }</pre>
 */
public final class StfWriter {
  /** Channels per detector of the synthetic generator. */
  public static final int CHANNELS = 1024;

  /** ADC range of the synthetic generator (12 bits). */
  public static final int ADC_MAX = 4095;

  private StfWriter() {}

  /**
   * A written file: where it is, its size and its adler32 checksum (as carried by {@code stf_gen},
   * {@code ad:} + 8 hex digits), its header and total hits.
   */
  public record Written(Path path, long sizeBytes, String checksum, StfHeader header, long hits) {
    /** The file's name. */
    public String filename() {
      return path.getFileName().toString();
    }

    /**
     * {@code stfGen} (an {@code stf_gen} message with its common fields) with the fields that
     * announce this file: filename, path, sequence, size, checksum, TF count, start and end.
     */
    public WorkflowMessage announce(WorkflowMessage stfGen) {
      return stfGen
          .with("filename", filename())
          .with("path", path.toAbsolutePath().toString())
          .with("sequence", (long) header.sequence())
          .with("size_bytes", sizeBytes)
          .with("checksum", checksum)
          .with("tf_count", (long) header.tfCount())
          .with("start", header.start())
          .with("end", header.end());
    }
  }

  /** Writes STF {@code header.sequence()} of {@code header.run()} into {@code dir}. */
  public static Written writeSynthetic(Path dir, StfHeader header, double meanHitsPerTf)
      throws IOException {
    List<TimeFrame> frames = new ArrayList<>(header.tfCount());
    for (int tf = 0; tf < header.tfCount(); tf++) {
      frames.add(synthetic(header, tf, meanHitsPerTf));
    }
    return write(dir.resolve(StfNames.stf(header.run(), header.sequence())), header, frames);
  }

  /**
   * Writes {@code frames} under {@code target} in the STF container; {@code header.tfCount()} must
   * equal the number of frames.
   */
  public static Written write(Path target, StfHeader header, List<TimeFrame> frames)
      throws IOException {
    return write(target, header, frames, true);
  }

  /**
   * {@link #write(Path, StfHeader, List)}, forced to disk before its rename only when {@code
   * durable} (see {@link AtomicFiles#writeUnforced}: for files made again from a durable STF).
   */
  public static Written write(
      Path target, StfHeader header, List<TimeFrame> frames, boolean durable) throws IOException {
    if (frames.size() != header.tfCount()) {
      throw new IllegalArgumentException(
          "header says " + header.tfCount() + " TFs but " + frames.size() + " were given");
    }
    byte[] bytes = encode(header, frames);
    if (durable) {
      AtomicFiles.write(target, out -> out.write(bytes));
    } else {
      AtomicFiles.writeUnforced(target, out -> out.write(bytes));
    }
    long hits = frames.stream().mapToLong(TimeFrame::hits).sum();
    return new Written(target, bytes.length, checksum(bytes, bytes.length), header, hits);
  }

  /** The whole file's bytes. */
  static byte[] encode(StfHeader header, List<TimeFrame> frames) {
    long size = StfHeader.BYTES + 8L * frames.size();
    for (TimeFrame f : frames) {
      size += f.encodedBytes();
    }
    if (size > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException(
          "an STF of " + size + " bytes is too large; lower the TFs per STF or the hits per TF");
    }
    ByteBuffer b = ByteBuffer.allocate((int) size);
    b.put(StfHeader.MAGIC.getBytes(StandardCharsets.US_ASCII));
    b.putInt(StfHeader.VERSION);
    b.putLong(header.run());
    b.putInt(header.sequence());
    b.putInt(header.tfCount());
    b.putLong(header.startEpochNanos());
    b.putLong(header.tfDurationNanos());
    b.putInt(header.detectorCount());
    b.putLong(header.seed());
    b.putLong(0); // reserved
    long offset = StfHeader.BYTES + 8L * frames.size();
    for (TimeFrame f : frames) {
      b.putLong(offset);
      offset += f.encodedBytes();
    }
    for (TimeFrame f : frames) {
      b.putInt(f.index());
      b.putInt(f.hits());
      for (int i = 0; i < f.hits(); i++) {
        b.putShort((short) f.detector()[i]);
        b.putInt(f.channel()[i]);
        b.putShort((short) f.adc()[i]);
        b.putInt(f.timeOffsetNanos()[i]);
      }
    }
    return b.array();
  }

  /** {@code ad:} and the adler32 of the first {@code length} bytes, 8 lowercase hex digits. */
  static String checksum(byte[] bytes, int length) {
    Adler32 a = new Adler32();
    a.update(bytes, 0, length);
    return format(a.getValue());
  }

  /** The wire form of an adler32 value. */
  static String format(long adler32) {
    return String.format("ad:%08x", adler32);
  }

  /** The synthetic hits of TF {@code tf} of the STF {@code header} describes. */
  public static TimeFrame synthetic(StfHeader header, int tf, double meanHitsPerTf) {
    SplittableRandom r =
        new SplittableRandom(mix(mix(mix(header.seed(), header.run()), header.sequence()), tf));
    int n = poisson(r, meanHitsPerTf);
    int[] det = new int[n];
    int[] ch = new int[n];
    int[] adc = new int[n];
    int[] dt = new int[n];
    int span = (int) Math.min(Integer.MAX_VALUE, header.tfDurationNanos());
    for (int i = 0; i < n; i++) {
      det[i] = r.nextInt(header.detectorCount());
      ch[i] = r.nextInt(CHANNELS);
      adc[i] = r.nextInt(ADC_MAX + 1);
      dt[i] = r.nextInt(span);
    }
    return new TimeFrame(tf, det, ch, adc, dt);
  }

  /** Knuth's method for small means; a rounded normal beyond, where it is accurate enough. */
  private static int poisson(SplittableRandom r, double mean) {
    if (mean <= 0) {
      return 0;
    }
    if (mean > 60) {
      double g = nextGaussian(r);
      return (int) Math.max(0, Math.round(mean + Math.sqrt(mean) * g));
    }
    double limit = Math.exp(-mean);
    double p = 1;
    int k = 0;
    do {
      k++;
      p *= r.nextDouble();
    } while (p > limit);
    return k - 1;
  }

  private static double nextGaussian(SplittableRandom r) {
    double u1 = 1.0 - r.nextDouble();
    double u2 = r.nextDouble();
    return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  }

  /**
   * SplitMix64's finaliser over a combination, so nearby inputs give unrelated seeds; also the seed
   * of fast monitoring's sampling from (seed, run, sequence).
   */
  public static long mix(long a, long b) {
    long z = a * 0x9E3779B97F4A7C15L + b;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
