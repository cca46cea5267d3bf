package io.beamline.pipelines.infer.orchestrate;

import io.beamline.framework.Inputs;
import io.beamline.framework.UserInputException;
import io.beamline.framework.backend.Launch;
import io.beamline.io.files.AtomicFiles;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code --slurm-script F}: writes the {@link SlurmScript} of a plan, one array task per planned
 * run, with the list of manifests it reads ({@code F.manifests.txt}) and the log directory SLURM
 * needs to exist before a task starts.
 */
final class SlurmArray {
  private SlurmArray() {}

  /** Writes the script for {@code rows} and says how to submit it. */
  static void write(
      InferOrchestrateOptions o,
      OrchestrateDirs where,
      List<PlannedRun> rows,
      List<String> aggregate,
      PrintWriter out)
      throws Exception {
    Path script = Paths.get(o.getSlurmScript()).toAbsolutePath().normalize();
    if (Files.isDirectory(script)) {
      throw new UserInputException(
          "--slurm-script " + o.getSlurmScript() + " is a directory; give a file name");
    }
    Path runOut = where.runOut();
    Path logDir = where.logDir() == null ? runOut.resolve("slurm-logs") : where.logDir();
    if (logDir.toString().matches(".*[\\s'\"`$\\\\].*")) {
      throw new UserInputException(
          "SLURM log directory " + logDir + " may not hold spaces or quotes; give --slurm-log-dir");
    }
    Path list = script.resolveSibling(script.getFileName() + ".manifests.txt");
    StringBuilder manifests = new StringBuilder();
    List<Path> statusFiles = new ArrayList<>();
    List<Path> resumes = new ArrayList<>();
    List<Path> telemetry = new ArrayList<>();
    for (PlannedRun r : rows) {
      String stem = r.recording().id();
      manifests.append(r.recording().manifest()).append('\n');
      statusFiles.add(r.recording().statusFile());
      // Where this task's run writes its summary and telemetry, so a resubmitted task finds them.
      resumes.add(
          where.logDir() == null
              ? runOut.resolve(stem + ".summary.json")
              : where.logDir().resolve(stem + ".summary.json"));
      telemetry.add(
          where.logDir() == null
              ? runOut.resolve("telemetry").resolve(stem + ".jsonl")
              : where.logDir().resolve(stem + ".jsonl"));
    }
    SlurmScript s =
        new SlurmScript(
            script,
            list,
            rows.size(),
            runOut,
            logDir,
            where.logDir() != null,
            o.getSlurmJobName(),
            o.getSlurmPartition(),
            o.getSlurmTime(),
            o.getSlurmAccount(),
            o.getSlurmGres(),
            o.getSlurmCpusPerTask(),
            o.getSlurmMem(),
            o.getInferRunner(),
            o.getInferSparkMaster(),
            jar(o),
            o.getAllowPartialChunks(),
            o.getSlurmResumeCompleted(),
            o.getSlurmBundle() == null || o.getSlurmBundle(),
            OrchestrateCommands.words(o.getRunCommand()),
            // Under spark-submit the master comes from its --master (SPARK_MASTER in the script).
            OrchestrateCommands.extraRunArgs(o),
            aggregate.subList(2, aggregate.size()),
            statusFiles,
            resumes,
            telemetry);
    // SLURM opens each task's --output file before the script runs: the directory must exist.
    Inputs.requireWritableDir("--slurm-log-dir", logDir.toString());
    AtomicFiles.writeString(list, manifests.toString());
    AtomicFiles.writeString(
        script, s.text(Instant.now().truncatedTo(ChronoUnit.SECONDS).toString()));
    script.toFile().setExecutable(true);
    out.println(
        "SLURM array script written to "
            + script
            + " ("
            + rows.size()
            + " task"
            + (rows.size() == 1 ? "" : "s")
            + ", manifests in "
            + list.getFileName()
            + ", logs in "
            + logDir
            + (where.logDir() == null ? "" : " with the runs' telemetry and summaries")
            + "); submit it with: sbatch "
            + script);
  }

  /** The jar SLURM tasks run: {@code --slurm-jar}, the jar running now, or the build's. */
  static Path jar(InferOrchestrateOptions o) {
    return Launch.jar(o.getSlurmJar(), SlurmArray.class);
  }
}
