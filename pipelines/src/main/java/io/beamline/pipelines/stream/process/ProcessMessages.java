package io.beamline.pipelines.stream.process;

import io.beamline.io.swf.MsgType;
import io.beamline.io.swf.SwfTopics;
import io.beamline.io.swf.WorkflowMessage;
import io.beamline.io.swf.WorkflowMessages;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The messages {@code process} sends, as {@link Outbound} records: each answers a DAQ message and
 * copies its namespace, execution id, run, simulation tick, state and substate (the contract's rule
 * for agents that react), with this agent's name and the current time.
 */
final class ProcessMessages {
  private ProcessMessages() {}

  /** A message of {@code type} answering {@code source}, with no type fields yet. */
  static WorkflowMessage reply(WorkflowMessage source, MsgType type, String agent) {
    return WorkflowMessage.of(
        type,
        new WorkflowMessage.Envelope(source.namespace(), source.executionId(), agent),
        source.runId(),
        Instant.now(),
        source.simulationTick(),
        source.state(),
        source.substate());
  }

  /** {@code m} on {@code swf.processing}, keyed by its run, completing {@code ack} (or null). */
  static Outbound toProcessing(WorkflowMessage m, Ack ack) {
    return Outbound.of(
        SwfTopics.PROCESSING, Long.toString(m.runId()), WorkflowMessages.encodeString(m), ack);
  }

  /**
   * {@code stf_processed} for {@code o}, answering {@code source}: its {@code stf_gen}, or the
   * run's {@code end_run} when the STF is announced again from its commit record as its run closes.
   */
  static WorkflowMessage stfProcessed(StfOutcome o, WorkflowMessage source, String agent) {
    return reply(source, MsgType.STF_PROCESSED, agent)
        .with("filename", o.filename())
        .with("sequence", (long) o.sequence())
        .with("tf_count", (long) o.tfCount())
        .with("hits", o.hits())
        .with("status", o.status())
        .with("reason", o.reason())
        .with("checksum_ok", o.checksumOk());
  }

  /**
   * {@code run_processed} for a closed run, after the encoded messages {@code before} (its STFs
   * announced again), completing its {@code end_run}.
   */
  static Outbound runProcessed(
      Inbound endRun, RunSummaries.Totals t, List<String> before, String agent) {
    WorkflowMessage m =
        reply(endRun.message(), MsgType.RUN_PROCESSED, agent)
            .with("stf_count", t.stfCount())
            .with("processed", t.processed())
            .with("failed", t.failed());
    List<String> values = new ArrayList<>(before);
    values.add(WorkflowMessages.encodeString(m));
    return new Outbound(SwfTopics.PROCESSING, Long.toString(m.runId()), values, endRun.ack());
  }
}
