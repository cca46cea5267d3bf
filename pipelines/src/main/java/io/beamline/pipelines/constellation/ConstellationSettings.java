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

  /** Streaming: how far the watermark trails the newest packet time read. */
  static final long WATERMARK_DELAY_MS = 1000;

  /** Streaming: how long past {@code --duration} the reader may wait for the last records. */
  static final long STREAMING_GRACE_MS = 10_000;

  /** Every stage's config, from options that passed {@link ConstellationPipeline#validate}. */
  static ConstellationSettings resolve(ConstellationOptions o) {
    SessionPlan plan = plan(o);
    String runId = o.getRunId();
    Windowing windowing = o.isStreaming() ? Windowing.eventTime(plan) : Windowing.session();
    return new ConstellationSettings(
        source(o, plan),
        new AlignStreams.Config(plan, runId, windowing),
        // Every output goes to the run's staging sets; afterRun commits them as a whole.
        new SessionOutputs.Config(
            plan,
            runId,
            SessionCommit.staging(rawDir(o), runId).toString(),
            SessionCommit.staging(goldDir(o), runId).toString(),
            o.getSubjectId() + "_" + o.getSessionId(),
            o.getShardSize(),
            windowing,
            NwbSessionMetadata.header(o, plan)));
  }

  /**
   * {@code --no-kafka}: the drivers in the graph. Batch: the records appended since now, exactly as
   * many as the session holds, within a generous read time. Streaming: each topic from its start on
   * packet event time; the reader stops after the session's records (a fresh embedded topic holds
   * exactly those) or at duration + grace, so the watermark passes every window.
   */
  private static ModuleConfig<? extends SessionSource<?>> source(
      ConstellationOptions o, SessionPlan plan) {
    if (o.getNoKafka()) {
      return new DriverSource.Config(plan, o.getRunId());
    }
    String bootstrap = o.getKafkaBootstrap() == null ? "embedded:0" : o.getKafkaBootstrap();
    String bootstrapFile = runDir(o).resolve(BOOTSTRAP_FILE).toString();
    if (o.isStreaming()) {
      return new KafkaSource.Config(
          plan,
          o.getRunId(),
          bootstrap,
          bootstrapFile,
          null,
          Math.round(o.getDuration() * 1000) + STREAMING_GRACE_MS,
          o.getKafkaBootstrap() == null,
          WATERMARK_DELAY_MS);
    }
    return new KafkaSource.Config(
        plan,
        o.getRunId(),
        bootstrap,
        bootstrapFile,
        System.currentTimeMillis(),
        1000 * Math.max(120, 20 * (long) o.getDuration()),
        true,
        null);
  }
}
