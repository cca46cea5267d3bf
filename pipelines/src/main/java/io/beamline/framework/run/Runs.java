package io.beamline.framework.run;

import io.beamline.framework.BeamlineOptions;
import io.beamline.framework.BeamlinePipeline;
import io.beamline.framework.Inputs;
import io.beamline.framework.UserInputException;
import io.beamline.io.HostName;
import io.beamline.io.files.AtomicFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.beam.runners.direct.DirectOptions;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.metrics.MetricsFilter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs (or only plans) a {@link BeamlinePipeline} and records it in its run directory.
 *
 * <p>Order of work: validate inputs and the output directory (a {@link UserInputException} stops
 * here, before anything is written, not even the output directory), record earlier runs in the same
 * output directory that were killed ({@link RunLock}: status {@code killed}) and remove the
 * temporary files they left, create {@code <output-dir>/runs/<run-id>/}, attach {@code run.log},
 * build the graph, write {@code plan.json}, {@code plan.dot}, {@code options.json}, {@code
 * config.yaml} and a {@code manifest.json} with status {@code running}; then run, wait, and write
 * {@code metrics.json} and the final manifest. Every file is written atomically.
 *
 * <p>The final status is derived from what the run committed ({@link ItemCommits}): {@code
 * succeeded}, {@code partial} when any item of the run has a failure record (the manifest's {@code
 * items} says how many and where), or {@code failed} when the run itself failed.
 */
public final class Runs {
  private static final Logger LOG = LoggerFactory.getLogger(Runs.class);
  private static final DateTimeFormatter RUN_ID_TIME =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

  private Runs() {}

  /** Builds, runs and records {@code def} with {@code options}; returns when the run ended. */
  public static <O extends BeamlineOptions> RunRecord run(
      BeamlinePipeline<O> def, O options, List<String> commandLine) {
    return execute(def, options, commandLine, true, null, null);
  }

  /**
   * Builds, runs and records {@code def} with {@code options}; returns when the run ended. While it
   * executes, {@code control} can cancel it (the run then ends with status {@link #CANCELLED}).
   */
  public static <O extends BeamlineOptions> RunRecord run(
      BeamlinePipeline<O> def, O options, List<String> commandLine, RunControl control) {
    return execute(def, options, commandLine, true, null, control);
  }

  /** Builds and records {@code def}'s plan without running any transform. */
  public static <O extends BeamlineOptions> RunRecord plan(
      BeamlinePipeline<O> def, O options, List<String> commandLine) {
    return execute(def, options, commandLine, false, PLANNED, null);
  }

  /**
   * Like {@link #plan}, but records the run directory as {@link #COMPILED}: a later run with the
   * same {@code --output-dir} and {@code --run-id} runs in that directory (the compiled working
   * directory) instead of refusing it.
   */
  public static <O extends BeamlineOptions> RunRecord compile(
      BeamlinePipeline<O> def, O options, List<String> commandLine) {
    return execute(def, options, commandLine, false, COMPILED, null);
  }

  /** Status of a run directory that only holds a plan. */
  public static final String PLANNED = "planned";

  /** Status of a compiled working directory that a run with its run id may take over. */
  public static final String COMPILED = "compiled";

  /** Status of a run cancelled through its {@link RunControl}. */
  public static final String CANCELLED = "cancelled";

  /**
   * The run's effective configuration in config-file form ({@link EffectiveConfig}), in the run
   * directory; {@code --config runs/<id>/config.yaml} reproduces the run.
   */
  public static final String CONFIG_FILE = "config.yaml";

  /** Status of a run that ended with some of its items failed. */
  public static final String PARTIAL = "partial";

  /** A fresh run id: {@code 20240101T120000Z-demo-1a2b}. */
  public static String newRunId(String pipeline) {
    byte[] b = new byte[2];
    ThreadLocalRandom.current().nextBytes(b);
    return RUN_ID_TIME.format(Instant.now()) + "-" + pipeline + "-" + HexFormat.of().formatHex(b);
  }

  private static <O extends BeamlineOptions> RunRecord execute(
      BeamlinePipeline<O> def,
      O options,
      List<String> commandLine,
      boolean execute,
      String planStatus,
      RunControl control) {
    Instant start = Instant.now();
    String runId = options.getRunId();
    if (runId == null || runId.isBlank()) {
      runId = newRunId(def.name());
      options.setRunId(runId);
    } else if (!runId.matches("[A-Za-z0-9_.-]+")) {
      throw new UserInputException(
          "--run-id '" + runId + "' may only contain letters, digits, '.', '_' and '-'");
    }
    Integer metricsPort = options.getMetricsPort();
    if (metricsPort != null && (metricsPort < 0 || metricsPort > 65535)) {
      throw new UserInputException(
          "--metrics-port must be in 0..65535 (0 = any free port), got " + metricsPort);
    }
    MonitorReporter.validate(options);
    Path outputDir = Inputs.checkWritableDir("--output-dir", options.getOutputDir());
    Path runDir = outputDir.resolve("runs").resolve(runId);
    if (Files.exists(runDir.resolve("manifest.json")) && !COMPILED.equals(RunLock.status(runDir))) {
      throw new UserInputException(
          "run directory already exists: " + runDir + "; choose another --run-id");
    }
    def.validate(options);
    List<Path> inputs = def.inputFiles(options);
    List<Map<String, Object>> inputRecords = RunFiles.describeInputs(inputs);
    // Validation passed: from here on the run may write.
    Inputs.requireWritableDir("--output-dir", options.getOutputDir());
    RunLock lock;
    try {
      Files.createDirectories(runDir);
      lock = RunLock.acquire(runDir);
    } catch (IOException e) {
      throw new UserInputException(
          "cannot create run directory "
              + runDir
              + ": "
              + e.getMessage()
              + "; choose a writable --output-dir",
          e);
    }
    // With this run's lock held, a concurrent run sees it alive and leaves its files alone.
    RunLock.reapKilled(outputDir, runId);
    if (execute && (metricsPort != null || control != null)) {
      // Live metrics and cancelling need a PipelineResult while the graph executes.
      options.as(DirectOptions.class).setBlockOnRun(false);
    }
    options.setJobName(runId.toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9-]", "-"));

    Map<String, Object> manifest = new LinkedHashMap<>();
    manifest.put("run_id", runId);
    manifest.put("pipeline", def.name());
    manifest.put("status", execute ? "running" : "planning");
    manifest.put("start_utc", start.toString());
    manifest.put("end_utc", null);
    manifest.put("duration_s", null);
    manifest.put(
        "runner", options.getRunner() == null ? null : options.getRunner().getSimpleName());
    manifest.put("project", project());
    manifest.put("metrics_url", null);
    manifest.put("command_line", commandLine);
    manifest.put("host", host());
    manifest.put("pid", ProcessHandle.current().pid());
    manifest.put("output_dir", outputDir.toString());
    manifest.put("config", CONFIG_FILE);
    manifest.put("inputs", inputRecords);
    manifest.put("outputs", List.of());
    manifest.put("items", null);
    manifest.put("error", null);

    try (lock;
        BeamlinePipeline.Started early = execute ? def.startEarly(options, runDir) : null;
        RunLog log = RunLog.attach(runDir.resolve("run.log"), runId);
        MonitorReporter monitor =
            execute ? MonitorReporter.forRun(options, def.name(), manifest, outputDir) : null) {
      LOG.info(
          "{} {} of pipeline {} with Beamline {}",
          execute ? "Run" : "Plan",
          runId,
          def.name(),
          BuildInfo.describe());
      PlanExporter plan;
      try {
        Map<String, Object> config = EffectiveConfig.of(def, options);
        // Before the graph is built: its commit steps stamp and check each item's config hash.
        ItemConfig.of(def, config).into(options);
        Pipeline p = Pipeline.create(options);
        def.build(p, options);
        plan = PlanExporter.of(def.name(), p);
        AtomicFiles.writeString(runDir.resolve("plan.json"), plan.toJson());
        AtomicFiles.writeString(runDir.resolve("plan.dot"), plan.toDot());
        AtomicFiles.writeString(
            runDir.resolve("options.json"),
            Json.write(EffectiveOptions.of(options, def.optionsClass())));
        AtomicFiles.writeString(runDir.resolve(CONFIG_FILE), EffectiveConfig.toYaml(config));
        writeManifest(runDir, manifest);
        if (!execute) {
          finish(manifest, start, planStatus, null, def, options, null);
          writeManifest(runDir, manifest);
          LOG.info(
              "Plan written to {} ({} primitive transforms); nothing was run",
              runDir,
              plan.primitiveCount());
          return new RunRecord(runId, runDir, planStatus, plan, null, null);
        }
        LOG.info(
            RunConsole.PROGRESS,
            "{}: run {} on {}; log: {}",
            def.name(),
            runId,
            manifest.get("runner"),
            runDir.resolve("run.log"));
        try (MetricsServer metrics = startMetrics(options, def, runDir, manifest);
            AutoCloseable beside = def.beforeRun(options, runDir)) {
          PipelineResult result = p.run();
          if (control != null) {
            control.started(result);
          }
          if (metrics != null) {
            metrics.watch(result);
          }
          PipelineResult.State state = def.waitUntilFinish(options, result);
          if (metrics != null) {
            metrics.poll();
          }
          AtomicFiles.writeString(
              runDir.resolve("metrics.json"),
              MetricsExporter.toJson(
                  result.metrics().queryMetrics(MetricsFilter.builder().build())));
          if (state == PipelineResult.State.CANCELLED && control != null && control.requested()) {
            String reason = "cancelled on request";
            finish(manifest, start, CANCELLED, reason, def, options, start);
            writeManifest(runDir, manifest);
            LOG.info(RunConsole.PROGRESS, "Run {} cancelled; record in {}", runId, runDir);
            RunLock.removeTemporariesOfFailedRun(outputDir, runId);
            return new RunRecord(runId, runDir, CANCELLED, plan, reason, null);
          }
          if (state != PipelineResult.State.DONE) {
            throw new IllegalStateException("pipeline ended in state " + state);
          }
          def.afterRun(options, runDir, result);
        } catch (IOException | RuntimeException | Error e) {
          throw e;
        } catch (Exception e) {
          throw new IllegalStateException(oneLine(e), e);
        }
        ItemCommits commits = ItemCommits.of(outputDir, def.name());
        ItemCommits.Tally tally = commits.tally(runId);
        RunRecord.Items items =
            new RunRecord.Items(
                tally.succeeded().size(),
                tally.failed().size(),
                commits.directory(),
                tally.failed().isEmpty() ? null : tally.failed().get(0).error());
        String status = items.failed() > 0 ? PARTIAL : "succeeded";
        finish(manifest, start, status, null, def, options, start);
        manifest.put("items", items.toMap());
        writeManifest(runDir, manifest);
        LOG.info(
            "Run {} {} in {} s ({} items succeeded, {} failed); record in {}",
            runId,
            status,
            manifest.get("duration_s"),
            items.succeeded(),
            items.failed(),
            runDir);
        return new RunRecord(runId, runDir, status, plan, null, items);
      } catch (UserInputException e) {
        finish(manifest, start, "failed", e.getMessage(), def, options, start);
        writeManifestQuietly(runDir, manifest);
        throw e;
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      } catch (RuntimeException | Error e) {
        String reason = oneLine(e);
        // The command line reports the failure on one line; the stack trace is for run.log.
        LOG.error(RunConsole.LOG_ONLY, "Run {} failed: {}", runId, reason, e);
        finish(manifest, start, "failed", reason, def, options, start);
        writeManifestQuietly(runDir, manifest);
        RunLock.removeTemporariesOfFailedRun(outputDir, runId);
        return new RunRecord(runId, runDir, "failed", null, reason, null);
      }
    }
  }

  /**
   * Starts the run's {@link MetricsServer} when {@code --metrics-port} is given (null otherwise),
   * and records its URL in the manifest.
   */
  private static <O extends BeamlineOptions> MetricsServer startMetrics(
      O options, BeamlinePipeline<O> def, Path runDir, Map<String, Object> manifest)
      throws IOException {
    if (options.getMetricsPort() == null) {
      return null;
    }
    MetricsServer server =
        MetricsServer.start(
            options.getMetricsHost(),
            options.getMetricsPort(),
            def.name(),
            options.getRunId(),
            (String) manifest.get("runner"));
    try {
      manifest.put("metrics_url", server.url().toString());
      writeManifest(runDir, manifest);
    } catch (IOException | RuntimeException e) {
      server.close();
      throw e;
    }
    LOG.info(RunConsole.PROGRESS, "Live metrics of run {} at {}", options.getRunId(), server.url());
    return server;
  }

  /** The innermost cause's message, on one line. */
  public static String oneLine(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    String msg =
        t.getMessage() == null
            ? t.getClass().getSimpleName()
            : t.getClass().getSimpleName() + ": " + t.getMessage();
    return msg.replaceAll("\\s*\\R\\s*", " ").trim();
  }

  private static <O extends BeamlineOptions> void finish(
      Map<String, Object> manifest,
      Instant start,
      String status,
      String error,
      BeamlinePipeline<O> def,
      O options,
      Instant outputsSince) {
    Instant end = Instant.now();
    manifest.put("status", status);
    manifest.put("end_utc", end.toString());
    manifest.put("duration_s", Duration.between(start, end).toMillis() / 1000.0);
    manifest.put("error", error);
    if (outputsSince != null) {
      RunFiles.removeEmptyTempDirs(def.outputRoots(options));
      manifest.put("outputs", RunFiles.describeOutputs(def.outputRoots(options), outputsSince));
    }
  }

  private static Map<String, Object> project() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("version", BuildInfo.version());
    m.put("git_commit", BuildInfo.gitCommit());
    m.put("git_dirty", BuildInfo.gitDirty());
    m.put("beam_version", BuildInfo.beamVersion());
    m.put("java_version", Runtime.version().toString());
    return m;
  }

  /** This machine's host name ({@link HostName}). */
  static String host() {
    return HostName.get();
  }

  private static void writeManifest(Path runDir, Map<String, Object> manifest) throws IOException {
    AtomicFiles.writeString(runDir.resolve("manifest.json"), Json.write(manifest));
  }

  private static void writeManifestQuietly(Path runDir, Map<String, Object> manifest) {
    try {
      writeManifest(runDir, manifest);
    } catch (IOException e) {
      LOG.error("Could not write manifest in {}: {}", runDir, e.getMessage());
    }
  }

  /** Reads a run's manifest back (for tests and tools). */
  public static Map<String, Object> readManifest(Path runDir) throws IOException {
    @SuppressWarnings("unchecked")
    Map<String, Object> m =
        Json.MAPPER.readValue(runDir.resolve("manifest.json").toFile(), Map.class);
    return m;
  }

  /** {@code <output-dir>/runs}. */
  public static Path runsDir(String outputDir) {
    return Paths.get(outputDir).toAbsolutePath().normalize().resolve("runs");
  }
}
