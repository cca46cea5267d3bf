package io.beamline.pipelines.infer.chunk;

import io.beamline.framework.PlannedItems;
import io.beamline.pipelines.infer.chunk.InferChunkPipeline.InferChunkOptions;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The items of an {@code infer chunk} run, for {@code beamline plan infer chunk --dry-run}: one per
 * WAV recording under {@code --recordings}, keyed by its recording id. A recording committed with
 * the same settings from an unchanged file (size and modification time) is skipped, so every run
 * resumes.
 */
final class InferChunkItems {
  private InferChunkItems() {}

  static PlannedItems of(InferChunkOptions o) {
    Map<String, String> digests = new LinkedHashMap<>();
    for (Path wav : InferChunkPipeline.recordings(o)) {
      Path source = wav.toAbsolutePath().normalize();
      digests.put(RecordingChunks.recordingId(source), RecordingChunks.inputDigest(source));
    }
    return PlannedItems.resumable(List.copyOf(digests.keySet())).withInputDigests(digests);
  }
}
