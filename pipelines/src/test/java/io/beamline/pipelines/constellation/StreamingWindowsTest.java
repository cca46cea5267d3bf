package io.beamline.pipelines.constellation;

import static io.beamline.pipelines.constellation.ConstellationTestSupport.args;
import static io.beamline.pipelines.constellation.ConstellationTestSupport.options;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.beamline.framework.UserInputException;
import io.beamline.io.sensors.FaultInjection;
import io.beamline.io.sensors.SensorDriver;
import io.beamline.io.sensors.SensorEvent;
import io.beamline.transforms.sync.StreamSync;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** Streaming mode's window arithmetic and per-window sync, and its option checks. */
class StreamingWindowsTest {
  private static SessionPlan plan(String window, String duration) {
    ConstellationOptions o =
        options(
            args(
                Path.of("out"),
                "--duration=" + duration,
                "--windowSeconds=" + window,
                "--faultInjection",
                "--seed=5"));
    new ConstellationPipeline().validate(o);
    return ConstellationPipeline.plan(o);
  }

  @Test
  void everyPacketBelongsToExactlyOneWindowRange() {
    for (String window : List.of("2", "0.3", "0.25")) {
      SessionPlan plan = plan(window, "3.1");
      for (SensorDriver d : plan.drivers) {
        long packets = plan.spec(d).expectedPackets();
        long next = 0;
        for (long w = 0; w < plan.grid().windows() + 1; w++) {
          long[] r = StreamingWindows.packetRange(plan, d, w);
          assertEquals(next, r[0], d.sensorId() + " window " + w);
          for (long s = r[0]; s < r[1]; s++) {
            assertEquals(w, StreamingWindows.windowOf(plan, d, s));
            long offsetMs =
                StreamingWindows.packetEventTimeMs(plan, d, s) - plan.sessionStartNs / 1_000_000L;
            assertEquals(w, offsetMs / (plan.windowNs / 1_000_000L), "event time of seq " + s);
          }
          next = r[1];
        }
        assertEquals(packets, next, d.sensorId());
      }
    }
  }

  @Test
  void windowedSyncAccountsForEveryLostSampleAndMatchesTheSessionSync() {
    SessionPlan plan = plan("2", "6");
    for (SensorDriver d : plan.drivers) {
      FaultInjection.FaultedEvents events = plan.faultedEvents(d);
      Map<Long, List<SensorEvent>> byWindow = new TreeMap<>();
      while (events.hasNext()) {
        SensorEvent e = events.next();
        byWindow
            .computeIfAbsent(StreamingWindows.windowOf(plan, d, e.seq()), k -> new ArrayList<>())
            .add(e);
      }
      long missing = 0;
      long dropped = 0;
      long samples = 0;
      for (var e : byWindow.entrySet()) {
        StreamingWindows.Aligned a = StreamingWindows.align(plan, d, e.getKey(), e.getValue());
        StreamSync.Report r = a.result().report();
        assertEquals(samples, a.firstIndex(), d.sensorId());
        assertEquals(0, r.rejectedPackets());
        missing += r.missingSamples();
        dropped += r.droppedPackets();
        samples += r.samples();
      }
      assertEquals(events.tally().samplesDropped(), missing, d.sensorId());
      assertEquals(events.tally().eventsDropped(), dropped, d.sensorId());
      assertEquals(plan.spec(d).totalSamples(), samples, d.sensorId());
    }
  }

  @Test
  void aWindowRejectsPacketsOfOtherWindowsAndWithoutJitterEqualsTheSessionGrid() {
    ConstellationOptions o =
        options(args(Path.of("out"), "--duration=4", "--windowSeconds=2", "--seed=5"));
    new ConstellationPipeline().validate(o);
    SessionPlan plan = ConstellationPipeline.plan(o);
    SensorDriver eeg = plan.driver("eeg01").orElseThrow();
    List<SensorEvent> all = new ArrayList<>();
    plan.faultedEvents(eeg).forEachRemaining(all::add);
    List<io.beamline.transforms.sync.Packet> packets = new ArrayList<>();
    for (SensorEvent e : all) {
      packets.add(
          io.beamline.transforms.sync.Packet.ofFloats(
              e.seq(), e.timestampNs(), e.sampleCount(), e.samples()));
    }
    StreamSync.Result session = StreamSync.align(plan.spec(eeg), packets);
    StreamingWindows.Aligned w1 = StreamingWindows.align(plan, eeg, 1, all);
    long[] r = StreamingWindows.packetRange(plan, eeg, 1);
    assertEquals(r[0], all.size() - (r[1] - r[0]));
    assertEquals(r[0], w1.result().report().rejectedPackets()); // window 0's packets
    int channels = eeg.channels();
    float[] expected =
        java.util.Arrays.copyOfRange(
            session.floats(),
            (int) (w1.firstIndex() * channels),
            (int) ((w1.firstIndex() + w1.result().report().samples()) * channels));
    assertArrayEquals(expected, w1.result().floats());
    assertEquals(0, w1.result().report().gapSamples());
  }

  @Test
  void streamingOptionsAreChecked() {
    ConstellationPipeline p = new ConstellationPipeline();
    List<String> base =
        List.of("--outputDir=out", "--subjectId=S1", "--sessionId=A", "--streaming");
    UserInputException noKafka =
        assertThrows(UserInputException.class, () -> p.validate(options(with(base, "--noKafka"))));
    assertThat(noKafka.getMessage(), containsString("--no-kafka"));
    UserInputException start =
        assertThrows(
            UserInputException.class,
            () -> p.validate(options(with(base, "--sessionStart=2024-05-01T12:00:00Z"))));
    assertThat(start.getMessage(), containsString("--session-start"));
    UserInputException window =
        assertThrows(
            UserInputException.class,
            () -> p.validate(options(with(base, "--windowSeconds=0.0005"))));
    assertThat(window.getMessage(), containsString("--window-seconds"));
    ConstellationOptions ok = options(base);
    p.validate(ok);
    assertTrue(ok.isStreaming());
    assertTrue(ok.getSessionStart() != null);
  }

  private static List<String> with(List<String> base, String extra) {
    List<String> a = new ArrayList<>(base);
    a.add(extra);
    return a;
  }
}
