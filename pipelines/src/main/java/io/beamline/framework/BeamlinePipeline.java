package io.beamline.framework;

import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;

/**
 * A runnable pipeline: its name on the command line, its options, and how it builds its graph.
 *
 * <p>{@link #build} only constructs the graph on the given {@link Pipeline}, so tests pass a {@code
 * TestPipeline}, {@code beamline plan} prints the graph without running it, and the run directory
 * records it.
 *
 * @param <O> the pipeline's options interface
 */
public interface BeamlinePipeline<O extends BeamlineOptions> {

  /** Subcommand name, lower-case, e.g. {@code demo}. */
  String name();

  /**
   * The words of the command that runs this pipeline: by default just {@link #name()} ({@code
   * beamline demo}); two words nest it under a command group, e.g. {@code ["infer", "chunk"]} for
   * {@code beamline infer chunk} (and {@code beamline plan infer chunk}). At most two words, each
   * lower-case.
   */
  default List<String> commandPath() {
    return List.of(name());
  }

  /**
   * The property that also takes the command's single positional argument (e.g. {@code "manifest"}
   * for {@code beamline infer run MANIFEST.csv}), or null (the default) for none. Its flag is then
   * never required on the command line; {@link #validate} checks it.
   */
  default String positional() {
    return null;
  }

  /**
   * What the command prints in place of running when {@code options} ask for that (e.g. {@code
   * infer run --print-datalad-run}), or null (the default) to run. Called once the flags are
   * parsed, before anything is written; it may validate ({@link UserInputException} for a one-line
   * error) but must not write. {@code commandLine} is the command's words after {@code beamline}.
   */
  default String printInsteadOfRunning(O options, List<String> commandLine) {
    return null;
  }

  /**
   * The flags (kebab-case names, as on the command line) of each of the pipeline's modules, by
   * module name in stage order: how a config file ({@code --config}) and the run's recorded {@code
   * config.yaml} group them under {@code modules:}. List the flags that shape a module's outputs;
   * execution settings (workers, retries, service addresses, resume flags) stay unlisted and go
   * under {@code options:} with every other flag not in {@link #inputParameters}. An item's config
   * hash covers its module's flags and those of the modules before it, so changing a listed flag
   * reruns the affected items on resume and changing an option reruns nothing. Default: no modules.
   */
  default Map<String, List<String>> moduleParameters() {
    return Map.of();
  }

  /**
   * The flags (kebab-case names) that name the pipeline's inputs, grouped under {@code data:
   * inputs:} in a config file. Default: none.
   */
  default List<String> inputParameters() {
    return List.of();
  }

  /**
   * Which module makes which of the pipeline's items (commit records): regular expression over item
   * keys to module name, first match wins; items no pattern matches belong to the last module. An
   * item's config hash ({@link io.beamline.framework.run.ItemConfig}) covers the inputs and the
   * parameters of its module and the modules before it. Default: none (every item is the last
   * module's).
   */
  default Map<String, String> itemModules() {
    return Map.of();
  }

  /**
   * The items a run with {@code options} would commit, for {@code beamline plan --dry-run}; called
   * after {@link #validate}, must not write. Default: {@link PlannedItems#NONE}.
   */
  default PlannedItems plannedItems(O options) {
    return PlannedItems.NONE;
  }

  /** One-line description for {@code --help}. */
  String summary();

  /** The options interface; its getters become the command's flags. */
  Class<O> optionsClass();

  /**
   * Checks options and inputs before anything is built, throwing {@link UserInputException} with a
   * one-line message that names the input and the fix.
   */
  default void validate(O options) {}

  /**
   * Whether this pipeline runs on the FlinkRunner ({@code --runner=FlinkRunner}, an embedded Flink
   * cluster by default). Every pipeline runs on the DirectRunner and the SparkRunner; the
   * FlinkRunner only where it is tested (the command line refuses it elsewhere).
   */
  default boolean runsOnFlink() {
    return false;
  }

  /**
   * On the FlinkRunner: the longest a step holds its elements in one bundle before it hands them
   * and the watermark on, in ms (Flink's {@code --maxBundleTimeMills}, which the command line sets
   * to this unless the user names it); 0 keeps the runner's default (1 s).
   */
  default long flinkBundleMillis() {
    return 0;
  }

  /** Adds the pipeline's transforms to {@code pipeline}. Must not execute anything. */
  void build(Pipeline pipeline, O options);

  /**
   * Called when a run (not a plan) starts, before its graph is built: start in the background what
   * {@link #beforeRun} needs and is slow to start (an embedded broker), so that it overlaps graph
   * construction. Must return at once. The handle is closed when the run ends, whatever the outcome
   * (also when {@code beforeRun} was never called); closing releases what {@code beforeRun} did not
   * take over.
   */
  default Started startEarly(O options, Path runDir) {
    return () -> {};
  }

  /** What {@link #startEarly} started; closing it releases what was not taken over. */
  interface Started extends AutoCloseable {
    @Override
    void close();
  }

  /**
   * Called once a run (not a plan) has written its plan and options, before the graph executes:
   * start what the run needs beside the pipeline (an embedded broker, an ingest stage that feeds
   * it, a monitoring endpoint). The returned handle is closed when the run ends, whatever the
   * outcome. Throw {@link UserInputException} for a one-line user error.
   */
  default AutoCloseable beforeRun(O options, Path runDir) throws Exception {
    return () -> {};
  }

  /**
   * Waits for the run's graph to end and returns its final state. By default the runner decides
   * ({@link PipelineResult#waitUntilFinish()}); a pipeline whose runner never ends it by itself (a
   * Spark streaming job runs until it is stopped) decides here when its work is done and stops it.
   */
  default PipelineResult.State waitUntilFinish(O options, PipelineResult result) throws Exception {
    return result.waitUntilFinish();
  }

  /**
   * Called after the graph finished successfully, before the run is recorded as succeeded: write
   * what depends on the finished outputs (a training hand-off, a summary table). A failure here
   * fails the run.
   */
  default void afterRun(O options, Path runDir, PipelineResult result) throws Exception {}

  /** Local input files, recorded with size and SHA-256 in the run manifest. */
  default List<Path> inputFiles(O options) {
    return List.of();
  }

  /** Directories the pipeline writes to; files changed by the run are listed in the manifest. */
  default List<Path> outputRoots(O options) {
    return List.of(Paths.get(options.getOutputDir(), name()));
  }
}
