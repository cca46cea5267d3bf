package io.beamline.pipelines.infer.chunk;

import io.beamline.framework.module.Module;
import io.beamline.framework.module.ModuleConfig;
import io.beamline.framework.module.Port;
import io.beamline.framework.run.CommitRecord;
import io.beamline.io.failures.Failure;
import io.beamline.pipelines.infer.formats.ChunkManifest;
import java.io.IOException;
import java.util.List;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.Row;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;

/**
 * {@code read-chunk-commits}: for each recording id, what its commit record says: the rows of its
 * committed manifest ({@link #CHUNKS}, {@link ChunkManifest#SCHEMA}; a recording committed by this
 * run or skipped as committed earlier), or the {@link Failure} of its failure record ({@link
 * #FAILURES}). Derived from the records, so the chunk table and the failures file never claim more
 * than is committed.
 */
final class ReadChunkCommits
    extends Module<ReadChunkCommits.Config, PCollection<String>, PCollectionTuple> {
  private static final long serialVersionUID = 1L;

  static final Port RECORDING_IDS = Port.of("recording-ids", String.class);
  static final Port CHUNKS = Port.of("chunks", Row.class);
  static final Port FAILURES = Port.of("failures", Failure.class);

  /**
   * @param chunking the chunking whose commit records and manifests are read
   */
  record Config(ChunkSettings chunking) implements ModuleConfig<ReadChunkCommits> {
    Config {
      if (chunking == null) {
        throw new IllegalArgumentException("read-chunk-commits needs chunking, got null");
      }
    }

    @Override
    public ReadChunkCommits toModule() {
      return new ReadChunkCommits(this);
    }
  }

  private ReadChunkCommits(Config config) {
    super("read-chunk-commits", config);
  }

  @Override
  public List<Port> inputs() {
    return List.of(RECORDING_IDS);
  }

  @Override
  public List<Port> outputs() {
    return List.of(CHUNKS, FAILURES);
  }

  @Override
  public PCollectionTuple expand(PCollection<String> ids) {
    TupleTag<Row> chunks = CHUNKS.tag();
    TupleTag<Failure> failures = FAILURES.tag();
    PCollectionTuple read =
        ids.apply(
            "ReadCommits",
            ParDo.of(new FromCommitsFn(config().chunking().work(), chunks, failures))
                .withOutputTags(chunks, TupleTagList.of(failures)));
    read.get(chunks).setRowSchema(ChunkManifest.SCHEMA);
    read.get(failures).setCoder(SerializableCoder.of(Failure.class));
    return read;
  }

  /** One recording's manifest rows, or its failure. */
  static final class FromCommitsFn extends DoFn<String, Row> {
    private final RecordingChunks work;
    private final TupleTag<Row> chunks;
    private final TupleTag<Failure> failures;

    FromCommitsFn(RecordingChunks work, TupleTag<Row> chunks, TupleTag<Failure> failures) {
      this.work = work;
      this.chunks = chunks;
      this.failures = failures;
    }

    @ProcessElement
    public void process(@Element String id, MultiOutputReceiver out) throws IOException {
      CommitRecord r = work.commits().read(id).orElse(null);
      if (r == null) {
        throw new IllegalStateException("recording " + id + " ended without a commit record");
      }
      if (r.succeeded()) {
        if (work.commits().committed(id).isEmpty()) {
          throw new IllegalStateException(
              "the committed outputs of recording "
                  + id
                  + " changed during the run; is another run writing to the same --output-dir?");
        }
        for (ChunkManifest.Entry e : ChunkManifest.read(work.manifest(id))) {
          out.get(chunks).output(e.toRow());
        }
      } else {
        Object source = r.details().get("source_path");
        out.get(failures)
            .output(
                new Failure(
                    source == null ? id : source.toString(), id, "ChunkRecordings", r.error()));
      }
    }
  }
}
