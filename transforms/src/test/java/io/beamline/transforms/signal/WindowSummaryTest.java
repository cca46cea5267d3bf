package io.beamline.transforms.signal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;

import io.beamline.io.samples.Sample;
import io.beamline.io.samples.SampleCoder;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.testing.TestStream;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.Row;
import org.apache.beam.sdk.values.TimestampedValue;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.junit.Rule;
import org.junit.Test;

public class WindowSummaryTest {
  @Rule public final transient TestPipeline p = TestPipeline.create();

  static final long T0 = 1_704_067_200_000L; // 2024-01-01T00:00:00Z

  static TimestampedValue<Sample> at(String id, long offsetMillis, double v) {
    return TimestampedValue.of(
        new Sample(id, (T0 + offsetMillis) * 1000, v), new Instant(T0 + offsetMillis));
  }

  static String describe(Row r) {
    return r.getString("sensor_id")
        + " "
        + r.getDateTime("window_start").getMillis()
        + " n="
        + r.getInt64("n_samples")
        + " mean="
        + r.getDouble("mean")
        + " min="
        + r.getDouble("min")
        + " max="
        + r.getDouble("max")
        + " std="
        + r.getDouble("std")
        + " rms="
        + r.getDouble("rms")
        + " first="
        + r.getDateTime("first_sample_time").getMillis()
        + " last="
        + r.getDateTime("last_sample_time").getMillis();
  }

  static final class Describe implements SerializableFunction<Row, String> {
    @Override
    public String apply(Row r) {
      return describe(r);
    }
  }

  @Test
  public void summarisesEachSensorAndWindowExactly() {
    PCollection<Sample> samples =
        p.apply(
            Create.timestamped(
                    at("a", 100, 1),
                    at("a", 900, 3),
                    at("a", 1500, 10),
                    at("b", 200, -2),
                    at("b", 300, 2))
                .withCoder(SampleCoder.of()));
    PCollection<String> out =
        samples
            .apply(WindowSummary.of(Duration.standardSeconds(1)))
            .apply(MapElements.into(TypeDescriptors.strings()).via(new Describe()));
    PAssert.that(out)
        .containsInAnyOrder(
            "a "
                + T0
                + " n=2 mean=2.0 min=1.0 max=3.0 std=1.0 rms="
                + Math.sqrt(5)
                + " first="
                + (T0 + 100)
                + " last="
                + (T0 + 900),
            "a "
                + (T0 + 1000)
                + " n=1 mean=10.0 min=10.0 max=10.0 std=0.0 rms=10.0 first="
                + (T0 + 1500)
                + " last="
                + (T0 + 1500),
            "b "
                + T0
                + " n=2 mean=0.0 min=-2.0 max=2.0 std=2.0 rms=2.0 first="
                + (T0 + 200)
                + " last="
                + (T0 + 300));
    p.run().waitUntilFinish();
  }

  @Test
  public void outOfOrderArrivalGivesTheSameRows() {
    List<TimestampedValue<Sample>> events = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      events.add(at("s", i * 37L % 2000, Math.sin(i) * 1e6 + 1e-3 * i));
    }
    // Expected rows computed here from time-ordered values of each window.
    java.util.TreeMap<Long, java.util.TreeMap<Long, Double>> byWindow = new java.util.TreeMap<>();
    for (TimestampedValue<Sample> e : events) {
      long start = (e.getTimestamp().getMillis() - T0) / 1000 * 1000 + T0;
      byWindow
          .computeIfAbsent(start, k -> new java.util.TreeMap<>())
          .put(e.getValue().timeMicros(), e.getValue().value());
    }
    List<String> expected = new ArrayList<>();
    for (var w : byWindow.entrySet()) {
      double[] v = w.getValue().values().stream().mapToDouble(Double::doubleValue).toArray();
      WindowSummary.Stats st = WindowSummary.Stats.of(v);
      expected.add(
          "s "
              + w.getKey()
              + " n="
              + v.length
              + " mean="
              + st.mean
              + " min="
              + st.min
              + " max="
              + st.max
              + " std="
              + st.std
              + " rms="
              + st.rms
              + " first="
              + w.getValue().firstKey() / 1000
              + " last="
              + w.getValue().lastKey() / 1000);
    }

    TestStream.Builder<Sample> stream = TestStream.create(SampleCoder.of());
    // Deliver in reverse time order, with the watermark held back until the end.
    for (int i = events.size() - 1; i >= 0; i--) {
      stream = stream.addElements(events.get(i));
    }
    PCollection<String> streamed =
        p.apply("Stream", stream.advanceWatermarkToInfinity())
            .apply("SummariseStream", WindowSummary.of(Duration.standardSeconds(1)))
            .apply(
                "DescribeStream", MapElements.into(TypeDescriptors.strings()).via(new Describe()));
    PCollection<String> batch =
        p.apply("Batch", Create.timestamped(events).withCoder(SampleCoder.of()))
            .apply("SummariseBatch", WindowSummary.of(Duration.standardSeconds(1)))
            .apply(
                "DescribeBatch", MapElements.into(TypeDescriptors.strings()).via(new Describe()));
    PAssert.that(streamed).containsInAnyOrder(expected);
    PAssert.that(batch).containsInAnyOrder(expected);
    p.run().waitUntilFinish();
    assertEquals(2, expected.size());
  }

  @Test
  public void rejectsNonPositiveWindow() {
    assertThrows(IllegalArgumentException.class, () -> WindowSummary.of(Duration.ZERO));
  }
}
