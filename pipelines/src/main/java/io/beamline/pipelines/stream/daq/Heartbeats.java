package io.beamline.pipelines.stream.daq;

import io.beamline.io.swf.MsgType;
import io.beamline.io.swf.SwfTopics;
import io.beamline.io.swf.WorkflowMessage;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's heartbeats on {@code swf.heartbeat} (key: the agent's name): one at once, then every
 * period in real time from a thread of their own, with the current operational state, and one with
 * {@code EXITED} on {@link #close()}. A heartbeat that cannot be sent is logged and the next one
 * tried: liveness reporting never stops the work it reports on.
 */
final class Heartbeats implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Heartbeats.class);

  private final DaqSimulator.Sink sink;
  private final WorkflowMessage.Envelope envelope;
  private final String hostname;
  private final DaqSimulator daq;
  private final ScheduledExecutorService timer;
  private volatile String operationalState;

  /**
   * Starts sending.
   *
   * @param daq the simulator whose run, tick and state the heartbeats carry
   * @param operationalState what the heartbeats report until {@link #state} changes it
   */
  Heartbeats(
      DaqSimulator.Sink sink,
      WorkflowMessage.Envelope envelope,
      String hostname,
      Duration period,
      DaqSimulator daq,
      String operationalState) {
    this.operationalState = operationalState;
    this.sink = sink;
    this.envelope = envelope;
    this.hostname = hostname;
    this.daq = daq;
    this.timer =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "daq-heartbeat");
              t.setDaemon(true);
              return t;
            });
    long ms = Math.max(1, period.toMillis());
    timer.scheduleAtFixedRate(this::beatQuietly, 0, ms, TimeUnit.MILLISECONDS);
  }

  /** The operational state the next heartbeats report ({@code READY}, {@code PROCESSING}). */
  void state(String operationalState) {
    this.operationalState = operationalState;
  }

  private void beatQuietly() {
    try {
      beat(operationalState);
    } catch (IOException | RuntimeException e) {
      LOG.warn("heartbeat not sent: {}", e.getMessage());
    }
  }

  private void beat(String state) throws IOException {
    WorkflowMessage m =
        WorkflowMessage.of(
                MsgType.HEARTBEAT,
                envelope,
                daq.currentRun(),
                Instant.now(),
                daq.tick(),
                daq.state(),
                daq.substate())
            .with("agent_type", "daq")
            .with("pid", ProcessHandle.current().pid())
            .with("hostname", hostname)
            .with("operational_state", state)
            .with("status", "OK");
    sink.send(SwfTopics.HEARTBEAT, envelope.agent(), m);
  }

  /** Stops the periodic heartbeats and sends the {@code EXITED} one. */
  @Override
  public void close() throws IOException {
    timer.shutdownNow();
    try {
      timer.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    beat("EXITED");
  }
}
