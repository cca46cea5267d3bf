package io.beamline.io.webdataset;

import static org.apache.beam.vendor.guava.v32_1_2_jre.com.google.common.base.Preconditions.checkArgument;

import io.beamline.io.files.AtomicFiles;
import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.IllegalFormatException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * Writes {@link WebDatasetSample}s into numbered tar shards in one directory.
 *
 * <p>Each sample becomes consecutive entries {@code <key>.<field>} in field-name order. A new shard
 * starts when the current one holds {@code maxSamplesPerShard} samples or when adding the next
 * sample would take its tar size (headers, contents, padding and the two end blocks; the final
 * record padding to 10240 bytes is not counted) past {@code maxBytesPerShard}. A single sample
 * larger than the byte limit gets a shard of its own rather than being split. If writing a sample
 * fails, the unfinished shard is deleted and the writer is closed. Every shard is written under a
 * hidden temporary name and renamed to its final name ({@code String.format(pattern, index)}) only
 * when complete, so a final name never holds a partial shard.
 *
 * <p>The bytes are a pure function of the samples and their order: entries carry mtime 0, uid/gid
 * 0, empty user/group names and mode {@code 0644}; long names use POSIX (PAX) headers. The same
 * samples in the same order give byte-identical shards.
 *
 * <pre>{@code
 * try (ShardWriter w = new ShardWriter(dir, "shard-%06d.tar", 1000, 1L << 30)) {
 *   w.write(sample);
 * }
 * List<Path> shards = w.shards();
 * }</pre>
 */
public final class ShardWriter implements Closeable {
  /** Tar header and block size. */
  static final int BLOCK = 512;

  /** Tar archives end with two zero blocks, padded to a record of 20 blocks. */
  static final int RECORD = 20 * BLOCK;

  private static final FileTime EPOCH = FileTime.fromMillis(0);

  private final Path directory;
  private final String pattern;
  private final int maxSamples;
  private final long maxBytes;
  private final int firstIndex;
  private final Set<String> keys = new HashSet<>();
  private final List<Path> shards = new ArrayList<>();

  private TarArchiveOutputStream tar;
  private FileChannel channel;
  private Path tmp;
  private int samplesInShard;
  private long bytesInShard;
  private boolean closed;

  /**
   * @param directory where shards go; created if missing
   * @param pattern {@link String#format} pattern with one integer conversion, e.g. {@code
   *     shard-%06d.tar}; the formatted name must be a plain file name
   * @param maxSamplesPerShard at least 1
   * @param maxBytesPerShard at least 1 (tar bytes: headers, padding and contents)
   */
  public ShardWriter(Path directory, String pattern, int maxSamplesPerShard, long maxBytesPerShard)
      throws IOException {
    this(directory, pattern, maxSamplesPerShard, maxBytesPerShard, 0);
  }

  /**
   * A writer whose first shard gets index {@code firstIndex} (e.g. a streaming writer numbering its
   * shards by window); otherwise as {@link #ShardWriter(Path, String, int, long)}.
   */
  public ShardWriter(
      Path directory, String pattern, int maxSamplesPerShard, long maxBytesPerShard, int firstIndex)
      throws IOException {
    checkPattern(pattern);
    checkArgument(firstIndex >= 0, "firstIndex must be >= 0, got %s", firstIndex);
    this.firstIndex = firstIndex;
    checkArgument(
        maxSamplesPerShard >= 1, "maxSamplesPerShard must be >= 1, got %s", maxSamplesPerShard);
    checkArgument(maxBytesPerShard >= 1, "maxBytesPerShard must be >= 1, got %s", maxBytesPerShard);
    this.directory = directory;
    this.pattern = pattern;
    this.maxSamples = maxSamplesPerShard;
    this.maxBytes = maxBytesPerShard;
    Files.createDirectories(directory);
  }

  /**
   * Validates a shard name pattern: it must format an integer into a plain file name.
   *
   * @throws IllegalArgumentException naming the pattern otherwise
   */
  public static void checkPattern(String pattern) {
    checkArgument(pattern != null, "shardPattern must not be null");
    String name;
    try {
      name = String.format(pattern, 0);
    } catch (IllegalFormatException e) {
      throw new IllegalArgumentException(
          "shardPattern '" + pattern + "' must hold one integer conversion such as %06d", e);
    }
    checkArgument(
        !name.equals(String.format(pattern, 1)),
        "shardPattern '%s' must hold one integer conversion such as %%06d",
        pattern);
    checkArgument(
        !name.isEmpty()
            && !name.contains("/")
            && !name.contains("\\")
            && !name.contains("\0")
            && !name.startsWith("."),
        "shardPattern '%s' must format to a plain file name (no separators, not hidden)",
        pattern);
  }

  /** Tar bytes one sample takes: a header block per field plus its contents padded to a block. */
  static long tarBytes(WebDatasetSample sample) {
    long n = 0;
    for (Map.Entry<String, byte[]> e : sample.fields().entrySet()) {
      String name = sample.key() + "." + e.getKey();
      // Names over 100 bytes get a PAX header (one header block plus one data block).
      n += BLOCK + padded(e.getValue().length) + (name.length() > 99 ? 2L * BLOCK : 0);
    }
    return n;
  }

  private static long padded(long size) {
    return (size + BLOCK - 1) / BLOCK * BLOCK;
  }

  /**
   * Appends a sample, starting a new shard first when a limit would be crossed.
   *
   * @throws IllegalArgumentException when the sample has no fields or its key was already written
   */
  public void write(WebDatasetSample sample) throws IOException {
    checkArgument(!closed, "ShardWriter for %s is closed", directory);
    checkArgument(
        !sample.fields().isEmpty(), "sample '%s' has no fields; add at least one", sample.key());
    checkArgument(
        keys.add(sample.key()),
        "sample key '%s' was written twice; keys must be unique within a dataset",
        sample.key());
    long size = tarBytes(sample);
    if (tar != null
        && (samplesInShard >= maxSamples || bytesInShard + size + 2L * BLOCK > maxBytes)) {
      finishShard();
    }
    if (tar == null) {
      startShard();
    }
    try {
      putEntries(sample);
    } catch (IOException | RuntimeException e) {
      // A half-written sample must never reach a final shard name.
      abort();
      throw e;
    }
    samplesInShard++;
    bytesInShard += size;
  }

  private void putEntries(WebDatasetSample sample) throws IOException {
    for (Map.Entry<String, byte[]> e : sample.fields().entrySet()) {
      String name = sample.key() + "." + e.getKey();
      TarArchiveEntry entry = new TarArchiveEntry(name, true);
      entry.setSize(e.getValue().length);
      entry.setMode(0100644);
      entry.setLastModifiedTime(EPOCH);
      entry.setUserId(0);
      entry.setGroupId(0);
      entry.setUserName("");
      entry.setGroupName("");
      tar.putArchiveEntry(entry);
      tar.write(e.getValue());
      tar.closeArchiveEntry();
    }
  }

  /** Final paths of the shards completed so far, in index order. */
  public List<Path> shards() {
    return Collections.unmodifiableList(shards);
  }

  /** Completes the current shard (if any) and renames it into place. Idempotent. */
  @Override
  public void close() throws IOException {
    if (!closed) {
      closed = true;
      if (tar != null) {
        finishShard();
      }
    }
  }

  /** Removes the unfinished temporary shard, if any, after a failure. */
  public void abort() throws IOException {
    closed = true;
    if (tar != null) {
      try {
        tar.close();
      } catch (IOException ignored) {
        // The stream is being thrown away; the temporary file is deleted below.
      }
      tar = null;
      Files.deleteIfExists(tmp);
    }
  }

  private void startShard() throws IOException {
    String name = String.format(pattern, firstIndex + shards.size());
    tmp = directory.resolve("." + name + "." + UUID.randomUUID() + ".tmp");
    channel = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    OutputStream out = new BufferedOutputStream(Channels.newOutputStream(channel), 1 << 16);
    tar = new TarArchiveOutputStream(out, "UTF-8");
    tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
    tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
    samplesInShard = 0;
    bytesInShard = 0;
  }

  private void finishShard() throws IOException {
    Path target = directory.resolve(String.format(pattern, firstIndex + shards.size()));
    try {
      tar.finish();
      tar.flush();
      channel.force(true);
      tar.close();
      tar = null;
      AtomicFiles.moveIntoPlace(tmp, target);
    } catch (IOException | RuntimeException e) {
      abort();
      throw e;
    }
    shards.add(target);
  }
}
