package io.beamline.framework.run;

import io.beamline.framework.BeamlineOptions;
import io.beamline.framework.BeamlinePipeline;
import io.beamline.transforms.signal.SyntheticSamples;
import io.beamline.transforms.signal.WindowSummary;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Distribution;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.Row;
import org.joda.time.Duration;

/**
 * The demo's transforms (seeded synthetic samples summarised per window) followed by a gate that
 * holds the run open until the test {@link #release() releases} it, so the test can scrape the
 * metrics endpoint while the run is still executing, on any runner, without sleeping.
 *
 * <p>The gate sits after the summary's GroupByKey, so {@code SyntheticSamples}' bundles (Direct) or
 * tasks (Spark) have finished and reported their counters while the gate holds.
 */
public final class GatedPipeline implements BeamlinePipeline<GatedPipeline.GatedOptions> {
  private static volatile CountDownLatch gate = new CountDownLatch(1);

  /** Options of the gated test pipeline. */
  public interface GatedOptions extends BeamlineOptions {
    @Description("Synthetic sensors")
    @Default.Integer(2)
    int getSensors();

    void setSensors(int value);

    @Description("Synthetic seconds")
    @Default.Double(2)
    double getSeconds();

    void setSeconds(double value);

    @Description("Synthetic sample rate")
    @Default.Double(100)
    double getRateHz();

    void setRateHz(double value);
  }

  /** Closes the gate for the next run. */
  static void reset() {
    gate = new CountDownLatch(1);
  }

  /** Opens the gate: the held run goes on and finishes. */
  static void release() {
    gate.countDown();
  }

  @Override
  public String name() {
    return "gated";
  }

  @Override
  public String summary() {
    return "test: demo transforms, then a gate the test opens";
  }

  @Override
  public Class<GatedOptions> optionsClass() {
    return GatedOptions.class;
  }

  @Override
  public void build(Pipeline p, GatedOptions o) {
    p.apply(
            "SyntheticSamples",
            SyntheticSamples.create()
                .withSensors(o.getSensors())
                .withSeconds(o.getSeconds())
                .withRateHz(o.getRateHz())
                .withSeed(1))
        .apply("SummariseWindows", WindowSummary.of(Duration.standardSeconds(1)))
        .apply("Gate", ParDo.of(new GateFn()));
  }

  /** Waits for the gate (at most two minutes, so a broken test cannot hang the build). */
  static final class GateFn extends DoFn<Row, Long> {
    private final Counter passed = Metrics.counter("gated", "rows_passed");
    private final Distribution samples = Metrics.distribution("gated", "samples_per_row");

    @ProcessElement
    public void process(@Element Row row, OutputReceiver<Long> out) throws InterruptedException {
      if (!gate.await(2, TimeUnit.MINUTES)) {
        throw new IllegalStateException("the test never opened the gate");
      }
      long n = row.getInt64("n_samples");
      passed.inc();
      samples.update(n);
      out.output(n);
    }
  }
}
