package io.beamline.pipelines.infer.orchestrate;

import static io.beamline.framework.backend.Launch.shellLine;

import io.beamline.framework.CommandLauncher;
import io.beamline.framework.UserInputException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code --apply}: carries a plan out in this process, each run through the command-line entry
 * point the shell uses, or with {@code --record-datalad} as a {@code datalad run} in the dataset,
 * then the aggregation when every run succeeded.
 */
final class PlanApply {
  private PlanApply() {}

  /**
   * Runs each row, then the aggregation when every run succeeded. Returns 0 when all succeeded,
   * {@link InferOrchestrateTool#PARTIAL} when some runs ended partial and none failed, 1 when one
   * failed (or the aggregation did).
   */
  static int apply(
      InferOrchestrateOptions o,
      OrchestrateDirs where,
      List<PlannedRun> rows,
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
    for (PlannedRun r : rows) {
      i++;
      int code;
      if (o.getRecordDatalad()) {
        List<String> cmd = OrchestrateCommands.dataladRun(where, r);
        out.println("[" + i + "/" + rows.size() + "] " + shellLine(cmd));
        out.flush();
        code = runProcess(cmd, where.dataset(), out);
      } else {
        out.println("[" + i + "/" + rows.size() + "] beamline " + shellLine(r.args()));
        out.flush();
        code = launcher.execute(r.args());
      }
      if (code == InferOrchestrateTool.PARTIAL) {
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
      return failed.isEmpty() ? InferOrchestrateTool.PARTIAL : 1;
    }
    int code;
    if (o.getRecordDatalad()) {
      List<String> cmd = OrchestrateCommands.dataladAggregate(where, aggregate);
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
   * Refuses {@code --record-datalad} (one line, nothing written) when {@code datalad} is not on the
   * PATH, DIRECTORY is not a DataLad dataset, or the runs would write outside it.
   */
  static void checkDatalad(OrchestrateDirs where) {
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
}
