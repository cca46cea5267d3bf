package io.beamline.pipelines.infer.run;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.repository.zoo.ZooModel;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.beamline.framework.BeamlineOptions;
import io.beamline.framework.BeamlinePipeline;
import io.beamline.framework.Inputs;
import io.beamline.framework.UserInputException;
import io.beamline.framework.run.ItemCommits;
import io.beamline.framework.run.RunLock;
import io.beamline.framework.run.Runs;
import io.beamline.io.audio.Audio;
import io.beamline.io.failures.Failure;
import io.beamline.io.files.AtomicFiles;
import io.beamline.models.birdcall.BirdCallBatchTranslator;
import io.beamline.models.birdcall.BirdCallFeatures;
import io.beamline.models.birdcall.BirdCallModel;
import io.beamline.models.birdcall.EnergyDetector;
import io.beamline.models.inference.FloatArrayCoder;
import io.beamline.models.inference.FloatMatrixCoder;
import io.beamline.models.inference.InferenceResult;
import io.beamline.models.inference.ModelSpec;
import io.beamline.models.inference.RunInference;
import io.beamline.pipelines.infer.InferManifests;
import io.beamline.pipelines.infer.OrchestratePlan;
import io.beamline.pipelines.infer.formats.DetectionsTable;
import io.beamline.pipelines.infer.formats.TelemetryLog;
import java.io.IOException;
import java.io.PrintStream;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.ListCoder;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.Reshuffle;
import org.apache.beam.sdk.transforms.WithKeys;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;
import org.apache.beam.sdk.values.TypeDescriptors;

/**
 * {@code beamline infer run}: chunk manifests to detections, with per-chunk retries, telemetry and
 * resume, as BADC's {@code badc infer run} (seed 002) with DJL in place of HawkEars.
 *
 * <p>Inputs: {@code --manifest} or the command's argument (one chunk manifest CSV, or a directory
 * of them; see {@link InferManifests} for columns and the dataset root), and {@code --model} (a
 * bird-call model directory, see {@link BirdCallModel}) or {@code --stub-runner} (the model-free
 * {@link EnergyDetector}).
 *
 * <p>Graph: the chunks still to do form attempt 1. Each attempt {@code k} groups its chunks per
 * manifest, cuts them in manifest order into batches of {@code --batch-size} (so batches are the
 * same on every runner, and so are the scores), reads and checks each chunk's audio ({@link
 * ChunkAudio}; a bad chunk fails for good at once), runs the batches through {@link RunInference}
 * (one batch per element; {@code --max-gpus}, {@code --workers-per-gpu}, {@code --cpu-workers} or
 * {@code --workers} pick the worker slots) or the stub, and then decides per chunk: succeeded, or,
 * when inference threw or an injected failure hit ({@code --inject-failure-rate}, seeded per chunk
 * and attempt), {@code retrying} into attempt {@code k+1} after a backoff of {@code backoff-base-s
 * * 2^(k-1)} seconds, or {@code failed} after {@code --max-retries} retries. Each chunk therefore
 * ends exactly once, in exactly one attempt.
 *
 * <p>Commits ({@link ItemCommits}, pipeline {@code infer-run}, item {@code <stem>/<chunk_id>}): a
 * chunk that succeeded has its raw score file staged and committed with a record holding its
 * detections and attempts ({@link RunFiles#succeededDetails}); a chunk that failed for good gets a
 * failure record (the run then ends {@code partial}, exit 3). Its {@code succeeded} or {@code
 * failed} telemetry line is appended only after that. Once every chunk of a manifest has ended
 * ({@code GroupOutcomes}), {@code WriteManifestFiles} derives that manifest's detections table,
 * summary and workers files from the commit records of all its chunks, also those committed by
 * earlier runs ({@link RunFiles#write}).
 *
 * <p>Outputs (see {@code docs/infer-run.md}): {@code <output-dir>/detections/<stem>.parquet}
 * ({@link DetectionsTable}); raw scores {@code <raw>/<recording_id>/<chunk_id>.json} with {@code
 * <raw>} = {@code --output}, default {@code <output-dir>/artifacts/infer}; telemetry {@code
 * <log>/<stem>.jsonl}, summary {@code <stem>.summary.json} and {@code <stem>.workers.csv}, with
 * {@code <log>} = {@code --log-dir}, by default {@code <output-dir>/telemetry/} for telemetry and
 * {@code <output-dir>/} for the other two; commit records under {@code <output-dir>/commits/}.
 *
 * <p>{@code <stem>} is the manifest file name without {@code .csv}. The run prints a progress line
 * on stderr while it runs and a worker table plus a warning about retried or failed chunks at the
 * end.
 */
public final class InferRunPipeline implements BeamlinePipeline<InferRunPipeline.InferRunOptions> {

  /** The canonical detections table ({@link DetectionsTable#SCHEMA}). */
  public static final Schema DETECTIONS = DetectionsTable.SCHEMA;

  /** The pipeline name, also the commit records' directory under {@code commits/}. */
  static final String NAME = "infer-run";

  /** Worker label of attempts that failed before reaching a worker (unreadable chunks). */
  static final String LOADER = "loader";

  static final TupleTag<KV<String, float[][]>> BATCHES = new TupleTag<KV<String, float[][]>>() {};

  /** A chunk that ended (committed or failed for good): {@code (stem, chunk_id)}. */
  static final TupleTag<KV<String, String>> ENDED = new TupleTag<KV<String, String>>() {};

  static final TupleTag<ChunkTask> RETRY = new TupleTag<ChunkTask>() {};

  private final Map<String, Long> startedNanos = new ConcurrentHashMap<>();
  private final Map<String, Plan> plans = new ConcurrentHashMap<>();

  /** Options of {@code beamline infer run}. */
  public interface InferRunOptions extends BeamlineOptions {
    @Description(
        "Chunk manifest CSV written by infer chunk, or a directory of them (also the command's"
            + " argument: beamline infer run MANIFEST.csv)")
    String getManifest();

    void setManifest(String value);

    @Description(
        "Directory relative chunk paths resolve against; default: the parent of the manifest's"
            + " 'manifests' directory, else the manifest's directory")
    String getDatasetRoot();

    void setDatasetRoot(String value);

    @Description(
        "Directory of the raw score files, <output>/<recording_id>/<chunk_id>.json (seed 002's"
            + " --output); default: <output-dir>/artifacts/infer. Detections, commit records and"
            + " run records stay under --output-dir")
    String getOutput();

    void setOutput(String value);

    @Description(
        "Directory of the telemetry (<stem>.jsonl), summary (<stem>.summary.json) and workers"
            + " (<stem>.workers.csv) files; default: telemetry in <output-dir>/telemetry/, summary"
            + " and workers in <output-dir>/")
    String getLogDir();

    void setLogDir(String value);

    @Description(
        "Bird-call model directory (birdcall-0000.params + birdcall.properties), or 'bundled' for"
            + " the detector shipped in the jar (extracted to the temp directory; on a remote"
            + " cluster give a directory every worker can read)")
    @Default.String(BUNDLED)
    String getModel();

    void setModel(String value);

    @Description("Run the model-free energy detector instead of a model")
    @Default.Boolean(false)
    boolean getStubRunner();

    void setStubRunner(boolean value);

    @Description(
        "Run the detection model of --model (seed 002's switch to HawkEars; the DJL bird-call"
            + " model stands in for it here); the opposite of --stub-runner")
    @Default.Boolean(false)
    boolean getUseHawkears();

    void setUseHawkears(boolean value);

    @Description("Chunks per model call, in [1, 4096]")
    @Default.Integer(16)
    int getBatchSize();

    void setBatchSize(int value);

    @Description("Passed to RunInference; batches are formed before it, so it rarely matters")
    @Default.Long(0)
    long getMaxWaitMs();

    void setMaxWaitMs(long value);

    @Description("GPUs to use per worker, -1 = all, 0 = none")
    @Default.Integer(-1)
    int getMaxGpus();

    void setMaxGpus(int value);

    @Description("Worker slots per GPU")
    @Default.Integer(1)
    int getWorkersPerGpu();

    void setWorkersPerGpu(int value);

    @Description("Same as --workers-per-gpu (seed 002's spelling)")
    Integer getWorkerPerGpu();

    void setWorkerPerGpu(Integer value);

    @Description("CPU worker slots besides the GPU ones (one when no GPU is used)")
    @Default.Integer(0)
    int getCpuWorkers();

    void setCpuWorkers(int value);

    @Description(
        "Worker slots in all, in [1, 1024] (seed 002's override of the worker count): one per GPU"
            + " in use (up to --max-gpus) and more per GPU when N allows, the rest on the CPU;"
            + " replaces --workers-per-gpu and --cpu-workers")
    Integer getWorkers();

    void setWorkers(Integer value);

    @Description(
        "Skip chunks this summary records as succeeded whose outputs are committed in"
            + " --output-dir; the others run again")
    String getResumeSummary();

    void setResumeSummary(String value);

    @Description(
        "Skip chunks whose outputs are committed in --output-dir (commit records under"
            + " commits/infer-run/), so a killed run redoes only what it had not committed")
    @Default.Boolean(false)
    boolean getResumeCompleted();

    void setResumeCompleted(boolean value);

    @Description(
        "Print a 'datalad run' command that records this run in a DataLad dataset, and exit"
            + " without running")
    @Default.Boolean(false)
    boolean getPrintDataladRun();

    void setPrintDataladRun(boolean value);

    @Description("Retries per chunk after a failed attempt, in [0, 10]")
    @Default.Integer(2)
    int getMaxRetries();

    void setMaxRetries(int value);

    @Description("Backoff before retry r is backoff-base-s * 2^(r-1) seconds")
    @Default.Double(2.0)
    double getBackoffBaseS();

    void setBackoffBaseS(double value);

    @Description("Fail this fraction of attempts on purpose (testing retries), in [0, 1]")
    @Default.Double(0.0)
    double getInjectFailureRate();

    void setInjectFailureRate(double value);

    @Description("Seed of the injected failures")
    @Default.Long(0)
    long getSeed();

    void setSeed(long value);

    @Description("Lowest score a label needs to become a detection row, in [0, 1]")
    @Default.Double(0.5)
    double getMinConfidence();

    void setMinConfidence(double value);
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public List<String> commandPath() {
    return List.of("infer", "run");
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

  /**
   * What a run does: its manifests; per manifest the chunks it skips because their outputs are
   * committed; the chunks a resume summary names that are not in the manifest ({@code stem:chunk});
   * and those it marks succeeded without committed outputs here (run again).
   */
  record Plan(
      List<InferManifests.Manifest> manifests,
      Map<String, Set<String>> kept,
      List<String> orphans,
      List<String> uncommitted) {
    int toProcess() {
      int n = 0;
      for (InferManifests.Manifest m : manifests) {
        n += m.chunks().size() - kept.get(m.stem()).size();
      }
      return n;
    }

    int skipped() {
      return kept.values().stream().mapToInt(Set::size).sum();
    }
  }

  static Path outputDir(InferRunOptions o) {
    return Paths.get(o.getOutputDir()).toAbsolutePath().normalize();
  }

  /** Where the raw score files go: {@code --output}, else {@code <output-dir>/artifacts/infer}. */
  static Path rawDir(InferRunOptions o) {
    if (o.getOutput() != null && !o.getOutput().isBlank()) {
      return Paths.get(o.getOutput()).toAbsolutePath().normalize();
    }
    return outputDir(o).resolve("artifacts").resolve("infer");
  }

  /** Where the telemetry files go: {@code --log-dir}, else {@code <output-dir>/telemetry}. */
  static Path telemetryDir(InferRunOptions o) {
    return logDir(o) == null ? outputDir(o).resolve("telemetry") : logDir(o);
  }

  /** Where the summary and workers files go: {@code --log-dir}, else {@code <output-dir>}. */
  static Path summaryDir(InferRunOptions o) {
    return logDir(o) == null ? outputDir(o) : logDir(o);
  }

  private static Path logDir(InferRunOptions o) {
    if (o.getLogDir() == null || o.getLogDir().isBlank()) {
      return null;
    }
    return Paths.get(o.getLogDir()).toAbsolutePath().normalize();
  }

  static ItemCommits commits(InferRunOptions o) {
    return ItemCommits.of(outputDir(o), NAME);
  }

  static Plan plan(InferRunOptions o) {
    List<InferManifests.Manifest> manifests =
        InferManifests.read(o.getManifest(), o.getDatasetRoot());
    ItemCommits commits = commits(o);
    Map<String, Set<String>> kept = new LinkedHashMap<>();
    List<String> orphans = new ArrayList<>();
    List<String> uncommitted = new ArrayList<>();
    boolean explicit = o.getResumeSummary() != null && !o.getResumeSummary().isBlank();
    if (explicit && manifests.size() > 1) {
      throw new UserInputException(
          "--resume-summary names one manifest's summary, but --manifest "
              + o.getManifest()
              + " holds "
              + manifests.size()
              + "; use --resume-completed for a directory");
    }
    for (InferManifests.Manifest m : manifests) {
      Set<String> skip = new LinkedHashSet<>();
      if (explicit) {
        Map<String, JsonNode> previous =
            RunFiles.readChunks(
                Paths.get(o.getResumeSummary()).toAbsolutePath(), "--resume-summary");
        Set<String> ids = new java.util.HashSet<>();
        for (ChunkTask t : m.chunks()) {
          ids.add(t.chunkId());
          if (RunFiles.succeeded(previous.get(t.chunkId()))) {
            // The summary alone proves nothing: only outputs committed here are skipped.
            if (commits.committed(t.itemKey()).isPresent()) {
              skip.add(t.chunkId());
            } else {
              uncommitted.add(m.stem() + ":" + t.chunkId());
            }
          }
        }
        for (String id : previous.keySet()) {
          if (!ids.contains(id)) {
            orphans.add(m.stem() + ":" + id);
          }
        }
      } else if (o.getResumeCompleted()) {
        for (ChunkTask t : m.chunks()) {
          if (commits.committed(t.itemKey()).isPresent()) {
            skip.add(t.chunkId());
          }
        }
      }
      kept.put(m.stem(), skip);
    }
    return new Plan(manifests, kept, orphans, uncommitted);
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
      if (o.getCpuWorkers() != 0 || workersPerGpu(o) != 1) {
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
    Path out = outputDir(o);
    Inputs.checkWritableDir("--output-dir, its detections/", out.resolve("detections").toString());
    Inputs.checkWritableDir(
        "--output-dir, its commits/" + NAME + "/", commits(o).directory().toString());
    Inputs.checkWritableDir(
        o.getOutput() == null || o.getOutput().isBlank()
            ? "--output-dir, its artifacts/infer/"
            : "--output",
        rawDir(o).toString());
    Inputs.checkWritableDir(
        logDir(o) == null ? "--output-dir, its telemetry/" : "--log-dir",
        telemetryDir(o).toString());
    plan(o);
    if (!o.getStubRunner()) {
      checkModel(o);
    }
  }

  /** {@code --workers-per-gpu}, or its seed spelling {@code --worker-per-gpu} when given. */
  static int workersPerGpu(InferRunOptions o) {
    return o.getWorkerPerGpu() != null ? o.getWorkerPerGpu() : o.getWorkersPerGpu();
  }

  /**
   * The worker slots of a run: {@code maxGpus}, {@code workersPerGpu} and {@code cpuWorkers} for
   * {@link RunInference}.
   */
  record Workers(int maxGpus, int workersPerGpu, int cpuWorkers) {
    /**
     * {@code --workers N} with {@code gpus} GPUs in use (those present, up to {@code --max-gpus}):
     * exactly N slots, one per GPU first (N below the GPU count uses N GPUs), then as many more per
     * GPU as N allows evenly, the rest on the CPU; all N on the CPU without a GPU.
     */
    static Workers total(int n, int gpus) {
      if (gpus <= 0) {
        return new Workers(0, 1, n);
      }
      if (n <= gpus) {
        return new Workers(n, 1, 0);
      }
      int perGpu = Math.min(64, n / gpus);
      return new Workers(gpus, perGpu, n - gpus * perGpu);
    }
  }

  /** The worker slots {@code o} asks for, resolving {@code --workers} against the GPUs here. */
  static Workers workers(InferRunOptions o) {
    if (o.getWorkers() == null) {
      return new Workers(o.getMaxGpus(), workersPerGpu(o), o.getCpuWorkers());
    }
    int present = o.getMaxGpus() == 0 ? 0 : Engine.getEngine(ModelSpec.ENGINE).getGpuCount();
    int gpus = o.getMaxGpus() < 0 ? present : Math.min(o.getMaxGpus(), present);
    return Workers.total(o.getWorkers(), gpus);
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
    List<InferManifests.Manifest> manifests =
        InferManifests.read(o.getManifest(), o.getDatasetRoot());
    List<String> words = new ArrayList<>(List.of("datalad", "run", "-m"));
    words.add(
        "beamline infer run "
            + String.join(" ", manifests.stream().map(InferManifests.Manifest::stem).toList()));
    for (InferManifests.Manifest m : manifests) {
      words.add("--input");
      words.add(m.path().toString());
    }
    Path out = outputDir(o);
    Set<Path> outputs = new LinkedHashSet<>(List.of(out));
    for (Path p : List.of(rawDir(o), telemetryDir(o), summaryDir(o))) {
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
    return OrchestratePlan.shellLine(words);
  }

  /** The model directory, described and loadable; a one-line error otherwise. */
  static Properties checkModel(InferRunOptions o) {
    if (o.getModel() == null || o.getModel().isBlank()) {
      throw new UserInputException(
          "--model is empty: give a bird-call model directory (beamline infer train writes"
              + " one), 'bundled', or --stub-runner to run the energy detector without a model");
    }
    Path dir = modelDir(o);
    if (!Files.isDirectory(dir)) {
      throw new UserInputException(
          "model directory not found: " + o.getModel() + " (--model); give a model directory");
    }
    Properties p;
    try {
      p = BirdCallModel.readDescription(dir);
    } catch (IOException e) {
      throw new UserInputException(
          "cannot use --model " + o.getModel() + ": " + oneLine(e.getMessage()), e);
    }
    boolean initialized;
    try (ZooModel<float[][], float[]> m = BirdCallBatchTranslator.spec(dir).load(Device.cpu())) {
      initialized = m.getBlock().isInitialized();
    } catch (IOException | RuntimeException e) {
      throw new UserInputException(
          "cannot load --model " + o.getModel() + ": " + Runs.oneLine(e), e);
    }
    if (!initialized) {
      // DJL loads a params file it cannot parse as an uninitialised block.
      throw new UserInputException(
          "cannot load --model "
              + o.getModel()
              + ": its "
              + BirdCallModel.NAME
              + "-NNNN.params file is missing or corrupt; retrain or copy the model again");
    }
    return p;
  }

  /** {@code --model} meaning the detector shipped in the jar. */
  public static final String BUNDLED = "bundled";

  /** The model directory {@code --model} names: the bundled one extracted, or the given path. */
  static Path modelDir(InferRunOptions o) {
    if (BUNDLED.equals(o.getModel())) {
      try {
        return BirdCallModel.bundled();
      } catch (IOException e) {
        throw new UserInputException(
            "cannot extract the bundled model: "
                + oneLine(e.getMessage())
                + "; give --model DIR (beamline infer train writes one)",
            e);
      }
    }
    return Paths.get(o.getModel()).toAbsolutePath().normalize();
  }

  private static String oneLine(String s) {
    return String.valueOf(s).replaceAll("\\s+", " ").trim();
  }

  /** A name safe as one path element or file name prefix. */
  static String safe(String s) {
    String r = s.replaceAll("[^A-Za-z0-9_.-]", "_");
    return r.isEmpty() || r.equals(".") || r.equals("..") ? "_" + r : r;
  }

  /** The settings every attempt step needs. */
  record Settings(
      String outputDir,
      String rawDir,
      String telemetryDir,
      ItemCommits commits,
      String runId,
      boolean stub,
      String model,
      String modelVersion,
      List<String> labels,
      double minConfidence,
      int maxAttempts,
      double backoffBaseS,
      double injectRate,
      long seed)
      implements Serializable {

    /** Seconds to wait before attempt {@code attempt} (>= 2). */
    double backoffBefore(int attempt) {
      return backoffBaseS * Math.pow(2, attempt - 2);
    }

    /** The raw score file of chunk {@code t}: {@code <raw>/<recording_id>/<chunk_id>.json}. */
    Path rawFile(ChunkTask t) {
      return Paths.get(rawDir).resolve(safe(t.recordingId())).resolve(safe(t.chunkId()) + ".json");
    }

    Path telemetryFile(String stem) {
      return Paths.get(telemetryDir).resolve(stem + ".jsonl");
    }
  }

  @Override
  public void build(Pipeline p, InferRunOptions o) {
    if (o.getRunId() == null || o.getRunId().isBlank()) {
      o.setRunId(Runs.newRunId(name()));
    }
    Plan plan = plan(o);
    Path out = outputDir(o);
    String model = EnergyDetector.MODEL;
    String version = EnergyDetector.VERSION;
    List<String> labels = EnergyDetector.LABELS;
    if (!o.getStubRunner()) {
      Properties props;
      try {
        props = BirdCallModel.readDescription(modelDir(o));
      } catch (IOException e) {
        throw new UserInputException("cannot use --model " + o.getModel() + ": " + e.getMessage());
      }
      model = props.getProperty("model.name", BirdCallModel.NAME);
      version = props.getProperty("model.version", BirdCallModel.VERSION);
      labels = BirdCallModel.LABELS;
    }
    Settings s =
        new Settings(
            out.toString(),
            rawDir(o).toString(),
            telemetryDir(o).toString(),
            commits(o),
            o.getRunId(),
            o.getStubRunner(),
            model,
            version,
            List.copyOf(labels),
            o.getMinConfidence(),
            o.getMaxRetries() + 1,
            o.getBackoffBaseS(),
            o.getInjectFailureRate(),
            o.getSeed());

    List<ChunkTask> first = new ArrayList<>();
    for (InferManifests.Manifest m : plan.manifests()) {
      for (ChunkTask t : m.chunks()) {
        if (!plan.kept().get(m.stem()).contains(t.chunkId())) {
          first.add(t);
        }
      }
    }
    SerializableCoder<ChunkTask> taskCoder = SerializableCoder.of(ChunkTask.class);
    KvCoder<String, String> endedCoder = KvCoder.of(StringUtf8Coder.of(), StringUtf8Coder.of());
    Workers workers = o.getStubRunner() ? null : workers(o);

    PCollection<ChunkTask> tasks = p.apply("Chunks", Create.of(first).withCoder(taskCoder));
    List<PCollection<KV<String, String>>> ended = new ArrayList<>();
    for (int k = 1; k <= s.maxAttempts(); k++) {
      boolean last = k == s.maxAttempts();
      PCollection<List<ChunkTask>> batches =
          tasks
              .apply(
                  "KeyByManifest" + k,
                  WithKeys.of((ChunkTask t) -> t.stem()).withKeyType(TypeDescriptors.strings()))
              .setCoder(KvCoder.of(StringUtf8Coder.of(), taskCoder))
              .apply("GroupByManifest" + k, GroupByKey.create())
              .apply("FormBatches" + k, ParDo.of(new FormBatchesFn(o.getBatchSize())))
              .setCoder(ListCoder.of(taskCoder))
              .apply("SpreadBatches" + k, Reshuffle.viaRandomKey());
      PCollectionTuple loaded =
          batches.apply(
              "LoadChunks" + k,
              ParDo.of(new LoadBatchFn(s, o.getBatchSize()))
                  .withOutputTags(BATCHES, TupleTagList.of(ENDED)));
      ended.add(loaded.get(ENDED).setCoder(endedCoder));
      PCollection<KV<String, float[][]>> inputs =
          loaded.get(BATCHES).setCoder(KvCoder.of(StringUtf8Coder.of(), FloatMatrixCoder.of()));
      PCollection<InferenceResult<float[]>> results;
      PCollection<Failure> failed = null;
      if (s.stub()) {
        results =
            inputs
                .apply("Detect" + k, ParDo.of(new StubDetectFn()))
                .setCoder(InferenceResult.coder(FloatArrayCoder.of()));
      } else {
        PCollectionTuple inferred =
            inputs.apply(
                "Detect" + k,
                RunInference.of(BirdCallBatchTranslator.spec(modelDir(o)), FloatArrayCoder.of())
                    .withBatchSize(1)
                    .withMaxWaitMillis(o.getMaxWaitMs())
                    .withMaxGpus(workers.maxGpus())
                    .withWorkersPerGpu(workers.workersPerGpu())
                    .withCpuWorkers(workers.cpuWorkers()));
        results = inferred.get(RunInference.<float[]>results());
        failed = inferred.get(RunInference.FAILURES);
      }
      PCollectionTuple finished =
          results.apply(
              "Finish" + k,
              ParDo.of(new FinishFn(s, last)).withOutputTags(ENDED, TupleTagList.of(RETRY)));
      ended.add(finished.get(ENDED).setCoder(endedCoder));
      List<PCollection<ChunkTask>> retries = new ArrayList<>();
      retries.add(finished.get(RETRY).setCoder(taskCoder));
      if (failed != null) {
        PCollectionTuple f =
            failed.apply(
                "ModelFailures" + k,
                ParDo.of(new FailedBatchFn(s, last)).withOutputTags(ENDED, TupleTagList.of(RETRY)));
        ended.add(f.get(ENDED).setCoder(endedCoder));
        retries.add(f.get(RETRY).setCoder(taskCoder));
      }
      tasks =
          PCollectionList.of(retries)
              .apply("Retries" + k, Flatten.pCollections())
              .setCoder(taskCoder);
    }

    // Every manifest gets its files, also when this run had nothing to do for it; they are written
    // once every chunk of it ended (the group waits for all of them).
    List<KV<String, String>> markers = new ArrayList<>();
    HashMap<String, List<String>> order = new HashMap<>();
    HashMap<String, String> manifestPaths = new HashMap<>();
    for (InferManifests.Manifest m : plan.manifests()) {
      markers.add(KV.of(m.stem(), ""));
      order.put(m.stem(), m.chunks().stream().map(ChunkTask::chunkId).toList());
      manifestPaths.put(m.stem(), m.path().toString());
    }
    ended.add(p.apply("ManifestMarkers", Create.of(markers).withCoder(endedCoder)));
    PCollectionList.of(ended)
        .apply("AllOutcomes", Flatten.pCollections())
        .setCoder(endedCoder)
        .apply("GroupOutcomes", GroupByKey.create())
        .apply(
            "WriteManifestFiles",
            ParDo.of(new WriteManifestFilesFn(s, summaryDir(o).toString(), manifestPaths, order)));
  }

  @Override
  public List<Path> inputFiles(InferRunOptions o) {
    return InferManifests.files(o.getManifest());
  }

  @Override
  public List<Path> outputRoots(InferRunOptions o) {
    Path out = outputDir(o);
    List<Path> roots = new ArrayList<>(List.of(out.resolve("detections"), rawDir(o)));
    roots.add(telemetryDir(o));
    return roots;
  }

  @Override
  public AutoCloseable beforeRun(InferRunOptions o, Path runDir) throws IOException {
    Plan plan = plan(o);
    String runId = o.getRunId();
    removeTemporariesOutside(o, plan);
    for (InferManifests.Manifest m : plan.manifests()) {
      // A killed run may have left half a telemetry line; end it so this run's lines stay whole.
      TelemetryLog.endLastLine(telemetryDir(o).resolve(m.stem() + ".jsonl"));
    }
    startedNanos.put(runId, System.nanoTime());
    plans.put(runId, plan);
    Progress progress = new Progress(Attempts.progress(runId), plan.toProcess(), System.err);
    progress.start();
    return progress::stop;
  }

  /**
   * Removes the temporaries a killed run left where the run framework does not look (it cleans the
   * output directory): under {@code --output} when that is outside the output directory, and this
   * run's manifests' temporaries in {@code --log-dir}; only while no other run of the output
   * directory is alive, as the framework does.
   */
  static void removeTemporariesOutside(InferRunOptions o, Plan plan) throws IOException {
    Path out = outputDir(o);
    Path runs = out.resolve("runs");
    if (Files.isDirectory(runs)) {
      try (java.util.stream.Stream<Path> s = Files.list(runs)) {
        for (Path d : s.toList()) {
          if (!d.getFileName().toString().equals(o.getRunId()) && RunLock.alive(d)) {
            return;
          }
        }
      }
    }
    if (!rawDir(o).startsWith(out)) {
      AtomicFiles.removeTemporaries(rawDir(o));
    }
    Set<Path> logDirs = new LinkedHashSet<>(List.of(telemetryDir(o), summaryDir(o)));
    for (Path d : logDirs) {
      if (d.startsWith(out) || !Files.isDirectory(d)) {
        continue;
      }
      Set<String> mine = new java.util.HashSet<>();
      for (InferManifests.Manifest m : plan.manifests()) {
        for (String suffix : List.of(".jsonl", ".summary.json", ".workers.csv")) {
          mine.add("." + m.stem() + suffix + ".");
        }
      }
      try (java.util.stream.Stream<Path> s = Files.list(d)) {
        for (Path f : s.toList()) {
          String n = f.getFileName().toString();
          if (AtomicFiles.isTemporary(n) && mine.stream().anyMatch(n::startsWith)) {
            AtomicFiles.deleteTree(f);
          }
        }
      }
    }
  }

  @Override
  public void afterRun(InferRunOptions o, Path runDir, PipelineResult result) throws IOException {
    Long t0 = startedNanos.remove(o.getRunId());
    double seconds = t0 == null ? Double.NaN : (System.nanoTime() - t0) / 1e9;
    Plan plan = plans.remove(o.getRunId());
    report(o, plan == null ? plan(o) : plan, seconds, System.out);
  }

  /** Prints the worker table, the retry/failure warning and the throughput. */
  static void report(InferRunOptions o, Plan plan, double seconds, PrintStream out)
      throws IOException {
    Path dir = summaryDir(o);
    Map<String, RunFiles.WorkerCounts> workers = new TreeMap<>();
    List<String> flagged = new ArrayList<>();
    int succeeded = 0;
    int failed = 0;
    int processed = 0;
    for (InferManifests.Manifest m : plan.manifests()) {
      Path w = RunFiles.workersFile(dir, m.stem());
      if (Files.isRegularFile(w)) {
        RunFiles.readWorkers(w).forEach((k, v) -> workers.merge(k, v, RunFiles.WorkerCounts::plus));
      }
      Map<String, JsonNode> chunks =
          RunFiles.readChunks(RunFiles.summaryFile(dir, m.stem()), "summary");
      Set<String> kept = plan.kept().get(m.stem());
      for (Map.Entry<String, JsonNode> e : chunks.entrySet()) {
        if (kept.contains(e.getKey())) {
          continue;
        }
        processed++;
        JsonNode c = e.getValue();
        boolean ok = RunFiles.succeeded(c);
        if (ok) {
          succeeded++;
        } else {
          failed++;
        }
        int n = c.path("attempts").asInt();
        if (!ok || n > 1) {
          flagged.add(
              e.getKey()
                  + " ("
                  + (ok ? "succeeded" : "failed")
                  + " after "
                  + n
                  + " attempt"
                  + (n == 1 ? "" : "s")
                  + (c.path("last_error").isTextual() ? ": " + c.get("last_error").asText() : "")
                  + ")");
        }
      }
    }
    out.println("infer run " + o.getRunId() + ": worker summary");
    out.println(
        String.format(
            Locale.ROOT, "  %-12s %10s %10s %10s", "worker", "successes", "failures", "retries"));
    for (Map.Entry<String, RunFiles.WorkerCounts> e : workers.entrySet()) {
      RunFiles.WorkerCounts c = e.getValue();
      out.println(
          String.format(
              Locale.ROOT,
              "  %-12s %10d %10d %10d",
              e.getKey(),
              c.successes(),
              c.failures(),
              c.retries()));
    }
    out.println(
        String.format(
            Locale.ROOT,
            "  chunks: %d processed (%d succeeded, %d failed), %d skipped by resume; %.1f s, %.2f"
                + " chunks/s",
            processed,
            succeeded,
            failed,
            plan.skipped(),
            seconds,
            processed / seconds));
    if (!plan.orphans().isEmpty()) {
      out.println(
          "  note: the resume summary lists "
              + plan.orphans().size()
              + " chunk(s) not in the manifest, ignored: "
              + String.join(", ", plan.orphans().subList(0, Math.min(5, plan.orphans().size())))
              + (plan.orphans().size() > 5 ? ", ..." : ""));
    }
    if (!plan.uncommitted().isEmpty()) {
      out.println(
          "  note: the resume summary marks "
              + plan.uncommitted().size()
              + " chunk(s) succeeded whose outputs are not committed in "
              + outputDir(o)
              + "; they ran again: "
              + String.join(
                  ", ", plan.uncommitted().subList(0, Math.min(5, plan.uncommitted().size())))
              + (plan.uncommitted().size() > 5 ? ", ..." : ""));
    }
    if (!flagged.isEmpty()) {
      int show = Math.min(10, flagged.size());
      out.println(
          "WARNING: "
              + flagged.size()
              + " chunk(s) retried or failed: "
              + String.join("; ", flagged.subList(0, show))
              + (flagged.size() > show ? "; and " + (flagged.size() - show) + " more" : "")
              + " (see "
              + telemetryDir(o)
              + ")");
    }
  }

  /**
   * Cuts one manifest's chunks of one attempt into batches by their place in the manifest: batch
   * {@code j} holds the chunks at manifest positions {@code [j * batchSize, (j + 1) * batchSize)}
   * that this attempt runs. So a chunk always sits in the same batch at the same slot, whichever of
   * its neighbours are still to do (a resume after a kill, a retry), and the model sees the same
   * input for it (see {@link LoadBatchFn}).
   */
  static final class FormBatchesFn extends DoFn<KV<String, Iterable<ChunkTask>>, List<ChunkTask>> {
    private final int batchSize;

    FormBatchesFn(int batchSize) {
      this.batchSize = batchSize;
    }

    @ProcessElement
    public void process(
        @Element KV<String, Iterable<ChunkTask>> group, OutputReceiver<List<ChunkTask>> out) {
      java.util.TreeMap<Integer, List<ChunkTask>> slices = new java.util.TreeMap<>();
      for (ChunkTask t : group.getValue()) {
        slices.computeIfAbsent(t.order() / batchSize, k -> new ArrayList<>()).add(t);
      }
      for (List<ChunkTask> slice : slices.values()) {
        slice.sort(Comparator.comparingInt(ChunkTask::order));
        out.output(slice);
      }
    }
  }

  /**
   * What travels as the key of a batch: its chunks, the row of the model's input each occupies, the
   * number of rows, their sample rates and its start time.
   */
  static String batchKey(
      List<ChunkTask> tasks, List<Integer> slots, int rows, List<Integer> rates, Instant start) {
    ObjectNode n = Attempts.JSON.createObjectNode();
    n.put("start", start.toString());
    n.put("rows", rows);
    ArrayNode sl = n.putArray("slots");
    slots.forEach(sl::add);
    ArrayNode r = n.putArray("rates");
    rates.forEach(r::add);
    n.set("tasks", Attempts.JSON.valueToTree(tasks));
    try {
      return Attempts.JSON.writeValueAsString(n);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A decoded batch key. */
  record BatchKey(
      Instant start, int rows, List<Integer> slots, List<Integer> rates, List<ChunkTask> tasks) {
    static BatchKey parse(String key) {
      try {
        JsonNode n = Attempts.JSON.readTree(key);
        List<Integer> slots = new ArrayList<>();
        n.get("slots").forEach(x -> slots.add(x.asInt()));
        List<Integer> rates = new ArrayList<>();
        n.get("rates").forEach(x -> rates.add(x.asInt()));
        List<ChunkTask> tasks = new ArrayList<>();
        for (JsonNode t : n.get("tasks")) {
          tasks.add(Attempts.JSON.treeToValue(t, ChunkTask.class));
        }
        return new BatchKey(
            Instant.parse(n.get("start").asText()), n.get("rows").asInt(), slots, rates, tasks);
      } catch (JsonProcessingException e) {
        throw new IllegalStateException("not a batch key: " + key, e);
      }
    }
  }

  /** A chunk ended: progress counted and its manifest told. */
  private static void ended(Settings s, ChunkTask t, DoFn.MultiOutputReceiver out) {
    Attempts.progress(s.runId()).incrementAndGet();
    out.get(ENDED).output(KV.of(t.stem(), t.chunkId()));
  }

  /** Appends the telemetry line of an attempt of {@code t} that ended with {@code status}. */
  private static void telemetry(
      Settings s, ChunkTask t, Instant start, String worker, String status, String error) {
    TelemetryLog.append(
        s.telemetryFile(t.stem()),
        Attempts.record(t, start, Instant.now(), worker, status, error, s.runId()));
  }

  /**
   * A failed attempt: retried after its backoff while attempts are left; else the chunk's failure
   * record is written and then its {@code failed} telemetry line.
   */
  static void attemptFailed(
      Settings s,
      boolean last,
      ChunkTask t,
      Instant start,
      String worker,
      String error,
      DoFn.MultiOutputReceiver out) {
    if (!last) {
      telemetry(s, t, start, worker, TelemetryLog.RETRYING, error);
      out.get(RETRY).output(t.retry(s.backoffBefore(t.attempt() + 1), worker, error));
      return;
    }
    ItemCommits.Item item = s.commits().begin(t.itemKey());
    RunFiles.failedDetails(t, s.model(), s.modelVersion(), worker, error).forEach(item::detail);
    try {
      item.fail(s.runId(), error);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(
          new IOException(
              "cannot write the failure record of chunk "
                  + t.itemKey()
                  + " in "
                  + s.commits().directory()
                  + ": "
                  + Runs.oneLine(e)));
    }
    telemetry(s, t, start, worker, TelemetryLog.FAILED, error);
    ended(s, t, out);
  }

  /**
   * Waits the batch's backoff, reads and checks its chunks; bad chunks fail for good. For the model
   * the input always has {@code batchSize} rows and each chunk sits at the row of its manifest
   * position ({@code order % batchSize}), other rows silent: one fixed shape (what a GPU wants),
   * and a chunk's scores do not depend on which neighbours share its batch, so a resumed or retried
   * chunk gets the scores of an uninterrupted run to the last bit. The stub scores each chunk on
   * its own and gets only the chunks.
   */
  static final class LoadBatchFn extends DoFn<List<ChunkTask>, KV<String, float[][]>> {
    private final Settings s;
    private final int batchSize;
    private final Counter badChunks = Metrics.counter(InferRunPipeline.class, "bad_chunks");

    LoadBatchFn(Settings s, int batchSize) {
      this.s = s;
      this.batchSize = batchSize;
    }

    @ProcessElement
    public void process(@Element List<ChunkTask> batch, MultiOutputReceiver out)
        throws InterruptedException {
      double backoff = batch.isEmpty() ? 0 : batch.get(0).backoffS();
      if (backoff > 0) {
        Thread.sleep((long) (backoff * 1000));
      }
      Instant start = Instant.now();
      List<ChunkTask> good = new ArrayList<>();
      List<Integer> rates = new ArrayList<>();
      List<float[]> audio = new ArrayList<>();
      for (ChunkTask t : batch) {
        try {
          Audio a = ChunkAudio.read(t);
          float[] x =
              s.stub()
                  ? ChunkAudio.mono(a)
                  : ChunkAudio.forModel(
                      t, a, BirdCallFeatures.SAMPLE_RATE, BirdCallFeatures.SAMPLES);
          good.add(t);
          rates.add(a.sampleRate());
          audio.add(x);
        } catch (ChunkAudio.BadChunk e) {
          badChunks.inc();
          attemptFailed(s, true, t, start, LOADER, e.getMessage(), out);
        }
      }
      if (good.isEmpty()) {
        return;
      }
      List<Integer> slots = new ArrayList<>();
      float[][] rows;
      if (s.stub()) {
        rows = audio.toArray(new float[0][]);
        for (int i = 0; i < good.size(); i++) {
          slots.add(i);
        }
      } else {
        rows = new float[batchSize][];
        for (int i = 0; i < good.size(); i++) {
          int slot = good.get(i).order() % batchSize;
          slots.add(slot);
          rows[slot] = audio.get(i);
        }
        for (int r = 0; r < batchSize; r++) {
          if (rows[r] == null) {
            rows[r] = new float[BirdCallFeatures.SAMPLES];
          }
        }
      }
      out.get(BATCHES).output(KV.of(batchKey(good, slots, rows.length, rates, start), rows));
    }
  }

  /** The model-free detector over a batch, on worker {@code cpu-0}. */
  static final class StubDetectFn extends DoFn<KV<String, float[][]>, InferenceResult<float[]>> {
    @ProcessElement
    public void process(
        @Element KV<String, float[][]> batch, OutputReceiver<InferenceResult<float[]>> out) {
      BatchKey key = BatchKey.parse(batch.getKey());
      float[][] x = batch.getValue();
      int l = EnergyDetector.LABELS.size();
      float[] all = new float[x.length * l];
      for (int i = 0; i < x.length; i++) {
        System.arraycopy(EnergyDetector.scores(x[i], key.rates().get(i)), 0, all, i * l, l);
      }
      out.output(new InferenceResult<>(batch.getKey(), all, "cpu-0"));
    }
  }

  /**
   * Per chunk of a predicted batch: success (raw scores and record committed, then the telemetry
   * line) or an injected failure.
   */
  static final class FinishFn extends DoFn<InferenceResult<float[]>, KV<String, String>> {
    private final Settings s;
    private final boolean last;
    private final Counter succeeded = Metrics.counter(InferRunPipeline.class, "chunks_succeeded");
    private final Counter failedForGood = Metrics.counter(InferRunPipeline.class, "chunks_failed");
    private final Counter retried = Metrics.counter(InferRunPipeline.class, "attempts_retried");

    FinishFn(Settings s, boolean last) {
      this.s = s;
      this.last = last;
    }

    @ProcessElement
    public void process(@Element InferenceResult<float[]> r, MultiOutputReceiver out) {
      BatchKey key = BatchKey.parse(r.key());
      int l = s.labels().size();
      float[] scores = r.output();
      boolean shapeOk = scores.length == key.rows() * l;
      for (int i = 0; i < key.tasks().size(); i++) {
        ChunkTask t = key.tasks().get(i);
        String error = null;
        if (!shapeOk) {
          error =
              r.worker()
                  + ": model returned "
                  + scores.length
                  + " scores for "
                  + key.rows()
                  + " rows x "
                  + l
                  + " labels";
        } else if (Attempts.injected(s.injectRate(), s.seed(), t)) {
          error =
              "injected failure on "
                  + r.worker()
                  + " (--inject-failure-rate "
                  + s.injectRate()
                  + ", --seed "
                  + s.seed()
                  + ")";
        }
        if (error != null) {
          (last ? failedForGood : retried).inc();
          attemptFailed(s, last, t, key.start(), r.worker(), error, out);
          continue;
        }
        int slot = key.slots().get(i);
        float[] mine = java.util.Arrays.copyOfRange(scores, slot * l, (slot + 1) * l);
        commit(t, mine, r.worker());
        succeeded.inc();
        telemetry(s, t, key.start(), r.worker(), TelemetryLog.SUCCEEDED, null);
        ended(s, t, out);
      }
    }

    /** Stages the raw score file and commits it with the chunk's record. */
    private void commit(ChunkTask t, float[] scores, String worker) {
      ItemCommits.Item item = s.commits().begin(t.itemKey());
      Path file = s.rawFile(t);
      try {
        Files.write(item.stage(file), rawScores(t, scores, worker));
        RunFiles.succeededDetails(
                t, s.model(), s.modelVersion(), worker, s.labels(), scores, s.minConfidence())
            .forEach(item::detail);
        item.commit(s.runId());
      } catch (IOException e) {
        try {
          item.abandon();
        } catch (IOException | IllegalStateException ignored) {
          // already committed or nothing to discard; the first error is the one to report
        }
        // Innermost message on purpose: it is what the run's one-line error shows.
        throw new java.io.UncheckedIOException(
            new IOException(
                "cannot commit chunk "
                    + t.itemKey()
                    + " ("
                    + file
                    + "): "
                    + Runs.oneLine(e)
                    + "; make the output directories writable and run again with"
                    + " --resume-completed (committed chunks are kept)"));
      }
    }

    /** The raw score file: every label's score, model, worker, attempt and run id. */
    private byte[] rawScores(ChunkTask t, float[] scores, String worker)
        throws JsonProcessingException {
      ObjectNode n = Attempts.JSON.createObjectNode();
      n.put("recording_id", t.recordingId());
      n.put("chunk_id", t.chunkId());
      n.put("start_s", t.startS());
      n.put("end_s", t.endS());
      n.put("model", s.model());
      n.put("model_version", s.modelVersion());
      n.put("worker", worker);
      n.put("attempt", t.attempt());
      n.put("run_id", s.runId());
      ArrayNode labels = n.putArray("labels");
      s.labels().forEach(labels::add);
      ArrayNode sc = n.putArray("scores");
      for (float f : scores) {
        sc.add(f);
      }
      return (Attempts.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(n) + "\n")
          .getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }
  }

  /** A batch the model threw on: every chunk of it failed this attempt on that worker. */
  static final class FailedBatchFn extends DoFn<Failure, KV<String, String>> {
    private final Settings s;
    private final boolean last;

    FailedBatchFn(Settings s, boolean last) {
      this.s = s;
      this.last = last;
    }

    @ProcessElement
    public void process(@Element Failure f, MultiOutputReceiver out) {
      BatchKey key = BatchKey.parse(f.item);
      int colon = f.error.indexOf(": ");
      String worker = colon > 0 ? f.error.substring(0, colon) : "unknown";
      for (ChunkTask t : key.tasks()) {
        attemptFailed(s, last, t, key.start(), worker, f.error, out);
      }
    }
  }

  /**
   * Once every chunk of a manifest ended: derives its detections table, summary and workers files
   * from the commit records of all its chunks ({@link RunFiles#write}).
   */
  static final class WriteManifestFilesFn extends DoFn<KV<String, Iterable<String>>, Void> {
    private final Settings s;
    private final String summaryDir;
    private final HashMap<String, String> manifests;
    private final HashMap<String, List<String>> order;

    WriteManifestFilesFn(
        Settings s,
        String summaryDir,
        HashMap<String, String> manifests,
        HashMap<String, List<String>> order) {
      this.s = s;
      this.summaryDir = summaryDir;
      this.manifests = manifests;
      this.order = order;
    }

    @ProcessElement
    public void process(@Element KV<String, Iterable<String>> group) throws IOException {
      String stem = group.getKey();
      RunFiles.write(
          s.commits(),
          Paths.get(summaryDir),
          Paths.get(manifests.get(stem)),
          stem,
          s.runId(),
          order.get(stem));
    }
  }

  /** The progress line on stderr while a run goes. */
  static final class Progress {
    private final AtomicLong done;
    private final int total;
    private final PrintStream err;
    private final boolean console = System.console() != null;
    private final long t0 = System.nanoTime();
    private volatile boolean running = true;
    private Thread thread;
    private long lastShown = -1;

    Progress(AtomicLong done, int total, PrintStream err) {
      this.done = done;
      this.total = total;
      this.err = err;
    }

    void start() {
      thread = new Thread(this::loop, "infer-run-progress");
      thread.setDaemon(true);
      thread.start();
    }

    private void loop() {
      while (running) {
        show(false);
        try {
          Thread.sleep(500);
        } catch (InterruptedException e) {
          return;
        }
      }
    }

    /** The line for {@code n} of {@code total} chunks after {@code seconds}. */
    static String line(long n, int total, double seconds) {
      int width = 30;
      int filled = total == 0 ? width : (int) Math.min(width, n * width / total);
      return String.format(
          Locale.ROOT,
          "infer run [%s%s] %d/%d chunks %3d%% %.2f chunks/s",
          "#".repeat(filled),
          ".".repeat(width - filled),
          n,
          total,
          total == 0 ? 100 : n * 100 / total,
          seconds > 0 ? n / seconds : 0.0);
    }

    private synchronized void show(boolean last) {
      long n = done.get();
      // Without a terminal, print a line per tenth of the work instead of redrawing one.
      long step = console ? n : (total == 0 ? n : n * 10 / Math.max(1, total));
      if (step == lastShown && !(last && console)) {
        return;
      }
      lastShown = step;
      String l = line(n, total, (System.nanoTime() - t0) / 1e9);
      if (console) {
        err.print("\r" + l + (last ? "\n" : ""));
      } else {
        err.println(l);
      }
      err.flush();
    }

    void stop() throws InterruptedException {
      running = false;
      thread.interrupt();
      thread.join(2000);
      show(true);
    }
  }
}
