package io.beamline.pipelines.infer;

import static io.beamline.pipelines.infer.OrchestratePlan.shellLine;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.beamline.framework.BeamlineTool;
import io.beamline.framework.BeamlineToolOptions;
import io.beamline.framework.CommandLauncher;
import io.beamline.framework.FlagAlias;
import io.beamline.framework.Inputs;
import io.beamline.framework.UserInputException;
import io.beamline.framework.backend.Launch;
import io.beamline.io.files.AtomicFiles;
import io.beamline.pipelines.infer.OrchestratePlan.Recording;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.Validation;

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
public final class InferOrchestrateTool
    implements BeamlineTool<InferOrchestrateTool.InferOrchestrateOptions> {

  /** Plan file names (CSV and JSON) under the run output directory. */
  public static final String PLAN_CSV = "orchestrate_plan.csv";

  public static final String PLAN_JSON = "orchestrate_plan.json";

  /** Options of {@code beamline infer orchestrate}; the seed's {@code --sockeye-*} names too. */
  @FlagAlias(flag = "--sockeye-script", property = "slurmScript")
  @FlagAlias(flag = "--sockeye-job-name", property = "slurmJobName")
  @FlagAlias(flag = "--sockeye-account", property = "slurmAccount")
  @FlagAlias(flag = "--sockeye-partition", property = "slurmPartition")
  @FlagAlias(flag = "--sockeye-gres", property = "slurmGres")
  @FlagAlias(flag = "--sockeye-time", property = "slurmTime")
  @FlagAlias(flag = "--sockeye-cpus-per-task", property = "slurmCpusPerTask")
  @FlagAlias(flag = "--sockeye-mem", property = "slurmMem")
  @FlagAlias(flag = "--sockeye-log-dir", property = "slurmLogDir")
  @FlagAlias(flag = "--sockeye-resume-completed", property = "slurmResumeCompleted")
  @FlagAlias(flag = "--sockeye-bundle", property = "slurmBundle")
  @FlagAlias(flag = "--sockeye-bundle-aggregate-dir", property = "aggregateOutputDir")
  @FlagAlias(flag = "--sockeye-bundle-bucket-minutes", property = "bucketMinutes")
  public interface InferOrchestrateOptions extends BeamlineToolOptions {
    @Description("Output directory of 'beamline infer chunk' (holding manifests/)")
    @Validation.Required
    String getDirectory();

    void setDirectory(String value);

    @Description(
        "Directory of the chunk manifests; relative paths are under DIRECTORY (default:"
            + " DIRECTORY/manifests)")
    String getManifestDir();

    void setManifestDir(String value);

    @Description(
        "Where chunk status files are read: <chunks-dir>/<recording>/.chunk_status.json (the"
            + " seed's layout) or <chunks-dir>/<recording>.chunk_status.json; relative paths are"
            + " under DIRECTORY (default: next to the manifests, else"
            + " DIRECTORY/artifacts/chunks/<recording>/.chunk_status.json)")
    String getChunksDir();

    void setChunksDir(String value);

    @Description(
        "Plan recordings whose inference already left a summary too (default: leave them out)")
    @Default.Boolean(false)
    boolean getIncludeExisting();

    void setIncludeExisting(boolean value);

    @Description(
        "Pass each recording's existing summary to its run as --resume-summary, so chunks that"
            + " already succeeded are skipped")
    @Default.Boolean(false)
    boolean getResumeCompleted();

    void setResumeCompleted(boolean value);

    @Description("Every run uses the model-free energy detector (infer run --stub-runner)")
    @Default.Boolean(false)
    boolean getStubRunner();

    void setStubRunner(boolean value);

    @Description(
        "With --apply: run each inference as 'datalad run' in the DataLad dataset DIRECTORY, so"
            + " its outputs are saved with a re-executable record (needs datalad on PATH)")
    @Default.Boolean(false)
    boolean getRecordDatalad();

    void setRecordDatalad(boolean value);

    @Description("Run without 'datalad run' (the default; the seed's flag)")
    @Default.Boolean(false)
    boolean getNoRecordDatalad();

    void setNoRecordDatalad(boolean value);

    @Description("Plan recordings whose chunk status is not 'completed' too")
    @Default.Boolean(false)
    boolean getAllowPartialChunks();

    void setAllowPartialChunks(boolean value);

    @Description("Run the plan now: each manifest's inference, then the aggregation")
    @Default.Boolean(false)
    boolean getApply();

    void setApply(boolean value);

    @Description("--output-dir of every inference run and where the plan goes (default: DIRECTORY)")
    String getRunOutputDir();

    void setRunOutputDir(String value);

    @Description("--output-dir of the aggregation (default: the run output directory)")
    String getAggregateOutputDir();

    void setAggregateOutputDir(String value);

    @Description("--bucket-minutes of the aggregation, > 0")
    @Default.Double(1.0)
    double getBucketMinutes();

    void setBucketMinutes(double value);

    @Description(
        "More flags for every inference run, separated by spaces, e.g. \"--model models/birdcall\"")
    @Default.String("")
    String getRunArgs();

    void setRunArgs(String value);

    @Description("The command run for each manifest")
    @Default.String("infer run")
    String getRunCommand();

    void setRunCommand(String value);

    @Description("Runner of the planned runs: DirectRunner or SparkRunner")
    @Default.String("DirectRunner")
    String getInferRunner();

    void setInferRunner(String value);

    @Description("Spark master of the planned runs with --infer-runner SparkRunner, e.g. local[4]")
    String getInferSparkMaster();

    void setInferSparkMaster(String value);

    @Description("Write a SLURM array script here (one manifest per array task) instead of running")
    String getSlurmScript();

    void setSlurmScript(String value);

    @Description(
        "Directory for the SLURM logs and for every run's telemetry and summary (passed as"
            + " --log-dir to each infer run; default: SLURM logs in <run output>/slurm-logs,"
            + " telemetry and summaries where infer run puts them)")
    String getSlurmLogDir();

    void setSlurmLogDir(String value);

    @Description("SLURM partition (default: the cluster's)")
    String getSlurmPartition();

    void setSlurmPartition(String value);

    @Description("SLURM time limit per task, e.g. 04:00:00")
    @Default.String("04:00:00")
    String getSlurmTime();

    void setSlurmTime(String value);

    @Description("SLURM job name")
    @Default.String("beamline-infer")
    String getSlurmJobName();

    void setSlurmJobName(String value);

    @Description("SLURM account (default: the user's)")
    String getSlurmAccount();

    void setSlurmAccount(String value);

    @Description("SLURM generic resources per task, e.g. gpu:1")
    String getSlurmGres();

    void setSlurmGres(String value);

    @Description("CPUs per SLURM task")
    @Default.Integer(4)
    int getSlurmCpusPerTask();

    void setSlurmCpusPerTask(int value);

    @Description("Memory per SLURM task, e.g. 16G")
    @Default.String("16G")
    String getSlurmMem();

    void setSlurmMem(String value);

    @Description(
        "The script's tasks add --resume-summary when their recording's summary exists, so a"
            + " resubmitted array skips chunks that already succeeded")
    @Default.Boolean(false)
    boolean getSlurmResumeCompleted();

    void setSlurmResumeCompleted(boolean value);

    @Description(
        "Task 0 submits 'beamline infer aggregate' (DuckDB, Parquet, quicklook bundle) to start"
            + " once every task succeeded (default: true)")
    Boolean getSlurmBundle();

    void setSlurmBundle(Boolean value);

    @Description("beamline.jar the SLURM tasks run (default: this jar, else runners/target/)")
    String getSlurmJar();

    void setSlurmJar(String value);
  }

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

  /**
   * One planned run: the recording, the summary an earlier run left (null when none), whether it is
   * passed on as {@code --resume-summary}, and the command's words after {@code beamline}.
   */
  record Row(Recording recording, Path summary, boolean resume, List<String> args) {
    /** The summary the run is given, or null. */
    Path resumeSummary() {
      return resume ? summary : null;
    }
  }

  /**
   * Where things are, resolved once from the options.
   *
   * @param dataset the directory given (the seed's dataset)
   * @param layout where manifests and chunk status files are read
   * @param runOut {@code --output-dir} of every run and where the plan goes
   * @param aggOut {@code --output-dir} of the aggregation
   * @param logDir the runs' {@code --log-dir} ({@code --slurm-log-dir}), or null
   */
  record Where(
      Path dataset, OrchestratePlan.Layout layout, Path runOut, Path aggOut, Path logDir) {}

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
    Where where = new Where(dir, layout, runOut, aggOut, logDir);
    if (o.getApply() && o.getRecordDatalad()) {
      checkDatalad(where);
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
    List<Row> rows = new ArrayList<>();
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
          new Row(
              r,
              summary,
              resume,
              runArgs(o, r.manifest(), runOut, logDir, resume ? summary : null)));
    }
    if (rows.isEmpty() && existing == 0) {
      throw new UserInputException(
          "no manifest to run under " + layout.manifestDir() + "; every recording failed");
    }
    Inputs.requireWritableDir("--run-output-dir", runOut.toString());
    List<String> aggregate = aggregateArgs(o, runOut, aggOut);
    printPlan(rows, aggregate, out);
    writePlan(runOut, dir, rows, aggregate);
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
        writeSlurm(o, where, rows, aggregate, out);
      }
    }
    if (!o.getApply()) {
      if (o.getSlurmScript() == null && !rows.isEmpty()) {
        out.println("nothing was run; add --apply to run the plan, or --slurm-script F");
      }
      out.flush();
      return 0;
    }
    return apply(o, where, rows, aggregate, out, err);
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

  /**
   * Refuses {@code --record-datalad} (one line, nothing written) when {@code datalad} is not on the
   * PATH, DIRECTORY is not a DataLad dataset, or the runs would write outside it.
   */
  private static void checkDatalad(Where where) {
    if (datalad() == null) {
      throw new UserInputException(
          "--record-datalad needs the 'datalad' command, and it is not on the PATH; install"
              + " DataLad (e.g. apt-get install datalad) or drop --record-datalad");
    }
    if (!Files.isDirectory(where.dataset().resolve(".datalad"))) {
      throw new UserInputException(
          "--record-datalad needs DIRECTORY "
              + where.dataset()
              + " to be a DataLad dataset (it has no .datalad/); create it with 'datalad create"
              + " --force "
              + where.dataset()
              + "' or drop --record-datalad");
    }
    for (Path p : List.of(where.runOut(), where.aggOut())) {
      if (!p.startsWith(where.dataset())) {
        throw new UserInputException(
            "--record-datalad saves outputs in the dataset "
                + where.dataset()
                + ", but "
                + p
                + " is outside it; drop --run-output-dir/--aggregate-output-dir or"
                + " --record-datalad");
      }
    }
  }

  /** The {@code datalad} executable on the PATH, or null. */
  static Path datalad() {
    String path = System.getenv("PATH");
    if (path == null) {
      return null;
    }
    for (String d : path.split(java.io.File.pathSeparator)) {
      if (d.isEmpty()) {
        continue;
      }
      Path f = Paths.get(d, "datalad");
      if (Files.isRegularFile(f) && Files.isExecutable(f)) {
        return f;
      }
    }
    return null;
  }

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
  private static List<String> extraRunArgs(InferOrchestrateOptions o) {
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

  private static List<String> words(String s) {
    if (s == null || s.isBlank()) {
      return List.of();
    }
    return Arrays.asList(s.trim().split("\\s+"));
  }

  private static void printPlan(List<Row> rows, List<String> aggregate, PrintWriter out) {
    int w = Math.max(8, rows.stream().mapToInt(r -> r.recording().id().length()).max().orElse(0));
    String fmt = "%-" + w + "s  %6s  %-11s  %-6s  %s%n";
    out.printf(Locale.ROOT, fmt, "manifest", "chunks", "status", "resume", "command");
    for (Row r : rows) {
      List<String> cmd = new ArrayList<>(List.of("beamline"));
      cmd.addAll(r.args());
      out.printf(
          Locale.ROOT,
          fmt,
          r.recording().id() + ".csv",
          r.recording().chunks(),
          r.recording().status(),
          r.resumeSummary() == null ? "no" : "yes",
          shellLine(cmd));
    }
    List<String> agg = new ArrayList<>(List.of("beamline"));
    agg.addAll(aggregate);
    out.println("then: " + shellLine(agg));
  }

  private static void writePlan(Path runOut, Path dir, List<Row> rows, List<String> aggregate)
      throws Exception {
    StringBuilder csv =
        new StringBuilder("recording_id,manifest,chunks,chunk_status,resume_summary,command\n");
    List<Map<String, Object>> json = new ArrayList<>();
    for (Row r : rows) {
      List<String> cmd = new ArrayList<>(List.of("beamline"));
      cmd.addAll(r.args());
      csv.append(csvField(r.recording().id()))
          .append(',')
          .append(csvField(r.recording().manifest().toString()))
          .append(',')
          .append(r.recording().chunks())
          .append(',')
          .append(csvField(r.recording().status()))
          .append(',')
          .append(r.resumeSummary() == null ? "" : csvField(r.resumeSummary().toString()))
          .append(',')
          .append(csvField(shellLine(cmd)))
          .append('\n');
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("recording_id", r.recording().id());
      m.put("manifest", r.recording().manifest().toString());
      m.put("chunks", r.recording().chunks());
      m.put("chunk_status", r.recording().status());
      m.put("resume_summary", r.resumeSummary() == null ? null : r.resumeSummary().toString());
      m.put("args", r.args());
      m.put("command", shellLine(cmd));
      json.add(m);
    }
    Map<String, Object> plan = new LinkedHashMap<>();
    plan.put("created_utc", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
    plan.put("directory", dir.toString());
    plan.put("run_output_dir", runOut.toString());
    plan.put("runs", json);
    plan.put("aggregate", Map.of("args", aggregate));
    AtomicFiles.writeString(runOut.resolve(PLAN_CSV), csv.toString());
    AtomicFiles.writeString(
        runOut.resolve(PLAN_JSON),
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(plan)
            + "\n");
  }

  private static String csvField(String s) {
    if (s.contains(",") || s.contains("\"") || s.contains("\n")) {
      return "\"" + s.replace("\"", "\"\"") + "\"";
    }
    return s;
  }

  private void writeSlurm(
      InferOrchestrateOptions o,
      Where where,
      List<Row> rows,
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
    for (Row r : rows) {
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
            words(o.getRunCommand()),
            // Under spark-submit the master comes from its --master (SPARK_MASTER in the script).
            extraRunArgs(o),
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
    return Launch.jar(o.getSlurmJar(), InferOrchestrateTool.class);
  }

  /**
   * Runs each row, then the aggregation when every run succeeded. Returns 0 when all succeeded,
   * {@link #PARTIAL} when some runs ended partial and none failed, 1 when one failed (or the
   * aggregation did).
   */
  private int apply(
      InferOrchestrateOptions o,
      Where where,
      List<Row> rows,
      List<String> aggregate,
      PrintWriter out,
      PrintWriter err)
      throws Exception {
    CommandLauncher launcher = o.as(CommandLauncher.Options.class).getCommandLauncher();
    if (launcher == null && !o.getRecordDatalad()) {
      throw new IllegalStateException(
          "--apply runs the planned commands through the beamline command line; run it as"
              + " 'beamline infer orchestrate DIR --apply'");
    }
    List<String> failed = new ArrayList<>();
    List<String> partial = new ArrayList<>();
    int i = 0;
    for (Row r : rows) {
      i++;
      int code;
      if (o.getRecordDatalad()) {
        List<String> cmd = dataladRun(where, r);
        out.println("[" + i + "/" + rows.size() + "] " + shellLine(cmd));
        out.flush();
        code = runProcess(cmd, where.dataset(), out);
      } else {
        out.println("[" + i + "/" + rows.size() + "] beamline " + shellLine(r.args()));
        out.flush();
        code = launcher.execute(r.args());
      }
      if (code == PARTIAL) {
        partial.add(r.recording().id());
      } else if (code != 0) {
        failed.add(r.recording().id() + " (exit " + code + ")");
      }
    }
    if (!failed.isEmpty() || !partial.isEmpty()) {
      List<String> what = new ArrayList<>();
      if (!failed.isEmpty()) {
        what.add(
            failed.size() + " of " + rows.size() + " runs failed: " + String.join(", ", failed));
      }
      if (!partial.isEmpty()) {
        what.add(
            partial.size()
                + " of "
                + rows.size()
                + " runs ended partial (some chunks failed, see above): "
                + String.join(", ", partial));
      }
      err.println(
          "beamline infer orchestrate: "
              + String.join("; ", what)
              + "; aggregation skipped; run the same command with --include-existing"
              + " --resume-completed to redo only what did not succeed");
      return failed.isEmpty() ? PARTIAL : 1;
    }
    int code;
    if (o.getRecordDatalad()) {
      List<String> cmd = dataladAggregate(where, aggregate);
      out.println("[aggregate] " + shellLine(cmd));
      out.flush();
      code = runProcess(cmd, where.dataset(), out);
    } else {
      out.println("[aggregate] beamline " + shellLine(aggregate));
      out.flush();
      code = launcher.execute(aggregate);
    }
    if (code != 0) {
      err.println("beamline infer orchestrate: aggregation failed (exit " + code + ")");
      return 1;
    }
    out.println(
        "orchestrate: "
            + rows.size()
            + " run"
            + (rows.size() == 1 ? "" : "s")
            + " and the aggregation succeeded");
    return 0;
  }

  /**
   * {@code datalad run} of one row in the dataset: the manifest as input, the run output as output,
   * the command this JVM would run ({@link #selfCommand}).
   */
  static List<String> dataladRun(Where where, Row r) {
    List<String> cmd =
        new ArrayList<>(
            List.of(
                "datalad",
                "run",
                "-d",
                where.dataset().toString(),
                "-m",
                "beamline infer run " + r.recording().id(),
                "--explicit",
                "--input",
                r.recording().manifest().toString(),
                "--output",
                where.runOut().toString(),
                "--"));
    List<String> beamline = new ArrayList<>(selfCommand());
    beamline.addAll(r.args());
    cmd.addAll(dataladEscape(beamline));
    return cmd;
  }

  private static List<String> dataladAggregate(Where where, List<String> aggregate) {
    List<String> cmd =
        new ArrayList<>(
            List.of(
                "datalad",
                "run",
                "-d",
                where.dataset().toString(),
                "-m",
                "beamline infer aggregate",
                "--explicit",
                "--input",
                where.runOut().toString(),
                "--output",
                where.aggOut().toString(),
                "--"));
    List<String> beamline = new ArrayList<>(selfCommand());
    beamline.addAll(aggregate);
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

  /**
   * Runs {@code cmd} in {@code dir}, copying its output to {@code out}; returns its exit status.
   */
  private static int runProcess(List<String> cmd, Path dir, PrintWriter out) throws Exception {
    Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
    try (java.io.BufferedReader r =
        new java.io.BufferedReader(
            new java.io.InputStreamReader(
                p.getInputStream(), java.nio.charset.StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        out.println(line);
      }
    }
    out.flush();
    return p.waitFor();
  }

  /** Numbers as the flags take them: {@code 1} rather than {@code 1.0}. */
  static String number(double v) {
    return java.math.BigDecimal.valueOf(v).stripTrailingZeros().toPlainString();
  }
}
