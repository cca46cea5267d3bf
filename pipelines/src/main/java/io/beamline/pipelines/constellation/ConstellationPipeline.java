package io.beamline.pipelines.constellation;

import io.beamline.framework.BeamlinePipeline;
import io.beamline.framework.ModuleParameters;
import io.beamline.framework.PlannedItems;
import io.beamline.framework.RunnerNames;
import io.beamline.framework.UserInputException;
import io.beamline.framework.module.Module;
import io.beamline.framework.run.ItemCommits;
import io.beamline.framework.run.Runs;
import io.beamline.io.failures.Failure;
import io.beamline.io.kafka.KafkaPreflight;
import io.beamline.io.kafka.KafkaUnreachableException;
import io.beamline.io.sensors.Drivers;
import io.beamline.io.sensors.Topics;
import io.beamline.pipelines.training.TrainingSpec;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code beamline constellation}: the neurOS Constellation pipeline (seed 000).
 *
 * <ol>
 *   <li><b>Ingest</b> (before the graph, {@link #beforeRun}): eight seeded drivers (EEG, audio,
 *       video, EDA, fNIRS, respiration, ECG, phone; {@link Drivers#standard()}) publish 100 ms
 *       packets to {@code <prefix>.<modality>.<sensor_id>} ({@link KafkaIngest}); without {@code
 *       --kafka-bootstrap} an embedded KRaft broker is started for the run. {@code
 *       --fault-injection} drops ~5% of packets and jitters timestamps (2 ms), seeded.
 *   <li><b>Read</b> ({@link KafkaSource}, module {@code kafka-source}): one {@code KafkaIO} read
 *       per topic, from the run's start time, for exactly the number of records the session holds
 *       ({@link SessionPlan#expectedRecords}); decoded with {@code SensorEventCodec}. {@code
 *       --no-kafka} ({@link DriverSource}, {@code driver-source}): the drivers feed the sync stage
 *       directly.
 *   <li><b>Sync</b> ({@link AlignStreams}, {@code align-streams}): per sensor, {@code StreamSync}
 *       places the packets on the session timeline (device clock offset from event time), resamples
 *       onto the session grid and marks lost packets as gaps (never interpolated across).
 *   <li><b>Storage</b> ({@link SessionOutputs}, {@code session-outputs}) under {@code
 *       <output-dir>/raw/<subject>/<session>/}: {@code <subject>_<session>.nwb} (one TimeSeries per
 *       time-series modality), {@code <subject>_<session>_video.zarr} (OME-Zarr, written by {@code
 *       OmeZarrIO}), {@code timeseries/*.parquet} (one row per grid point), {@code
 *       sync_report.json}; WebDataset shards {@code
 *       <output-dir>/gold/<subject>/<session>/shard-%06d.tar}, one sample per window.
 *   <li><b>Commit</b> ({@link #afterRun}): the graph wrote both sets to staging directories; the
 *       session ({@code <subject>/<session>}, one item of {@link ItemCommits}) replaces its
 *       previous raw and gold sets as a whole, then its commit record is written.
 * </ol>
 *
 * <p>{@code --streaming} runs the same graph: {@link KafkaSource} reads on packet event time and
 * {@link Windowing#eventTime} cuts the session into event-time windows, each aligned and written
 * (sync report, Parquet rows, WebDataset sample) as the watermark passes it.
 *
 * <p>Beam metrics (namespace {@value #NAMESPACE}): counters {@code samples_ingested_<modality>},
 * {@code packets_dropped_<modality>}, {@code gap_samples_<modality>}; distributions {@code
 * latency_ms_<modality>} (driver hand-over to broker append) and {@code kafka_latency_ms} (broker
 * append to the sync stage reading it).
 *
 * <pre>{@code
 * beamline constellation --duration 10 --output-dir out --subject-id subj123 --session-id sessA
 * beamline constellation --duration 5 --output-dir out --subject-id demo --session-id test --no-kafka
 * }</pre>
 */
public final class ConstellationPipeline implements BeamlinePipeline<ConstellationOptions> {
  /** The pipeline's name: its command, and the directory of its commit records. */
  static final String NAME = "constellation";

  /** Namespace of every metric this pipeline reports. */
  public static final String NAMESPACE = "constellation";

  /** File in the run directory holding the bootstrap servers the read stage connects to. */
  static final String BOOTSTRAP_FILE = "kafka_bootstrap.txt";

  /** File in the run directory with what the ingest stage sent and dropped. */
  static final String INGEST_FILE = "ingest.json";

  private static final Logger LOG = LoggerFactory.getLogger(ConstellationPipeline.class);
  private static final Pattern ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");
  private static final Duration PREFLIGHT = Duration.ofSeconds(5);

  /** Streaming: directory (under the session's raw directory) of the per-window sync reports. */
  static final String SYNC_WINDOWS_DIR = SyncReports.WINDOWS_DIR;

  @Override
  public String name() {
    return NAME;
  }

  /**
   * {@code --streaming} only (checked by {@link #validate}): the batch graph is not tested there.
   */
  @Override
  public boolean runsOnFlink() {
    return true;
  }

  /**
   * A window's outputs are due within 2 s of its close: with Flink's 1 s bundles each of the steps
   * between the read and the writers held a window's data up to a second (lag p50 2.3 s over a 20 s
   * session), with 250 ms 0.7 s.
   */
  @Override
  public long flinkBundleMillis() {
    return 250;
  }

  @Override
  public String summary() {
    return "Sensor drivers -> Kafka -> sync -> NWB/OME-Zarr/Parquet + WebDataset shards (seed 000)";
  }

  @Override
  public Map<String, List<String>> moduleParameters() {
    return ModuleParameters.of("driver-source", "duration", "seed", "fault-injection")
        .module("kafka-source", "no-kafka", "topic-prefix")
        .module("align-streams", "window-seconds")
        .module(
            "session-outputs",
            "shard-size",
            "subject-id",
            "session-id",
            "session-start",
            "species",
            "sex",
            "age",
            "subject-description",
            "experimenter",
            "institution",
            "experiment-description",
            "keywords")
        .asMap();
  }

  @Override
  public List<String> inputParameters() {
    return List.of("session-config", "training-config", "sagemaker-config");
  }

  @Override
  public PlannedItems plannedItems(ConstellationOptions o) {
    // A recording session is recorded anew by every run: nothing to resume.
    return new PlannedItems(List.of(sessionKey(o)), false, null, Map.of());
  }

  @Override
  public Class<ConstellationOptions> optionsClass() {
    return ConstellationOptions.class;
  }

  @Override
  public void validate(ConstellationOptions o) {
    double d = o.getDuration();
    if (!(d > 0 && d <= 600)) {
      throw new UserInputException("--duration must be in (0, 600] seconds, got " + d);
    }
    checkId("--subject-id", o.getSubjectId());
    checkId("--session-id", o.getSessionId());
    double w = o.getWindowSeconds();
    if (!(w > 0 && w <= 3600)) {
      throw new UserInputException("--window-seconds must be in (0, 3600], got " + w);
    }
    if (o.getShardSize() < 1) {
      throw new UserInputException("--shard-size must be >= 1, got " + o.getShardSize());
    }
    try {
      Topics.of(o.getTopicPrefix(), "eeg", "eeg01");
    } catch (IllegalArgumentException e) {
      throw new UserInputException("--topic-prefix: " + e.getMessage(), e);
    }
    if (o.getNoKafka() && o.getKafkaBootstrap() != null) {
      throw new UserInputException(
          "--no-kafka and --kafka-bootstrap contradict each other; give one of them");
    }
    if (o.getKafkaBootstrap() != null && o.getKafkaBootstrap().isBlank()) {
      throw new UserInputException(
          "--kafka-bootstrap is empty; give host:port or omit it to use the embedded broker");
    }
    if (o.getSagemakerConfig() != null) {
      if (o.getTrainingConfig() != null && !o.getTrainingConfig().equals(o.getSagemakerConfig())) {
        throw new UserInputException(
            "--sagemaker-config and --training-config name different files; give one of them");
      }
      o.setTrainingConfig(o.getSagemakerConfig());
    }
    if (o.getTrainingConfig() != null) {
      // A bad training spec stops the run before anything executes.
      TrainingSpec.load(
          Paths.get(o.getTrainingConfig()),
          o.getSagemakerConfig() != null ? "--sagemaker-config" : "--training-config");
    }
    if (o.isStreaming()) {
      validateStreaming(o);
    } else if (RunnerNames.is(o, RunnerNames.FLINK)) {
      throw new UserInputException(
          "constellation runs on the FlinkRunner with --streaming only; add --streaming, or run"
              + " the batch session on the DirectRunner (the default) or the SparkRunner");
    }
    if (o.getSessionStart() == null) {
      o.setSessionStart(Instant.now().truncatedTo(ChronoUnit.MILLIS).toString());
    }
    sessionStart(o);
    NwbSessionMetadata.validate(o);
    if (o.getKafkaBootstrap() != null) {
      // Last, after the cheap checks: it talks to the network (bounded by PREFLIGHT).
      checkBroker(o.getKafkaBootstrap());
    }
  }

  /**
   * Checks before anything is written that {@code --kafka-bootstrap} leads to Kafka brokers ({@link
   * KafkaPreflight}: a bounded probe, no Kafka client), so that a wrong address is one line within
   * seconds instead of a client retrying for minutes or reading a non-Kafka answer as a frame size.
   */
  static void checkBroker(String bootstrap) {
    try {
      KafkaPreflight.check(bootstrap, PREFLIGHT);
    } catch (IllegalArgumentException e) {
      throw new UserInputException("--kafka-bootstrap: " + e.getMessage(), e);
    } catch (KafkaUnreachableException e) {
      throw new UserInputException(
          "--kafka-bootstrap: "
              + e.getMessage()
              + (e.notKafka()
                  ? "; check --kafka-bootstrap or use --no-kafka"
                  : "; start the broker, check --kafka-bootstrap, or use --no-kafka (without"
                      + " --kafka-bootstrap an embedded broker is started for the run)"),
          e);
    }
  }

  private static void validateStreaming(ConstellationOptions o) {
    if (o.getNoKafka()) {
      throw new UserInputException(
          "--streaming reads the Kafka topics as they fill; drop --no-kafka (or --streaming)");
    }
    if (o.getSessionStart() != null) {
      throw new UserInputException(
          "--session-start cannot be combined with --streaming: a streaming session starts now"
              + " and runs in real time; drop --session-start");
    }
    if (Math.round(o.getWindowSeconds() * 1e9) % 1_000_000L != 0) {
      throw new UserInputException(
          "--window-seconds must be a whole number of milliseconds with --streaming, got "
              + o.getWindowSeconds());
    }
    if (o.getTrainingConfig() != null) {
      LOG.info("--streaming: the training hand-off is written when the run ends");
    }
  }

  private static void checkId(String flag, String value) {
    if (value == null || !ID.matcher(value).matches()) {
      throw new UserInputException(
          flag
              + " must be 1-64 letters, digits, '_' or '-' (it names files), got "
              + (value == null ? "nothing" : "'" + value + "'"));
    }
  }

  private static Instant sessionStart(ConstellationOptions o) {
    try {
      return Instant.parse(o.getSessionStart());
    } catch (DateTimeParseException e) {
      throw new UserInputException(
          "--session-start '"
              + o.getSessionStart()
              + "' is not an ISO-8601 instant; use e.g. 2024-05-01T12:00:00Z");
    }
  }

  /** The session every stage derives its numbers from. */
  static SessionPlan plan(ConstellationOptions o) {
    Instant start = sessionStart(o);
    return new SessionPlan(
        o.getSubjectId(),
        o.getSessionId(),
        start.getEpochSecond() * 1_000_000_000L + start.getNano(),
        Math.round(o.getDuration() * 1e9),
        Math.round(o.getWindowSeconds() * 1e9),
        o.getSeed(),
        o.getFaultInjection(),
        o.getTopicPrefix(),
        Drivers.standard());
  }

  /** {@code <output-dir>/raw/<subject>/<session>}: NWB, OME-Zarr, Parquet, sync report. */
  static Path rawDir(ConstellationOptions o) {
    return outputDir(o).resolve("raw").resolve(o.getSubjectId()).resolve(o.getSessionId());
  }

  /** {@code <output-dir>/gold/<subject>/<session>}: WebDataset shards, training_job.json. */
  static Path goldDir(ConstellationOptions o) {
    return outputDir(o).resolve("gold").resolve(o.getSubjectId()).resolve(o.getSessionId());
  }

  static Path outputDir(ConstellationOptions o) {
    return Paths.get(o.getOutputDir()).toAbsolutePath().normalize();
  }

  /** The session's item key in the commit records: {@code <subject>/<session>}. */
  static String sessionKey(ConstellationOptions o) {
    return o.getSubjectId() + "/" + o.getSessionId();
  }

  static Path runDir(ConstellationOptions o) {
    return Runs.runsDir(o.getOutputDir()).resolve(o.getRunId());
  }

  @Override
  public List<Path> outputRoots(ConstellationOptions o) {
    return List.of(rawDir(o), goldDir(o));
  }

  @Override
  public List<Path> inputFiles(ConstellationOptions o) {
    List<Path> inputs = new ArrayList<>();
    if (o.getTrainingConfig() != null) {
      inputs.add(Paths.get(o.getTrainingConfig()));
    }
    if (o.getSessionConfig() != null) {
      inputs.add(Paths.get(o.getSessionConfig()));
    }
    return inputs;
  }

  /**
   * The graph, batch and streaming alike: the session's events from its source, aligned on the
   * session grid, written by the shared outputs stage. The modes differ only in the source and the
   * {@link Windowing} (see {@link ConstellationSettings#resolve}).
   */
  @Override
  public void build(Pipeline p, ConstellationOptions o) {
    ConstellationSettings s = ConstellationSettings.resolve(o);
    SessionSource<?> source = Module.from(s.source());
    AlignStreams align = Module.from(s.align());
    SessionOutputs outputs = Module.from(s.outputs());

    PCollectionTuple read = p.apply(source);
    PCollection<AlignedSlice> aligned = read.get(SessionSource.EVENTS_TAG).apply(align);
    PCollectionTuple.of(SessionOutputs.STREAMS.<AlignedSlice>tag(), aligned)
        .and(SessionOutputs.FAILURES.<Failure>tag(), read.get(SessionSource.FAILURES_TAG))
        .apply(outputs);
  }

  /**
   * The outputs a batch run writes: the sync report, the NWB file, the video image, one Parquet
   * file and the shards (the progress line's "of N").
   */
  static long expectedOutputs(ConstellationOptions o) {
    long windows = plan(o).grid().windows();
    return 4 + (windows + o.getShardSize() - 1) / o.getShardSize();
  }

  /**
   * Starts the progress line and what the graph reads from: the embedded broker (unless {@code
   * --kafka-bootstrap} or {@code --no-kafka}), then runs the ingest stage ({@link SessionIngest}).
   * The returned handle stops the line and the broker, and removes this run's staging sets if they
   * were not committed (the graph failed).
   */
  /** Starts the embedded broker (when the run needs one) while the graph is built. */
  @Override
  public Started startEarly(ConstellationOptions o, Path runDir) {
    return SessionIngest.startBroker(o, runDir);
  }

  @Override
  public AutoCloseable beforeRun(ConstellationOptions o, Path runDir) throws Exception {
    return SessionIngest.start(o, runDir);
  }

  /**
   * Commits the session ({@link SessionCommit#commit}): the training hand-off, then the raw and
   * gold sets as one item of {@link ItemCommits}, then the summary.
   */
  @Override
  public void afterRun(ConstellationOptions o, Path runDir, PipelineResult result)
      throws Exception {
    SessionCommit.commit(o, name());
  }
}
