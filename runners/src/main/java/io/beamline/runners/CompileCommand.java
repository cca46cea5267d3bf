package io.beamline.runners;

import io.beamline.framework.BeamlineOptions;
import io.beamline.framework.BeamlinePipeline;
import io.beamline.framework.backend.Backend;
import io.beamline.framework.backend.Backends;
import io.beamline.framework.backend.Compiled;
import io.beamline.framework.backend.SlurmResources;
import java.io.PrintWriter;
import java.util.List;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParseResult;

/**
 * {@code beamline compile [--jar J] [--slurm-*] <command> [flags]}: compiles a pipeline into its
 * working directory {@code <output-dir>/runs/<run-id>/} ({@link Backends#compile}) and prints how
 * to run it on each backend.
 *
 * @param jar the jar the scripts run, or null for this one
 * @param slurm the SLURM script's resources
 */
record CompileCommand(String jar, SlurmResources slurm) {

  static CommandSpec spec() {
    CommandSpec spec = CommandSpec.create().name("compile");
    spec.addOption(Beamline.helpOption());
    spec.usageMessage()
        .description(
            "Compile a pipeline without running it: its working directory"
                + " <output-dir>/runs/<run-id>/ gets plan.json, plan.dot, plan.png (with Graphviz),"
                + " options.json, compiled.json and a script per backend (run-direct.sh,"
                + " run-spark-local.sh, run-spark-submit.sh, run-slurm.sbatch); each script runs it"
                + " into that directory. Options of compile go before the pipeline's command.");
    SlurmResources d = SlurmResources.DEFAULT;
    spec.addOption(option("--jar", "JAR", "beamline.jar the scripts run (default: this jar)"));
    spec.addOption(
        option(
            "--slurm-cpus-per-task",
            "N",
            "#SBATCH --cpus-per-task (default " + d.cpusPerTask() + ")"));
    spec.addOption(option("--slurm-mem", "SIZE", "#SBATCH --mem (default " + d.mem() + ")"));
    spec.addOption(option("--slurm-time", "TIME", "#SBATCH --time (default " + d.time() + ")"));
    spec.addOption(option("--slurm-partition", "P", "#SBATCH --partition (default: none)"));
    spec.addOption(option("--slurm-account", "A", "#SBATCH --account (default: none)"));
    return spec;
  }

  private static OptionSpec option(String name, String label, String description) {
    return OptionSpec.builder(name)
        .type(String.class)
        .paramLabel(label)
        .description(OptionFlags.literal(description))
        .build();
  }

  /** The settings given to {@code compile}; IllegalArgumentException for a bad value. */
  static CompileCommand settings(ParseResult compile) {
    SlurmResources d = SlurmResources.DEFAULT;
    String cpus = compile.matchedOptionValue("--slurm-cpus-per-task", null);
    int n;
    try {
      n = cpus == null ? d.cpusPerTask() : Integer.parseInt(cpus);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "--slurm-cpus-per-task must be a whole number, got " + cpus);
    }
    return new CompileCommand(
        compile.matchedOptionValue("--jar", null),
        new SlurmResources(
            n,
            compile.matchedOptionValue("--slurm-mem", d.mem()),
            compile.matchedOptionValue("--slurm-time", d.time()),
            compile.matchedOptionValue("--slurm-partition", null),
            compile.matchedOptionValue("--slurm-account", null)));
  }

  <O extends BeamlineOptions> int compile(
      String cmd, BeamlinePipeline<O> def, O options, PrintWriter out, PrintWriter err) {
    Compiled<O> c = Backends.compile(def, options, jar, slurm);
    out.println(
        cmd + ": compiled run " + c.runId() + " into " + c.workingDir() + "; nothing was run");
    out.println(
        "  plan: plan.json, plan.dot"
            + (c.picture() == null ? "" : ", plan.png")
            + "; options: options.json; command lines: compiled.json");
    List<String> how =
        List.of(
            "bash " + c.script(Backend.DIRECT),
            "bash " + c.script(Backend.SPARK_LOCAL),
            "SPARK_MASTER=spark://HOST:7077 bash " + c.script(Backend.SPARK_SUBMIT),
            "sbatch " + c.script(Backend.SLURM));
    Backend[] backends = Backend.values();
    for (int i = 0; i < backends.length; i++) {
      out.println(String.format("  %-13s %s", backends[i].id() + ":", how.get(i)));
    }
    if (c.pictureNote() != null) {
      err.println(cmd + ": " + c.pictureNote());
    }
    return Beamline.OK;
  }
}
