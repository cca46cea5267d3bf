package io.beamline.pipelines.infer.run;

import io.beamline.framework.module.Module;
import io.beamline.framework.module.ModuleConfig;
import io.beamline.framework.module.Port;
import java.io.Serializable;
import java.util.List;
import java.util.UUID;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PCollection;

/**
 * {@code attempt}: runs every batch to its end in one step. Per attempt it waits the attempt's
 * backoff, reads and checks the chunks' audio (a bad chunk fails for good at once), scores them
 * (the model on this worker's slot, or the energy detector) and decides per chunk: committed, or,
 * when scoring threw or an injected failure hit, retried within the same step after the next
 * backoff, or failed for good after the last retry ({@link RetryPolicy}). Every chunk therefore
 * ends exactly once, in exactly one attempt, and the graph has one attempt step whatever the number
 * of retries. Emits each chunk that ended.
 */
final class AttemptStage
    extends Module<AttemptStage.Config, PCollection<ChunkBatch>, PCollection<ChunkEnded>> {

  /**
   * @param paths where outputs, commit records and telemetry go
   * @param runId the run's id, written to every output
   * @param detector what scores the chunks
   * @param batchSize the model input's rows (fixed batch slots, padded with silence)
   * @param minConfidence lowest score a label needs to become a detection, in [0, 1]
   * @param retry retries, backoff and injected failures
   */
  record Config(
      RunPaths paths,
      String runId,
      DetectorConfig detector,
      int batchSize,
      double minConfidence,
      RetryPolicy retry)
      implements ModuleConfig<AttemptStage>, Serializable {
    Config {
      if (runId == null || runId.isBlank()) {
        throw new IllegalArgumentException("runId must be set, got empty");
      }
      if (batchSize < 1 || batchSize > 4096) {
        throw new IllegalArgumentException("batchSize must be in [1, 4096], got " + batchSize);
      }
      if (!(minConfidence >= 0) || minConfidence > 1) {
        throw new IllegalArgumentException("minConfidence must be in [0, 1], got " + minConfidence);
      }
    }

    @Override
    public AttemptStage toModule() {
      return new AttemptStage(this);
    }
  }

  AttemptStage(Config config) {
    super("attempt", config);
  }

  @Override
  public List<Port> inputs() {
    return List.of(Port.of("batches", ChunkBatch.class));
  }

  @Override
  public List<Port> outputs() {
    return List.of(Port.of("ended", ChunkEnded.class));
  }

  @Override
  public PCollection<ChunkEnded> expand(PCollection<ChunkBatch> batches) {
    // One id per stage: its DoFn instances of a JVM take the worker slots round-robin.
    return batches
        .apply("Attempt", ParDo.of(new AttemptFn(config(), UUID.randomUUID().toString())))
        .setCoder(SerializableCoder.of(ChunkEnded.class));
  }
}
