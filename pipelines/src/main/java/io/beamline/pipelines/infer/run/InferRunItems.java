package io.beamline.pipelines.infer.run;

import io.beamline.framework.PlannedItems;
import io.beamline.pipelines.infer.formats.ChunkManifest;
import java.util.ArrayList;
import java.util.List;

/**
 * The items of an {@code infer run}, for {@code beamline plan infer run --dry-run}: one per chunk
 * of each manifest, keyed {@code <manifest stem>/<chunk_id>}. The run redoes committed chunks
 * unless {@code --resume-completed} (or {@code --resume-summary}) asks it to skip them.
 */
final class InferRunItems {
  private InferRunItems() {}

  static PlannedItems of(InferRunOptions o) {
    List<String> keys = new ArrayList<>();
    for (ChunkManifest.Manifest m : ChunkManifest.read(o.getManifest(), o.getDatasetRoot())) {
      m.chunks().forEach(t -> keys.add(t.itemKey()));
    }
    boolean resumes =
        o.getResumeCompleted() || (o.getResumeSummary() != null && !o.getResumeSummary().isBlank());
    return new PlannedItems(keys, resumes, "--resume-completed");
  }
}
