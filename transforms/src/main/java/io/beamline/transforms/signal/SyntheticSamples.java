package io.beamline.transforms.signal;

import static org.apache.beam.vendor.guava.v32_1_2_jre.com.google.common.base.Preconditions.checkArgument;

import io.beamline.io.samples.Sample;
import io.beamline.io.samples.SampleCoder;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.Reshuffle;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollection;
import org.joda.time.Instant;

/**
 * A bounded source of seeded synthetic samples: {@code sensors} channels named {@code sensor-00},
 * {@code sensor-01}, ..., each sampled at {@code rateHz} for {@code seconds} from {@code
 * startMillis}, each sample carrying its event time.
 *
 * <p>Channel {@code i} is a {@link SyntheticSignal#alphaLike()} rhythm at {@code 8 + i} Hz, so
 * channels are distinguishable in the output. Defaults: 4 sensors, 60 s, 250 Hz, seed 42, start
 * 2024-01-01T00:00:00Z.
 */
public final class SyntheticSamples extends PTransform<PBegin, PCollection<Sample>> {
  private final int sensors;
  private final double seconds;
  private final double rateHz;
  private final long seed;
  private final long startMillis;

  private SyntheticSamples(
      int sensors, double seconds, double rateHz, long seed, long startMillis) {
    this.sensors = sensors;
    this.seconds = seconds;
    this.rateHz = rateHz;
    this.seed = seed;
    this.startMillis = startMillis;
  }

  /** Returns the source with its defaults. */
  public static SyntheticSamples create() {
    return new SyntheticSamples(4, 60, 250, 42, 1704067200000L);
  }

  /** Number of channels, 1..10,000; default 4. */
  public SyntheticSamples withSensors(int sensors) {
    checkArgument(
        sensors >= 1 && sensors <= 10_000,
        "withSensors(sensors): must be in 1..10000, got %s",
        sensors);
    return new SyntheticSamples(sensors, seconds, rateHz, seed, startMillis);
  }

  /** Duration in seconds, in (0, 86400]; default 60. */
  public SyntheticSamples withSeconds(double seconds) {
    checkArgument(
        seconds > 0 && seconds <= 86_400,
        "withSeconds(seconds): must be in (0, 86400], got %s",
        seconds);
    return new SyntheticSamples(sensors, seconds, rateHz, seed, startMillis);
  }

  /** Sample rate in Hz, in (0, 1e6]; default 250. */
  public SyntheticSamples withRateHz(double rateHz) {
    checkArgument(
        rateHz > 0 && rateHz <= 1e6, "withRateHz(rateHz): must be in (0, 1000000], got %s", rateHz);
    return new SyntheticSamples(sensors, seconds, rateHz, seed, startMillis);
  }

  /** Random seed; default 42. */
  public SyntheticSamples withSeed(long seed) {
    return new SyntheticSamples(sensors, seconds, rateHz, seed, startMillis);
  }

  /** Start time of the first sample, epoch milliseconds UTC; default 2024-01-01T00:00:00Z. */
  public SyntheticSamples withStartMillis(long startMillis) {
    return new SyntheticSamples(sensors, seconds, rateHz, seed, startMillis);
  }

  @Override
  public PCollection<Sample> expand(PBegin input) {
    List<Integer> channels = new ArrayList<>();
    for (int i = 0; i < sensors; i++) {
      channels.add(i);
    }
    return input
        .apply("SensorChannels", Create.of(channels))
        // Spread channels across workers before the expensive generation step.
        .apply("SpreadChannels", Reshuffle.viaRandomKey())
        .apply("GenerateChannel", ParDo.of(new GenerateFn(seconds, rateHz, seed, startMillis)))
        .setCoder(SampleCoder.of());
  }

  static final class GenerateFn extends DoFn<Integer, Sample> {
    private final Counter generated = Metrics.counter(SyntheticSamples.class, "samples_generated");
    private final double seconds;
    private final double rateHz;
    private final long seed;
    private final long startMillis;

    GenerateFn(double seconds, double rateHz, long seed, long startMillis) {
      this.seconds = seconds;
      this.rateHz = rateHz;
      this.seed = seed;
      this.startMillis = startMillis;
    }

    @ProcessElement
    public void process(@Element Integer channel, OutputReceiver<Sample> out) {
      int n = (int) Math.round(seconds * rateHz);
      double[] values =
          SyntheticSignal.alphaLike()
              .withFrequency(8.0 + channel)
              .generate(seed, channel, rateHz, n);
      String id = String.format("sensor-%02d", channel);
      long startMicros = startMillis * 1000L;
      for (int i = 0; i < n; i++) {
        long t = startMicros + Math.round(i * 1e6 / rateHz);
        out.outputWithTimestamp(new Sample(id, t, values[i]), new Instant(Math.floorDiv(t, 1000)));
      }
      generated.inc(n);
    }
  }
}
