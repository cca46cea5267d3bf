package io.beamline.pipelines.infer.orchestrate;

import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The command lines {@code beamline infer orchestrate} plans, as words after {@code beamline}: one
 * {@code infer run} per manifest and the {@code infer aggregate} after them, and the same wrapped
 * in {@code datalad run} with the command that starts this build in a new JVM.
 */
final class OrchestrateCommands {
  private OrchestrateCommands() {}

  /** The words of one manifest's command (after {@code beamline}). */
  static List<String> runArgs(
      InferOrchestrateOptions o, Path manifest, Path runOut, Path logDir, Path resumeSummary) {
    List<String> a = new ArrayList<>(words(o.getRunCommand()));
    a.addAll(List.of("--manifest", manifest.toString(), "--output-dir", runOut.toString()));
    if (logDir != null) {
      a.addAll(List.of("--log-dir", logDir.toString()));
    }
    if (resumeSummary != null) {
      a.addAll(List.of("--resume-summary", resumeSummary.toString()));
    }
    a.addAll(extraRunArgs(o));
    if ("SparkRunner".equals(o.getInferRunner())) {
      // The DirectRunner is every pipeline's default; only the SparkRunner needs naming.
      a.add("--runner=SparkRunner");
      if (o.getInferSparkMaster() != null) {
        a.add("--spark-master=" + o.getInferSparkMaster());
      }
    }
    return a;
  }

  /** Flags every run gets besides its manifest, output and resume: the stub and --run-args. */
  static List<String> extraRunArgs(InferOrchestrateOptions o) {
    List<String> a = new ArrayList<>();
    if (o.getStubRunner()) {
      a.add("--stub-runner");
    }
    a.addAll(words(o.getRunArgs()));
    return a;
  }

  /** The words of the aggregation command. */
  static List<String> aggregateArgs(InferOrchestrateOptions o, Path runOut, Path aggOut) {
    List<String> a =
        new ArrayList<>(
            List.of(
                "infer",
                "aggregate",
                "--input",
                runOut.toString(),
                "--output-dir",
                aggOut.toString(),
                "--bucket-minutes",
                number(o.getBucketMinutes())));
    return a;
  }

  /** The words of a flag value separated by spaces ({@code --run-args}, {@code --run-command}). */
  static List<String> words(String s) {
    if (s == null || s.isBlank()) {
      return List.of();
    }
    return Arrays.asList(s.trim().split("\\s+"));
  }

  /**
   * {@code datalad run} of one row in the dataset: the manifest as input, the run output as output,
   * the command this JVM would run ({@link #selfCommand}).
   */
  static List<String> dataladRun(OrchestrateDirs where, PlannedRun r) {
    return datalad(
        where.dataset(),
        "beamline infer run " + r.recording().id(),
        r.recording().manifest(),
        where.runOut(),
        r.args());
  }

  /** {@code datalad run} of the aggregation: the run output as input, its output as output. */
  static List<String> dataladAggregate(OrchestrateDirs where, List<String> aggregate) {
    return datalad(
        where.dataset(), "beamline infer aggregate", where.runOut(), where.aggOut(), aggregate);
  }

  /** {@code datalad run} in {@code dataset} of this build's command line with {@code args}. */
  private static List<String> datalad(
      Path dataset, String message, Path input, Path output, List<String> args) {
    List<String> cmd =
        new ArrayList<>(
            List.of(
                "datalad",
                "run",
                "-d",
                dataset.toString(),
                "-m",
                message,
                "--explicit",
                "--input",
                input.toString(),
                "--output",
                output.toString(),
                "--"));
    List<String> beamline = new ArrayList<>(selfCommand());
    beamline.addAll(args);
    cmd.addAll(dataladEscape(beamline));
    return cmd;
  }

  /** datalad run expands {@code {inputs}}-style placeholders: literal braces are doubled. */
  private static List<String> dataladEscape(List<String> words) {
    return words.stream().map(w -> w.replace("{", "{{").replace("}", "}}")).toList();
  }

  /**
   * The command that starts this build's command line in a new JVM: {@code BEAMLINE_CMD} when set,
   * else this JVM's java binary with its {@code -D}, {@code -X} and {@code --add-opens} flags,
   * class path and the command line's main class.
   */
  static List<String> selfCommand() {
    String given = System.getenv("BEAMLINE_CMD");
    if (given != null && !given.isBlank()) {
      return words(given);
    }
    List<String> cmd = new ArrayList<>();
    cmd.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
    for (String a : java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments()) {
      if (a.startsWith("-D") || a.startsWith("-X") || a.startsWith("--add-opens")) {
        cmd.add(a);
      }
    }
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(MAIN_CLASS);
    return cmd;
  }

  /** The command line's entry point (in the runners module, which depends on this one). */
  static final String MAIN_CLASS = "io.beamline.runners.Beamline";

  /** Numbers as the flags take them: {@code 1} rather than {@code 1.0}. */
  static String number(double v) {
    return java.math.BigDecimal.valueOf(v).stripTrailingZeros().toPlainString();
  }
}
