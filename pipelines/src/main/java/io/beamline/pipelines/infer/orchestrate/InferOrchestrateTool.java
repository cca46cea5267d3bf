package io.beamline.pipelines.infer.orchestrate;

import io.beamline.framework.BeamlineTool;
import io.beamline.framework.Inputs;
import io.beamline.framework.UserInputException;
import io.beamline.pipelines.infer.orchestrate.OrchestratePlan.Recording;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code beamline infer orchestrate DIR}: plans inference over every recording that {@code beamline
 * infer chunk --output-dir DIR} chunked, as BADC's {@code badc infer orchestrate} does (seed 002).
 *
 * <p>It reads the manifests ({@code --manifest-dir}, default {@code DIR/manifests}) and each
 * recording's chunk status ({@code <manifest-dir>/<recording>.chunk_status.json}, or the seed's
 * {@code <chunks-dir>/<recording>/.chunk_status.json}, see {@code --chunks-dir}), and refuses (one
 * line naming them) recordings whose status is not {@code completed} unless {@code
 * --allow-partial-chunks}. A recording whose inference already left a summary is left out of the
 * plan unless {@code --include-existing}; with {@code --resume-completed} its summary is passed as
 * {@code --resume-summary} so completed chunks are skipped. The plan has one row per manifest: the
 * manifest, its chunk count and status, the resume summary, and the {@code beamline infer run}
 * command line; it is printed and written as {@code orchestrate_plan.csv} and {@code
 * orchestrate_plan.json} under the run output directory.
 *
 * <p>{@code --apply} carries the plan out in this process, through the same command-line entry
 * point the shell uses (or, with {@code --record-datalad}, each run as a {@code datalad run} in the
 * dataset DIR): each manifest's command in turn, then {@code beamline infer aggregate} over the run
 * output when every run succeeded. Its exit status is 0 when every run succeeded, 3 when some ended
 * {@code partial} (some of their chunks failed) and none failed, 1 when one failed. {@code
 * --slurm-script F} (the seed's {@code --sockeye-script}) writes a SLURM array script instead
 * ({@link SlurmScript}; one manifest per array index, listed in {@code F.manifests.txt}), see
 * {@code docs/slurm.md}. Every {@code --sockeye-*} flag of the seed is another name of a {@code
 * --slurm-*} flag ({@link FlagAlias}).
 *
 * <pre>{@code
 * beamline infer orchestrate out                        # print and write the plan
 * beamline infer orchestrate out --apply --run-args "--model models/birdcall"
 * beamline infer orchestrate out --slurm-script jobs/infer.sh --slurm-partition gpu \
 *     --slurm-gres gpu:1 --slurm-time 02:00:00 --infer-runner SparkRunner
 * beamline infer orchestrate data/datalad/bogus --manifest-dir manifests --include-existing \
 *     --sockeye-script artifacts/sockeye/bogus_bundle.sh --sockeye-resume-completed \
 *     --sockeye-bundle --sockeye-bundle-aggregate-dir artifacts/aggregate
 * }</pre>
 */
public final class InferOrchestrateTool implements BeamlineTool<InferOrchestrateOptions> {

  /** Plan file names (CSV and JSON) under the run output directory. */
  public static final String PLAN_CSV = "orchestrate_plan.csv";

  public static final String PLAN_JSON = "orchestrate_plan.json";

  @Override
  public List<String> commandPath() {
    return List.of("infer", "orchestrate");
  }

  @Override
  public String summary() {
    return "Plan inference over every chunked recording (CSV/JSON), run it with --apply, or"
        + " write a SLURM array script";
  }

  @Override
  public Class<InferOrchestrateOptions> optionsClass() {
    return InferOrchestrateOptions.class;
  }

  @Override
  public String positional() {
    return "directory";
  }

  /** Exit status of a command whose run ended partial (some of its items failed). */
  static final int PARTIAL = 3;

  @Override
  public int run(InferOrchestrateOptions o, PrintWriter out, PrintWriter err) throws Exception {
    Path dir = Paths.get(o.getDirectory()).toAbsolutePath().normalize();
    if (!Files.isDirectory(dir)) {
      throw new UserInputException(
          "directory not found: "
              + o.getDirectory()
              + "; give the --output-dir of 'beamline infer chunk'");
    }
    validate(o);
    Path runOut =
        o.getRunOutputDir() == null
            ? dir
            : Paths.get(o.getRunOutputDir()).toAbsolutePath().normalize();
    Path aggOut =
        o.getAggregateOutputDir() == null
            ? runOut
            : Paths.get(o.getAggregateOutputDir()).toAbsolutePath().normalize();
    Path logDir =
        o.getSlurmLogDir() == null
            ? null
            : Paths.get(o.getSlurmLogDir()).toAbsolutePath().normalize();
    OrchestratePlan.Layout layout =
        new OrchestratePlan.Layout(
            under(dir, o.getManifestDir() == null ? "manifests" : o.getManifestDir()),
            o.getChunksDir() == null ? null : under(dir, o.getChunksDir()),
            dir);
    OrchestrateDirs where = new OrchestrateDirs(dir, layout, runOut, aggOut, logDir);
    if (o.getApply() && o.getRecordDatalad()) {
      PlanApply.checkDatalad(where);
    }
    // Every check above and the scan below write nothing; the plan files come after them.
    List<Recording> recordings = OrchestratePlan.scan(layout);
    List<Recording> notDone = recordings.stream().filter(r -> !r.completed()).toList();
    if (!notDone.isEmpty() && !o.getAllowPartialChunks()) {
      throw new UserInputException(
          "recordings not completely chunked: "
              + String.join(
                  ", ", notDone.stream().map(r -> r.id() + " (" + describeStatus(r) + ")").toList())
              + "; finish 'beamline infer chunk' for them or pass --allow-partial-chunks");
    }
    List<PlannedRun> rows = new ArrayList<>();
    int existing = 0;
    for (Recording r : recordings) {
      if (r.manifest() == null) {
        out.println(
            "skipping " + r.id() + ": no manifest (chunk status " + describeStatus(r) + ")");
        continue;
      }
      Path summary = OrchestratePlan.summary(runOut, logDir, r.id());
      if (summary != null && !o.getIncludeExisting()) {
        existing++;
        out.println(
            "skipping "
                + r.id()
                + ": already inferred (summary "
                + summary
                + "); --include-existing plans it again");
        continue;
      }
      boolean resume = summary != null && o.getResumeCompleted();
      rows.add(
          new PlannedRun(
              r,
              summary,
              resume,
              OrchestrateCommands.runArgs(
                  o, r.manifest(), runOut, logDir, resume ? summary : null)));
    }
    if (rows.isEmpty() && existing == 0) {
      throw new UserInputException(
          "no manifest to run under " + layout.manifestDir() + "; every recording failed");
    }
    Inputs.requireWritableDir("--run-output-dir", runOut.toString());
    List<String> aggregate = OrchestrateCommands.aggregateArgs(o, runOut, aggOut);
    PlanReport.print(rows, aggregate, out);
    PlanReport.write(runOut, dir, rows, aggregate);
    out.println("plan written to " + runOut.resolve(PLAN_CSV) + " and " + PLAN_JSON);
    if (rows.isEmpty()) {
      out.println(
          "nothing to run: every recording with a manifest was inferred already; add"
              + " --include-existing to run them again");
    }

    if (o.getSlurmScript() != null) {
      if (rows.isEmpty()) {
        out.println("no SLURM script written: it would have no task");
      } else {
        SlurmArray.write(o, where, rows, aggregate, out);
      }
    }
    if (!o.getApply()) {
      if (o.getSlurmScript() == null && !rows.isEmpty()) {
        out.println("nothing was run; add --apply to run the plan, or --slurm-script F");
      }
      out.flush();
      return 0;
    }
    return PlanApply.apply(o, where, rows, aggregate, out, err);
  }

  /**
   * {@code value} as a path, under {@code dir} when relative (the seed's dataset-relative paths).
   */
  private static Path under(Path dir, String value) {
    Path p = Paths.get(value);
    return (p.isAbsolute() ? p : dir.resolve(p)).normalize();
  }

  private static String describeStatus(Recording r) {
    String s =
        switch (r.status()) {
          case "missing" -> "no chunk_status.json";
          case "unreadable" -> "unreadable chunk_status.json";
          default -> r.status();
        };
    return r.reason() == null ? s : s + ": " + r.reason();
  }

  private static void validate(InferOrchestrateOptions o) {
    if (!List.of("DirectRunner", "SparkRunner").contains(o.getInferRunner())) {
      throw new UserInputException(
          "--infer-runner must be DirectRunner or SparkRunner, got '" + o.getInferRunner() + "'");
    }
    if (!(o.getBucketMinutes() > 0) || !Double.isFinite(o.getBucketMinutes())) {
      throw new UserInputException(
          "--bucket-minutes must be a number > 0, got " + o.getBucketMinutes());
    }
    if (o.getRunCommand() == null || o.getRunCommand().isBlank()) {
      throw new UserInputException("--run-command must name a command, e.g. \"infer run\"");
    }
    if (o.getSlurmCpusPerTask() < 1) {
      throw new UserInputException(
          "--slurm-cpus-per-task must be >= 1, got " + o.getSlurmCpusPerTask());
    }
    if (!o.getSlurmTime().matches("[0-9]+(-[0-9]+)?(:[0-9]{1,2}){0,2}")) {
      throw new UserInputException(
          "--slurm-time must be a SLURM time such as 04:00:00 or 1-00:00:00, got '"
              + o.getSlurmTime()
              + "'");
    }
    for (String[] v :
        new String[][] {
          {"--slurm-job-name", o.getSlurmJobName()},
          {"--slurm-partition", o.getSlurmPartition()},
          {"--slurm-account", o.getSlurmAccount()},
          {"--slurm-gres", o.getSlurmGres()},
          {"--slurm-mem", o.getSlurmMem()},
          {"--slurm-log-dir", o.getSlurmLogDir()}
        }) {
      if (v[1] != null && (v[1].isBlank() || v[1].matches(".*[\\s'\"`$\\\\].*"))) {
        throw new UserInputException(
            v[0] + " '" + v[1] + "' may not be empty or hold spaces, quotes, '$' or '\\'");
      }
    }
    if (o.getSlurmScript() == null
        && (o.getSlurmLogDir() != null
            || o.getSlurmPartition() != null
            || o.getSlurmAccount() != null
            || o.getSlurmGres() != null
            || o.getSlurmJar() != null
            || o.getSlurmBundle() != null
            || o.getSlurmResumeCompleted())) {
      throw new UserInputException(
          "--slurm-* (--sockeye-*) flags only apply with --slurm-script F (--sockeye-script F);"
              + " add it or drop them");
    }
    if (o.getRecordDatalad() && o.getNoRecordDatalad()) {
      throw new UserInputException(
          "--record-datalad and --no-record-datalad contradict each other; give one");
    }
    if (o.getRecordDatalad() && !o.getApply()) {
      throw new UserInputException(
          "--record-datalad records the runs of --apply; add --apply or drop it");
    }
    if (o.getRecordDatalad() && o.getSlurmScript() != null) {
      throw new UserInputException(
          "--record-datalad cannot wrap SLURM array tasks: concurrent 'datalad run's in one"
              + " dataset conflict; drop it and run 'datalad save' once the array has finished");
    }
  }
}
