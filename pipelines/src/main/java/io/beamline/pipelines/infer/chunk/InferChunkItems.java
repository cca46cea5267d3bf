package io.beamline.pipelines.infer.chunk;

import io.beamline.framework.PlannedItems;
import io.beamline.pipelines.infer.chunk.InferChunkPipeline.InferChunkOptions;

/**
 * The items of an {@code infer chunk} run, for {@code beamline plan infer chunk --dry-run}: one per
 * WAV recording under {@code --recordings}, keyed by its recording id. A recording committed with
 * the same settings is skipped, so every run resumes.
 */
final class InferChunkItems {
  private InferChunkItems() {}

  static PlannedItems of(InferChunkOptions o) {
    return PlannedItems.resumable(
        InferChunkPipeline.recordings(o).stream().map(RecordingChunks::recordingId).toList());
  }
}
