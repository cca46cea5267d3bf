package io.beamline.pipelines.stream.daq;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.beamline.io.swf.MalformedMessageException;
import io.beamline.io.swf.MsgType;
import io.beamline.io.swf.StfFile;
import io.beamline.io.swf.SwfTopics;
import io.beamline.io.swf.WorkflowMessage;
import io.beamline.io.swf.WorkflowMessages;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The simulator on a simulated clock: what it sends, writes and waits for, with no sleeps. */
class DaqSimulatorTest {
  private static final Instant START = Instant.parse("2026-12-06T21:15:00Z");
  private static final WorkflowMessage.Envelope ENV =
      new WorkflowMessage.Envelope("beamline", "daq-test", "daq@test-1");

  /** A sent record, decoded back from its wire form so the codec is part of the check. */
  record Sent(String topic, String key, WorkflowMessage message) {}

  private static List<Sent> play(Path dir, int runs, DaqStateMachine.Stop stop, List<Instant> waits)
      throws Exception {
    DaqSchedule d = DaqSchedule.defaults();
    List<Sent> sent = new ArrayList<>();
    DaqSimulator sim =
        new DaqSimulator(
            new DaqStateMachine(d, Duration.ofSeconds(2), stop),
            new DaqSimulator.Settings(
                Files.createDirectories(dir.resolve("buffer")), 50, 5.0, 4, 7L, runs),
            ENV,
            RunNumbers.counterFile(dir.resolve("run-counter")),
            (topic, key, m) -> {
              try {
                sent.add(new Sent(topic, key, WorkflowMessages.decode(WorkflowMessages.encode(m))));
              } catch (MalformedMessageException e) {
                throw new AssertionError("the daq sent a message its codec refuses", e);
              }
            },
            waits::add,
            line -> {});
    sim.play(START);
    return sent;
  }

  @Test
  void twoRunsSendTheLifecycleInOrderWithSimulatedTimestamps(@TempDir Path dir) throws Exception {
    List<Instant> waits = new ArrayList<>();
    List<Sent> sent = play(dir, 2, DaqStateMachine.Stop.stfs(3), waits);
    List<String> types = sent.stream().map(s -> s.message().type().wireName()).toList();
    List<String> oneRun =
        List.of("run_imminent", "start_run", "stf_gen", "stf_gen", "stf_gen", "end_run");
    List<String> expected = new ArrayList<>(oneRun);
    expected.addAll(oneRun);
    assertEquals(expected, types);
    // Run numbers from the fresh counter; the key is the run id.
    assertEquals(100_010L, sent.get(0).message().runId());
    assertEquals(100_011L, sent.get(6).message().runId());
    for (Sent s : sent) {
      assertEquals(SwfTopics.DAQ, s.topic());
      assertEquals(Long.toString(s.message().runId()), s.key());
      assertEquals("daq-test", s.message().executionId());
    }
    // A run lasts 24 s with 3 STFs; the second starts where the first ended.
    assertEquals(START.plusSeconds(6), sent.get(0).message().timestamp());
    assertEquals(START.plusSeconds(19), sent.get(5).message().timestamp());
    assertEquals(START.plusSeconds(24 + 6), sent.get(6).message().timestamp());
    // The pacer was asked for every step's instant, in order: real time would play them there.
    assertEquals(START, waits.get(0));
    assertEquals(START.plusSeconds(48), waits.get(waits.size() - 1));
    for (int i = 1; i < waits.size(); i++) {
      assertTrue(!waits.get(i).isBefore(waits.get(i - 1)));
    }
    // Ticks grow with every step.
    for (int i = 1; i < sent.size(); i++) {
      assertTrue(
          sent.get(i).message().simulationTick() > sent.get(i - 1).message().simulationTick());
    }
  }

  @Test
  void everyStfGenDescribesItsFileAndEndRunCountsThem(@TempDir Path dir) throws Exception {
    List<Sent> sent =
        play(dir, 1, DaqStateMachine.Stop.periods(DaqSchedule.defaults()), new ArrayList<>());
    WorkflowMessage end = sent.get(sent.size() - 1).message();
    assertEquals(MsgType.END_RUN, end.type());
    List<Path> files;
    try (Stream<Path> s = Files.list(dir.resolve("buffer"))) {
      files = s.sorted().toList();
    }
    assertEquals(end.integer("stf_count"), files.size());
    assertEquals(10, files.size());
    List<WorkflowMessage> gens =
        sent.stream().map(Sent::message).filter(m -> m.type() == MsgType.STF_GEN).toList();
    assertEquals(files.size(), gens.size());
    for (int i = 0; i < gens.size(); i++) {
      WorkflowMessage g = gens.get(i);
      Path f = Path.of(g.string("path"));
      assertEquals(files.get(i), f);
      assertEquals(String.format("swf.100010.%06d.stf", i + 1), g.string("filename"));
      assertEquals(i + 1, g.integer("sequence"));
      assertEquals(50, g.integer("tf_count"));
      try (StfFile stf = StfFile.open(f)) {
        StfFile.Verification v = stf.verify(g.integer("size_bytes"), g.string("checksum"));
        assertTrue(v.ok(), v.reason());
        assertEquals(g.instant("start"), stf.header().start());
        assertEquals(g.instant("end"), stf.header().end());
      }
      // The STF's data ends when it is announced.
      assertEquals(g.timestamp(), g.instant("end"));
    }
    WorkflowMessage pause =
        sent.stream()
            .map(Sent::message)
            .filter(m -> m.type() == MsgType.PAUSE_RUN)
            .findFirst()
            .get();
    assertEquals("run", pause.state());
    assertEquals("standby", pause.substate());
    assertEquals("scheduled standby", pause.string("reason"));
  }

  @Test
  void theSameSeedWritesTheSameBytes(@TempDir Path dir) throws Exception {
    play(dir.resolve("a"), 1, DaqStateMachine.Stop.stfs(2), new ArrayList<>());
    play(dir.resolve("b"), 1, DaqStateMachine.Stop.stfs(2), new ArrayList<>());
    for (String name : List.of("swf.100010.000001.stf", "swf.100010.000002.stf")) {
      assertArrayEquals(
          Files.readAllBytes(dir.resolve("a/buffer/" + name)),
          Files.readAllBytes(dir.resolve("b/buffer/" + name)));
    }
    assertTrue(
        !java.util.Arrays.equals(
            Files.readAllBytes(dir.resolve("a/buffer/swf.100010.000001.stf")),
            Files.readAllBytes(dir.resolve("a/buffer/swf.100010.000002.stf"))));
  }
}
