package io.beamline.pipelines.infer.run;

import io.beamline.framework.PlannedItems;
import io.beamline.pipelines.infer.formats.ChunkManifest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The items of an {@code infer run}, for {@code beamline plan infer run --dry-run}: one per chunk
 * of each manifest, keyed {@code <manifest stem>/<chunk_id>}. The run redoes committed chunks
 * unless {@code --resume-completed} (or {@code --resume-summary}) asks it to skip them, and then
 * only while the chunk's content is the one scored ({@link ChunkTask#inputDigest}).
 */
final class InferRunItems {
  private InferRunItems() {}

  static PlannedItems of(InferRunOptions o) {
    List<String> keys = new ArrayList<>();
    Map<String, String> digests = new HashMap<>();
    for (ChunkManifest.Manifest m : ChunkManifest.read(o.getManifest(), o.getDatasetRoot())) {
      for (ChunkTask t : m.chunks()) {
        keys.add(t.itemKey());
        digests.put(t.itemKey(), t.inputDigest());
      }
    }
    boolean resumes =
        o.getResumeCompleted() || (o.getResumeSummary() != null && !o.getResumeSummary().isBlank());
    return new PlannedItems(keys, resumes, "--resume-completed", digests);
  }
}
