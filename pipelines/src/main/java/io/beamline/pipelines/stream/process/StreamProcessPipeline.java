package io.beamline.pipelines.stream.process;

import io.beamline.framework.BeamlinePipeline;
import io.beamline.framework.ModuleParameters;
import io.beamline.framework.RunnerNames;
import io.beamline.framework.UserInputException;
import io.beamline.framework.module.Module;
import io.beamline.framework.run.CommitProgress;
import io.beamline.framework.run.Runs;
import io.beamline.io.swf.SwfTopics;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.joda.time.Duration;

/**
 * {@code beamline stream process}: the streaming workflow's processing agent, an unbounded pipeline
 * over Kafka (see the package description for the stages and the exactly-once design).
 *
 * <p>Outputs under {@code <output-dir>/stream-process/}: {@code
 * stf/run=<run>/swf.<run>.<seq>.parquet} (one summary row per STF), {@code
 * runs/run=<run>/summary.json} and {@code stfs.parquet}, {@code fastmon/run=<run>/*.tf} (sampled TF
 * files) and {@code histograms/run=<run>/<kind>/<window>.json}; commit records under {@code
 * <output-dir>/commits/stream-process/}.
 *
 * <pre>{@code
 * beamline stream process --broker localhost:9092 --output-dir out --exit-after-runs 1
 * }</pre>
 */
public final class StreamProcessPipeline implements BeamlinePipeline<ProcessOptions> {
  /** Metrics namespace of the pipeline's counters. */
  static final String NAMESPACE = "stream_process";

  /** Seconds a drained Spark job runs on before it is stopped (the final histogram panes). */
  private static final long SPARK_STOP_GRACE_S = 3;

  @Override
  public String name() {
    return "stream-process";
  }

  @Override
  public List<String> commandPath() {
    return List.of("stream", "process");
  }

  @Override
  public String summary() {
    return "Process the DAQ's super time frames from Kafka exactly once: per-STF and per-run"
        + " summaries, fast-monitoring samples and windowed histograms";
  }

  @Override
  public Class<ProcessOptions> optionsClass() {
    return ProcessOptions.class;
  }

  @Override
  public Map<String, List<String>> moduleParameters() {
    return ModuleParameters.of("read-daq", "catch-up", "namespace", "watermark-delay-seconds")
        .module(
            "fast-monitor",
            "fastmon-fraction",
            "fastmon-partitions",
            "seed",
            "slice-tfs",
            "window-seconds")
        .asMap();
  }

  @Override
  public void validate(ProcessOptions o) {
    if (o.getBroker() == null
        || !o.getBroker().matches("[^,:\\s]+:\\d{1,5}(,[^,:\\s]+:\\d{1,5})*")) {
      throw new UserInputException(
          "--broker must be HOST:PORT[,HOST:PORT...], got " + o.getBroker());
    }
    if (o.getNamespace() == null || o.getNamespace().isBlank()) {
      throw new UserInputException("--namespace must not be empty");
    }
    if (o.getGroup() == null || o.getGroup().isBlank()) {
      throw new UserInputException("--group must not be empty");
    }
    range("--heartbeat-seconds", o.getHeartbeatSeconds(), 1, 3600);
    range("--exit-after-runs", o.getExitAfterRuns(), 0, Integer.MAX_VALUE);
    range("--fastmon-partitions", o.getFastmonPartitions(), 1, 1000);
    range("--slice-tfs", o.getSliceTfs(), 1, Integer.MAX_VALUE);
    if (!(o.getFastmonFraction() > 0 && o.getFastmonFraction() <= 1)) {
      throw new UserInputException(
          "--fastmon-fraction must be in (0, 1], got " + o.getFastmonFraction());
    }
    range("--run-timeout-seconds", o.getRunTimeoutSeconds(), 0, Integer.MAX_VALUE);
    if (o.getWindowSeconds() < 1 || o.getWatermarkDelaySeconds() < 0) {
      throw new UserInputException(
          "--window-seconds must be >= 1 and --watermark-delay-seconds >= 0, got "
              + o.getWindowSeconds()
              + " and "
              + o.getWatermarkDelaySeconds());
    }
  }

  /**
   * Tested on an embedded Flink cluster (StreamProcessIT): the same exactly-once outcome across
   * SIGKILL and restart as on the DirectRunner, without the DirectRunner's monitor thread that
   * holds a core while the process waits for data.
   */
  @Override
  public boolean runsOnFlink() {
    return true;
  }

  @Override
  public void build(Pipeline p, ProcessOptions o) {
    ProcessSettings s = settings(o);
    ReadDaqModule readDaq =
        Module.from(new ReadDaqModule.Config(s, SwfTopics.DAQ, largeBundles(o)));
    ProcessStfsModule processStfs = Module.from(new ProcessStfsModule.Config(s));
    FastMonitorModule fastMonitor =
        Module.from(
            new FastMonitorModule.Config(
                s.outputDir(),
                s.agent(),
                o.getFastmonFraction(),
                o.getFastmonPartitions(),
                o.getSeed(),
                o.getSliceTfs(),
                o.getWindowSeconds()));
    CloseRunsModule closeRuns =
        Module.from(
            new CloseRunsModule.Config(
                s, o.getRunTimeoutSeconds(), !RunnerNames.is(o, RunnerNames.SPARK)));
    PublishModule publish = Module.from(new PublishModule.Config("publish", s.broker()));
    PublishModule publishRunEnds =
        Module.from(new PublishModule.Config("publish-run-ends", s.broker()));
    CommitOffsetsModule commitOffsets =
        Module.from(new CommitOffsetsModule.Config(s.broker(), s.group()));

    // Read the DAQ's messages, process each STF once, sample it for fast monitoring, send what
    // happened, close the runs whose STFs are all done and answered, send their ends, then commit
    // the offsets of what is done.
    PCollectionTuple messages = p.apply(readDaq);
    PCollectionTuple stfs = messages.get(ReadDaqModule.STF_GEN_TAG).apply(processStfs);
    PCollection<Outbound> answers = stfs.get(ProcessStfsModule.OUTCOMES_TAG).apply(fastMonitor);
    PCollectionTuple sent =
        PCollectionList.of(messages.get(ReadDaqModule.DEAD_LETTERS_TAG))
            .and(answers)
            .apply("ToSend", Flatten.pCollections())
            .apply(publish);
    PCollectionTuple runs =
        PCollectionTuple.of(ReadDaqModule.LIFECYCLE_TAG, messages.get(ReadDaqModule.LIFECYCLE_TAG))
            .and(PublishModule.ANSWERED_TAG, sent.get(PublishModule.ANSWERED_TAG))
            .apply(closeRuns);
    PCollectionTuple runEndsSent =
        runs.get(CloseRunsModule.RUN_PROCESSED_TAG).apply(publishRunEnds);
    PCollectionList.of(sent.get(PublishModule.ACKS_TAG))
        .and(runEndsSent.get(PublishModule.ACKS_TAG))
        .and(messages.get(ReadDaqModule.ACKS_TAG))
        .and(stfs.get(ProcessStfsModule.ACKS_TAG))
        .and(runs.get(CloseRunsModule.ACKS_TAG))
        .apply("AllAcks", Flatten.pCollections())
        .apply(commitOffsets);
  }

  /**
   * {@code --catch-up} on the DirectRunner: read Kafka through KafkaIO's splittable-DoFn read. Its
   * legacy reader (the default) hands on at most 10 records per bundle as soon as they are there,
   * and every bundle pays the runner's fixed cost in each of the pipeline's ~10 steps (the
   * evaluator made anew, timers scanned): most of {@code process}'s time when a backlog waits. The
   * splittable read hands on up to 100 records per bundle (the DirectRunner's checkpoint size), but
   * ends a bundle only when a poll comes back empty or a second has passed, so each STF waits about
   * a second (see docs/performance.md). The SparkRunner cannot run that read in streaming mode; it
   * keeps the legacy reader, in its micro-batches.
   */
  static boolean largeBundles(ProcessOptions o) {
    return o.getCatchUp() && RunnerNames.is(o, RunnerNames.DIRECT);
  }

  private static void range(String flag, long value, long lo, long hi) {
    if (value < lo || value > hi) {
      throw new UserInputException(
          flag
              + " must be in "
              + lo
              + ".."
              + (hi == Integer.MAX_VALUE ? "" : hi)
              + ", got "
              + value);
    }
  }

  /** The run resolved once from its options. */
  static ProcessSettings settings(ProcessOptions o) {
    if (o.getRunId() == null || o.getRunId().isBlank()) {
      o.setRunId(Runs.newRunId("stream-process"));
    }
    Path out = Paths.get(o.getOutputDir()).toAbsolutePath().normalize();
    return new ProcessSettings(
        o.getBroker(),
        o.getGroup(),
        o.getNamespace(),
        out.resolve("stream-process").toString(),
        out.toString(),
        o.getRunId(),
        ProcessAgent.agentName(),
        o.getRunId(),
        o.getWatermarkDelaySeconds() * 1000,
        o.getExitAfterRuns());
  }

  /**
   * On a Spark master in this JVM the streaming job is stopped once a requested stop is drained
   * ({@link StreamingStop}); elsewhere the runner decides (the DirectRunner ends when the source's
   * watermark reached the end of time and the work in flight is done).
   */
  @Override
  public PipelineResult.State waitUntilFinish(ProcessOptions o, PipelineResult result)
      throws Exception {
    if (!RunnerNames.is(o, RunnerNames.SPARK) || CommitProgress.workersElsewhere(o)) {
      return result.waitUntilFinish();
    }
    return StreamingStop.await(
        settings(o), result, Duration.millis(500), Duration.standardSeconds(SPARK_STOP_GRACE_S));
  }

  @Override
  public AutoCloseable beforeRun(ProcessOptions o, Path runDir) {
    return ProcessAgent.start(settings(o), o.getHeartbeatSeconds());
  }
}
