package io.beamline.framework;

import java.io.PrintWriter;
import java.util.List;

/**
 * A command that is not a Beam pipeline: it reads or writes files around pipeline runs (train a
 * model, aggregate detections, plan a batch of runs, follow telemetry). Its flags come from an
 * options interface exactly as a pipeline's do, so both kinds of command share one flag syntax.
 *
 * @param <O> the tool's options interface
 */
public interface BeamlineTool<O extends BeamlineToolOptions> {

  /** The words of the command, e.g. {@code ["infer", "train"]}; one or two, lower-case. */
  List<String> commandPath();

  /** One-line description for {@code --help}. */
  String summary();

  /** The options interface; its getters become the command's flags. */
  Class<O> optionsClass();

  /**
   * The property that also takes the command's single positional argument (e.g. {@code "directory"}
   * for {@code beamline infer orchestrate DIR}), or null when the command takes none. The flag form
   * {@code --directory DIR} stays valid.
   */
  default String positional() {
    return null;
  }

  /**
   * Runs the command. Bad input is a {@link UserInputException} with a one-line message naming the
   * input and the fix (exit status 2); any other exception fails the command (exit status 1).
   *
   * @return the exit status: 0 success, 1 failure, 3 some items failed (each with a failure record)
   */
  int run(O options, PrintWriter out, PrintWriter err) throws Exception;
}
