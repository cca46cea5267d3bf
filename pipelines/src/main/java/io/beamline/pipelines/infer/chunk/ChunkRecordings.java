package io.beamline.pipelines.infer.chunk;

import io.beamline.framework.module.Module;
import io.beamline.framework.module.ModuleConfig;
import io.beamline.framework.module.Port;
import io.beamline.framework.module.Spread;
import java.io.IOException;
import java.nio.file.Paths;
import java.util.List;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollection;

/**
 * {@code chunk-recordings}: chunks every recording and commits it, or records its failure ({@link
 * RecordingChunks}); emits each recording's id, what the id stands for being read back from its
 * commit record downstream ({@link ReadChunkCommits}).
 */
final class ChunkRecordings extends Module<ChunkRecordings.Config, PBegin, PCollection<String>> {
  private static final long serialVersionUID = 1L;

  static final Port RECORDING_IDS = Port.of("recording-ids", String.class);

  /**
   * @param files the recordings, absolute paths, sorted, at least one
   * @param chunking how and where they are chunked
   */
  record Config(List<String> files, ChunkSettings chunking)
      implements ModuleConfig<ChunkRecordings> {
    Config {
      if (files == null || files.isEmpty() || chunking == null) {
        throw new IllegalArgumentException(
            String.format(
                "chunk-recordings needs files (at least one) and chunking, got %s, %s",
                files, chunking));
      }
      files = List.copyOf(files);
    }

    @Override
    public ChunkRecordings toModule() {
      return new ChunkRecordings(this);
    }
  }

  private ChunkRecordings(Config config) {
    super("chunk-recordings", config);
  }

  @Override
  public List<Port> inputs() {
    return List.of();
  }

  @Override
  public List<Port> outputs() {
    return List.of(RECORDING_IDS);
  }

  @Override
  public PCollection<String> expand(PBegin begin) {
    return begin
        .apply("RecordingPaths", Create.of(config().files()).withCoder(StringUtf8Coder.of()))
        // Create keeps its elements in few splits; spread recordings over workers by their path.
        .apply("SpreadRecordings", Spread.by((String path) -> path.hashCode()))
        .apply("ChunkRecordings", ParDo.of(new ChunkRecordingFn(config().chunking().work())))
        .setCoder(StringUtf8Coder.of());
  }

  /** Chunks one recording and commits it (or records its failure), then emits its id. */
  static final class ChunkRecordingFn extends DoFn<String, String> {
    private final RecordingChunks work;
    private final Counter completed =
        Metrics.counter(InferChunkPipeline.class, "recordings_completed");
    private final Counter skipped = Metrics.counter(InferChunkPipeline.class, "recordings_skipped");
    private final Counter failed = Metrics.counter(InferChunkPipeline.class, "recordings_failed");
    private final Counter chunks = Metrics.counter(InferChunkPipeline.class, "chunks_written");

    ChunkRecordingFn(RecordingChunks work) {
      this.work = work;
    }

    @ProcessElement
    public void process(@Element String path, OutputReceiver<String> out) throws IOException {
      RecordingChunks.Result r = work.process(Paths.get(path));
      switch (r.outcome()) {
        case FAILED -> failed.inc();
        case SKIPPED -> skipped.inc();
        case COMPLETED -> {
          completed.inc();
          chunks.inc(r.chunks());
        }
      }
      out.output(r.recordingId());
    }
  }
}
