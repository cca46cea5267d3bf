package io.beamline.pipelines.infer.orchestrate;

import io.beamline.pipelines.infer.orchestrate.OrchestratePlan.Recording;
import java.nio.file.Path;
import java.util.List;

/**
 * One planned run: the recording, the summary an earlier run left (null when none), whether it is
 * passed on as {@code --resume-summary}, and the command's words after {@code beamline}.
 */
record PlannedRun(Recording recording, Path summary, boolean resume, List<String> args) {
  /** The summary the run is given, or null. */
  Path resumeSummary() {
    return resume ? summary : null;
  }
}
