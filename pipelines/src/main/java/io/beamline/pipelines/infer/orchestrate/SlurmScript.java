package io.beamline.pipelines.infer.orchestrate;

import static io.beamline.framework.backend.Launch.shellQuote;

import io.beamline.framework.backend.Launch;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A SLURM array script for {@code beamline infer orchestrate --slurm-script}: array task {@code i}
 * runs the inference command on the {@code i}-th manifest of a list file, after checking the
 * recording's chunk status (at the path the orchestrator found it) and, when written with {@code
 * --slurm-resume-completed}, adding {@code --resume-summary} when an earlier run of the task left
 * its summary ({@code RESUMES}); task 0 also submits the aggregation as a job that starts once
 * every task succeeded ({@code --dependency=afterok:<array job>}), unless written with {@code
 * --slurm-bundle=false}. The same script run as {@code bash SCRIPT aggregate} runs the aggregation
 * itself.
 *
 * <p>Exit statuses propagate: a task ends with the exit status of its {@code infer run} (3 when
 * some of its chunks failed, so the array job does not count as succeeded and the {@code afterok}
 * aggregation never starts), 3 when its recording is not completely chunked, 2 when it has no
 * manifest; {@code bash SCRIPT aggregate} ends with that of {@code infer aggregate}.
 *
 * <p>With a log directory for the runs ({@code --slurm-log-dir}), each task passes {@code --log-dir
 * <dir>} to {@code infer run}, so telemetry ({@code <dir>/<recording>.jsonl}) and summaries ({@code
 * <dir>/<recording>.summary.json}) go there with the SLURM logs, and {@code RESUMES} point there.
 *
 * <p>Each task runs {@code spark-submit ... beamline.jar} (SparkRunner) or {@code java -jar
 * beamline.jar} (DirectRunner); the environment variable {@code BEAMLINE_CMD} replaces either with
 * another command prefix (e.g. the {@code ./beamline} launcher of a checkout), {@code
 * BEAMLINE_JAR}, {@code JAVA} and {@code SPARK_MASTER} override the jar, the java binary and the
 * master.
 */
record SlurmScript(
    Path script,
    Path manifestList,
    int tasks,
    Path outputDir,
    Path logDir,
    boolean runsLogToLogDir,
    String jobName,
    String partition,
    String time,
    String account,
    String gres,
    int cpusPerTask,
    String mem,
    String runner,
    String sparkMaster,
    Path jar,
    boolean allowPartial,
    boolean resumeCompleted,
    boolean bundle,
    List<String> runCommand,
    List<String> runArgs,
    List<String> aggregateArgs,
    List<Path> statusFiles,
    List<Path> resumes,
    List<Path> telemetry) {

  private static String paths(List<Path> paths) {
    return array(paths.stream().map(Path::toString).toList());
  }

  private static String array(List<String> words) {
    return "(" + Launch.shellLine(words) + ")";
  }

  /** The script text. */
  String text(String generatedAt) {
    boolean spark = "SparkRunner".equals(runner);
    StringBuilder b = new StringBuilder();
    b.append("#!/usr/bin/env bash\n");
    b.append("#SBATCH --job-name=").append(jobName).append('\n');
    b.append("#SBATCH --array=0-").append(tasks - 1).append('\n');
    b.append("#SBATCH --output=").append(logDir.resolve("%A_%a.out")).append('\n');
    b.append("#SBATCH --time=").append(time).append('\n');
    b.append("#SBATCH --cpus-per-task=").append(cpusPerTask).append('\n');
    b.append("#SBATCH --mem=").append(mem).append('\n');
    if (partition != null) {
      b.append("#SBATCH --partition=").append(partition).append('\n');
    }
    if (account != null) {
      b.append("#SBATCH --account=").append(account).append('\n');
    }
    if (gres != null) {
      b.append("#SBATCH --gres=").append(gres).append('\n');
    }
    b.append(
        "# Written by 'beamline infer orchestrate' at "
            + generatedAt
            + ": array task i runs 'beamline "
            + String.join(" ", runCommand)
            + "' on line i+1 of the manifest list,\n"
            + (bundle
                ? "# task 0 submits 'beamline infer aggregate' to start after every task succeeded.\n"
                : "# no aggregation job is submitted (--slurm-bundle=false).\n")
            + "# A task exits with the status of its run: 3 when some chunks failed, so an\n"
            + "# afterok dependency (the aggregation) does not start.\n"
            + "# Submit: sbatch "
            + script
            + "\n# Aggregate by hand: bash "
            + script
            + " aggregate\n");
    b.append("set -euo pipefail\n\n");
    b.append("SCRIPT=").append(shellQuote(script.toString())).append('\n');
    b.append("MANIFEST_LIST=").append(shellQuote(manifestList.toString())).append('\n');
    b.append("N_TASKS=").append(tasks).append('\n');
    b.append("OUTPUT_DIR=").append(shellQuote(outputDir.toString())).append('\n');
    b.append("LOG_DIR=").append(shellQuote(logDir.toString())).append('\n');
    b.append("JOB_NAME=").append(shellQuote(jobName)).append('\n');
    b.append("RUNNER=").append(runner).append('\n');
    b.append("BEAMLINE_JAR=${BEAMLINE_JAR:-").append(shellQuote(jar.toString())).append("}\n");
    b.append("JAVA=${JAVA:-java}\n");
    if (spark) {
      // Without a master Spark runs inside the task, on the CPUs SLURM gave it: local[*] would
      // take every core of the node (the JVM sees them all unless the site confines tasks).
      b.append("SPARK_MASTER=${SPARK_MASTER:-")
          .append(
              sparkMaster == null ? "local[${SLURM_CPUS_PER_TASK:-*}]" : shellQuote(sparkMaster))
          .append("}\n");
      b.append("SPARK_JAVA_OPTS=").append(shellQuote(Launch.javaFlags())).append('\n');
    }
    b.append("ALLOW_PARTIAL_CHUNKS=").append(allowPartial ? 1 : 0).append('\n');
    b.append("RESUME_COMPLETED=").append(resumeCompleted ? 1 : 0).append('\n');
    b.append("BUNDLE=").append(bundle ? 1 : 0).append('\n');
    b.append("RUNS_LOG_DIR=").append(runsLogToLogDir ? 1 : 0).append('\n');
    b.append("STATUS_FILES=").append(paths(statusFiles)).append('\n');
    b.append("RESUMES=").append(paths(resumes)).append('\n');
    b.append("TELEMETRY=").append(paths(telemetry)).append('\n');
    b.append("RUN_COMMAND=").append(array(runCommand)).append('\n');
    b.append("RUN_ARGS=").append(array(runArgs)).append('\n');
    b.append("AGGREGATE_ARGS=").append(array(aggregateArgs)).append('\n');
    b.append("SBATCH_AGGREGATE=").append(array(aggregateSbatch())).append('\n');
    b.append('\n');
    b.append("beamline() {\n");
    b.append("  if [[ -n \"${BEAMLINE_CMD:-}\" ]]; then\n");
    b.append("    read -r -a prefix <<<\"$BEAMLINE_CMD\"\n");
    b.append("    \"${prefix[@]}\" \"$@\"\n");
    if (spark) {
      b.append("  else\n");
      b.append(
          "    spark-submit --master \"$SPARK_MASTER\" --class io.beamline.runners.Beamline \\\n");
      b.append("      --conf \"spark.driver.extraJavaOptions=$SPARK_JAVA_OPTS\" \\\n");
      b.append("      --conf \"spark.executor.extraJavaOptions=$SPARK_JAVA_OPTS\" \\\n");
      b.append("      \"$BEAMLINE_JAR\" \"$@\"\n");
    } else {
      b.append("  else\n");
      b.append("    \"$JAVA\" -jar \"$BEAMLINE_JAR\" \"$@\"\n");
    }
    b.append("  fi\n");
    b.append("}\n\n");
    b.append("mkdir -p \"$LOG_DIR\"\n\n");
    b.append("if [[ \"${1:-}\" == aggregate ]]; then\n");
    b.append("  echo \"aggregate: beamline infer aggregate ${AGGREGATE_ARGS[*]}\"\n");
    b.append("  status=0\n");
    b.append("  beamline infer aggregate \"${AGGREGATE_ARGS[@]}\" || status=$?\n");
    b.append("  if ((status != 0)); then\n");
    b.append("    echo \"aggregate: beamline infer aggregate failed (exit $status)\" >&2\n");
    b.append("  fi\n");
    b.append("  exit \"$status\"\n");
    b.append("fi\n\n");
    b.append("if [[ -z \"${SLURM_ARRAY_TASK_ID:-}\" ]]; then\n");
    b.append(
        "  echo \"submit this script with 'sbatch $SCRIPT' (an array of $N_TASKS tasks); run task"
            + " i here with 'SLURM_ARRAY_TASK_ID=i bash $SCRIPT', the aggregation with 'bash"
            + " $SCRIPT aggregate'\" >&2\n");
    b.append("  exit 2\n");
    b.append("fi\n\n");
    b.append("TASK=$SLURM_ARRAY_TASK_ID\n");
    b.append("MANIFEST=$(sed -n \"$((TASK + 1))p\" \"$MANIFEST_LIST\")\n");
    b.append("if [[ -z \"$MANIFEST\" ]]; then\n");
    b.append(
        "  echo \"task $TASK: no manifest on line $((TASK + 1)) of $MANIFEST_LIST ($N_TASKS"
            + " lines); regenerate the script with 'beamline infer orchestrate'\" >&2\n");
    b.append("  exit 2\n");
    b.append("fi\n");
    b.append("STEM=$(basename \"$MANIFEST\" .csv)\n");
    b.append("STATUS_FILE=${STATUS_FILES[$TASK]}\n");
    b.append("STATUS=missing\n");
    b.append("if [[ -f \"$STATUS_FILE\" ]]; then\n");
    b.append(
        "  STATUS=$(sed -n 's/.*\"status\"[[:space:]]*:[[:space:]]*\"\\([a-z_]*\\)\".*/\\1/p'"
            + " \"$STATUS_FILE\" | head -n 1)\n");
    b.append("  STATUS=${STATUS:-unreadable}\n");
    b.append("fi\n");
    b.append("if [[ \"$STATUS\" != completed && \"$ALLOW_PARTIAL_CHUNKS\" != 1 ]]; then\n");
    b.append(
        "  echo \"task $TASK: recording $STEM has chunk status '$STATUS' ($STATUS_FILE); finish"
            + " 'beamline infer chunk' for it or regenerate the script with"
            + " --allow-partial-chunks\" >&2\n");
    b.append("  exit 3\n");
    b.append("fi\n\n");
    b.append(
        "if [[ \"$TASK\" == 0 && \"$BUNDLE\" == 1 && -n \"${SLURM_ARRAY_JOB_ID:-}\" ]]; then\n");
    b.append(
        "  AGG_JOB=$(sbatch --parsable --dependency=afterok:\"$SLURM_ARRAY_JOB_ID\""
            + " \"${SBATCH_AGGREGATE[@]}\" --wrap \"bash '$SCRIPT' aggregate\")\n");
    b.append(
        "  echo \"task 0: submitted aggregation job $AGG_JOB (after array job"
            + " $SLURM_ARRAY_JOB_ID succeeds; log $LOG_DIR/${AGG_JOB%%;*}-aggregate.out)\"\n");
    b.append("fi\n\n");
    b.append(
        "ARGS=(\"${RUN_COMMAND[@]}\" --manifest \"$MANIFEST\" --output-dir \"$OUTPUT_DIR\")\n");
    b.append("if [[ \"$RUNS_LOG_DIR\" == 1 ]]; then\n");
    b.append("  ARGS+=(--log-dir \"$LOG_DIR\")\n");
    b.append("fi\n");
    b.append("RESUME=${RESUMES[$TASK]}\n");
    b.append("if [[ \"$RESUME_COMPLETED\" == 1 && -f \"$RESUME\" ]]; then\n");
    b.append("  echo \"task $TASK: resuming $STEM from $RESUME\"\n");
    b.append("  ARGS+=(--resume-summary \"$RESUME\")\n");
    b.append("elif [[ \"$RESUME_COMPLETED\" == 1 ]]; then\n");
    b.append(
        "  echo \"task $TASK: no resume summary $RESUME yet; processing every chunk of $STEM\"\n");
    b.append("else\n");
    b.append(
        "  echo \"task $TASK: processing every chunk of $STEM (no --slurm-resume-completed)\"\n");
    b.append("fi\n");
    b.append("ARGS+=(\"${RUN_ARGS[@]}\")\n");
    if (spark) {
      b.append("ARGS+=(--runner=SparkRunner)\n");
    }
    b.append("echo \"task $TASK: beamline ${ARGS[*]}\"\n");
    b.append("status=0\n");
    b.append("beamline \"${ARGS[@]}\" || status=$?\n");
    b.append("case $status in\n");
    b.append("  0) echo \"task $TASK: done; telemetry ${TELEMETRY[$TASK]}, summary $RESUME\" ;;\n");
    b.append(
        "  3) echo \"task $TASK: some chunks of $STEM failed (exit 3; see the lines above); the"
            + " array job will not count as succeeded, so the aggregation does not start; resubmit"
            + " to retry\" >&2 ;;\n");
    b.append(
        "  *) echo \"task $TASK: beamline ${RUN_COMMAND[*]} failed for $STEM (exit $status)\""
            + " >&2 ;;\n");
    b.append("esac\n");
    b.append("exit \"$status\"\n");
    return b.toString();
  }

  /** sbatch options of the aggregation job. */
  private List<String> aggregateSbatch() {
    List<String> a = new ArrayList<>();
    a.add("--kill-on-invalid-dep=yes");
    a.add("--job-name=" + jobName + "-aggregate");
    a.add("--output=" + logDir.resolve("%j-aggregate.out"));
    a.add("--time=" + time);
    a.add("--cpus-per-task=" + cpusPerTask);
    a.add("--mem=" + mem);
    if (partition != null) {
      a.add("--partition=" + partition);
    }
    if (account != null) {
      a.add("--account=" + account);
    }
    return a;
  }
}
