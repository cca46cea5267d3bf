package io.beamline.framework;

import org.apache.beam.sdk.options.PipelineOptions;

/**
 * Which Beam runner a run's options name, by the runner class's simple name ({@code DirectRunner},
 * {@code SparkRunner}), so code that tunes or adapts to a runner needs none of its classes.
 */
public final class RunnerNames {
  /** The DirectRunner's simple class name. */
  public static final String DIRECT = "DirectRunner";

  /** The SparkRunner's simple class name. */
  public static final String SPARK = "SparkRunner";

  /** The FlinkRunner's simple class name (an embedded Flink mini cluster by default). */
  public static final String FLINK = "FlinkRunner";

  private RunnerNames() {}

  /** Whether {@code options} run on the runner whose class is named {@code simpleName}. */
  public static boolean is(PipelineOptions options, String simpleName) {
    return options.getRunner() != null && simpleName.equals(options.getRunner().getSimpleName());
  }
}
