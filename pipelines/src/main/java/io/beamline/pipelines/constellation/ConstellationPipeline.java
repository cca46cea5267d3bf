package io.beamline.pipelines.constellation;

import io.beamline.framework.BeamlineOptions;
import io.beamline.framework.BeamlinePipeline;
import io.beamline.framework.ModuleParameters;
import io.beamline.framework.PlannedItems;
import io.beamline.framework.UserInputException;
import io.beamline.framework.run.CommitRecord;
import io.beamline.framework.run.ItemCommits;
import io.beamline.framework.run.RunConsole;
import io.beamline.framework.run.Runs;
import io.beamline.io.failures.Failure;
import io.beamline.io.failures.FailureIO;
import io.beamline.io.files.AtomicFiles;
import io.beamline.io.kafka.EmbeddedKafka;
import io.beamline.io.kafka.KafkaClients;
import io.beamline.io.kafka.KafkaPreflight;
import io.beamline.io.kafka.KafkaUnreachableException;
import io.beamline.io.nwb.NwbFile;
import io.beamline.io.nwb.NwbIO;
import io.beamline.io.nwb.NwbTimeSeries;
import io.beamline.io.parquet.ParquetTableIO;
import io.beamline.io.sensors.Drivers;
import io.beamline.io.sensors.SensorDriver;
import io.beamline.io.sensors.SensorEvent;
import io.beamline.io.sensors.SensorEventCodec;
import io.beamline.io.sensors.SensorEventCoder;
import io.beamline.io.sensors.SensorEventFormatException;
import io.beamline.io.sensors.Topics;
import io.beamline.io.webdataset.WebDatasetIO;
import io.beamline.io.webdataset.WebDatasetSampleCoder;
import io.beamline.pipelines.training.TrainingHandoff;
import io.beamline.pipelines.training.TrainingSpec;
import io.beamline.transforms.sync.Packet;
import io.beamline.transforms.sync.StreamSync;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Pattern;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.coders.IterableCoder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.NullableCoder;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.io.WriteFilesResult;
import org.apache.beam.sdk.io.kafka.KafkaIO;
import org.apache.beam.sdk.io.kafka.KafkaRecord;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.StreamingOptions;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.Reshuffle;
import org.apache.beam.sdk.transforms.Values;
import org.apache.beam.sdk.transforms.windowing.FixedWindows;
import org.apache.beam.sdk.transforms.windowing.GlobalWindows;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
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
 *   <li><b>Read</b>: one bounded {@link KafkaIO} read per topic, from the run's start time, for
 *       exactly the number of records the session holds ({@link SessionPlan#expectedRecords});
 *       decoded with {@link SensorEventCodec}. {@code --no-kafka} skips Kafka: the drivers feed the
 *       sync stage directly.
 *   <li><b>Sync</b>: per sensor, {@link StreamSync} places the packets on the session timeline
 *       (device clock offset from event time), resamples onto the session grid and marks lost
 *       packets as gaps (never interpolated across).
 *   <li><b>Storage</b> under {@code <output-dir>/raw/<subject>/<session>/}: {@code
 *       <subject>_<session>.nwb} (one TimeSeries per time-series modality), {@code
 *       <subject>_<session>_video.zarr} (OME-Zarr), {@code timeseries/*.parquet} (one row per grid
 *       point), {@code sync_report.json}; WebDataset shards {@code
 *       <output-dir>/gold/<subject>/<session>/shard-%06d.tar}, one sample per window.
 *   <li><b>Commit</b> ({@link #afterRun}): the graph wrote both sets to staging directories; the
 *       session ({@code <subject>/<session>}, one item of {@link ItemCommits}) replaces its
 *       previous raw and gold sets as a whole, then its commit record is written.
 * </ol>
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
public final class ConstellationPipeline
    implements BeamlinePipeline<ConstellationPipeline.ConstellationOptions> {
  /** Namespace of every metric this pipeline reports. */
  public static final String NAMESPACE = "constellation";

  /** File in the run directory holding the bootstrap servers the read stage connects to. */
  static final String BOOTSTRAP_FILE = "kafka_bootstrap.txt";

  /** File in the run directory with what the ingest stage sent and dropped. */
  static final String INGEST_FILE = "ingest.json";

  private static final Logger LOG = LoggerFactory.getLogger(ConstellationPipeline.class);
  private static final Pattern ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");
  private static final Duration PREFLIGHT = Duration.ofSeconds(5);

  /** Streaming: how far the watermark trails the newest packet time read. */
  static final long WATERMARK_DELAY_MS = 1000;

  /** Streaming: how long past {@code --duration} the reader may wait for the last records. */
  static final long STREAMING_GRACE_MS = 10_000;

  /** Streaming: directory (under the session's raw directory) of the per-window sync reports. */
  static final String SYNC_WINDOWS_DIR = "sync_windows";

  static final TupleTag<SensorEvent> EVENTS = new TupleTag<SensorEvent>() {};
  static final TupleTag<Failure> FAILURES = new TupleTag<Failure>() {};

  private static final KvCoder<String, SensorEvent> STREAM_CODER =
      KvCoder.of(StringUtf8Coder.of(), NullableCoder.of(SensorEventCoder.of()));

  /**
   * Options of {@code beamline constellation}. Beam's {@code --streaming} ({@link
   * StreamingOptions}) selects the streaming mode: real-time ingest, event-time windows, per-window
   * outputs; {@code --duration} then bounds the run.
   */
  public interface ConstellationOptions extends BeamlineOptions, StreamingOptions {
    @Description("Seconds of data each driver records, in (0, 600]")
    @Default.Double(10.0)
    double getDuration();

    void setDuration(double value);

    @Description("Subject identifier (letters, digits, '_' and '-'); used in file names")
    String getSubjectId();

    void setSubjectId(String value);

    @Description("Session identifier (letters, digits, '_' and '-'); used in file names")
    String getSessionId();

    void setSessionId(String value);

    @Description(
        "Kafka bootstrap servers host:port[,host:port]; default: an embedded broker started for"
            + " the run")
    String getKafkaBootstrap();

    void setKafkaBootstrap(String value);

    @Description("Bypass Kafka: drivers feed the sync stage directly (samples are still counted)")
    @Default.Boolean(false)
    boolean getNoKafka();

    void setNoKafka(boolean value);

    @Description("Prefix of the topics <prefix>.<modality>.<sensor_id>")
    @Default.String("raw")
    String getTopicPrefix();

    void setTopicPrefix(String value);

    @Description("Drop ~5% of packets and jitter timestamps (2 ms), seeded by --seed")
    @Default.Boolean(false)
    boolean getFaultInjection();

    void setFaultInjection(boolean value);

    @Description("Seed of the drivers' signals and of fault injection")
    @Default.Long(42L)
    long getSeed();

    void setSeed(long value);

    @Description("Length of one aligned window (one WebDataset sample) in seconds, in (0, 3600]")
    @Default.Double(1.0)
    double getWindowSeconds();

    void setWindowSeconds(double value);

    @Description("WebDataset samples (windows) per shard, >= 1")
    @Default.Integer(100)
    int getShardSize();

    void setShardSize(int value);

    @Description("Training job spec (YAML or JSON) handed to training after the run")
    String getTrainingConfig();

    void setTrainingConfig(String value);

    @Description("The seed's name for --training-config (a SageMaker job spec)")
    String getSagemakerConfig();

    void setSagemakerConfig(String value);

    @Description(
        "Session start (ISO-8601 instant, e.g. 2024-05-01T12:00:00Z): time zero of every stream;"
            + " default: now")
    String getSessionStart();

    void setSessionStart(String value);

    @Description(
        "NWB session metadata file (YAML or JSON): subject {species, sex, age, description},"
            + " experimenter, institution, experiment_description, keywords; flags override it")
    String getSessionConfig();

    void setSessionConfig(String value);

    @Description("NWB subject species (Latin binomial); default: Homo sapiens")
    String getSpecies();

    void setSpecies(String value);

    @Description("NWB subject sex: F, M, U (unknown) or O (other); default: U")
    String getSex();

    void setSex(String value);

    @Description(
        "NWB subject age, ISO 8601 duration (P34Y, P90D) or range (P10W/P12W, P18Y/); default:"
            + " P18Y/")
    String getAge();

    void setAge(String value);

    @Description("NWB subject description; default: says the subject is synthetic")
    String getSubjectDescription();

    void setSubjectDescription(String value);

    @Description(
        "NWB experimenter(s), ';'-separated, e.g. \"Doe, Jane; Roe, John\"; default: the pipeline")
    String getExperimenter();

    void setExperimenter(String value);

    @Description("NWB institution; default: none (synthetic session)")
    String getInstitution();

    void setInstitution(String value);

    @Description("NWB experiment description; default: derived from the run")
    String getExperimentDescription();

    void setExperimentDescription(String value);

    @Description("NWB keywords, ','-separated; default: synthetic, multimodal and the modalities")
    String getKeywords();

    void setKeywords(String value);

    /** Re-declared so that the command line lists it as one of this pipeline's flags. */
    @Override
    @Description(
        "Streaming mode: real-time ingest, event-time windows of --window-seconds, per-window"
            + " outputs (WebDataset sample, Parquet rows, sync_windows/window-<w>.jsonl); NWB/Zarr"
            + " are batch-only; --duration bounds the run")
    boolean isStreaming();

    @Override
    void setStreaming(boolean value);
  }

  @Override
  public String name() {
    return "constellation";
  }

  @Override
  public String summary() {
    return "Sensor drivers -> Kafka -> sync -> NWB/OME-Zarr/Parquet + WebDataset shards (seed 000)";
  }

  @Override
  public Map<String, List<String>> moduleParameters() {
    return ModuleParameters.of("drivers", "duration", "seed", "fault-injection")
        .module("ingest", "no-kafka", "topic-prefix")
        .module("align", "window-seconds")
        .module(
            "outputs",
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
    return new PlannedItems(List.of(sessionKey(o)), false, null);
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

  private static Path outputDir(ConstellationOptions o) {
    return Paths.get(o.getOutputDir()).toAbsolutePath().normalize();
  }

  /** The session's item key in the commit records: {@code <subject>/<session>}. */
  static String sessionKey(ConstellationOptions o) {
    return o.getSubjectId() + "/" + o.getSessionId();
  }

  /**
   * Where run {@code runId}'s graph writes the set that will replace {@code finalDir}: a sibling
   * named as a temporary ({@code .<session>.<run-id>.tmp}), so that if the run is killed the next
   * run in the output directory removes it. Named after the run rather than at random because the
   * graph is built before it runs and {@link #afterRun} must find it again.
   */
  static Path staging(Path finalDir, String runId) {
    return finalDir.resolveSibling(
        "." + finalDir.getFileName() + "." + runId + AtomicFiles.TEMP_SUFFIX);
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

  @Override
  public void build(Pipeline p, ConstellationOptions o) {
    if (o.isStreaming()) {
      buildStreaming(p, o);
      return;
    }
    SessionPlan plan = plan(o);
    // Every output goes to the run's staging sets; afterRun commits them as a whole.
    Path raw = staging(rawDir(o), o.getRunId());
    Path gold = staging(goldDir(o), o.getRunId());
    String base = o.getSubjectId() + "_" + o.getSessionId();

    PCollectionTuple decoded =
        o.getNoKafka() ? generate(p, plan, o.getRunId()) : readTopics(p, plan, o, runDir(o));
    decoded
        .get(FAILURES)
        .setCoder(SerializableCoder.of(Failure.class))
        .apply(
            "WriteRejectedRecords",
            FailureIO.write().to(raw.resolve("failures").toString()).withPrefix("rejected"));

    PCollection<KV<String, SensorEvent>> keyed =
        decoded
            .get(EVENTS)
            .setCoder(SensorEventCoder.of())
            .apply("KeyBySensor", ParDo.of(new KeyBySensorFn()))
            .setCoder(STREAM_CODER);
    // One empty marker per sensor, so a stream that lost every packet is still reported.
    List<KV<String, SensorEvent>> markers = new ArrayList<>();
    plan.drivers.forEach(d -> markers.add(KV.of(d.sensorId(), null)));
    PCollection<AlignedStream> aligned =
        PCollectionList.of(keyed)
            .and(p.apply("EveryStream", Create.of(markers).withCoder(STREAM_CODER)))
            .apply("WithEveryStream", Flatten.pCollections())
            .apply("GatherStreams", GroupByKey.create())
            .apply("AlignStreams", ParDo.of(new AlignFn(plan, o.getRunId())))
            .setCoder(SerializableCoder.of(AlignedStream.class));

    PCollection<String> report =
        aligned
            .apply("ReportFigures", ParDo.of(new ConstellationOutputs.ReportEntryFn(plan)))
            .setCoder(KvCoder.of(StringUtf8Coder.of(), StringUtf8Coder.of()))
            .apply("GatherReport", ConstellationOutputs.gather())
            .apply(
                "WriteSyncReport",
                ParDo.of(
                    new ConstellationOutputs.WriteReportFn(
                        plan, raw.resolve("sync_report.json").toString())));

    NwbFile header = NwbSessionMetadata.header(o, plan);
    PCollection<String> nwbFile =
        aligned
            .apply("ToNwbSeries", ParDo.of(new ConstellationOutputs.ToNwbSeriesFn()))
            .setCoder(SerializableCoder.of(NwbTimeSeries.class))
            .apply("WriteNwb", NwbIO.write(header).to(raw.resolve(base + ".nwb").toString()));

    PCollection<String> video =
        aligned.apply(
            "WriteVideoZarr",
            ParDo.of(
                new ConstellationOutputs.WriteVideoFn(
                    raw.resolve(base + "_video.zarr").toString(), plan.sessionStart().toString())));

    WriteFilesResult<Void> parquet =
        aligned
            .apply("ToTimeSeriesRows", ParDo.of(new ConstellationOutputs.ToRowsFn(plan)))
            .setRowSchema(ConstellationOutputs.ROW_SCHEMA)
            .apply(
                "WriteTimeSeriesParquet",
                ParquetTableIO.write(ConstellationOutputs.ROW_SCHEMA)
                    .to(raw.resolve("timeseries").toString())
                    .withPrefix("timeseries")
                    .withNumShards(1));

    PCollection<String> shards =
        aligned
            .apply("CutWindows", ParDo.of(new ConstellationOutputs.CutWindowsFn(plan)))
            .setCoder(
                KvCoder.of(
                    org.apache.beam.sdk.coders.VarLongCoder.of(),
                    SerializableCoder.of(ConstellationOutputs.WindowPart.class)))
            .apply("GatherWindows", GroupByKey.create())
            .apply("ToWebDatasetSamples", ParDo.of(new ConstellationOutputs.ToSampleFn(plan)))
            .setCoder(WebDatasetSampleCoder.of())
            .apply(
                "WriteShards",
                WebDatasetIO.write().to(gold.toString()).withMaxSamplesPerShard(o.getShardSize()));

    // Only for the progress line: each file (or image) the writers finish.
    PCollectionList.of(report)
        .and(nwbFile)
        .and(video)
        .and(parquet.getPerDestinationOutputFilenames().apply("ParquetFiles", Values.create()))
        .and(shards)
        .apply("AllWritten", Flatten.pCollections())
        .apply("CountWritten", ParDo.of(new CountWrittenFn(o.getRunId())));
  }

  /**
   * The outputs a batch run writes: the sync report, the NWB file, the video image, one Parquet
   * file and the shards (the progress line's "of N").
   */
  static long expectedOutputs(ConstellationOptions o) {
    long windows = plan(o).grid().windows();
    return 4 + (windows + o.getShardSize() - 1) / o.getShardSize();
  }

  /** Counts the files the writers finished, for the progress line. */
  static final class CountWrittenFn extends DoFn<String, Void> {
    private final String runId;

    CountWrittenFn(String runId) {
      this.runId = runId;
    }

    @ProcessElement
    public void process(@Element String file) {
      ConstellationConsole.progress(runId).written.incrementAndGet();
    }
  }

  /**
   * {@code --streaming}: one KafkaIO read per topic with an event-time policy (packet time,
   * watermark {@value #WATERMARK_DELAY_MS} ms behind), fixed event-time windows of {@code
   * --window-seconds} aligned to the session start, per window per sensor {@link
   * StreamingWindows#align}, then per-window outputs.
   */
  private void buildStreaming(Pipeline p, ConstellationOptions o) {
    SessionPlan plan = plan(o);
    // Per-window outputs go to the run's staging sets too; afterRun commits them at the end.
    Path raw = staging(rawDir(o), o.getRunId());
    Path gold = staging(goldDir(o), o.getRunId());
    String bootstrap = o.getKafkaBootstrap() == null ? "embedded:0" : o.getKafkaBootstrap();
    // The reader stops after the session's records, or at the latest duration + grace after start:
    // the source then ends, the watermark passes every window and the run drains and finishes.
    org.joda.time.Duration maxReadTime =
        org.joda.time.Duration.millis(Math.round(o.getDuration() * 1000) + STREAMING_GRACE_MS);
    StreamingStages.EventTimePolicy policy =
        new StreamingStages.EventTimePolicy(
            plan, org.joda.time.Duration.millis(WATERMARK_DELAY_MS));
    List<PCollection<KafkaRecord<byte[], byte[]>>> reads = new ArrayList<>();
    for (SensorDriver d : plan.drivers) {
      long expected = plan.expectedRecords(d);
      if (expected == 0) {
        continue;
      }
      KafkaIO.Read<byte[], byte[]> read =
          KafkaIO.<byte[], byte[]>read()
              .withBootstrapServers(bootstrap)
              .withTopic(plan.topic(d))
              .withKeyDeserializer(ByteArrayDeserializer.class)
              .withValueDeserializer(ByteArrayDeserializer.class)
              .withConsumerFactoryFn(
                  new RunBootstrapConsumerFactory(runDir(o).resolve(BOOTSTRAP_FILE).toString()))
              .withConsumerConfigUpdates(Map.of("auto.offset.reset", "earliest"))
              .withTimestampPolicyFactory(policy)
              .withMaxReadTime(maxReadTime);
      if (o.getKafkaBootstrap() == null) {
        // The embedded broker's topics are fresh: they hold exactly this session's records.
        read = read.withMaxNumRecords(expected);
      }
      reads.add(p.apply("Read " + plan.topic(d), read));
    }
    PCollectionTuple decoded =
        PCollectionList.of(reads)
            .apply("AllTopics", Flatten.pCollections())
            .apply(
                "DecodeEvents",
                ParDo.of(new DecodeFn(plan, o.getRunId()))
                    .withOutputTags(EVENTS, TupleTagList.of(FAILURES)));
    decoded
        .get(FAILURES)
        .setCoder(SerializableCoder.of(Failure.class))
        .apply("FailuresToSession", Window.into(new GlobalWindows()))
        .apply(
            "WriteRejectedRecords",
            FailureIO.write().to(raw.resolve("failures").toString()).withPrefix("rejected"));

    long windowMs = plan.windowNs / 1_000_000L;
    long startMs = plan.sessionStartNs / 1_000_000L;
    org.joda.time.Duration size = org.joda.time.Duration.millis(windowMs);
    PCollection<KV<Long, StreamingStages.WindowSlice>> slices =
        decoded
            .get(EVENTS)
            .setCoder(SensorEventCoder.of())
            .apply(
                "EventTimeWindows",
                Window.<SensorEvent>into(
                        FixedWindows.of(size)
                            .withOffset(
                                org.joda.time.Duration.millis(Math.floorMod(startMs, windowMs))))
                    .withAllowedLateness(size)
                    .discardingFiredPanes())
            .apply("KeyBySensor", ParDo.of(new KeyBySensorFn()))
            .setCoder(KvCoder.of(StringUtf8Coder.of(), SensorEventCoder.of()))
            .apply("GatherWindowStreams", GroupByKey.create())
            .apply("AlignWindows", ParDo.of(new StreamingStages.WindowSyncFn(plan, o.getRunId())))
            .setCoder(
                KvCoder.of(
                    VarLongCoder.of(), SerializableCoder.of(StreamingStages.WindowSlice.class)));

    slices
        .apply("ToTimeSeriesRows", ParDo.of(new StreamingStages.WindowRowsFn(plan)))
        .setRowSchema(ConstellationOutputs.ROW_SCHEMA)
        .apply("RowsToSession", Window.into(new GlobalWindows()))
        .apply(
            "WriteTimeSeriesParquet",
            ParquetTableIO.write(ConstellationOutputs.ROW_SCHEMA)
                .to(raw.resolve("timeseries").toString())
                .withPrefix("timeseries")
                .withNumShards(1));

    slices
        .apply("GatherWindows", GroupByKey.create())
        .apply(
            "WriteWindowReports",
            ParDo.of(
                new StreamingStages.WindowOutputsFn(
                    plan, raw.resolve(SYNC_WINDOWS_DIR).toString())))
        .setCoder(
            KvCoder.of(
                VarLongCoder.of(),
                IterableCoder.of(SerializableCoder.of(ConstellationOutputs.WindowPart.class))))
        .apply("ToWebDatasetSamples", ParDo.of(new ConstellationOutputs.ToSampleFn(plan)))
        .setCoder(WebDatasetSampleCoder.of())
        .apply("SamplesToSession", Window.into(new GlobalWindows()))
        .apply(
            "WriteShards",
            WebDatasetIO.write().to(gold.toString()).withMaxSamplesPerShard(o.getShardSize()));
  }

  /** {@code --no-kafka}: the drivers' (faulted) events straight into the graph. */
  private static PCollectionTuple generate(Pipeline p, SessionPlan plan, String runId) {
    List<Integer> indices = new ArrayList<>();
    for (int i = 0; i < plan.drivers.size(); i++) {
      indices.add(i);
    }
    return p.apply("Drivers", Create.of(indices).withCoder(VarIntCoder.of()))
        .apply("SpreadDrivers", Reshuffle.viaRandomKey())
        .apply(
            "RunDrivers",
            ParDo.of(new GenerateFn(plan, runId))
                .withOutputTags(EVENTS, TupleTagList.of(FAILURES)));
  }

  /** One bounded KafkaIO read per sensor topic, flattened, then decoded. */
  private static PCollectionTuple readTopics(
      Pipeline p, SessionPlan plan, ConstellationOptions o, Path runDir) {
    String bootstrap = o.getKafkaBootstrap() == null ? "embedded:0" : o.getKafkaBootstrap();
    // Records appended from now on belong to this run: everything older in a reused topic is not.
    org.joda.time.Instant readFrom = org.joda.time.Instant.now();
    org.joda.time.Duration maxReadTime =
        org.joda.time.Duration.standardSeconds(Math.max(120, 20 * (long) o.getDuration()));
    List<PCollection<KafkaRecord<byte[], byte[]>>> reads = new ArrayList<>();
    for (SensorDriver d : plan.drivers) {
      long expected = plan.expectedRecords(d);
      if (expected == 0) {
        continue;
      }
      reads.add(
          p.apply(
              "Read " + plan.topic(d),
              KafkaIO.<byte[], byte[]>read()
                  .withBootstrapServers(bootstrap)
                  .withTopic(plan.topic(d))
                  .withKeyDeserializer(ByteArrayDeserializer.class)
                  .withValueDeserializer(ByteArrayDeserializer.class)
                  .withConsumerFactoryFn(
                      new RunBootstrapConsumerFactory(runDir.resolve(BOOTSTRAP_FILE).toString()))
                  .withStartReadTime(readFrom)
                  .withMaxNumRecords(expected)
                  .withMaxReadTime(maxReadTime)));
    }
    return PCollectionList.of(reads)
        .apply("AllTopics", Flatten.pCollections())
        .apply(
            "DecodeEvents",
            ParDo.of(new DecodeFn(plan, o.getRunId()))
                .withOutputTags(EVENTS, TupleTagList.of(FAILURES)));
  }

  /**
   * Starts the progress line and what the graph reads from: the embedded broker (unless {@code
   * --kafka-bootstrap} or {@code --no-kafka}), then runs the ingest stage. A given bootstrap was
   * checked during validation; the clients check it again as they are made ({@link KafkaClients}).
   * The returned handle stops the line and the broker, and removes this run's staging sets if they
   * were not committed (the graph failed).
   */
  @Override
  public AutoCloseable beforeRun(ConstellationOptions o, Path runDir) throws Exception {
    ConstellationConsole console =
        ConstellationConsole.start(
            o.getRunId(),
            System.err,
            !o.getNoKafka(),
            o.isStreaming() ? 0 : plan(o).drivers.size(),
            o.isStreaming() ? 0 : expectedOutputs(o));
    EmbeddedKafka broker = null;
    try {
      if (o.getNoKafka()) {
        LOG.info("--no-kafka: drivers feed the sync stage directly");
        return closer(o, console, null);
      }
      String bootstrap = o.getKafkaBootstrap();
      if (bootstrap == null) {
        broker = EmbeddedKafka.settings().withDataDir(runDir.resolve("kafka-data")).start();
        bootstrap = broker.bootstrapServers();
        LOG.info(RunConsole.PROGRESS, "Embedded Kafka broker at {}", bootstrap);
      }
      if (o.isStreaming()) {
        return startStreamingIngest(o, runDir, bootstrap, broker, console);
      }
      AtomicFiles.writeString(runDir.resolve(BOOTSTRAP_FILE), bootstrap);
      KafkaIngest.Report report =
          KafkaIngest.run(plan(o), bootstrap, ConstellationConsole.progress(o.getRunId()).ingested);
      AtomicFiles.writeString(
          runDir.resolve(INGEST_FILE), ConstellationOutputs.json(report.toJson()));
      LOG.info(
          RunConsole.PROGRESS,
          "Ingested {} samples ({} bytes) in {} s",
          report.samples(),
          report.bytes(),
          String.format("%.2f", report.seconds()));
      return closer(o, console, broker);
    } catch (Exception | Error e) {
      console.close();
      if (broker != null) {
        broker.close();
      }
      throw e;
    }
  }

  private static AutoCloseable closer(
      ConstellationOptions o, ConstellationConsole console, EmbeddedKafka broker) {
    return () -> {
      try {
        console.close();
        // Committed sets were moved away by afterRun; what is left here belongs to a failed run.
        AtomicFiles.deleteTree(staging(rawDir(o), o.getRunId()));
        AtomicFiles.deleteTree(staging(goldDir(o), o.getRunId()));
      } finally {
        if (broker != null) {
          broker.close();
        }
      }
    };
  }

  /**
   * Streaming ingest: topics prepared now, then a background thread sends every packet when its
   * event time comes. The returned handle stops it (if still running), records {@code ingest.json}
   * and stops the embedded broker.
   */
  private static AutoCloseable startStreamingIngest(
      ConstellationOptions o,
      Path runDir,
      String bootstrap,
      EmbeddedKafka broker,
      ConstellationConsole console)
      throws Exception {
    SessionPlan plan = plan(o);
    AtomicReference<KafkaIngest.Report> report = new AtomicReference<>();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    AtomicLong sent = ConstellationConsole.progress(o.getRunId()).ingested;
    AtomicFiles.writeString(runDir.resolve(BOOTSTRAP_FILE), bootstrap);
    KafkaIngest.prepareTopics(bootstrap, plan.drivers.stream().map(plan::topic).toList());
    Thread ingest =
        new Thread(
            () -> {
              try {
                report.set(KafkaIngest.send(plan, bootstrap, true, sent));
              } catch (Throwable t) {
                failure.set(t);
              }
            },
            "constellation-ingest");
    ingest.setDaemon(true);
    ingest.start();
    LOG.info(
        RunConsole.PROGRESS,
        "Streaming ingest started: {} s of packets in real time",
        o.getDuration());
    AutoCloseable rest = closer(o, console, broker);
    return () -> {
      try {
        ingest.interrupt();
        ingest.join(TimeUnit.SECONDS.toMillis(30));
        if (failure.get() != null) {
          throw new IllegalStateException(
              "streaming ingest failed: " + failure.get().getMessage(), failure.get());
        }
        if (report.get() != null) {
          AtomicFiles.writeString(
              runDir.resolve(INGEST_FILE), ConstellationOutputs.json(report.get().toJson()));
          LOG.info(
              RunConsole.PROGRESS,
              "Ingested {} samples ({} bytes) in {} s",
              report.get().samples(),
              report.get().bytes(),
              String.format("%.2f", report.get().seconds()));
        }
      } finally {
        rest.close();
      }
    };
  }

  /**
   * Commits the session: the training hand-off is recorded in the staged gold set, then the raw and
   * gold sets replace the session's previous ones as a whole and the commit record {@code
   * commits/constellation/<subject>%2F<session>.json} is written after them ({@link ItemCommits}).
   * A run killed at any instant leaves the session as it was committed before (record and outputs),
   * or, killed inside the commit, without a record (nothing vouches for a half-replaced session; a
   * re-run redoes it), plus temporaries that the next run removes.
   */
  @Override
  public void afterRun(ConstellationOptions o, Path runDir, PipelineResult result)
      throws Exception {
    String runId = o.getRunId();
    Path rawStage = staging(rawDir(o), runId);
    Path goldStage = staging(goldDir(o), runId);
    // The graph has ended: what its writers left under temporary names inside is debris.
    Files.createDirectories(rawStage);
    Files.createDirectories(goldStage);
    AtomicFiles.removeTemporaries(rawStage);
    AtomicFiles.removeTemporaries(goldStage);
    boolean handedOff = false;
    if (o.getTrainingConfig() != null) {
      TrainingHandoff.handOff(
          Paths.get(o.getTrainingConfig()),
          goldStage,
          goldDir(o),
          TrainingHandoff.jobNameFor(runId));
      handedOff = true;
    }
    Map<String, Object> details = ConstellationOutputs.sessionDetails(rawStage, goldStage);
    details.put("training_job", handedOff);

    ItemCommits commits = ItemCommits.of(outputDir(o), name(), o);
    ItemCommits.Item item = commits.begin(sessionKey(o));
    List<Path> staged = new ArrayList<>();
    CommitRecord record;
    try {
      staged.add(moveInto(rawStage, item.stageDirectory(rawDir(o))));
      staged.add(moveInto(goldStage, item.stageDirectory(goldDir(o))));
      details.forEach(item::detail);
      record = item.commit(runId);
    } catch (IOException | RuntimeException e) {
      for (Path p : staged) {
        AtomicFiles.deleteTree(p);
      }
      throw e;
    }
    ConstellationConsole.stop(runId); // its last line first, then the summary under it
    System.err.println(ConstellationConsole.summary(record, outputDir(o), rawDir(o), goldDir(o)));
    System.err.flush();
  }

  /** Puts {@code from} where {@code to} (an empty staged directory) is; returns {@code to}. */
  private static Path moveInto(Path from, Path to) throws IOException {
    Files.delete(to);
    Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
    return to;
  }

  /** Keys events by sensor id (one stream each). */
  static final class KeyBySensorFn extends DoFn<SensorEvent, KV<String, SensorEvent>> {
    @ProcessElement
    public void process(@Element SensorEvent e, OutputReceiver<KV<String, SensorEvent>> out) {
      out.output(KV.of(e.sensorId(), e));
    }
  }

  /** Runs one driver (with the session's faults) and emits its events. */
  static final class GenerateFn extends DoFn<Integer, SensorEvent> {
    private final SessionPlan plan;
    private final String runId;

    GenerateFn(SessionPlan plan, String runId) {
      this.plan = plan;
      this.runId = runId;
    }

    @ProcessElement
    public void process(@Element Integer index, MultiOutputReceiver out) {
      SensorDriver d = plan.drivers.get(index);
      var events = plan.faultedEvents(d);
      long samples = 0;
      AtomicLong generated = ConstellationConsole.progress(runId).ingested;
      while (events.hasNext()) {
        SensorEvent e = events.next();
        samples += e.sampleCount();
        generated.addAndGet(e.sampleCount());
        out.get(EVENTS).output(e);
      }
      Metrics.counter(NAMESPACE, "samples_ingested_" + d.modality()).inc(samples);
    }
  }

  /** Decodes records; measures ingest and Kafka latency; rejects malformed or foreign records. */
  static final class DecodeFn extends DoFn<KafkaRecord<byte[], byte[]>, SensorEvent> {
    private final SessionPlan plan;
    private final String runId;

    DecodeFn(SessionPlan plan, String runId) {
      this.plan = plan;
      this.runId = runId;
    }

    @ProcessElement
    public void process(@Element KafkaRecord<byte[], byte[]> r, MultiOutputReceiver out) {
      String item = r.getTopic() + "/" + r.getPartition() + "@" + r.getOffset();
      SensorEvent e;
      try {
        e = SensorEventCodec.decode(r.getKV().getValue());
      } catch (SensorEventFormatException ex) {
        reject(out, item, ex.getMessage());
        return;
      }
      if (!e.subjectId().equals(plan.subjectId) || !e.sessionId().equals(plan.sessionId)) {
        reject(
            out,
            item,
            "record of subject "
                + e.subjectId()
                + " session "
                + e.sessionId()
                + ", not of this session");
        return;
      }
      long now = System.currentTimeMillis();
      Metrics.counter(NAMESPACE, "samples_ingested_" + e.modality()).inc(e.sampleCount());
      ConstellationConsole.progress(runId).read.addAndGet(e.sampleCount());
      Metrics.distribution(NAMESPACE, "kafka_latency_ms")
          .update(Math.max(0, now - r.getTimestamp()));
      Header generated =
          r.getHeaders() == null ? null : r.getHeaders().lastHeader(KafkaIngest.GENERATED_HEADER);
      if (generated != null) {
        try {
          long ms = Long.parseLong(new String(generated.value(), StandardCharsets.UTF_8));
          Metrics.distribution(NAMESPACE, "latency_ms_" + e.modality())
              .update(Math.max(0, r.getTimestamp() - ms));
        } catch (NumberFormatException ex) {
          // A header written by another producer: no latency to measure, the record is still good.
        }
      }
      out.get(EVENTS).output(e);
    }

    private static void reject(MultiOutputReceiver out, String item, String why) {
      Metrics.counter(NAMESPACE, "records_rejected").inc();
      out.get(FAILURES).output(new Failure("constellation", item, "DecodeEvents", why));
    }
  }

  /** Aligns one sensor's packets on the session grid ({@link StreamSync}). */
  static final class AlignFn extends DoFn<KV<String, Iterable<SensorEvent>>, AlignedStream> {
    private final SessionPlan plan;
    private final String runId;

    AlignFn(SessionPlan plan, String runId) {
      this.plan = plan;
      this.runId = runId;
    }

    @ProcessElement
    public void process(
        @Element KV<String, Iterable<SensorEvent>> stream, OutputReceiver<AlignedStream> out) {
      SensorDriver d =
          plan.driver(stream.getKey())
              .orElseThrow(
                  () -> new IllegalStateException("no driver for sensor " + stream.getKey()));
      List<Packet> packets = new ArrayList<>();
      for (SensorEvent e : stream.getValue()) {
        if (e == null) {
          continue; // the stream's marker
        }
        packets.add(
            e.isBytePayload()
                ? Packet.ofBytes(e.seq(), e.timestampNs(), e.sampleCount(), e.bytes())
                : Packet.ofFloats(e.seq(), e.timestampNs(), e.sampleCount(), e.samples()));
      }
      StreamSync.Result r = StreamSync.align(plan.spec(d), packets);
      Metrics.counter(NAMESPACE, "packets_dropped_" + d.modality())
          .inc(r.report().droppedPackets());
      Metrics.counter(NAMESPACE, "gap_samples_" + d.modality()).inc(r.report().gapSamples());
      ConstellationConsole.Progress progress = ConstellationConsole.progress(runId);
      progress.synced.addAndGet(r.report().samples() - r.report().gapSamples());
      progress.aligned.incrementAndGet();
      out.output(
          new AlignedStream(
              d.modality(),
              d.sensorId(),
              d.deviceId(),
              d.unit(),
              d.sampleRate(),
              d.channels(),
              d.meta(),
              r));
    }
  }
}
