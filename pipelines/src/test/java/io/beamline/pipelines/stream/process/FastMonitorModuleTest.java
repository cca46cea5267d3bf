package io.beamline.pipelines.stream.process;

import static org.junit.Assert.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import io.beamline.framework.module.Module;
import io.beamline.io.json.Json;
import io.beamline.io.swf.StfNames;
import io.beamline.io.swf.WorkflowMessage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.testing.TestStream;
import org.apache.beam.sdk.transforms.Filter;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TimestampedValue;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.joda.time.Instant;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * {@code fast-monitor}: TF files and slices per processed STF sent with its {@code stf_processed},
 * and windowed histograms (an early pane after each STF, one final pane per window) that leave out
 * an STF arriving behind the watermark.
 */
public class FastMonitorModuleTest {
  private static final long RUN = 100060;
  private static final long T0_MS = SwfFixture.T0_NANOS / 1_000_000L;

  @Rule public final transient TestPipeline p = TestPipeline.create();
  @Rule public final transient TemporaryFolder tmp = new TemporaryFolder();

  @Test
  public void samplesEachProcessedStfWithEarlyPanesAndClosesWindowsOnTheWatermark()
      throws Exception {
    Path buffer = tmp.newFolder("buffer").toPath();
    Path out = tmp.newFolder("out").toPath();
    SwfFixture daq = new SwfFixture("localhost:9", buffer);
    List<StfOutcome> o = new ArrayList<>();
    for (int seq = 1; seq <= 4; seq++) {
      WorkflowMessage m = daq.stfGen(daq.writeStf(RUN, seq));
      if (seq == 4) {
        Files.delete(buffer.resolve(StfNames.stf(RUN, 4)));
      }
      o.add(StfSummaries.examine(m, new Ack("swf.daq", 0, seq)));
    }
    TestStream<StfOutcome> stream =
        TestStream.create(SerializableCoder.of(StfOutcome.class))
            .addElements(at(o.get(0)))
            .addElements(at(o.get(1)), at(o.get(3)))
            .advanceWatermarkTo(new Instant(T0_MS + 20_000))
            .addElements(at(o.get(2))) // 4 s after T0: its window has closed
            .advanceWatermarkToInfinity();
    FastMonitorModule fm =
        Module.from(
            new FastMonitorModule.Config(out.toString(), "process@test", 0.15, 7, 42, 2, 10));
    PCollection<Outbound> msgs = p.apply(stream).apply(fm);
    // 40 TFs in 7 partitions of 5 or 6: one 1-TF block (and slice) each, then stf_processed.
    PAssert.that(
            msgs.apply("WithAcks", Filter.by(m -> m.ack() != null))
                .apply(
                    "Shape",
                    MapElements.into(TypeDescriptors.strings())
                        .via(
                            m ->
                                m.ack().offset()
                                    + ":"
                                    + m.values().size()
                                    + ":"
                                    + type(m, m.values().size() - 1))))
        .containsInAnyOrder(
            "1:15:stf_processed", "2:15:stf_processed", "3:15:stf_processed", "4:1:stf_processed");
    PAssert.that(
            msgs.apply("Histograms", Filter.by(m -> m.ack() == null))
                .apply(
                    "HistogramShape",
                    MapElements.into(TypeDescriptors.strings())
                        .via(m -> kind(m) + ":" + stfs(m) + ":" + start(m) + ":" + pane(m))))
        // An early pane after each processed STF (accumulating), then one final pane at the
        // window's close; the late STF is in none.
        .containsInAnyOrder(
            "multiplicity:1:2026-12-06T21:00:00Z:early",
            "occupancy:1:2026-12-06T21:00:00Z:early",
            "multiplicity:2:2026-12-06T21:00:00Z:early",
            "occupancy:2:2026-12-06T21:00:00Z:early",
            "multiplicity:2:2026-12-06T21:00:00Z:final",
            "occupancy:2:2026-12-06T21:00:00Z:final");
    p.run().waitUntilFinish();
    try (Stream<Path> tf = Files.list(out.resolve("fastmon/run=" + RUN))) {
      assertEquals(21, tf.count());
    }
    JsonNode mult =
        Json.read(Histograms.file(out, RUN, "multiplicity", java.time.Instant.ofEpochMilli(T0_MS)));
    long tfs = 0;
    for (JsonNode b : mult.get("bins")) {
      tfs += b.asLong();
    }
    assertEquals(14, tfs); // 7 sampled TFs of each of the 2 STFs in time
  }

  private static TimestampedValue<StfOutcome> at(StfOutcome o) {
    return TimestampedValue.of(o, new Instant(o.startMs()));
  }

  private static JsonNode json(Outbound m, int i) {
    try {
      return Json.MAPPER.readTree(m.values().get(i));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static String type(Outbound m, int i) {
    return json(m, i).get("msg_type").asText();
  }

  private static String kind(Outbound m) {
    return json(m, 0).get("kind").asText();
  }

  private static long stfs(Outbound m) {
    return json(m, 0).get("stf_count").asLong();
  }

  private static String pane(Outbound m) {
    return json(m, 0).get("pane").asText();
  }

  private static String start(Outbound m) {
    return json(m, 0).get("window_start").asText();
  }
}
