package io.beamline.pipelines.infer.aggregate;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;

import io.beamline.framework.module.Module;
import io.beamline.io.failures.Failure;
import java.util.List;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.display.DisplayData;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.Row;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.junit.Rule;
import org.junit.Test;

/** The modules of {@code infer aggregate} on their own: check, count, settings. */
public class AggregateModulesTest {
  @Rule public final transient TestPipeline p = TestPipeline.create();

  private static Row read(String chunk, Double start, double end, String label, double conf) {
    return Row.withSchema(AggregateTables.READ)
        .addValues("rec", chunk, start, end, label, conf, "m", "1", "w", "run-1", "2026-01-01")
        .build();
  }

  private static Row detection(String chunk, double start, String label, double conf) {
    return Row.withSchema(AggregateTables.DETECTIONS)
        .addValues("rec", chunk, start, start + 1, label, conf, "m", "1", "w", "run-1", "2026")
        .build();
  }

  @Test
  public void checkKeepsCompleteDetectionsAtTheThresholdAndFailsIncompleteOnes() {
    CheckDetections check = Module.from(new CheckDetections.Config(0.5));
    PCollectionTuple out =
        p.apply(
                Create.of(
                        read("c1", 1.0, 2.0, "chirp", 0.5),
                        read("c2", 1.0, 2.0, "chirp", 0.49),
                        read("c3", null, 2.0, "chirp", 0.9),
                        read("c4", 3.0, 2.0, "trill", 0.9))
                    .withRowSchema(AggregateTables.READ))
            .apply(check);
    PCollection<String> kept =
        out.<Row>get(CheckDetections.DETECTIONS.tag())
            .apply(
                "Chunks",
                MapElements.into(TypeDescriptors.strings()).via(r -> r.getString("chunk_id")));
    PAssert.that(kept).containsInAnyOrder("c1");
    PCollection<String> failed =
        out.<Failure>get(CheckDetections.FAILURES.tag())
            .apply(
                "Failures",
                MapElements.into(TypeDescriptors.strings())
                    .via(f -> f.item + ": " + f.error.replaceAll(";.*", "")));
    PAssert.that(failed)
        .containsInAnyOrder("c3: missing start_s", "c4: bad time span start_s=3.0 end_s=2.0");
    p.run().waitUntilFinish();
  }

  @Test
  public void countGroupsByLabelAndBucket() {
    CountPerBucket count = Module.from(new CountPerBucket.Config(60.0));
    PCollection<Row> buckets =
        p.apply(
                Create.of(
                        detection("a", 1.0, "chirp", 0.75),
                        detection("b", 59.0, "chirp", 0.25),
                        detection("c", 61.0, "chirp", 0.9),
                        detection("d", 2.0, "trill", 0.5))
                    .withRowSchema(AggregateTables.DETECTIONS))
            .apply(count);
    PAssert.that(buckets)
        .containsInAnyOrder(
            bucket("chirp", 0, 2, 0.5, 0.75),
            bucket("chirp", 1, 1, 0.9, 0.9),
            bucket("trill", 0, 1, 0.5, 0.5));
    p.run().waitUntilFinish();
  }

  private static Row bucket(String label, long index, long n, double mean, double max) {
    return Row.withSchema(AggregateTables.BUCKETS)
        .addValues(label, index, index * 60.0, (index + 1) * 60.0, n, 1L, mean, max)
        .build();
  }

  @Test
  public void configsRefuseOutOfRangeSettingsNamingThem() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> new CheckDetections.Config(1.5));
    assertThat(e.getMessage(), containsString("minConfidence must be in [0, 1], got 1.5"));
    e = assertThrows(IllegalArgumentException.class, () -> new CountPerBucket.Config(0));
    assertThat(e.getMessage(), containsString("bucketSeconds"));
    assertThrows(IllegalArgumentException.class, () -> new NewestDetections.Config(List.of()));
    assertThrows(IllegalArgumentException.class, () -> new WriteAggregate.Config("relative/dir"));
  }

  @Test
  public void settingsAreTheModulesDisplayData() {
    DisplayData d = DisplayData.from(Module.from(new CountPerBucket.Config(300.0)));
    assertEquals(
        "300.0",
        d.items().stream()
            .filter(i -> i.getKey().equals("bucketSeconds"))
            .findFirst()
            .orElseThrow()
            .getValue());
  }
}
