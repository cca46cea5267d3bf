package io.beamline.transforms.signal;

import static org.apache.beam.vendor.guava.v32_1_2_jre.com.google.common.base.Preconditions.checkArgument;

import io.beamline.io.samples.Sample;
import io.beamline.io.samples.SampleCoder;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Distribution;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.schemas.Schema.FieldType;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.windowing.FixedWindows;
import org.apache.beam.sdk.transforms.windowing.GlobalWindows;
import org.apache.beam.sdk.transforms.windowing.IntervalWindow;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.Row;
import org.joda.time.Duration;
import org.joda.time.Instant;

/**
 * Summarises each sensor's samples over fixed event-time windows: count, mean, standard deviation,
 * minimum, maximum and RMS, one {@link Row} of {@link #SCHEMA} per sensor and window.
 *
 * <p>Statistics are computed after sorting each window's samples by time, so the result is the same
 * bit for bit whatever order a runner delivers them in (floating-point sums depend on order).
 * Output rows are re-windowed into the global window, ready to be written as one table.
 *
 * <pre>{@code
 * PCollection<Row> stats = samples.apply(WindowSummary.of(Duration.standardSeconds(1)));
 * }</pre>
 */
public final class WindowSummary extends PTransform<PCollection<Sample>, PCollection<Row>> {

  /** The output table schema. */
  public static final Schema SCHEMA =
      Schema.builder()
          .addStringField("sensor_id")
          .addDateTimeField("window_start")
          .addDateTimeField("window_end")
          .addInt64Field("n_samples")
          .addDoubleField("mean")
          .addDoubleField("std")
          .addDoubleField("min")
          .addDoubleField("max")
          .addDoubleField("rms")
          .addField("first_sample_time", FieldType.DATETIME)
          .addField("last_sample_time", FieldType.DATETIME)
          .build();

  private final Duration window;

  private WindowSummary(Duration window) {
    this.window = window;
  }

  /** Summaries over fixed windows of {@code window}, which must be positive. */
  public static WindowSummary of(Duration window) {
    checkArgument(
        window != null && window.getMillis() > 0,
        "WindowSummary.of(window): window must be > 0 ms, got %s",
        window);
    return new WindowSummary(window);
  }

  @Override
  public PCollection<Row> expand(PCollection<Sample> samples) {
    return samples
        .apply("FixedWindows", Window.into(FixedWindows.of(window)))
        .apply("KeyBySensor", ParDo.of(new KeyBySensorFn()))
        .setCoder(KvCoder.of(StringUtf8Coder.of(), SampleCoder.of()))
        .apply("GroupPerSensorWindow", GroupByKey.create())
        .apply("Summarise", ParDo.of(new SummariseFn()))
        .setRowSchema(SCHEMA)
        .apply("ToGlobalWindow", Window.into(new GlobalWindows()))
        .setRowSchema(SCHEMA);
  }

  static final class KeyBySensorFn extends DoFn<Sample, KV<String, Sample>> {
    @ProcessElement
    public void process(@Element Sample s, OutputReceiver<KV<String, Sample>> out) {
      out.output(KV.of(s.sensorId(), s));
    }
  }

  static final class SummariseFn extends DoFn<KV<String, Iterable<Sample>>, Row> {
    private final Counter windows = Metrics.counter(WindowSummary.class, "windows_summarised");
    private final Distribution perWindow =
        Metrics.distribution(WindowSummary.class, "samples_per_window");

    @ProcessElement
    public void process(
        @Element KV<String, Iterable<Sample>> group, IntervalWindow w, OutputReceiver<Row> out) {
      List<Sample> list = new ArrayList<>();
      group.getValue().forEach(list::add);
      list.sort(Comparator.comparingLong(Sample::timeMicros).thenComparingDouble(Sample::value));
      double[] v = new double[list.size()];
      for (int i = 0; i < v.length; i++) {
        v[i] = list.get(i).value();
      }
      Stats st = Stats.of(v);
      windows.inc();
      perWindow.update(v.length);
      out.output(
          Row.withSchema(SCHEMA)
              .addValues(
                  group.getKey(),
                  w.start(),
                  w.end(),
                  (long) v.length,
                  st.mean,
                  st.std,
                  st.min,
                  st.max,
                  st.rms,
                  new Instant(Math.floorDiv(list.get(0).timeMicros(), 1000)),
                  new Instant(Math.floorDiv(list.get(v.length - 1).timeMicros(), 1000)))
              .build());
    }
  }

  /** Summary statistics of an array, computed in index order (two-pass for the variance). */
  public static final class Stats {
    public final double mean;
    public final double std;
    public final double min;
    public final double max;
    public final double rms;

    private Stats(double mean, double std, double min, double max, double rms) {
      this.mean = mean;
      this.std = std;
      this.min = min;
      this.max = max;
      this.rms = rms;
    }

    /** Population statistics of a non-empty array. */
    public static Stats of(double[] v) {
      if (v.length == 0) {
        throw new IllegalArgumentException("Stats.of: empty array");
      }
      double sum = 0;
      double sumSq = 0;
      double min = Double.POSITIVE_INFINITY;
      double max = Double.NEGATIVE_INFINITY;
      for (double x : v) {
        sum += x;
        sumSq += x * x;
        min = Math.min(min, x);
        max = Math.max(max, x);
      }
      double mean = sum / v.length;
      double ss = 0;
      for (double x : v) {
        ss += (x - mean) * (x - mean);
      }
      return new Stats(mean, Math.sqrt(ss / v.length), min, max, Math.sqrt(sumSq / v.length));
    }
  }
}
