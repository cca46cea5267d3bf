package io.beamline.framework.backend;

import io.beamline.framework.BeamlineOptions;
import io.beamline.framework.BeamlinePipeline;
import java.nio.file.Path;
import java.util.List;

/**
 * A compiled pipeline: its working directory (the run directory {@code <output-dir>/runs/<run-id>},
 * which a run on any backend then uses) and what was written there.
 *
 * @param pipeline the pipeline
 * @param command the words after {@code beamline} that run it: its command and flags, the output
 *     directory and run id pinned
 * @param runId the run id every backend's run uses
 * @param workingDir the working (run) directory
 * @param picture {@code plan.png}, or null when Graphviz was not there to draw it
 * @param pictureNote why there is no picture (one line), or null
 * @param <O> the pipeline's options
 */
public record Compiled<O extends BeamlineOptions>(
    BeamlinePipeline<O> pipeline,
    List<String> command,
    String runId,
    Path workingDir,
    Path picture,
    String pictureNote) {

  /** The script that runs this pipeline on {@code backend}, in the working directory. */
  public Path script(Backend backend) {
    return workingDir.resolve(backend.scriptName());
  }

  /** The pipeline's flags: {@link #command} without the command's words. */
  List<String> flags() {
    return command.subList(pipeline.commandPath().size(), command.size());
  }
}
