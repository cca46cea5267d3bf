package io.beamline.pipelines.stream.process;

import io.beamline.framework.UserInputException;
import io.beamline.framework.run.SignalDrain;
import io.beamline.io.HostName;
import io.beamline.io.kafka.KafkaClients;
import io.beamline.io.kafka.KafkaPreflight;
import io.beamline.io.kafka.KafkaUnreachableException;
import io.beamline.io.swf.MsgType;
import io.beamline.io.swf.SwfTopics;
import io.beamline.io.swf.WorkflowMessage;
import io.beamline.io.swf.WorkflowMessages;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What runs beside the pipeline of {@code stream process}: checks the broker, creates the
 * workflow's topics where missing, sends a heartbeat every {@code --heartbeat-seconds} on {@code
 * swf.heartbeat} ({@code STARTING}, then {@code PROCESSING} while messages are handled, else {@code
 * READY}; one {@code EXITED} on close), and turns SIGTERM or Ctrl-C into a drain: the run is asked
 * to stop ({@link ProcessControl}) and the JVM's exit waits until the pipeline has finished.
 */
final class ProcessAgent implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ProcessAgent.class);
  private static final Duration DRAIN_LIMIT = Duration.ofSeconds(60);

  private final ProcessSettings settings;
  private final KafkaProducer<byte[], byte[]> producer;
  private final ScheduledExecutorService beats;
  private final SignalDrain drain;
  private long lastActivity = -1;

  private ProcessAgent(ProcessSettings settings, int heartbeatSeconds) {
    this.settings = settings;
    this.producer = KafkaClients.producer(PublishModule.producerProps(settings.broker()));
    this.beats =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "stream-process-heartbeat");
              t.setDaemon(true);
              return t;
            });
    beats.scheduleAtFixedRate(this::beat, 0, heartbeatSeconds, TimeUnit.SECONDS);
    this.drain =
        SignalDrain.install(
            "stream-process-drain",
            () -> ProcessControl.of(settings.token()).requestStop(),
            DRAIN_LIMIT);
  }

  /** Checks the broker, creates the topics and starts the heartbeats and the signal handler. */
  static ProcessAgent start(ProcessSettings settings, int heartbeatSeconds) {
    try {
      KafkaPreflight.check(settings.broker(), Duration.ofSeconds(10));
    } catch (KafkaUnreachableException | IllegalArgumentException e) {
      throw new UserInputException(
          "--broker " + settings.broker() + ": " + e.getMessage() + "; start the broker or fix it",
          e);
    }
    createTopics(settings.broker());
    StfSummaries.warmUp();
    return new ProcessAgent(settings, heartbeatSeconds);
  }

  /** Creates the workflow's topics where missing, one partition each. */
  static void createTopics(String broker) {
    Properties p = new Properties();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker);
    try (Admin admin = KafkaClients.admin(p)) {
      SwfTopics.ensure(admin, SwfTopics.ALL);
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e.getMessage() + " at " + broker, e);
    }
  }

  /** This agent's instance name: {@code process@<host>-<pid>}. */
  static String agentName() {
    return "process@" + HostName.get() + "-" + ProcessHandle.current().pid();
  }

  private void beat() {
    long now = ProcessControl.of(settings.token()).activity();
    String state = lastActivity < 0 ? "STARTING" : now != lastActivity ? "PROCESSING" : "READY";
    lastActivity = now;
    send(state);
  }

  private synchronized void send(String operationalState) {
    WorkflowMessage m =
        WorkflowMessage.of(
                MsgType.HEARTBEAT,
                new WorkflowMessage.Envelope(
                    settings.namespace(), settings.runId(), settings.agent()),
                0,
                Instant.now(),
                0,
                "agent",
                operationalState.toLowerCase(java.util.Locale.ROOT))
            .with("agent_type", "process")
            .with("pid", ProcessHandle.current().pid())
            .with("hostname", HostName.get())
            .with("operational_state", operationalState)
            .with("status", "OK");
    try {
      producer
          .send(
              new ProducerRecord<>(
                  SwfTopics.HEARTBEAT,
                  settings.agent().getBytes(StandardCharsets.UTF_8),
                  WorkflowMessages.encode(m)))
          .get(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      // A missed heartbeat is what the monitor watches for; the pipeline goes on.
      LOG.warn("heartbeat not sent: {}", e.getMessage());
    }
  }

  /** Whether a SIGTERM/Ctrl-C (or {@code --exit-after-runs}) asked the run to stop. */
  boolean stopRequested() {
    return ProcessControl.of(settings.token()).stopping();
  }

  @Override
  public void close() {
    beats.shutdownNow();
    send("EXITED");
    producer.close(Duration.ofSeconds(10));
    drain.close();
    LOG.info(
        "stream process stopped; runs closed: {}",
        ProcessControl.of(settings.token()).runsClosed());
    ProcessControl.release(settings.token());
  }
}
