package io.beamline.pipelines.infer.run;

import io.beamline.framework.BeamlinePipeline;
import io.beamline.framework.Inputs;
import io.beamline.framework.ModuleParameters;
import io.beamline.framework.PlannedItems;
import io.beamline.framework.UserInputException;
import io.beamline.framework.backend.Launch;
import io.beamline.framework.run.CommitProgress;
import io.beamline.framework.run.ItemCommits;
import io.beamline.framework.run.Runs;
import io.beamline.pipelines.infer.chunk.ChunkAudio;
import io.beamline.pipelines.infer.formats.ChunkManifest;
import io.beamline.pipelines.infer.formats.DetectionsTable;
import io.beamline.pipelines.infer.formats.ReviewFormat;
import io.beamline.pipelines.infer.formats.TelemetryLog;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;

/**
 * {@code beamline infer run}: chunk manifests to detections, with per-chunk retries, telemetry and
 * resume, as BADC's {@code badc infer run} (seed 002) with DJL in place of HawkEars.
 *
 * <p>Inputs: {@code --manifest} or the command's argument (one chunk manifest CSV, or a directory
 * of them; see {@link InferManifests} for columns and the dataset root), and {@code --model} (a
 * bird-call model directory, see {@link io.beamline.models.birdcall.BirdCallModel}) or {@code
 * --stub-runner} (the model-free {@link io.beamline.models.birdcall.EnergyDetector}).
 *
 * <p>Graph, four modules: {@link ReadManifests} (the chunks still to do), {@link FormBatches} (per
 * manifest, in manifest order, batches of {@code --batch-size}, so batches are the same on every
 * runner, and so are the scores), {@link AttemptStage} (one step: reads and checks each chunk's
 * audio ({@link ChunkAudio}; a bad chunk fails for good at once), scores the batch on the model's
 * {@link io.beamline.models.inference.InferenceWorker} ({@code --max-gpus}, {@code
 * --workers-per-gpu}, {@code --cpu-workers} or {@code --workers} pick the worker slots) or with the
 * stub, and decides per chunk: succeeded, or, when inference threw or an injected failure hit
 * ({@code --inject-failure-rate}, seeded per chunk and attempt), {@code retrying} within the step
 * after a backoff of {@code backoff-base-s * 2^(k-1)} seconds, or {@code failed} after {@code
 * --max-retries} retries; each chunk ends exactly once, in exactly one attempt) and {@link
 * WriteManifestFiles} (the per-manifest files).
 *
 * <p>Commits ({@link ItemCommits}, pipeline {@code infer-run}, item {@code <stem>/<chunk_id>}): a
 * chunk that succeeded has its raw score file staged and committed with a record holding its
 * detections and attempts ({@link RunFiles#succeededDetails}); a chunk that failed for good gets a
 * failure record (the run then ends {@code partial}, exit 3). Its {@code succeeded} or {@code
 * failed} telemetry line is appended only after that. Once every chunk of a manifest has ended
 * ({@code GroupOutcomes}), {@code write-detections} derives that manifest's detections table,
 * summary and workers files from the commit records of all its chunks, also those committed by
 * earlier runs ({@link RunFiles#write}).
 *
 * <p>Outputs (see {@code docs/infer-run.md}): {@code <output-dir>/detections/<stem>.parquet}
 * ({@link DetectionsTable}); raw scores {@code <raw>/<recording_id>/<chunk_id>.json} with {@code
 * <raw>} = {@code --output}, default {@code <output-dir>/artifacts/infer}; telemetry {@code
 * <log>/<stem>.jsonl}, summary {@code <stem>.summary.json} and {@code <stem>.workers.csv}, with
 * {@code <log>} = {@code --log-dir}, by default {@code <output-dir>/telemetry/} for telemetry and
 * {@code <output-dir>/} for the other two; commit records under {@code <output-dir>/commits/}; with
 * {@code --export audacity,raven,csv}, each recording's review files under {@code
 * <output-dir>/exports/} ({@link ReviewFormat}), derived with the detections table.
 *
 * <p>{@code <stem>} is the manifest file name without {@code .csv}. The run prints a progress line
 * on stderr while it runs and a worker table plus a warning about retried or failed chunks at the
 * end.
 */
public final class InferRunPipeline implements BeamlinePipeline<InferRunOptions> {

  /** The pipeline name, also the commit records' directory under {@code commits/}. */
  static final String NAME = "infer-run";

  private final Map<String, Long> startedNanos = new ConcurrentHashMap<>();
  private final Map<String, RunPlan> plans = new ConcurrentHashMap<>();

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public List<String> commandPath() {
    return List.of("infer", "run");
  }

  @Override
  public Map<String, List<String>> moduleParameters() {
    // Workers, batch size, retries and injected failures change how a chunk is scored, not its
    // scores (each chunk is one row of a batch, scored on its own): they are run options.
    return ModuleParameters.of("attempt", "stub-runner", "use-hawkears")
        .module("write-detections", "min-confidence")
        .asMap();
  }

  @Override
  public List<String> inputParameters() {
    return List.of("manifest", "dataset-root", "model");
  }

  @Override
  public PlannedItems plannedItems(InferRunOptions o) {
    return InferRunItems.of(o);
  }

  @Override
  public String summary() {
    return "chunk manifests -> detections via DJL, with retries, telemetry and resume";
  }

  @Override
  public Class<InferRunOptions> optionsClass() {
    return InferRunOptions.class;
  }

  @Override
  public String positional() {
    return "manifest";
  }

  @Override
  public void validate(InferRunOptions o) {
    if (o.getBatchSize() < 1 || o.getBatchSize() > 4096) {
      throw new UserInputException("--batch-size must be in [1, 4096], got " + o.getBatchSize());
    }
    if (o.getMaxWaitMs() < 0) {
      throw new UserInputException("--max-wait-ms must be >= 0, got " + o.getMaxWaitMs());
    }
    if (o.getMaxGpus() < -1) {
      throw new UserInputException("--max-gpus must be >= -1 (-1 = all), got " + o.getMaxGpus());
    }
    if (o.getWorkersPerGpu() < 1 || o.getWorkersPerGpu() > 64) {
      throw new UserInputException(
          "--workers-per-gpu must be in [1, 64], got " + o.getWorkersPerGpu());
    }
    Integer alias = o.getWorkerPerGpu();
    if (alias != null && (alias < 1 || alias > 64)) {
      throw new UserInputException("--worker-per-gpu must be in [1, 64], got " + alias);
    }
    if (alias != null && o.getWorkersPerGpu() != 1 && o.getWorkersPerGpu() != alias) {
      throw new UserInputException(
          "--worker-per-gpu "
              + alias
              + " and --workers-per-gpu "
              + o.getWorkersPerGpu()
              + " disagree; they are the same flag, give one");
    }
    if (o.getCpuWorkers() < 0 || o.getCpuWorkers() > 1024) {
      throw new UserInputException("--cpu-workers must be in [0, 1024], got " + o.getCpuWorkers());
    }
    if (o.getWorkers() != null) {
      if (o.getWorkers() < 1 || o.getWorkers() > 1024) {
        throw new UserInputException("--workers must be in [1, 1024], got " + o.getWorkers());
      }
      if (o.getCpuWorkers() != 0 || Workers.perGpu(o) != 1) {
        throw new UserInputException(
            "--workers sets the number of worker slots in all; give it without --cpu-workers"
                + " and --workers-per-gpu");
      }
    }
    if (o.getMaxRetries() < 0 || o.getMaxRetries() > 10) {
      throw new UserInputException("--max-retries must be in [0, 10], got " + o.getMaxRetries());
    }
    if (!(o.getBackoffBaseS() >= 0) || o.getBackoffBaseS() > 3600) {
      throw new UserInputException(
          "--backoff-base-s must be in [0, 3600] seconds, got " + o.getBackoffBaseS());
    }
    if (!(o.getInjectFailureRate() >= 0) || o.getInjectFailureRate() > 1) {
      throw new UserInputException(
          "--inject-failure-rate must be in [0, 1], got " + o.getInjectFailureRate());
    }
    if (!(o.getMinConfidence() >= 0) || o.getMinConfidence() > 1) {
      throw new UserInputException(
          "--min-confidence must be in [0, 1], got " + o.getMinConfidence());
    }
    if (o.getResumeSummary() != null && !o.getResumeSummary().isBlank() && o.getResumeCompleted()) {
      throw new UserInputException(
          "give either --resume-summary FILE or --resume-completed, not both");
    }
    if (o.getUseHawkears() && o.getStubRunner()) {
      throw new UserInputException(
          "--use-hawkears runs the model and --stub-runner the model-free detector; give one");
    }
    // A file where one of the output directories must go stops the run here, before anything is
    // written, instead of after the chunks ran.
    RunPaths paths = RunPaths.of(o);
    Inputs.checkWritableDir(
        "--output-dir, its detections/", paths.output().resolve("detections").toString());
    Inputs.checkWritableDir(
        "--output-dir, its commits/" + NAME + "/", paths.commits().directory().toString());
    Inputs.checkWritableDir(
        paths.rawGiven() ? "--output" : "--output-dir, its artifacts/infer/", paths.rawDir());
    Inputs.checkWritableDir(
        paths.logGiven() ? "--log-dir" : "--output-dir, its telemetry/", paths.telemetryDir());
    if (!ReviewFormat.parse(o.getExport(), "--export").isEmpty()) {
      Inputs.checkWritableDir(
          "--output-dir, its exports/", RunFiles.exportsDir(paths.output()).toString());
    }
    RunPlan.of(o, paths);
    if (!o.getStubRunner()) {
      DetectorConfig.checkModel(o);
    }
  }

  @Override
  public String printInsteadOfRunning(InferRunOptions o, List<String> commandLine) {
    if (!o.getPrintDataladRun()) {
      return null;
    }
    validate(o);
    return dataladRun(o, commandLine);
  }

  /**
   * {@code datalad run} around this command (without {@code --print-datalad-run}), declaring the
   * manifests as inputs and the output directory (plus {@code --output} and {@code --log-dir} when
   * outside it) as outputs, as BADC's {@code --print-datalad-run} does.
   */
  static String dataladRun(InferRunOptions o, List<String> commandLine) {
    List<ChunkManifest.Manifest> manifests =
        ChunkManifest.read(o.getManifest(), o.getDatasetRoot());
    List<String> words = new ArrayList<>(List.of("datalad", "run", "-m"));
    words.add(
        "beamline infer run "
            + String.join(" ", manifests.stream().map(ChunkManifest.Manifest::stem).toList()));
    for (ChunkManifest.Manifest m : manifests) {
      words.add("--input");
      words.add(m.path().toString());
    }
    RunPaths paths = RunPaths.of(o);
    Path out = paths.output();
    Set<Path> outputs = new LinkedHashSet<>(List.of(out));
    for (Path p : List.of(paths.raw(), paths.telemetry(), paths.summary())) {
      if (!p.startsWith(out)) {
        outputs.add(p);
      }
    }
    for (Path p : outputs) {
      words.add("--output");
      words.add(p.toString());
    }
    words.add("--");
    words.add("beamline");
    for (String a : commandLine) {
      String flag = a.contains("=") ? a.substring(0, a.indexOf('=')) : a;
      if (!List.of("--print-datalad-run", "--print_datalad_run", "--printDataladRun")
          .contains(flag)) {
        words.add(a);
      }
    }
    return Launch.shellLine(words);
  }

  /** The settings of the modules, resolved once from validated options. */
  record Configs(
      ReadManifests.Config read,
      FormBatches.Config batches,
      AttemptStage.Config attempt,
      WriteManifestFiles.Config write) {

    static Configs of(InferRunOptions o) {
      RunPaths paths = RunPaths.of(o);
      RunPlan plan = RunPlan.of(o, paths);
      return new Configs(
          new ReadManifests.Config(o.getManifest(), o.getDatasetRoot(), plan.kept()),
          new FormBatches.Config(o.getBatchSize()),
          new AttemptStage.Config(
              paths,
              o.getRunId(),
              DetectorConfig.of(o),
              o.getBatchSize(),
              o.getMinConfidence(),
              new RetryPolicy(
                  o.getMaxRetries(), o.getBackoffBaseS(), o.getInjectFailureRate(), o.getSeed())),
          new WriteManifestFiles.Config(
              paths,
              o.getRunId(),
              o.getManifest(),
              o.getDatasetRoot(),
              ReviewFormat.parse(o.getExport(), "--export"),
              o.getMinConfidence()));
    }
  }

  @Override
  public void build(Pipeline p, InferRunOptions o) {
    if (o.getRunId() == null || o.getRunId().isBlank()) {
      o.setRunId(Runs.newRunId(name()));
    }
    Configs c = Configs.of(o);
    // Read the chunks still to do, cut them into fixed batches, attempt each batch until every
    // chunk has ended, then derive each manifest's files from the commit records.
    p.begin()
        .apply(c.read().toModule())
        .apply(c.batches().toModule())
        .apply(c.attempt().toModule())
        .apply(c.write().toModule());
  }

  @Override
  public List<Path> inputFiles(InferRunOptions o) {
    return ChunkManifest.files(o.getManifest());
  }

  @Override
  public List<Path> outputRoots(InferRunOptions o) {
    RunPaths paths = RunPaths.of(o);
    List<Path> roots =
        new ArrayList<>(
            List.of(paths.output().resolve("detections"), paths.raw(), paths.telemetry()));
    if (!ReviewFormat.parse(o.getExport(), "--export").isEmpty()) {
      roots.add(RunFiles.exportsDir(paths.output()));
    }
    return roots;
  }

  @Override
  public AutoCloseable beforeRun(InferRunOptions o, Path runDir) throws IOException {
    RunPaths paths = RunPaths.of(o);
    RunPlan plan = RunPlan.of(o, paths);
    String runId = o.getRunId();
    paths.removeTemporariesOutside(runId, plan.stems());
    for (String stem : plan.stems()) {
      // A killed run may have left half a telemetry line; end it so this run's lines stay whole.
      TelemetryLog.endLastLine(paths.telemetryFile(stem));
    }
    if (!o.getStubRunner() && o.getMaxGpus() > 0) {
      // Said once, before the run: the workers then quietly take the CPU slots.
      Workers.shortfall(o.getMaxGpus(), Workers.present()).ifPresent(System.err::println);
    }
    startedNanos.put(runId, System.nanoTime());
    plans.put(runId, plan);
    // Progress counts what is committed: records this run wrote (successes and failures), read on
    // the driver, so it moves on a cluster too, where the attempts run in executors.
    CommitProgress progress =
        CommitProgress.ofRecords(
                "infer run",
                "chunks",
                ItemCommits.of(paths.output(), name()).directory(),
                plan.toProcess(),
                System.err)
            .start();
    return progress::stop;
  }

  @Override
  public void afterRun(InferRunOptions o, Path runDir, PipelineResult result) throws IOException {
    Long t0 = startedNanos.remove(o.getRunId());
    double seconds = t0 == null ? Double.NaN : (System.nanoTime() - t0) / 1e9;
    RunPaths paths = RunPaths.of(o);
    RunPlan plan = plans.remove(o.getRunId());
    InferRunConsole.report(
        o.getRunId(), paths, plan == null ? RunPlan.of(o, paths) : plan, seconds, System.out);
  }
}
