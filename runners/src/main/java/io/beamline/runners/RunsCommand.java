package io.beamline.runners;

import io.beamline.framework.run.Json;
import io.beamline.framework.run.RunCatalogue;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;
import picocli.CommandLine.ParseResult;

/**
 * {@code beamline runs [DIR] [--format text|json|csv]} lists the runs recorded under an output
 * directory ({@link RunCatalogue}); {@code beamline runs show ID [DIR]} prints one run's manifest
 * in full, with its live status and files.
 */
final class RunsCommand {
  private static final String DEFAULT_DIR = "beamline-output";

  private RunsCommand() {}

  static CommandSpec spec() {
    CommandSpec spec = CommandSpec.create().name("runs");
    spec.addOption(Beamline.helpOption());
    spec.usageMessage()
        .description(
            OptionFlags.literal(
                "List the runs under an output directory: id, pipeline, status (succeeded,"
                    + " partial, failed, cancelled, killed, running, planned, compiled), start,"
                    + " duration, items committed and failed. --format json writes JSON lines and"
                    + " csv a CSV table, for DuckDB: SELECT * FROM read_json_auto('runs.jsonl')."));
    spec.addOption(
        OptionSpec.builder("--format")
            .type(String.class)
            .paramLabel("text|json|csv")
            .description("text (default), json (JSON lines) or csv")
            .build());
    spec.addPositional(dirParam());
    CommandSpec show = CommandSpec.create().name("show");
    show.addOption(Beamline.helpOption());
    show.usageMessage().description("Print one run's manifest in full, with its live status.");
    show.addPositional(
        PositionalParamSpec.builder()
            .index("0")
            .paramLabel("ID")
            .type(String.class)
            .description("Run id")
            .build());
    show.addPositional(dirParam().toBuilder().index("1").build());
    spec.addSubcommand("show", show);
    return spec;
  }

  private static PositionalParamSpec dirParam() {
    return PositionalParamSpec.builder()
        .index("0")
        .arity("0..1")
        .paramLabel("DIR")
        .type(String.class)
        .description("Output directory (default " + DEFAULT_DIR + ")")
        .build();
  }

  static int execute(ParseResult runs, PrintWriter out, PrintWriter err) {
    boolean show = runs.hasSubcommand();
    ParseResult leaf = show ? runs.subcommand() : runs;
    List<String> args =
        leaf.matchedPositionals().stream().map(p -> p.<Object>getValue().toString()).toList();
    String cmd = "beamline runs" + (show ? " show" : "");
    if (show && args.isEmpty()) {
      err.println(cmd + ": name a run id, e.g. 'beamline runs show ID DIR'");
      return Beamline.USAGE;
    }
    Path dir = Paths.get(args.size() > (show ? 1 : 0) ? args.get(show ? 1 : 0) : DEFAULT_DIR);
    if (!Files.isDirectory(dir)) {
      err.println(cmd + ": no output directory " + dir + "; name one, e.g. 'beamline runs out'");
      return Beamline.USAGE;
    }
    try {
      if (show) {
        Map<String, Object> run = RunCatalogue.show(dir, args.get(0));
        if (run == null) {
          err.println(
              cmd
                  + ": no run "
                  + args.get(0)
                  + " under "
                  + dir
                  + "; 'beamline runs "
                  + dir
                  + "' lists them");
          return Beamline.USAGE;
        }
        out.print(Json.write(run));
        return Beamline.OK;
      }
      String format = runs.matchedOptionValue("--format", "text");
      List<Map<String, Object>> rows = RunCatalogue.rows(dir);
      switch (format) {
        case "text" -> out.print(RunCatalogue.toText(rows));
        case "json" -> out.print(RunCatalogue.toJsonLines(rows));
        case "csv" -> out.print(RunCatalogue.toCsv(rows));
        default -> {
          err.println(cmd + ": --format must be text, json or csv, got '" + format + "'");
          return Beamline.USAGE;
        }
      }
      return Beamline.OK;
    } catch (IOException e) {
      err.println(cmd + ": cannot read the runs under " + dir + ": " + e.getMessage());
      return Beamline.FAILED;
    }
  }
}
