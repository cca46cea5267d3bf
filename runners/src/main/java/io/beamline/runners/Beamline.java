package io.beamline.runners;

import io.beamline.framework.BeamlineOptions;
import io.beamline.framework.BeamlinePipeline;
import io.beamline.framework.BeamlineTool;
import io.beamline.framework.BeamlineToolOptions;
import io.beamline.framework.CommandLauncher;
import io.beamline.framework.RunnerNames;
import io.beamline.framework.UserInputException;
import io.beamline.framework.backend.DirectTuning;
import io.beamline.framework.run.BuildInfo;
import io.beamline.framework.run.DryRun;
import io.beamline.framework.run.RunConsole;
import io.beamline.framework.run.RunRecord;
import io.beamline.framework.run.Runs;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.beam.runners.flink.FlinkPipelineOptions;
import org.apache.beam.runners.spark.SparkPipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;

/**
 * Entry point of {@code beamline} ({@code java -jar beamline.jar}, {@code spark-submit}, or the
 * {@code ./beamline} launcher).
 *
 * <p>Exit status: 0 success, 1 the pipeline ran and failed, 2 a usage or input error (unknown flag,
 * bad value, missing input, unwritable output directory), always reported on one line, 3 the run
 * finished but some of its items failed (status {@code partial}; their failure records are named on
 * stderr).
 */
public final class Beamline {
  private static final Logger LOG = LoggerFactory.getLogger(Beamline.class);
  static final int OK = 0;
  static final int FAILED = 1;
  static final int USAGE = 2;
  static final int PARTIAL = 3;

  private final PrintWriter out;
  private final PrintWriter err;

  private final List<BeamlineTool<?>> tools;

  Beamline(PrintWriter out, PrintWriter err) {
    this(out, err, PipelineRegistry.tools());
  }

  /** With the given tools in place of the registry's (tests). */
  Beamline(PrintWriter out, PrintWriter err, List<BeamlineTool<?>> tools) {
    this.out = out;
    this.err = err;
    this.tools = tools;
  }

  public static void main(String[] args) {
    // Before anything logs: library output goes to the run's log, not the terminal.
    RunConsole.install();
    PrintWriter out = new PrintWriter(System.out, true);
    PrintWriter err = new PrintWriter(System.err, true);
    int code = new Beamline(out, err).execute(args);
    out.flush();
    err.flush();
    System.exit(code);
  }

  /**
   * Runs one command in this JVM, as {@code beamline ARGS...} would, printing to the given writers
   * instead of the terminal; for notebooks and other Java callers. Library noise goes to the run's
   * log as on the command line.
   *
   * <pre>{@code
   * int status = Beamline.run(out, err, "regions", "--output-dir", "out", "--end-region", "2");
   * }</pre>
   *
   * @return the exit status (0 succeeded, 1 failed, 2 usage error, 3 some items failed)
   */
  public static int run(PrintWriter out, PrintWriter err, String... args) {
    RunConsole.install();
    int code = new Beamline(out, err).execute(args);
    out.flush();
    err.flush();
    return code;
  }

  /** A generated pipeline subcommand, its flags, and its positional parameter (or null). */
  private record PipelineCommand(
      BeamlinePipeline<?> def,
      CommandLine cli,
      List<OptionFlags.Flag> flags,
      PositionalParamSpec positional) {}

  /** A tool subcommand, its flags, and the positional parameter standing for one of them. */
  private record ToolCommand(
      BeamlineTool<?> def,
      CommandLine cli,
      List<OptionFlags.Flag> flags,
      PositionalParamSpec positional) {}

  /** Parses and executes {@code args}; returns the exit status. */
  int execute(String... args) {
    CommandLine top = new CommandLine(topSpec());
    List<PipelineCommand> runs = new ArrayList<>();
    List<PipelineCommand> plans = new ArrayList<>();
    List<PipelineCommand> compiles = new ArrayList<>();
    CommandLine plan = new CommandLine(planSpec());
    CommandLine compile = new CommandLine(CompileCommand.spec());
    for (BeamlinePipeline<?> def : PipelineRegistry.all()) {
      List<String> words = def.commandPath();
      String leafName = words.get(words.size() - 1);
      PipelineCommand run = pipelineCommand(def, leafName, def.summary());
      parent(top, words).addSubcommand(leafName, run.cli());
      runs.add(run);
      PipelineCommand p =
          pipelineCommand(
              def,
              leafName,
              "Write and print the plan of '" + String.join(" ", words) + "' without running it");
      p.cli().getCommandSpec().addOption(dryRunOption());
      parent(plan, words).addSubcommand(leafName, p.cli());
      plans.add(p);
      PipelineCommand c =
          pipelineCommand(
              def,
              leafName,
              "Compile '"
                  + String.join(" ", words)
                  + "' into its working directory (plan, picture, options, a script per"
                  + " backend) without running it");
      parent(compile, words).addSubcommand(leafName, c.cli());
      compiles.add(c);
    }
    Map<CommandLine, ConfigFile.Layout> layouts = new HashMap<>();
    for (PipelineCommand c : runs) {
      layouts.put(c.cli(), layout(c.def(), c.flags()));
    }
    for (PipelineCommand c : plans) {
      layouts.put(c.cli(), layout(c.def(), c.flags()));
    }
    for (PipelineCommand c : compiles) {
      layouts.put(c.cli(), layout(c.def(), c.flags()));
    }
    List<ToolCommand> toolCommands = new ArrayList<>();
    for (BeamlineTool<?> def : tools) {
      List<String> words = def.commandPath();
      String leafName = words.get(words.size() - 1);
      ToolCommand tc = toolCommand(def, leafName);
      parent(top, words).addSubcommand(leafName, tc.cli());
      toolCommands.add(tc);
      layouts.put(
          tc.cli(), new ConfigFile.Layout(String.join(" ", words), Map.of(), tc.flags(), false));
    }
    top.addSubcommand("plan", plan);
    top.addSubcommand("compile", compile);
    top.addSubcommand("runs", new CommandLine(RunsCommand.spec()));
    top.addSubcommand("monitor", new CommandLine(MonitorCommand.spec()));
    top.setUsageHelpWidth(100);
    top.setOut(out);
    top.setErr(err);

    ParseResult parsed;
    ConfigFile.Applied config;
    try {
      config = ConfigFile.apply(top, OptionFlags.normalize(args), layouts);
    } catch (UserInputException e) {
      err.println(commandWords(top, args) + ": " + firstLine(e.getMessage()));
      return USAGE;
    }
    String[] normalized = config.args();
    try {
      parsed = top.parseArgs(normalized);
    } catch (ParameterException e) {
      // An unknown flag or command is named first: a required flag picocli misses is often the
      // one the user mistyped.
      UnknownArguments.Problem unknown = UnknownArguments.find(top, args, normalized);
      if (unknown != null) {
        err.println(
            unknown.command().getCommandSpec().qualifiedName(" ") + ": " + unknown.message());
        return USAGE;
      }
      String cmd = e.getCommandLine().getCommandSpec().qualifiedName(" ");
      err.println(
          cmd
              + ": "
              + e.getMessage().replaceAll("\\s*\\R\\s*", " ").trim()
              + "; run '"
              + cmd
              + " --help' for the flags");
      return USAGE;
    }
    if (CommandLine.printHelpIfRequested(parsed)) {
      return OK;
    }
    ParseResult leaf = parsed;
    List<String> path = new ArrayList<>();
    while (leaf.hasSubcommand()) {
      leaf = leaf.subcommand();
      path.add(leaf.commandSpec().name());
    }
    if (path.isEmpty()) {
      if (parsed.hasMatchedOption("--version")) {
        out.println("beamline " + BuildInfo.describe());
        return OK;
      }
      top.usage(out);
      return USAGE;
    }
    String first = path.get(0);
    if ("runs".equals(first)) {
      return RunsCommand.execute(parsed.subcommand(), out, err);
    }
    if ("monitor".equals(first)) {
      return MonitorCommand.execute(parsed.subcommand(), out, err);
    }
    if ("compile".equals(first)) {
      if (path.size() < 2) {
        err.println(
            "beamline compile: name a pipeline, e.g. 'beamline compile demo'; pipelines: "
                + pipelineList());
        return USAGE;
      }
      PipelineCommand pc = find(compiles, path.subList(1, path.size()));
      if (pc == null) {
        return groupWithoutCommand(
            "beamline compile " + String.join(" ", path.subList(1, path.size())), leaf);
      }
      CompileCommand settings;
      try {
        settings = CompileCommand.settings(parsed.subcommand());
      } catch (IllegalArgumentException e) {
        err.println("beamline compile: " + e.getMessage());
        return USAGE;
      }
      return runTyped(pc.def(), pc, leaf, args, config, Mode.COMPILE, "text", settings);
    }
    if ("plan".equals(first)) {
      if (path.size() < 2) {
        err.println(
            "beamline plan: name a pipeline, e.g. 'beamline plan demo'; pipelines: "
                + pipelineList());
        return USAGE;
      }
      PipelineCommand pc = find(plans, path.subList(1, path.size()));
      if (pc == null) {
        return groupWithoutCommand(
            "beamline plan " + String.join(" ", path.subList(1, path.size())), leaf);
      }
      String format = parsed.subcommand().matchedOptionValue("--format", "text");
      if (!List.of("text", "dot", "json").contains(format)) {
        err.println("beamline plan: --format must be text, dot or json, got '" + format + "'");
        return USAGE;
      }
      if (parsed.subcommand().hasMatchedOption(DRY_RUN_FLAG)
          || leaf.hasMatchedOption(DRY_RUN_FLAG)) {
        format = DRY_RUN;
      }
      return runTyped(pc.def(), pc, leaf, args, config, Mode.PLAN, format, null);
    }
    for (ToolCommand tc : toolCommands) {
      if (tc.def().commandPath().equals(path)) {
        return runTool(tc.def(), tc, leaf, config);
      }
    }
    PipelineCommand pc = find(runs, path);
    if (pc == null) {
      return groupWithoutCommand("beamline " + String.join(" ", path), leaf);
    }
    return runTyped(pc.def(), pc, leaf, args, config, Mode.RUN, "text", null);
  }

  /** The registered pipelines' commands, comma-separated. */
  private static String pipelineList() {
    return String.join(
        ", ", PipelineRegistry.all().stream().map(d -> String.join(" ", d.commandPath())).toList());
  }

  /** The command whose pipeline's command path is {@code path}, or null (a command group). */
  private static PipelineCommand find(List<PipelineCommand> cmds, List<String> path) {
    return cmds.stream().filter(c -> c.def().commandPath().equals(path)).findFirst().orElse(null);
  }

  /** A command group named without one of its commands: a one-line usage error. */
  private int groupWithoutCommand(String cmd, ParseResult group) {
    err.println(
        cmd
            + ": name a command, e.g. '"
            + cmd
            + " "
            + group.commandSpec().subcommands().keySet().iterator().next()
            + "'; commands: "
            + String.join(", ", group.commandSpec().subcommands().keySet()));
    return USAGE;
  }

  /**
   * The command under which a pipeline with command path {@code words} goes: {@code root} itself
   * for one word, else the group named by the first word, created under {@code root} on first use.
   */
  private CommandLine parent(CommandLine root, List<String> words) {
    if (words.size() == 1) {
      return root;
    }
    if (words.size() != 2) {
      throw new IllegalStateException("command paths have one or two words, got " + words);
    }
    String group = words.get(0);
    CommandLine existing = root.getSubcommands().get(group);
    if (existing != null) {
      return existing;
    }
    CommandSpec spec = CommandSpec.create().name(group);
    spec.addOption(helpOption());
    spec.usageMessage()
        .description(
            OptionFlags.literal(GROUPS.getOrDefault(group, "The " + group + " commands.")));
    CommandLine cli = new CommandLine(spec);
    cli.setUsageHelpWidth(100);
    root.addSubcommand(group, cli);
    return cli;
  }

  /** Descriptions of command groups for {@code --help}. */
  private static final Map<String, String> GROUPS =
      Map.of(
          "infer",
          "Chunked audio inference with DJL (seed 002): chunk recordings, train the bird-call"
              + " detector, run it over chunk manifests (retries, telemetry, resume), aggregate"
              + " detections into DuckDB, orchestrate many manifests (or a SLURM array),"
              + " monitor a run's telemetry, and import HawkEars, BirdNET, Audacity and Raven"
              + " results.",
          "stream",
          "Streaming super-time-frame workflow over Kafka (seed 003, the ePIC streaming testbed):"
              + " the DAQ simulator writing STF files and publishing the run's messages.");

  /** What a pipeline command does: run it, write its plan, or compile it. */
  private enum Mode {
    RUN,
    PLAN,
    COMPILE
  }

  /** How a pipeline's flags are grouped in a config file. */
  private static ConfigFile.Layout layout(BeamlinePipeline<?> def, List<OptionFlags.Flag> flags) {
    return new ConfigFile.Layout(
        String.join(" ", def.commandPath()), def.moduleParameters(), flags, true);
  }

  /** {@code beamline} and the command words at the start of {@code args}, for one-line errors. */
  private static String commandWords(CommandLine top, String[] args) {
    StringBuilder b = new StringBuilder("beamline");
    CommandLine cur = top;
    for (String a : args) {
      CommandLine sub = cur.getSubcommands().get(a);
      if (sub == null) {
        break;
      }
      b.append(' ').append(a);
      cur = sub;
    }
    return b.toString();
  }

  private <O extends BeamlineOptions> int runTyped(
      BeamlinePipeline<O> def,
      PipelineCommand pc,
      ParseResult leaf,
      String[] args,
      ConfigFile.Applied config,
      Mode mode,
      String format,
      CompileCommand compileSettings) {
    boolean execute = mode == Mode.RUN;
    String cmd =
        "beamline "
            + (mode == Mode.RUN ? "" : mode.name().toLowerCase(Locale.ROOT) + " ")
            + String.join(" ", def.commandPath());
    List<String> beamArgs = underSparkSubmit(OptionFlags.toBeamArgs(leaf, pc.flags()));
    if (!addPositional(
        cmd, def.positional(), pc.positional(), leaf, beamArgs, config, pc.flags())) {
      return USAGE;
    }
    if (config.scratch() != null) {
      beamArgs.add("--tempLocation=" + config.scratch());
    }
    O options;
    try {
      options =
          PipelineOptionsFactory.fromArgs(beamArgs.toArray(new String[0]))
              .withValidation()
              .as(def.optionsClass());
    } catch (IllegalArgumentException e) {
      err.println(cmd + ": " + firstLine(e.getMessage()));
      return USAGE;
    }
    if (RunnerNames.is(options, RunnerNames.FLINK) && !def.runsOnFlink()) {
      err.println(
          cmd
              + ": --runner=FlinkRunner is supported by stream process and constellation --streaming"
              + " only; run this pipeline on"
              + " the DirectRunner (the default) or the SparkRunner (--runner=SparkRunner)");
      return USAGE;
    }
    if (mode != Mode.COMPILE) {
      // Compiled scripts name no tuning: they run this command, which tunes for their machine.
      DirectTuning.apply(options, beamArgs);
    }
    if (RunnerNames.is(options, RunnerNames.SPARK)) {
      tuneSpark(options.as(SparkPipelineOptions.class), beamArgs);
    }
    if (DRY_RUN.equals(format)) {
      return dryRun(cmd, def, options);
    }
    if (mode != Mode.COMPILE && RunnerNames.is(options, RunnerNames.FLINK)) {
      // After a dry run returned: tuning writes the embedded cluster's directory.
      FlinkTuning.apply(options.as(FlinkPipelineOptions.class), beamArgs, def.flinkBundleMillis());
    }
    if (execute) {
      try {
        String instead = def.printInsteadOfRunning(options, Arrays.asList(args));
        if (instead != null) {
          out.println(instead);
          return OK;
        }
      } catch (UserInputException e) {
        err.println(cmd + ": " + firstLine(e.getMessage()));
        return USAGE;
      }
    }
    if (mode == Mode.COMPILE) {
      try {
        return compileSettings.compile(cmd, def, options, out, err);
      } catch (UserInputException e) {
        err.println(cmd + ": " + firstLine(e.getMessage()));
        return USAGE;
      }
    }
    RunRecord record;
    try {
      record =
          execute
              ? Runs.run(def, options, Arrays.asList(args))
              : Runs.plan(def, options, Arrays.asList(args));
    } catch (UserInputException e) {
      err.println(cmd + ": " + firstLine(e.getMessage()));
      return USAGE;
    }
    if (!execute) {
      printPlan(record, format);
      return OK;
    }
    boolean partial = Runs.PARTIAL.equals(record.status());
    if ("succeeded".equals(record.status()) || partial) {
      out.println(
          cmd
              + ": run "
              + record.runId()
              + " "
              + record.status()
              + " ("
              + options.getRunner().getSimpleName()
              + (record.items() != null && record.items().succeeded() + record.items().failed() > 0
                  ? ", "
                      + record.items().succeeded()
                      + (record.items().succeeded() == 1 ? " item" : " items")
                      + " committed"
                  : "")
              + ")");
      for (Path root : def.outputRoots(options)) {
        out.println("  outputs: " + root.toAbsolutePath().normalize());
      }
      out.println("  record:  " + record.runDir());
      if (partial) {
        RunRecord.Items items = record.items();
        err.println(
            cmd
                + ": "
                + items.failed()
                + " of "
                + (items.succeeded() + items.failed())
                + " items failed; failure records (status \"failed\") in "
                + items.records()
                + (items.firstError() == null ? "" : "; first: " + items.firstError()));
        return PARTIAL;
      }
      return OK;
    }
    err.println(
        cmd
            + ": run "
            + record.runId()
            + " failed: "
            + record.error()
            + " (log: "
            + record.runDir().resolve("run.log")
            + ")");
    return FAILED;
  }

  /** The plan "format" of {@code beamline plan --dry-run}: item decisions, nothing written. */
  private static final String DRY_RUN = "dry-run";

  private static final String DRY_RUN_FLAG = "--dry-run";

  /** {@code --dry-run} of {@code beamline plan} and of each of its pipeline commands. */
  private static OptionSpec dryRunOption() {
    return OptionSpec.builder(DRY_RUN_FLAG)
        .arity("0")
        .description(
            "Print which items a run would do and which it would skip, and why (not yet run;"
                + " already committed with the same config; config changed; failed before), with"
                + " a summary line; write nothing")
        .build();
  }

  /**
   * Prints which items a run would do and skip, and why, after validating the options; writes
   * nothing (not even the output directory).
   */
  private <O extends BeamlineOptions> int dryRun(String cmd, BeamlinePipeline<O> def, O options) {
    DryRun plan;
    try {
      def.validate(options);
      plan = DryRun.of(def, options);
    } catch (UserInputException e) {
      err.println(cmd + ": " + firstLine(e.getMessage()));
      return USAGE;
    }
    out.print(plan.toText());
    out.flush();
    return OK;
  }

  /**
   * Under {@code spark-submit} (which sets the {@code spark.master} system property) the
   * SparkRunner is the default, and the master spark-submit chose is the one Spark uses, so it is
   * also the one recorded in {@code options.json}.
   */
  static List<String> underSparkSubmit(List<String> beamArgs) {
    String submitted = System.getProperty("spark.master");
    if (submitted == null || submitted.isBlank()) {
      return beamArgs;
    }
    List<String> out = new ArrayList<>();
    boolean runnerGiven = false;
    for (String a : beamArgs) {
      if (a.startsWith("--sparkMaster=")) {
        continue;
      }
      runnerGiven |= a.startsWith("--runner=");
      out.add(a);
    }
    if (!runnerGiven) {
      out.add("--runner=SparkRunner");
    }
    out.add("--sparkMaster=" + submitted);
    return out;
  }

  private void printPlan(RunRecord record, String format) {
    try {
      switch (format) {
        case "dot":
          out.print(Files.readString(record.runDir().resolve("plan.dot")));
          break;
        case "json":
          out.print(Files.readString(record.runDir().resolve("plan.json")));
          break;
        default:
          out.print(record.plan().toText());
          out.println(
              "plan written to "
                  + record.runDir()
                  + " (plan.json, plan.dot,"
                  + " options.json, manifest.json); nothing was run");
      }
    } catch (java.io.IOException e) {
      err.println("beamline plan: cannot read back the plan: " + e.getMessage());
    }
    out.flush();
  }

  private static String firstLine(String s) {
    if (s == null) {
      return "unknown error";
    }
    return s.strip().split("\\R", 2)[0];
  }

  static OptionSpec helpOption() {
    return OptionSpec.builder("-h", "--help")
        .usageHelp(true)
        .description("Show this help message and exit.")
        .build();
  }

  /** {@code --config FILE} (read by {@link ConfigFile} before parsing). */
  private static OptionSpec configOption() {
    return OptionSpec.builder(ConfigFile.FLAG)
        .type(String.class)
        .arity("1")
        .paramLabel("<FILE>")
        .description(
            "YAML or JSON file with the command's flags (data: workspace, inputs, scratch;"
                + " modules: <module>: flags; options: flags); flags typed here override it."
                + " A run's runs/<id>/config.yaml reproduces that run")
        .build();
  }

  private CommandSpec topSpec() {
    CommandSpec spec = CommandSpec.create().name("beamline");
    spec.mixinStandardHelpOptions(true);
    spec.version("beamline " + BuildInfo.describe());
    spec.usageMessage()
        .description(
            "Portable Apache Beam pipelines for scientific instrument data.",
            "Every pipeline runs on the DirectRunner (default) or, unchanged, on the SparkRunner"
                + " (--runner=SparkRunner, or spark-submit), and records each run under"
                + " <output-dir>/runs/<run-id>/.")
        .footer(
            "",
            "Exit status: 0 ok, 1 the run failed, 2 usage or input error, 3 some items failed"
                + " (run status partial).");
    return spec;
  }

  private CommandSpec planSpec() {
    CommandSpec spec = CommandSpec.create().name("plan");
    spec.addOption(helpOption());
    spec.usageMessage()
        .description(
            "Build a pipeline's graph and write it (plan.json, plan.dot, options.json) under"
                + " <output-dir>/runs/<run-id>/ without running any transform.");
    spec.addOption(
        OptionSpec.builder("--format")
            .type(String.class)
            .paramLabel("text|dot|json")
            .description("What to print: an indented text tree (default), Graphviz DOT, or JSON")
            .completionCandidates(List.of("text", "dot", "json"))
            .build());
    spec.addOption(dryRunOption());
    return spec;
  }

  private ToolCommand toolCommand(BeamlineTool<?> def, String commandName) {
    CommandSpec spec = CommandSpec.create().name(commandName);
    spec.addOption(helpOption());
    spec.usageMessage().description(OptionFlags.literal(def.summary()));
    List<OptionFlags.Flag> flags = OptionFlags.addOwn(spec, def.optionsClass(), def.positional());
    spec.addOption(configOption());
    PositionalParamSpec positional = positional(spec, def.commandPath(), def.positional(), flags);
    spec.usageMessage().sortOptions(false);
    CommandLine cli = new CommandLine(spec);
    cli.setUsageHelpWidth(100);
    return new ToolCommand(def, cli, flags, positional);
  }

  /**
   * Adds the positional parameter that stands for property {@code property} (none when null) to
   * {@code spec}; returns it.
   */
  private static PositionalParamSpec positional(
      CommandSpec spec, List<String> path, String property, List<OptionFlags.Flag> flags) {
    if (property == null) {
      return null;
    }
    if (flags.stream().noneMatch(f -> f.property().equals(property))) {
      throw new IllegalStateException(
          path + ": positional property " + property + " has no getter");
    }
    String label = OptionFlags.kebab(property).toUpperCase(Locale.ROOT).replace('-', '_');
    PositionalParamSpec positional =
        PositionalParamSpec.builder()
            .index("0")
            .arity("0..1")
            .paramLabel(label)
            .type(String.class)
            .description("Same as --" + OptionFlags.kebab(property))
            .build();
    spec.addPositional(positional);
    return positional;
  }

  /**
   * Adds the command's positional argument, when given, to {@code beamArgs} as {@code
   * --property=value}; false (after a one-line error) when the flag was given too.
   */
  private boolean addPositional(
      String cmd,
      String property,
      PositionalParamSpec positional,
      ParseResult leaf,
      List<String> beamArgs,
      ConfigFile.Applied config,
      List<OptionFlags.Flag> flags) {
    if (positional == null || !leaf.hasMatchedPositional(0)) {
      return true;
    }
    String flag = "--" + property + "=";
    // The argument typed on the command line wins over the config file's value.
    if (flags.stream()
        .anyMatch(f -> f.property().equals(property) && config.fromFile().contains(f.spec()))) {
      beamArgs.removeIf(a -> a.startsWith(flag));
    }
    if (beamArgs.stream().anyMatch(a -> a.startsWith(flag))) {
      err.println(
          cmd
              + ": "
              + positional.paramLabel()
              + " given twice (as an argument and as --"
              + OptionFlags.kebab(property)
              + "); give it once");
      return false;
    }
    beamArgs.add(flag + leaf.matchedPositional(0).getValue());
    return true;
  }

  private <O extends BeamlineToolOptions> int runTool(
      BeamlineTool<O> def, ToolCommand tc, ParseResult leaf, ConfigFile.Applied config) {
    String cmd = "beamline " + String.join(" ", def.commandPath());
    List<String> beamArgs = OptionFlags.toBeamArgs(leaf, tc.flags());
    if (!addPositional(
        cmd, def.positional(), tc.positional(), leaf, beamArgs, config, tc.flags())) {
      return USAGE;
    }
    O options;
    try {
      options =
          PipelineOptionsFactory.fromArgs(beamArgs.toArray(new String[0]))
              .withValidation()
              .as(def.optionsClass());
    } catch (IllegalArgumentException e) {
      err.println(cmd + ": " + firstLine(e.getMessage()));
      return USAGE;
    }
    // A tool that carries out command lines it planned runs them through this same entry point.
    options
        .as(CommandLauncher.Options.class)
        .setCommandLauncher(a -> execute(a.toArray(new String[0])));
    try {
      int code = def.run(options, out, err);
      out.flush();
      return code;
    } catch (UserInputException e) {
      out.flush();
      err.println(cmd + ": " + firstLine(e.getMessage()));
      return USAGE;
    } catch (Exception e) {
      out.flush();
      String msg = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
      // The one line is for the terminal; the stack trace goes to the log, which it names.
      LOG.error(RunConsole.LOG_ONLY, "{} failed", cmd, e);
      Path log = RunConsole.fallbackLog();
      err.println(
          cmd
              + " failed: "
              + firstLine(msg)
              + (log != null && Files.isRegularFile(log) ? " (details: " + log + ")" : ""));
      return FAILED;
    }
  }

  private PipelineCommand pipelineCommand(
      BeamlinePipeline<?> def, String commandName, String description) {
    CommandSpec spec = CommandSpec.create().name(commandName);
    spec.addOption(helpOption());
    spec.usageMessage().description(OptionFlags.literal(description));
    List<OptionFlags.Flag> flags = OptionFlags.addTo(spec, def.optionsClass(), def.positional());
    spec.addOption(configOption());
    PositionalParamSpec positional = positional(spec, def.commandPath(), def.positional(), flags);
    spec.usageMessage().sortOptions(false);
    CommandLine cli = new CommandLine(spec);
    cli.setUsageHelpWidth(100);
    return new PipelineCommand(def, cli, flags, positional);
  }

  /**
   * Settings of a SparkRunner run that the command line does not name (what it names wins): no web
   * UI for in-process Spark, no locality wait, cached RDDs as coder bytes.
   */
  private static void tuneSpark(SparkPipelineOptions spark, List<String> beamArgs) {
    if (System.getProperty("spark.master") == null
        && System.getProperty("spark.ui.enabled") == null
        && spark.getSparkMaster().startsWith("local")) {
      // In-process Spark (local master from --spark-master): no web UI port to bind or leak.
      System.setProperty("spark.ui.enabled", "false");
    }
    if (System.getProperty("spark.locality.wait") == null) {
      // Beamline's items (regions, chunks, recordings) are compute-bound and what they shuffle is
      // small: a free executor takes the next item at once instead of leaving it, for Spark's
      // default 3 s, to the busy executor that holds its shuffled input (which ran both of a
      // run's regions one after the other on one executor). --conf spark.locality.wait wins.
      System.setProperty("spark.locality.wait", "0s");
    }
    if (beamArgs.stream().noneMatch(a -> a.startsWith("--storageLevel"))) {
      // Beam's default MEMORY_ONLY caches RDDs as objects; a cached block that another executor
      // fetches is then Java-serialized, which WindowedValue is not, so Spark recomputes the
      // partition, and its reads and side effects run twice (a Kafka topic read twice by
      // constellation on two executors). Any other level caches coder bytes. --storage-level wins.
      spark.setStorageLevel("MEMORY_AND_DISK");
    }
  }
}
