package io.beamline.pipelines.constellation;

import static io.beamline.pipelines.constellation.ConstellationPipeline.BOOTSTRAP_FILE;
import static io.beamline.pipelines.constellation.ConstellationPipeline.goldDir;
import static io.beamline.pipelines.constellation.ConstellationPipeline.plan;
import static io.beamline.pipelines.constellation.ConstellationPipeline.rawDir;
import static io.beamline.pipelines.constellation.ConstellationPipeline.runDir;

import io.beamline.framework.module.ModuleConfig;

/**
 * The settings of each stage of one run, resolved once from validated options.
 *
 * @param source {@link DriverSource} ({@code --no-kafka}) or {@link KafkaSource}
 * @param align the sync stage
 * @param outputs the outputs stage
 */
record ConstellationSettings(
    ModuleConfig<? extends SessionSource<?>> source,
    AlignStreams.Config align,
    SessionOutputs.Config outputs) {

  /**
   * Streaming: once the ingest ended, how long the read may take to catch up with what was sent
   * before it ends anyway.
   */
  static final long STREAMING_DRAIN_MS = 30_000;

  /**
   * Streaming: how long after the session's planned end the read ends in any case (its packets are
   * paced on a clock that starts when the ingest does, seconds after the planned start).
   */
  static final long STREAMING_LIMIT_MS = 300_000;

  /** Every stage's config, from options that passed {@link ConstellationPipeline#validate}. */
  static ConstellationSettings resolve(ConstellationOptions o) {
    SessionPlan plan = plan(o);
    String runId = o.getRunId();
    Windowing windowing = o.isStreaming() ? Windowing.eventTime(plan) : Windowing.session();
    return new ConstellationSettings(
        source(o, plan),
        new AlignStreams.Config(plan, runId, windowing),
        // Batch: every output goes to the run's staging sets; afterRun commits them as a whole.
        // Streaming: each window's outputs land live in the session's directories.
        new SessionOutputs.Config(
            plan,
            runId,
            SessionCommit.target(rawDir(o), runId, o.isStreaming()).toString(),
            SessionCommit.target(goldDir(o), runId, o.isStreaming()).toString(),
            o.getSubjectId() + "_" + o.getSessionId(),
            o.getShardSize(),
            windowing,
            NwbSessionMetadata.header(o, plan)));
  }

  /**
   * {@code --no-kafka}: the drivers in the graph. Batch: the records appended since now, exactly as
   * many as the session holds, within a generous read time. Streaming: a live read of each topic
   * from its start on packet event time, ending when the session is over ({@link
   * KafkaSource.LivePolicy}).
   */
  private static ModuleConfig<? extends SessionSource<?>> source(
      ConstellationOptions o, SessionPlan plan) {
    if (o.getNoKafka()) {
      return new DriverSource.Config(plan, o.getRunId());
    }
    String bootstrap = o.getKafkaBootstrap() == null ? "embedded:0" : o.getKafkaBootstrap();
    String bootstrapFile = runDir(o).resolve(BOOTSTRAP_FILE).toString();
    long now = System.currentTimeMillis();
    if (o.isStreaming()) {
      return new KafkaSource.Config(
          plan,
          o.getRunId(),
          bootstrap,
          bootstrapFile,
          null,
          new KafkaSource.Live(now, STREAMING_DRAIN_MS, STREAMING_LIMIT_MS));
    }
    return new KafkaSource.Config(
        plan,
        o.getRunId(),
        bootstrap,
        bootstrapFile,
        new KafkaSource.Bounded(now, 1000 * Math.max(120, 20 * (long) o.getDuration())),
        null);
  }
}
