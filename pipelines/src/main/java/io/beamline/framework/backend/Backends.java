package io.beamline.framework.backend;

import io.beamline.framework.BeamlineOptions;
import io.beamline.framework.BeamlinePipeline;
import io.beamline.framework.UserInputException;
import io.beamline.framework.run.BuildInfo;
import io.beamline.framework.run.Json;
import io.beamline.framework.run.RunLock;
import io.beamline.framework.run.Runs;
import io.beamline.io.files.AtomicFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Compiles a pipeline into its working directory without running it, and runs a compiled pipeline
 * on a {@link Backend}.
 *
 * <pre>{@code
 * Compiled<MyOptions> c = Backends.compile(new MyPipeline(), options);  // nothing runs
 * RunHandle run = Backends.run(c, Backend.DIRECT);
 * run.waitFor(Duration.ofMinutes(5));                                 // "succeeded"
 * }</pre>
 *
 * <p>The working directory is the run directory {@code <output-dir>/runs/<run-id>}: compiling
 * writes there {@code plan.json}, {@code plan.dot}, {@code plan.png} (when Graphviz's {@code dot}
 * is installed), {@code options.json} (every effective option), {@code manifest.json} (status
 * {@code compiled}), {@code compiled.json} (the command and every backend's command line) and one
 * script per backend ({@code run-direct.sh}, {@code run-spark-local.sh}, {@code
 * run-spark-submit.sh}, {@code run-slurm.sbatch}). Every backend's run pins the same output
 * directory and run id, so it takes over that directory and adds {@code run.log}, its outputs'
 * records and the final manifest.
 */
public final class Backends {
  private static final Logger LOG = LoggerFactory.getLogger(Backends.class);

  private Backends() {}

  /** Compiles {@code def} with {@code options} (run id chosen when not set); runs nothing. */
  public static <O extends BeamlineOptions> Compiled<O> compile(
      BeamlinePipeline<O> def, O options) {
    return compile(def, options, null, SlurmResources.DEFAULT);
  }

  /**
   * Compiles {@code def} with {@code options} into {@code workingDir}, which must be {@code
   * <output-dir>/runs/<run-id>}: it sets the options' output directory and run id.
   */
  public static <O extends BeamlineOptions> Compiled<O> compile(
      BeamlinePipeline<O> def, O options, Path workingDir) {
    Path dir = workingDir.toAbsolutePath().normalize();
    if (dir.getParent() == null || !dir.getParent().getFileName().toString().equals("runs")) {
      throw new UserInputException(
          "the working directory is a run directory, <output-dir>/runs/<run-id>; got " + dir);
    }
    options.setOutputDir(dir.getParent().getParent().toString());
    options.setRunId(dir.getFileName().toString());
    return compile(def, options, null, SlurmResources.DEFAULT);
  }

  /**
   * Compiles {@code def} with {@code options}; the scripts run {@code jar} (null: this jar or the
   * build's) and the SLURM script asks for {@code slurm}.
   */
  public static <O extends BeamlineOptions> Compiled<O> compile(
      BeamlinePipeline<O> def, O options, String jar, SlurmResources slurm) {
    if (options.getRunId() == null || options.getRunId().isBlank()) {
      options.setRunId(Runs.newRunId(def.name()));
    }
    options.setOutputDir(Paths.get(options.getOutputDir()).toAbsolutePath().normalize().toString());
    List<String> command = new ArrayList<>(def.commandPath());
    command.addAll(PipelineFlags.of(def, options));
    Path dir = Runs.compile(def, options, List.of("compile")).runDir();
    try {
      BackendScripts scripts =
          new BackendScripts(command, dir, Launch.jar(jar, Backends.class), slurm);
      String header =
          "Compiled by beamline "
              + BuildInfo.describe()
              + " at "
              + Instant.now()
              + "\nRuns pipeline "
              + def.name()
              + ", run "
              + options.getRunId()
              + "; its run.log and manifest.json go to\n"
              + dir;
      List<Map<String, Object>> backends = new ArrayList<>();
      for (Backend b : Backend.values()) {
        Path script = dir.resolve(b.scriptName());
        AtomicFiles.writeString(script, scripts.script(b, header + "\nBackend: " + b.id()));
        script.toFile().setExecutable(true);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("backend", b.id());
        m.put("in_process", b.inProcess());
        m.put("script", b.scriptName());
        m.put("command_line", scripts.commandLine(b));
        backends.add(m);
      }
      String note = drawPicture(dir);
      Path picture = note == null ? dir.resolve("plan.png") : null;
      Map<String, Object> doc = new LinkedHashMap<>();
      doc.put("pipeline", def.name());
      doc.put("run_id", options.getRunId());
      doc.put("working_dir", dir.toString());
      doc.put("command", command);
      doc.put("picture", picture == null ? null : "plan.png");
      doc.put("picture_note", note);
      doc.put("backends", backends);
      AtomicFiles.writeString(dir.resolve("compiled.json"), Json.write(doc));
      return new Compiled<>(def, List.copyOf(command), options.getRunId(), dir, picture, note);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the compiled pipeline to " + dir, e);
    }
  }

  /**
   * Draws {@code plan.dot} into {@code plan.png} with Graphviz; returns null, or one line saying
   * why there is no picture.
   */
  private static String drawPicture(Path dir) {
    Path png = dir.resolve("plan.png");
    Process p;
    try {
      p =
          new ProcessBuilder("dot", "-Tpng", dir.resolve("plan.dot").toString(), "-o", png + ".tmp")
              .redirectErrorStream(true)
              .start();
    } catch (IOException e) {
      String note =
          "plan.png not drawn: Graphviz 'dot' is not installed (Debian: apt-get install graphviz);"
              + " plan.dot holds the graph";
      LOG.warn(note);
      return note;
    }
    try {
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
        p.destroy();
        Files.deleteIfExists(Paths.get(png + ".tmp"));
        return "plan.png not drawn: dot failed: " + out.strip().replaceAll("\\s*\\R\\s*", " ");
      }
      Files.move(
          Paths.get(png + ".tmp"),
          png,
          java.nio.file.StandardCopyOption.REPLACE_EXISTING,
          java.nio.file.StandardCopyOption.ATOMIC_MOVE);
      return null;
    } catch (IOException e) {
      return "plan.png not drawn: " + e.getMessage();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      p.destroy();
      return "plan.png not drawn: interrupted";
    }
  }

  /** Runs {@code compiled} on {@code backend}. */
  public static <O extends BeamlineOptions> RunHandle run(Compiled<O> compiled, Backend backend) {
    return run(compiled, backend, Map.of());
  }

  /**
   * Runs {@code compiled} on {@code backend}; an in-process backend returns once the run started on
   * a thread of its own, {@code spark-submit} once its process started (with {@code env} added to
   * its environment: {@code SPARK_MASTER} names the cluster), SLURM once {@code sbatch} queued it.
   */
  public static <O extends BeamlineOptions> RunHandle run(
      Compiled<O> compiled, Backend backend, Map<String, String> env) {
    Path dir = compiled.workingDir();
    if (!Runs.COMPILED.equals(RunLock.status(dir))) {
      throw new UserInputException(
          "working directory "
              + dir
              + " does not hold a compiled pipeline that has not run (status "
              + RunLock.status(dir)
              + "); compile it again with a new run id");
    }
    try {
      return switch (backend) {
        case DIRECT, SPARK_LOCAL -> inProcess(compiled, backend);
        case SPARK_SUBMIT -> new ProcessRun(backend, compiled.script(backend), dir, env);
        case SLURM -> new SlurmRun(compiled.script(backend), dir);
      };
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start the " + backend.id() + " run of " + dir, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while submitting " + dir, e);
    }
  }

  private static <O extends BeamlineOptions> RunHandle inProcess(
      Compiled<O> compiled, Backend backend) {
    List<String> args = new ArrayList<>(compiled.flags());
    args.addAll(BackendScripts.runnerArgs(backend));
    BeamlinePipeline<O> def = compiled.pipeline();
    // The compiled flags, parsed again: the run gets exactly the options the scripts give it.
    O options =
        PipelineOptionsFactory.fromArgs(args.toArray(new String[0]))
            .withValidation()
            .as(def.optionsClass());
    DirectTuning.apply(options, args);
    if (backend == Backend.SPARK_LOCAL && System.getProperty("spark.ui.enabled") == null) {
      // In-process Spark: no web UI port to bind or leak.
      System.setProperty("spark.ui.enabled", "false");
    }
    return new InProcessRun(backend, def, options, compiled.command(), compiled.workingDir());
  }

  /** The status the run directory records (killed runs detected), or null when there is none. */
  static String recordedStatus(Path dir) {
    return Files.isRegularFile(dir.resolve("manifest.json")) ? RunLock.status(dir) : null;
  }

  /**
   * The status of a run outside this JVM from its run directory: while its process (or job) is
   * alive, {@code starting} until the run recorded itself; once it ended, what the run recorded,
   * {@code killed} for a run that never recorded its end, {@code failed} for one that never began.
   */
  static String statusOf(Path dir, boolean alive) {
    String s = recordedStatus(dir);
    if (alive) {
      return s == null || Runs.COMPILED.equals(s) ? "starting" : s;
    }
    if (s == null || Runs.COMPILED.equals(s)) {
      return "failed";
    }
    // The run's process is gone: a manifest still saying running is a killed run.
    return "running".equals(s) || "planning".equals(s) ? RunLock.KILLED : s;
  }
}
