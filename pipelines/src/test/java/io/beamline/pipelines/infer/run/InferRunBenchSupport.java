package io.beamline.pipelines.infer.run;

import ai.djl.Device;
import ai.djl.repository.zoo.ZooModel;
import io.beamline.models.birdcall.BirdCallBatchTranslator;
import io.beamline.pipelines.infer.formats.ChunkManifest;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.options.PipelineOptionsFactory;

/** Package-private pieces of {@code infer run} that {@code InferRunBench} uses. */
public final class InferRunBenchSupport {
  private InferRunBenchSupport() {}

  /** One recording of {@code chunks} 3 s chunks at 28 kHz; returns its manifest. */
  public static Path dataset(Path root, int chunks) throws IOException {
    return InferRunTestData.dataset(root, 1, 1, chunks, 3.0, 28_000).get(0);
  }

  /** The chunk files of a manifest, in order. */
  public static List<Path> chunkFiles(Path manifest) throws IOException {
    Path root = manifest.getParent().getParent();
    List<Path> out = new ArrayList<>();
    for (ChunkManifest.Entry e : ChunkManifest.read(manifest)) {
      out.add(root.resolve(e.chunkPath()));
    }
    return out;
  }

  /** The model with the batch translator {@code infer run} uses. */
  public static ZooModel<float[][], float[]> load(Path model) throws IOException {
    return BirdCallBatchTranslator.spec(model).load(Device.cpu());
  }

  public static InferRunPipeline pipeline() {
    return new InferRunPipeline();
  }

  public static InferRunOptions options(
      Path manifest, Path out, Path model, int batch, String runId) {
    return PipelineOptionsFactory.fromArgs(
            "--manifest=" + manifest,
            "--outputDir=" + out,
            "--model=" + model,
            "--batchSize=" + batch,
            "--runId=" + runId,
            // The DirectRunner's copy checks re-encode every batch of audio; the bench measures the
            // pipeline's own work, as a production runner would run it.
            "--enforceImmutability=false",
            "--enforceEncodability=false")
        .as(InferRunOptions.class);
  }
}
