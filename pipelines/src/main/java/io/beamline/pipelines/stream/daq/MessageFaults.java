package io.beamline.pipelines.stream.daq;

import io.beamline.io.swf.MsgType;
import io.beamline.io.swf.WorkflowMessage;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Seeded faults of the network between the DAQ and its readers, for testing the agents that follow
 * it ({@code --duplicate-fraction}, {@code --delay-fraction}): a share of the {@code stf_gen}
 * messages is sent twice (the copy goes out after the next message), and a share is held back and
 * sent after the next STF's, out of order, or after {@code end_run} when it was the run's last, as
 * late data. Lifecycle messages are never touched: a reader must cope with duplicated and late STF
 * announcements, not with a run that never starts.
 */
final class MessageFaults {
  private final double duplicate;
  private final double delay;
  private final SplittableRandom random;
  private final List<WorkflowMessage> held = new ArrayList<>();
  private final List<WorkflowMessage> copies = new ArrayList<>();
  private int duplicated;
  private int delayed;

  /** Faults drawn from {@code seed}; fractions in [0, 1]. */
  MessageFaults(double duplicateFraction, double delayFraction, long seed) {
    this.duplicate = duplicateFraction;
    this.delay = delayFraction;
    // Its own stream, so turning faults on does not change the STFs' hits.
    this.random = new SplittableRandom(seed ^ 0x6661756c74734cL);
  }

  /** No faults. */
  static MessageFaults none() {
    return new MessageFaults(0, 0, 0);
  }

  /**
   * The messages to send now, in order, when the DAQ would send {@code m}: {@code m} itself unless
   * it is held back; then what was held back or copied earlier (after an {@code end_run}: all of
   * it).
   */
  List<WorkflowMessage> toSend(WorkflowMessage m) {
    List<WorkflowMessage> now = new ArrayList<>();
    boolean stf = m.type() == MsgType.STF_GEN;
    boolean hold = stf && delay > 0 && random.nextDouble() < delay;
    boolean copy = stf && duplicate > 0 && random.nextDouble() < duplicate;
    if (!hold) {
      now.add(m);
    }
    if (stf || m.type() == MsgType.END_RUN) {
      now.addAll(held);
      held.clear();
    }
    now.addAll(copies);
    copies.clear();
    if (hold) {
      held.add(m);
      delayed++;
    }
    if (copy) {
      copies.add(m);
      duplicated++;
    }
    return now;
  }

  /** What is still held back or waiting to be copied (sent before the DAQ exits). */
  List<WorkflowMessage> drain() {
    List<WorkflowMessage> rest = new ArrayList<>(held);
    rest.addAll(copies);
    held.clear();
    copies.clear();
    return rest;
  }

  /** {@code stf_gen} messages sent twice so far. */
  int duplicated() {
    return duplicated;
  }

  /** {@code stf_gen} messages held back so far. */
  int delayed() {
    return delayed;
  }
}
