package io.beamline.io.webdataset;

import static org.apache.beam.vendor.guava.v32_1_2_jre.com.google.common.base.Preconditions.checkArgument;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VoidCoder;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.WithKeys;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;

/**
 * Writes {@link WebDatasetSample}s as WebDataset tar shards readable by Python's {@code tarfile}
 * and the {@code webdataset} library.
 *
 * <p><b>Determinism.</b> Shard contents must not depend on the runner's bundling, so all samples
 * are gathered into one group, sorted by key (plain {@link String#compareTo}), and written by a
 * single {@link ShardWriter}. The DirectRunner and the SparkRunner therefore produce byte-identical
 * shards for the same input. The cost is that one worker writes the dataset and holds one group of
 * samples; this fits one recording session (the unit this connector is used for: one output
 * directory per subject and session), not a whole corpus. Duplicate keys fail the pipeline.
 *
 * <p>Shards are written under temporary names and renamed when complete. The output is the list of
 * final shard paths. Shards left in the directory by an earlier, larger run are not deleted.
 *
 * <pre>{@code
 * samples.apply(WebDatasetIO.write().to(outDir + "/gold/S1/X1").withMaxSamplesPerShard(500));
 * }</pre>
 */
public final class WebDatasetIO {
  /** Default shard file name pattern. */
  public static final String DEFAULT_SHARD_PATTERN = "shard-%06d.tar";

  /** Default samples per shard. */
  public static final int DEFAULT_MAX_SAMPLES_PER_SHARD = 1000;

  /** Default tar bytes per shard: 1 GiB, inside the common 1-3 GB WebDataset range. */
  public static final long DEFAULT_MAX_BYTES_PER_SHARD = 1L << 30;

  private WebDatasetIO() {}

  /**
   * A writer with defaults: pattern {@value #DEFAULT_SHARD_PATTERN}, {@value
   * #DEFAULT_MAX_SAMPLES_PER_SHARD} samples and 1 GiB per shard. {@link Write#to} is required.
   */
  public static Write write() {
    return new Write(
        null, DEFAULT_SHARD_PATTERN, DEFAULT_MAX_SAMPLES_PER_SHARD, DEFAULT_MAX_BYTES_PER_SHARD);
  }

  /** The shard writer; immutable, {@code withX()} returns a modified copy. */
  public static final class Write
      extends PTransform<PCollection<WebDatasetSample>, PCollection<String>> {
    private final String directory;
    private final String shardPattern;
    private final int maxSamplesPerShard;
    private final long maxBytesPerShard;

    private Write(String directory, String shardPattern, int maxSamples, long maxBytes) {
      this.directory = directory;
      this.shardPattern = shardPattern;
      this.maxSamplesPerShard = maxSamples;
      this.maxBytesPerShard = maxBytes;
    }

    /** Local directory for the shards (created if missing); required. */
    public Write to(String directory) {
      checkArgument(
          directory != null && !directory.isEmpty(), "directory must be a non-empty path");
      return new Write(directory, shardPattern, maxSamplesPerShard, maxBytesPerShard);
    }

    /**
     * Shard name pattern with one integer conversion; default {@value
     * WebDatasetIO#DEFAULT_SHARD_PATTERN}. Must format to a plain file name.
     */
    public Write withShardPattern(String pattern) {
      ShardWriter.checkPattern(pattern);
      return new Write(directory, pattern, maxSamplesPerShard, maxBytesPerShard);
    }

    /** Samples per shard, >= 1; default {@value WebDatasetIO#DEFAULT_MAX_SAMPLES_PER_SHARD}. */
    public Write withMaxSamplesPerShard(int maxSamples) {
      checkArgument(maxSamples >= 1, "maxSamplesPerShard must be >= 1, got %s", maxSamples);
      return new Write(directory, shardPattern, maxSamples, maxBytesPerShard);
    }

    /** Tar bytes per shard, >= 1; default 1 GiB. A larger single sample gets its own shard. */
    public Write withMaxBytesPerShard(long maxBytes) {
      checkArgument(maxBytes >= 1, "maxBytesPerShard must be >= 1, got %s", maxBytes);
      return new Write(directory, shardPattern, maxSamplesPerShard, maxBytes);
    }

    @Override
    public PCollection<String> expand(PCollection<WebDatasetSample> samples) {
      checkArgument(directory != null, "WebDatasetIO.write() needs to(directory)");
      return samples
          .apply("KeyAllToOneWriter", WithKeys.<Void, WebDatasetSample>of((Void) null))
          .setCoder(KvCoder.of(VoidCoder.of(), WebDatasetSampleCoder.of()))
          .apply("GatherSamples", GroupByKey.create())
          .apply(
              "WriteSortedShards",
              ParDo.of(
                  new WriteShardsFn(directory, shardPattern, maxSamplesPerShard, maxBytesPerShard)))
          .setCoder(StringUtf8Coder.of());
    }
  }

  /** Sorts one group of samples by key and writes them with a {@link ShardWriter}. */
  static final class WriteShardsFn extends DoFn<KV<Void, Iterable<WebDatasetSample>>, String> {
    private final String directory;
    private final String pattern;
    private final int maxSamples;
    private final long maxBytes;

    WriteShardsFn(String directory, String pattern, int maxSamples, long maxBytes) {
      this.directory = directory;
      this.pattern = pattern;
      this.maxSamples = maxSamples;
      this.maxBytes = maxBytes;
    }

    @ProcessElement
    public void process(
        @Element KV<Void, Iterable<WebDatasetSample>> group, OutputReceiver<String> out)
        throws Exception {
      List<WebDatasetSample> sorted = new ArrayList<>();
      group.getValue().forEach(sorted::add);
      sorted.sort(Comparator.comparing(WebDatasetSample::key));
      ShardWriter writer = new ShardWriter(Path.of(directory), pattern, maxSamples, maxBytes);
      try {
        for (WebDatasetSample s : sorted) {
          writer.write(s);
        }
        writer.close();
      } catch (Exception e) {
        writer.abort();
        throw e;
      }
      for (Path shard : writer.shards()) {
        out.output(shard.toString());
      }
    }
  }
}
