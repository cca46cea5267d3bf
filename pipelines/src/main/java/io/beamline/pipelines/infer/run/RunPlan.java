package io.beamline.pipelines.infer.run;

import com.fasterxml.jackson.databind.JsonNode;
import io.beamline.framework.UserInputException;
import io.beamline.framework.run.ItemCommits;
import io.beamline.pipelines.infer.formats.ChunkManifest;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a run does: its manifests; per manifest the chunks it skips because their outputs are
 * committed ({@code --resume-completed}, or {@code --resume-summary} where the summary says
 * succeeded and the commit agrees); the chunks a resume summary names that are not in the manifest
 * ({@code stem:chunk}); and those it marks succeeded without committed outputs here (run again).
 */
record RunPlan(
    List<ChunkManifest.Manifest> manifests,
    Map<String, Set<String>> kept,
    List<String> orphans,
    List<String> uncommitted) {

  /** The plan of {@code o}, reading its manifests and the commit records under {@code paths}. */
  static RunPlan of(InferRunOptions o, RunPaths paths) {
    List<ChunkManifest.Manifest> manifests =
        ChunkManifest.read(o.getManifest(), o.getDatasetRoot());
    ItemCommits commits = paths.commits();
    Map<String, Set<String>> kept = new LinkedHashMap<>();
    List<String> orphans = new ArrayList<>();
    List<String> uncommitted = new ArrayList<>();
    boolean explicit = o.getResumeSummary() != null && !o.getResumeSummary().isBlank();
    if (explicit && manifests.size() > 1) {
      throw new UserInputException(
          "--resume-summary names one manifest's summary, but --manifest "
              + o.getManifest()
              + " holds "
              + manifests.size()
              + "; use --resume-completed for a directory");
    }
    for (ChunkManifest.Manifest m : manifests) {
      Set<String> skip = new LinkedHashSet<>();
      if (explicit) {
        Map<String, JsonNode> previous =
            RunFiles.readChunks(
                Paths.get(o.getResumeSummary()).toAbsolutePath(), "--resume-summary");
        Set<String> ids = new HashSet<>();
        for (ChunkTask t : m.chunks()) {
          ids.add(t.chunkId());
          if (RunFiles.succeeded(previous.get(t.chunkId()))) {
            // The summary alone proves nothing: only outputs committed here are skipped.
            if (commits.committed(t.itemKey(), t.inputDigest()).isPresent()) {
              skip.add(t.chunkId());
            } else {
              uncommitted.add(m.stem() + ":" + t.chunkId());
            }
          }
        }
        for (String id : previous.keySet()) {
          if (!ids.contains(id)) {
            orphans.add(m.stem() + ":" + id);
          }
        }
      } else if (o.getResumeCompleted()) {
        for (ChunkTask t : m.chunks()) {
          if (commits.committed(t.itemKey(), t.inputDigest()).isPresent()) {
            skip.add(t.chunkId());
          }
        }
      }
      kept.put(m.stem(), skip);
    }
    return new RunPlan(manifests, kept, orphans, uncommitted);
  }

  int toProcess() {
    int n = 0;
    for (ChunkManifest.Manifest m : manifests) {
      n += m.chunks().size() - kept.get(m.stem()).size();
    }
    return n;
  }

  int skipped() {
    return kept.values().stream().mapToInt(Set::size).sum();
  }

  /** The manifests' stems, in order. */
  List<String> stems() {
    return manifests.stream().map(ChunkManifest.Manifest::stem).toList();
  }
}
