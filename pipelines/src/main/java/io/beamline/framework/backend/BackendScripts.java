package io.beamline.framework.backend;

import static io.beamline.framework.backend.Launch.shellQuote;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The script of each backend for one compiled command: the exact command line, with only the jar
 * ({@code BEAMLINE_JAR}), the java binary ({@code JAVA}), the heap ({@code BEAMLINE_HEAP}, e.g.
 * {@code 8g}; default half the memory the JVM sees, for SLURM half the job's), extra JVM flags
 * ({@code BEAMLINE_JAVA_OPTS}) and, for {@code spark-submit}, the master ({@code SPARK_MASTER})
 * left to the environment.
 *
 * @param command the words after {@code beamline}: the pipeline's command and its flags
 * @param workingDir the run directory the run writes its log and manifest to
 * @param jar the shaded jar
 * @param slurm the SLURM script's resources
 */
record BackendScripts(List<String> command, Path workingDir, Path jar, SlurmResources slurm) {

  /** The command line the script runs (one line, as a shell reads it). */
  String commandLine(Backend b) {
    List<String> w = new ArrayList<>();
    w.add("\"$JAVA\"");
    w.addAll(quoted(Launch.javaFlagList()));
    w.addAll(quoted(Launch.heapFlagList()));
    w.add(Launch.HEAP_OVERRIDE);
    String flags = Launch.javaFlags();
    switch (b) {
      case SPARK_SUBMIT -> {
        w.addAll(List.of("-cp", "\"$BEAMLINE_JAR\"", Launch.SPARK_SUBMIT));
        w.addAll(List.of("--master", "\"$SPARK_MASTER\"", "--class", Launch.ENTRY_POINT));
        for (String side : List.of("driver", "executor")) {
          w.addAll(List.of("--conf", shellQuote("spark." + side + ".extraJavaOptions=" + flags)));
        }
        w.add("\"$BEAMLINE_JAR\"");
        w.addAll(quoted(command));
      }
      default -> {
        w.addAll(List.of("-jar", "\"$BEAMLINE_JAR\""));
        w.addAll(quoted(command));
        // Only SLURM's flags hold a variable; it is expanded inside double quotes.
        runnerArgs(b).forEach(a -> w.add(a.contains("$") ? '"' + a + '"' : shellQuote(a)));
      }
    }
    return String.join(" ", w);
  }

  /**
   * The runner flags of a backend that runs the jar's main class itself ({@code spark-submit} needs
   * none: the Spark master it submits to selects the SparkRunner). SLURM's local master has as many
   * threads as the job has CPUs ({@code $CPUS}, expanded by the script).
   */
  static List<String> runnerArgs(Backend b) {
    return switch (b) {
      case DIRECT -> List.of("--runner=DirectRunner");
      case SPARK_LOCAL -> List.of("--runner=SparkRunner", "--sparkMaster=local[*]");
      case SLURM -> List.of("--runner=SparkRunner", "--sparkMaster=local[$CPUS]");
      case SPARK_SUBMIT -> List.of();
    };
  }

  /** The whole script file. */
  String script(Backend b, String header) {
    StringBuilder s = new StringBuilder("#!/usr/bin/env bash\n");
    if (b == Backend.SLURM) {
      String job = "beamline-" + command.get(0);
      s.append("#SBATCH --job-name=").append(job).append('\n');
      s.append("#SBATCH --output=").append(workingDir.resolve("slurm-%j.out")).append('\n');
      s.append("#SBATCH --cpus-per-task=").append(slurm.cpusPerTask()).append('\n');
      s.append("#SBATCH --mem=").append(slurm.mem()).append('\n');
      s.append("#SBATCH --time=").append(slurm.time()).append('\n');
      if (slurm.partition() != null) {
        s.append("#SBATCH --partition=").append(slurm.partition()).append('\n');
      }
      if (slurm.account() != null) {
        s.append("#SBATCH --account=").append(slurm.account()).append('\n');
      }
    }
    s.append(header.replaceAll("(?m)^", "# ")).append('\n');
    s.append("set -euo pipefail\n");
    s.append("JAVA=${JAVA:-java}\n");
    s.append("BEAMLINE_JAR=${BEAMLINE_JAR:-").append(shellQuote(jar.toString())).append("}\n");
    if (b == Backend.SPARK_SUBMIT) {
      s.append(
          ": \"${SPARK_MASTER:?set SPARK_MASTER to the master of the cluster, e.g."
              + " spark://head-node:7077}\"\n");
    }
    if (b == Backend.SLURM) {
      s.append("CPUS=${SLURM_CPUS_PER_TASK:-").append(slurm.cpusPerTask()).append("}\n");
      // Half the job's memory (MB) where SLURM does not confine the job to it by cgroup.
      s.append("if [[ -z \"${BEAMLINE_HEAP:-}\" && -n \"${SLURM_MEM_PER_NODE:-}\" ]]; then\n");
      s.append("  BEAMLINE_HEAP=$((SLURM_MEM_PER_NODE / 2))m\n");
      s.append("fi\n");
    }
    s.append("exec ").append(commandLine(b)).append('\n');
    return s.toString();
  }

  private static List<String> quoted(List<String> words) {
    return words.stream().map(Launch::shellQuote).toList();
  }
}
