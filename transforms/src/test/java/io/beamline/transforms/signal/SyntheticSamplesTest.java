package io.beamline.transforms.signal;

import static org.junit.Assert.assertThrows;

import io.beamline.io.samples.Sample;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.transforms.Count;
import org.apache.beam.sdk.transforms.Distinct;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.Max;
import org.apache.beam.sdk.transforms.Min;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.junit.Rule;
import org.junit.Test;

public class SyntheticSamplesTest {
  @Rule public final transient TestPipeline p = TestPipeline.create();

  @Test
  public void generatesEverySampleOfEverySensorWithinTheSession() {
    PCollection<Sample> s =
        p.apply(
            SyntheticSamples.create()
                .withSensors(3)
                .withSeconds(2)
                .withRateHz(100)
                .withStartMillis(1_000_000));
    PAssert.thatSingleton(s.apply("Count", Count.globally())).isEqualTo(600L);
    PCollection<String> ids =
        s.apply("Ids", MapElements.into(TypeDescriptors.strings()).via(Sample::sensorId))
            .apply(Distinct.create());
    PAssert.that(ids).containsInAnyOrder("sensor-00", "sensor-01", "sensor-02");
    PCollection<Long> times =
        s.apply("Times", MapElements.into(TypeDescriptors.longs()).via(Sample::timeMicros));
    PAssert.thatSingleton(times.apply("First", Min.globally())).isEqualTo(1_000_000_000L);
    PAssert.thatSingleton(times.apply("Last", Max.globally()))
        .isEqualTo(1_000_000_000L + 1_990_000L);
    p.run().waitUntilFinish();
  }

  @Test
  public void seedChangesValues() {
    PCollection<Double> a =
        p.apply(
                "A",
                SyntheticSamples.create().withSensors(1).withSeconds(1).withRateHz(10).withSeed(1))
            .apply("VA", MapElements.into(TypeDescriptors.doubles()).via(Sample::value));
    PCollection<Double> b =
        p.apply(
                "B",
                SyntheticSamples.create().withSensors(1).withSeconds(1).withRateHz(10).withSeed(2))
            .apply("VB", MapElements.into(TypeDescriptors.doubles()).via(Sample::value));
    double[] expectedA = SyntheticSignal.alphaLike().withFrequency(8).generate(1, 0, 10, 10);
    double[] expectedB = SyntheticSignal.alphaLike().withFrequency(8).generate(2, 0, 10, 10);
    PAssert.that(a).containsInAnyOrder(box(expectedA));
    PAssert.that(b).containsInAnyOrder(box(expectedB));
    p.run().waitUntilFinish();
  }

  private static Double[] box(double[] x) {
    Double[] out = new Double[x.length];
    for (int i = 0; i < x.length; i++) {
      out[i] = x[i];
    }
    return out;
  }

  @Test
  public void validatesArguments() {
    assertThrows(IllegalArgumentException.class, () -> SyntheticSamples.create().withSensors(0));
    assertThrows(IllegalArgumentException.class, () -> SyntheticSamples.create().withSeconds(-1));
    assertThrows(IllegalArgumentException.class, () -> SyntheticSamples.create().withRateHz(0));
  }
}
