package io.beamline.pipelines.stream.daq;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.beamline.io.swf.MsgType;
import io.beamline.io.swf.WorkflowMessage;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MessageFaultsTest {
  private static final WorkflowMessage.Envelope ENV =
      new WorkflowMessage.Envelope("beamline", "daq-x", "daq@test");
  private static final Instant T = Instant.parse("2026-12-06T21:00:00Z");

  private static WorkflowMessage msg(MsgType type, int seq) {
    WorkflowMessage m = WorkflowMessage.of(type, ENV, 100010, T.plusSeconds(seq), seq, "run", "x");
    return type == MsgType.STF_GEN ? m.with("sequence", seq) : m;
  }

  /** What reaches the broker for one run of {@code stfs} STFs. */
  private static List<WorkflowMessage> play(MessageFaults f, int stfs) {
    List<WorkflowMessage> sent = new ArrayList<>(f.toSend(msg(MsgType.START_RUN, 0)));
    for (int s = 1; s <= stfs; s++) {
      sent.addAll(f.toSend(msg(MsgType.STF_GEN, s)));
    }
    sent.addAll(f.toSend(msg(MsgType.END_RUN, stfs + 1)));
    sent.addAll(f.drain());
    return sent;
  }

  private static List<Long> sequences(List<WorkflowMessage> sent) {
    return sent.stream()
        .filter(m -> m.type() == MsgType.STF_GEN)
        .map(m -> m.integer("sequence"))
        .toList();
  }

  @Test
  void withoutFaultsEverythingGoesOutOnceInOrder() {
    List<WorkflowMessage> sent = play(MessageFaults.none(), 5);
    assertEquals(List.of(1L, 2L, 3L, 4L, 5L), sequences(sent));
    assertEquals(MsgType.END_RUN, sent.get(sent.size() - 1).type());
  }

  @Test
  void duplicatesAndDelaysAreSeededAndLoseNothing() {
    MessageFaults f = new MessageFaults(0.3, 0.3, 42);
    List<WorkflowMessage> sent = play(f, 40);
    List<Long> seqs = sequences(sent);
    Map<Long, Integer> times = new HashMap<>();
    seqs.forEach(s -> times.merge(s, 1, Integer::sum));
    assertEquals(40, times.size(), "every STF announced");
    assertEquals(40 + f.duplicated(), seqs.size());
    assertEquals(f.duplicated(), times.values().stream().filter(n -> n == 2).count());
    assertTrue(f.duplicated() >= 5 && f.duplicated() <= 20, "duplicated " + f.duplicated());
    assertTrue(f.delayed() >= 5 && f.delayed() <= 20, "delayed " + f.delayed());
    List<Long> firsts = seqs.stream().distinct().toList();
    assertNotEquals(firsts.stream().sorted().toList(), firsts, "some arrive out of order");
    assertEquals(1, sent.stream().filter(m -> m.type() == MsgType.END_RUN).count());
    assertEquals(MsgType.START_RUN, sent.get(0).type(), "lifecycle messages are not touched");
    assertEquals(seqs, sequences(play(new MessageFaults(0.3, 0.3, 42), 40)), "same seed");
    assertNotEquals(seqs, sequences(play(new MessageFaults(0.3, 0.3, 43), 40)));
  }

  @Test
  void aHeldBackLastStfArrivesAfterEndRun() {
    List<WorkflowMessage> sent = play(new MessageFaults(0, 1, 1), 3);
    List<MsgType> types = sent.stream().map(WorkflowMessage::type).toList();
    assertEquals(
        List.of(
            MsgType.START_RUN, MsgType.STF_GEN, MsgType.STF_GEN, MsgType.END_RUN, MsgType.STF_GEN),
        types);
    assertEquals(List.of(1L, 2L, 3L), sequences(sent));
  }
}
