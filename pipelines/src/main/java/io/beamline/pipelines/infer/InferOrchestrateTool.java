package io.beamline.pipelines.infer;

import static io.beamline.pipelines.infer.OrchestratePlan.shellLine;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.beamline.io.files.AtomicFiles;
import io.beamline.pipelines.BeamlineTool;
import io.beamline.pipelines.BeamlineToolOptions;
import io.beamline.pipelines.CommandLauncher;
import io.beamline.pipelines.Inputs;
import io.beamline.pipelines.UserInputException;
import io.beamline.pipelines.infer.OrchestratePlan.Recording;
import java.io.PrintWriter;
import java.net.URISyntaxException;
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
 * <p>It reads {@code DIR/manifests/*.csv} and their {@code .chunk_status.json}, and refuses (one
 * line naming them) recordings whose status is not {@code completed} unless {@code
 * --allow-partial-chunks}. The plan has one row per manifest: the manifest, its chunk count and
 * status, the resume summary an earlier run left (passed as {@code --resume-summary} so completed
 * chunks are skipped), and the {@code beamline infer run} command line; it is printed and written
 * as {@code orchestrate_plan.csv} and {@code orchestrate_plan.json} under the run output directory.
 *
 * <p>{@code --apply} carries the plan out in this process, through the same command-line entry
 * point the shell uses: each manifest's command in turn, then {@code beamline infer aggregate} over
 * the run output when every run succeeded. {@code --slurm-script F} writes a SLURM array script
 * instead ({@link SlurmScript}; one manifest per array index, listed in {@code F.manifests.txt}),
 * see {@code docs/slurm.md}.
 *
 * <pre>{@code
 * beamline infer orchestrate out                        # print and write the plan
 * beamline infer orchestrate out --apply --run-args "--model models/birdcall"
 * beamline infer orchestrate out --slurm-script jobs/infer.sh --slurm-partition gpu \
 *     --slurm-gres gpu:1 --slurm-time 02:00:00 --infer-runner SparkRunner
 * }</pre>
 */
public final class InferOrchestrateTool
    implements BeamlineTool<InferOrchestrateTool.InferOrchestrateOptions> {

  /** Plan file names (CSV and JSON) under the run output directory. */
  public static final String PLAN_CSV = "orchestrate_plan.csv";

  public static final String PLAN_JSON = "orchestrate_plan.json";

  /** Options of {@code beamline infer orchestrate}. */
  public interface InferOrchestrateOptions extends BeamlineToolOptions {
    @Description("Output directory of 'beamline infer chunk' (holding manifests/)")
    @Validation.Required
    String getDirectory();

    void setDirectory(String value);

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

    @Description("Directory for the SLURM logs (default: <run output>/slurm-logs)")
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

  /** One planned run. */
  record Row(Recording recording, Path resumeSummary, List<String> args) {}

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
            : Inputs.requireWritableDir("--run-output-dir", o.getRunOutputDir());
    Inputs.requireWritableDir("--run-output-dir", runOut.toString());
    Path aggOut =
        o.getAggregateOutputDir() == null
            ? runOut
            : Paths.get(o.getAggregateOutputDir()).toAbsolutePath().normalize();

    List<Recording> recordings = OrchestratePlan.scan(dir);
    List<Recording> notDone = recordings.stream().filter(r -> !r.completed()).toList();
    if (!notDone.isEmpty() && !o.getAllowPartialChunks()) {
      throw new UserInputException(
          "recordings not completely chunked: "
              + String.join(
                  ", ", notDone.stream().map(r -> r.id() + " (" + describeStatus(r) + ")").toList())
              + "; finish 'beamline infer chunk' for them or pass --allow-partial-chunks");
    }
    List<Row> rows = new ArrayList<>();
    for (Recording r : recordings) {
      if (r.manifest() == null) {
        out.println(
            "skipping " + r.id() + ": no manifest (chunk status " + describeStatus(r) + ")");
        continue;
      }
      Path resume = OrchestratePlan.resumeSummary(runOut, r.id());
      rows.add(new Row(r, resume, runArgs(o, r.manifest(), runOut, resume)));
    }
    if (rows.isEmpty()) {
      throw new UserInputException(
          "no manifest to run under " + dir.resolve("manifests") + "; every recording failed");
    }
    List<String> aggregate = aggregateArgs(o, runOut, aggOut);
    printPlan(rows, aggregate, out);
    writePlan(runOut, dir, rows, aggregate);
    out.println("plan written to " + runOut.resolve(PLAN_CSV) + " and " + PLAN_JSON);

    if (o.getSlurmScript() != null) {
      writeSlurm(o, runOut, rows, aggregate, out);
    }
    if (!o.getApply()) {
      if (o.getSlurmScript() == null) {
        out.println("nothing was run; add --apply to run the plan, or --slurm-script F");
      }
      out.flush();
      return 0;
    }
    return apply(o, rows, aggregate, out, err);
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
            || o.getSlurmJar() != null)) {
      throw new UserInputException(
          "--slurm-* flags only apply with --slurm-script F; add it or drop them");
    }
  }

  /** The words of one manifest's command (after {@code beamline}). */
  static List<String> runArgs(
      InferOrchestrateOptions o, Path manifest, Path runOut, Path resumeSummary) {
    List<String> a = new ArrayList<>(words(o.getRunCommand()));
    a.addAll(List.of("--manifest", manifest.toString(), "--output-dir", runOut.toString()));
    if (resumeSummary != null) {
      a.addAll(List.of("--resume-summary", resumeSummary.toString()));
    }
    a.addAll(words(o.getRunArgs()));
    if ("SparkRunner".equals(o.getInferRunner())) {
      // The DirectRunner is every pipeline's default; only the SparkRunner needs naming.
      a.add("--runner=SparkRunner");
      if (o.getInferSparkMaster() != null) {
        a.add("--spark-master=" + o.getInferSparkMaster());
      }
    }
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
      Path runOut,
      List<Row> rows,
      List<String> aggregate,
      PrintWriter out)
      throws Exception {
    Path script = Paths.get(o.getSlurmScript()).toAbsolutePath().normalize();
    if (Files.isDirectory(script)) {
      throw new UserInputException(
          "--slurm-script " + o.getSlurmScript() + " is a directory; give a file name");
    }
    Path logDir =
        o.getSlurmLogDir() == null
            ? runOut.resolve("slurm-logs")
            : Paths.get(o.getSlurmLogDir()).toAbsolutePath().normalize();
    if (logDir.toString().matches(".*[\\s'\"`$\\\\].*")) {
      throw new UserInputException(
          "SLURM log directory " + logDir + " may not hold spaces or quotes; give --slurm-log-dir");
    }
    Path list = script.resolveSibling(script.getFileName() + ".manifests.txt");
    StringBuilder manifests = new StringBuilder();
    for (Row r : rows) {
      manifests.append(r.recording().manifest()).append('\n');
    }
    // Under spark-submit the master comes from its --master (SPARK_MASTER in the script).
    List<String> runArgs = new ArrayList<>(words(o.getRunArgs()));
    SlurmScript s =
        new SlurmScript(
            script,
            list,
            rows.size(),
            runOut,
            logDir,
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
            words(o.getRunCommand()),
            runArgs,
            aggregate.subList(2, aggregate.size()));
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
            + "); submit it with: sbatch "
            + script);
  }

  /** The jar SLURM tasks run: {@code --slurm-jar}, the jar running now, or the build's. */
  static Path jar(InferOrchestrateOptions o) {
    if (o.getSlurmJar() != null) {
      return Paths.get(o.getSlurmJar()).toAbsolutePath().normalize();
    }
    try {
      Path self =
          Paths.get(
              InferOrchestrateTool.class
                  .getProtectionDomain()
                  .getCodeSource()
                  .getLocation()
                  .toURI());
      if (Files.isRegularFile(self) && self.getFileName().toString().equals("beamline.jar")) {
        return self.toAbsolutePath().normalize();
      }
    } catch (URISyntaxException | SecurityException | NullPointerException e) {
      // Fall through to the build's jar.
    }
    return Paths.get("runners", "target", "beamline.jar").toAbsolutePath().normalize();
  }

  private int apply(
      InferOrchestrateOptions o,
      List<Row> rows,
      List<String> aggregate,
      PrintWriter out,
      PrintWriter err) {
    CommandLauncher launcher = o.as(CommandLauncher.Options.class).getCommandLauncher();
    if (launcher == null) {
      throw new IllegalStateException(
          "--apply runs the planned commands through the beamline command line; run it as"
              + " 'beamline infer orchestrate DIR --apply'");
    }
    List<String> failed = new ArrayList<>();
    int i = 0;
    for (Row r : rows) {
      i++;
      out.println("[" + i + "/" + rows.size() + "] beamline " + shellLine(r.args()));
      out.flush();
      int code = launcher.execute(r.args());
      if (code != 0) {
        failed.add(r.recording().id() + " (exit " + code + ")");
      }
    }
    if (!failed.isEmpty()) {
      err.println(
          "beamline infer orchestrate: "
              + failed.size()
              + " of "
              + rows.size()
              + " runs failed: "
              + String.join(", ", failed)
              + "; aggregation skipped; run the same command again to resume them");
      return 1;
    }
    out.println("[aggregate] beamline " + shellLine(aggregate));
    out.flush();
    int code = launcher.execute(aggregate);
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

  /** Numbers as the flags take them: {@code 1} rather than {@code 1.0}. */
  static String number(double v) {
    return java.math.BigDecimal.valueOf(v).stripTrailingZeros().toPlainString();
  }
}
