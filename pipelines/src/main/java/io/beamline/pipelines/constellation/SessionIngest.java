package io.beamline.pipelines.constellation;

import static io.beamline.pipelines.constellation.ConstellationPipeline.BOOTSTRAP_FILE;
import static io.beamline.pipelines.constellation.ConstellationPipeline.INGEST_FILE;
import static io.beamline.pipelines.constellation.ConstellationPipeline.expectedOutputs;
import static io.beamline.pipelines.constellation.ConstellationPipeline.plan;

import io.beamline.framework.BeamlinePipeline;
import io.beamline.framework.run.RunConsole;
import io.beamline.framework.run.SignalDrain;
import io.beamline.io.files.AtomicFiles;
import io.beamline.io.kafka.EmbeddedKafka;
import io.beamline.io.kafka.KafkaClients;
import io.beamline.io.sensors.SensorDriver;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a constellation run does beside its graph, before it runs: the progress line, the embedded
 * Kafka broker and the ingest stage (the drivers publishing the session, all at once in batch, in
 * real time with {@code --streaming}).
 */
final class SessionIngest {
  private static final Logger LOG = LoggerFactory.getLogger(ConstellationPipeline.class);

  private SessionIngest() {}

  /**
   * Starts the progress line and what the graph reads from: the embedded broker (unless {@code
   * --kafka-bootstrap} or {@code --no-kafka}), then runs the ingest stage. A given bootstrap was
   * checked during validation; the clients check it again as they are made ({@link KafkaClients}).
   * The returned handle stops the line and the broker, and removes this run's staging sets if they
   * were not committed (the graph failed).
   */
  static AutoCloseable start(ConstellationOptions o, Path runDir) throws Exception {
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
      if (o.isStreaming()) {
        // While the broker starts (startBroker's thread): the first window should not pay for it.
        WarmUp.windowOutputs(plan(o));
      }
      String bootstrap = o.getKafkaBootstrap();
      if (bootstrap == null) {
        broker = takeBroker(o, runDir);
        bootstrap = broker.bootstrapServers();
        LOG.info(RunConsole.PROGRESS, "Embedded Kafka broker at {}", bootstrap);
      }
      if (o.isStreaming()) {
        return startStreamingIngest(o, runDir, bootstrap, broker, console);
      }
      AtomicFiles.writeString(runDir.resolve(BOOTSTRAP_FILE), bootstrap);
      KafkaIngest.Report report =
          KafkaIngest.run(plan(o), bootstrap, ConstellationConsole.progress(o.getRunId()).ingested);
      AtomicFiles.writeString(runDir.resolve(INGEST_FILE), SyncReports.json(report.toJson()));
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

  /** Embedded brokers started by {@link #startBroker}, by run id, until a run takes its own. */
  private static final Map<String, CompletableFuture<EmbeddedKafka>> STARTING =
      new ConcurrentHashMap<>();

  /**
   * Starts the run's embedded broker on a thread of its own (unless {@code --kafka-bootstrap} or
   * {@code --no-kafka}), so that its start-up (a JVM of its own, seconds) overlaps graph
   * construction. The handle stops the broker if the run never took it (it failed before {@link
   * #start}).
   */
  static BeamlinePipeline.Started startBroker(ConstellationOptions o, Path runDir) {
    if (o.getNoKafka() || o.getKafkaBootstrap() != null) {
      return () -> {};
    }
    String runId = o.getRunId();
    CompletableFuture<EmbeddedKafka> starting = new CompletableFuture<>();
    STARTING.put(runId, starting);
    Thread t =
        new Thread(
            () -> {
              try {
                starting.complete(
                    EmbeddedKafka.settings().withDataDir(runDir.resolve("kafka-data")).start());
              } catch (Throwable e) {
                starting.completeExceptionally(e);
              }
            },
            "constellation-broker-start");
    t.setDaemon(true);
    t.start();
    return () -> {
      CompletableFuture<EmbeddedKafka> left = STARTING.remove(runId);
      // A broker that failed to start left nothing to stop; its error was the run's to report.
      EmbeddedKafka unused = left == null ? null : left.exceptionally(e -> null).join();
      if (unused != null) {
        try {
          unused.close();
        } catch (IOException | RuntimeException e) {
          LOG.warn("Could not stop the unused embedded broker of run {}: {}", runId, e.toString());
        }
      }
    };
  }

  /** The broker {@link #startBroker} started for this run, once it is up, or a new one. */
  private static EmbeddedKafka takeBroker(ConstellationOptions o, Path runDir) throws Exception {
    CompletableFuture<EmbeddedKafka> starting = STARTING.remove(o.getRunId());
    if (starting == null) {
      return EmbeddedKafka.settings().withDataDir(runDir.resolve("kafka-data")).start();
    }
    try {
      return starting.get();
    } catch (ExecutionException e) {
      throw e.getCause() instanceof Exception ex ? ex : e;
    }
  }

  private static AutoCloseable closer(
      ConstellationOptions o, ConstellationConsole console, EmbeddedKafka broker) {
    return () -> {
      try {
        console.close();
        // Committed sets were moved away by afterRun; what is left here belongs to a failed run.
        SessionCommit.discardStaged(o);
      } finally {
        if (broker != null) {
          broker.close();
        }
      }
    };
  }

  /** Streaming: how long the ingest waits for the graph to read every topic before it starts. */
  static final Duration READERS_LIMIT = Duration.ofSeconds(60);

  /** After Ctrl-C or SIGTERM: how long the exit waits for the session to drain and commit. */
  static final Duration DRAIN_LIMIT = Duration.ofSeconds(60);

  /**
   * Streaming ingest: the session's previous sets retired (its windows are written live), topics
   * prepared, then a background thread sends every packet when its time comes on the session's
   * clock, which starts once the graph reads every topic ({@link LiveSession#awaitReaders}, at most
   * {@link #READERS_LIMIT}). When it has sent the whole session, or Ctrl-C / SIGTERM stopped it
   * early, it records the end ({@link LiveSession#ended}) and the live read ends once it has read
   * what was sent; a signal's exit waits for the session to drain and commit ({@link SignalDrain}).
   * The returned handle stops the ingest (if still running), records {@code ingest.json} and stops
   * the embedded broker.
   */
  private static AutoCloseable startStreamingIngest(
      ConstellationOptions o,
      Path runDir,
      String bootstrap,
      EmbeddedKafka broker,
      ConstellationConsole console)
      throws Exception {
    SessionPlan plan = plan(o);
    String runId = o.getRunId();
    AtomicReference<KafkaIngest.Report> report = new AtomicReference<>();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    AtomicBoolean stopRequested = new AtomicBoolean();
    AtomicLong sent = ConstellationConsole.progress(runId).ingested;
    SessionCommit.retireForLive(o, ConstellationPipeline.NAME);
    AtomicFiles.writeString(runDir.resolve(BOOTSTRAP_FILE), bootstrap);
    KafkaIngest.prepareTopics(bootstrap, plan.drivers.stream().map(plan::topic).toList());
    List<String> read = plan.driversWithRecords().stream().map(SensorDriver::sensorId).toList();
    Thread ingest =
        new Thread(
            () -> {
              try {
                // The session's clock starts once the graph reads every topic: a runner that takes
                // seconds to start its job would find the first windows' packets waiting.
                boolean stopped = false;
                try {
                  if (!LiveSession.awaitReaders(runId, read, READERS_LIMIT.toMillis())) {
                    LOG.warn(
                        "The live read did not start within {} s; the session starts anyway",
                        READERS_LIMIT.toSeconds());
                  }
                } catch (InterruptedException e) {
                  stopped = true; // Ctrl-C before the session started: send ends at once
                }
                long clockOffsetNs = KafkaIngest.clockOffsetNs(plan);
                LiveSession.clockStarted(runId, clockOffsetNs / 1_000_000L);
                if (stopped) {
                  Thread.currentThread().interrupt();
                } else {
                  LOG.info(
                      RunConsole.PROGRESS,
                      "Streaming ingest started: {} s of packets in real time (Ctrl-C ends the"
                          + " session early)",
                      o.getDuration());
                }
                report.set(KafkaIngest.send(plan, bootstrap, clockOffsetNs, sent));
              } catch (Throwable t) {
                failure.set(t);
              } finally {
                KafkaIngest.Report r = report.get();
                LiveSession.ended(runId, stopRequested.get(), r == null ? null : r.lastSeq());
              }
            },
            "constellation-ingest");
    ingest.setDaemon(true);
    SignalDrain drain =
        SignalDrain.install(
            "constellation-drain",
            () -> {
              stopRequested.set(true);
              ingest.interrupt();
              LOG.info(
                  RunConsole.PROGRESS,
                  "Stopping the session: the windows sent so far are written, then committed");
            },
            DRAIN_LIMIT);
    ingest.start();
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
              runDir.resolve(INGEST_FILE), SyncReports.json(report.get().toJson()));
          LOG.info(
              RunConsole.PROGRESS,
              "Ingested {} samples ({} bytes) in {} s",
              report.get().samples(),
              report.get().bytes(),
              String.format("%.2f", report.get().seconds()));
        }
      } finally {
        try {
          rest.close();
        } finally {
          LiveSession.forget(runId);
          drain.close();
        }
      }
    };
  }
}
