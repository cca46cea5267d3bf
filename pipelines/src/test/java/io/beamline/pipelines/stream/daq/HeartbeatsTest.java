package io.beamline.pipelines.stream.daq;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.beamline.io.swf.MsgType;
import io.beamline.io.swf.SwfTopics;
import io.beamline.io.swf.WorkflowMessage;
import io.beamline.io.swf.WorkflowMessages;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HeartbeatsTest {

  @Test
  void oneAtOnceThenExitedOnClose(@TempDir Path dir) throws Exception {
    WorkflowMessage.Envelope env = new WorkflowMessage.Envelope("ns", "daq-x", "daq@h-1");
    DaqSchedule d = DaqSchedule.defaults();
    DaqSimulator daq =
        new DaqSimulator(
            new DaqStateMachine(d, Duration.ofSeconds(2), DaqStateMachine.Stop.periods(d)),
            new DaqSimulator.Settings(dir, 1, 1, 1, 1, 1),
            env,
            RunNumbers.counterFile(dir.resolve("c")),
            (t, k, m) -> {},
            DaqSimulator.Pacer.none(),
            line -> {});
    List<String[]> sent = Collections.synchronizedList(new ArrayList<>());
    Heartbeats beats =
        new Heartbeats(
            (topic, key, m) ->
                sent.add(
                    new String[] {
                      topic, key, WorkflowMessages.encodeString(m), m.string("operational_state")
                    }),
            env,
            "h",
            Duration.ofHours(1),
            daq,
            "PROCESSING");
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (sent.isEmpty() && System.nanoTime() < deadline) {
      Thread.onSpinWait();
    }
    beats.close();
    assertEquals(2, sent.size());
    assertEquals("PROCESSING", sent.get(0)[3]);
    assertEquals("EXITED", sent.get(1)[3]);
    for (String[] s : sent) {
      assertEquals(SwfTopics.HEARTBEAT, s[0]);
      assertEquals("daq@h-1", s[1]);
      WorkflowMessage m = WorkflowMessages.decode(s[2]);
      assertEquals(MsgType.HEARTBEAT, m.type());
      assertEquals("daq", m.string("agent_type"));
      assertEquals(ProcessHandle.current().pid(), m.integer("pid"));
      assertEquals(0L, m.runId());
      assertTrue(m.string("status").equals("OK"));
    }
  }
}
