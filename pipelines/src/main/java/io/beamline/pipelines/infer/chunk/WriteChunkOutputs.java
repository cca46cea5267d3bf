package io.beamline.pipelines.infer.chunk;

import io.beamline.framework.module.Module;
import io.beamline.framework.module.ModuleConfig;
import io.beamline.framework.module.Port;
import io.beamline.io.failures.Failure;
import io.beamline.io.failures.FailureIO;
import io.beamline.io.parquet.ParquetTableIO;
import io.beamline.pipelines.infer.formats.ChunkManifest;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.PDone;
import org.apache.beam.sdk.values.Row;

/**
 * {@code write-chunk-outputs}: the chunk table ({@code chunk_table/chunks-*.parquet}) and the
 * failures of the run ({@code chunk_failures/chunk-failures-*.jsonl}) under the output directory.
 */
final class WriteChunkOutputs extends Module<WriteChunkOutputs.Config, PCollectionTuple, PDone> {
  private static final long serialVersionUID = 1L;

  static final Port CHUNKS = Port.of("chunks", Row.class);
  static final Port FAILURES = Port.of("failures", Failure.class);

  /**
   * @param outputDir the output directory, absolute
   */
  record Config(String outputDir) implements ModuleConfig<WriteChunkOutputs> {
    Config {
      if (outputDir == null || !Paths.get(outputDir).isAbsolute()) {
        throw new IllegalArgumentException(
            String.format("outputDir must be an absolute path, got %s", outputDir));
      }
    }

    @Override
    public WriteChunkOutputs toModule() {
      return new WriteChunkOutputs(this);
    }
  }

  private WriteChunkOutputs(Config config) {
    super("write-chunk-outputs", config);
  }

  @Override
  public List<Port> inputs() {
    return List.of(CHUNKS, FAILURES);
  }

  @Override
  public List<Port> outputs() {
    return List.of();
  }

  @Override
  public PDone expand(PCollectionTuple in) {
    Path out = Paths.get(config().outputDir());
    in.<Row>get(CHUNKS.tag())
        .apply(
            "WriteChunkTable",
            ParquetTableIO.write(ChunkManifest.SCHEMA)
                .to(out.resolve("chunk_table").toString())
                .withPrefix("chunks")
                .withNumShards(1));
    PCollection<Failure> failures = in.get(FAILURES.tag());
    failures.apply(
        "WriteFailures",
        FailureIO.write()
            .to(out.resolve("chunk_failures").toString())
            .withPrefix("chunk-failures"));
    return PDone.in(in.getPipeline());
  }
}
