package io.beamline.framework.module;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;

import io.beamline.framework.run.PlanExporter;
import java.util.List;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.Sum;
import org.apache.beam.sdk.transforms.display.DisplayData;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.junit.Rule;
import org.junit.Test;

public class ModuleTest {
  @Rule public final transient TestPipeline p = TestPipeline.create();

  /** Multiplies every element by {@code factor}. */
  record ScaleConfig(long factor, Range range) implements ModuleConfig<Scale> {
    ScaleConfig {
      if (factor == 0) {
        throw new IllegalArgumentException("factor must not be 0");
      }
    }

    @Override
    public Scale toModule() {
      return new Scale(this);
    }
  }

  record Range(long min, long max) {}

  static final class Scale extends Module<ScaleConfig, PCollection<Long>, PCollection<Long>> {
    Scale(ScaleConfig config) {
      super("scale-values", config);
    }

    @Override
    public List<Port> inputs() {
      return List.of(Port.of("values", Long.class));
    }

    @Override
    public List<Port> outputs() {
      return List.of(Port.of("scaled", Long.class));
    }

    @Override
    public PCollection<Long> expand(PCollection<Long> input) {
      long factor = config().factor();
      return input
          .apply("Multiply", MapElements.into(TypeDescriptors.longs()).via(x -> x * factor))
          .setCoder(VarLongCoder.of());
    }
  }

  /** Sums all elements. */
  record TotalConfig() implements ModuleConfig<Total> {
    @Override
    public Total toModule() {
      return new Total(this);
    }
  }

  static final class Total extends Module<TotalConfig, PCollection<Long>, PCollection<Long>> {
    Total(TotalConfig config) {
      super("total", config);
    }

    @Override
    public List<Port> inputs() {
      return List.of(Port.of("values", Long.class));
    }

    @Override
    public List<Port> outputs() {
      return List.of(Port.of("total", Long.class));
    }

    @Override
    public PCollection<Long> expand(PCollection<Long> input) {
      return input.apply("Sum", Sum.longsGlobally());
    }
  }

  @Test
  public void twoModulesComposeRunAndShowTheirSettingsInThePlan() {
    Scale scale = Module.from(new ScaleConfig(3, new Range(0, 10)));
    Total total = Module.from(new TotalConfig());
    PCollection<Long> out =
        p.apply("Values", Create.of(1L, 2L, 3L)).apply(scale.getName(), scale).apply(total);
    PAssert.thatSingleton(out).isEqualTo(18L);

    PlanExporter plan = PlanExporter.of("composed", p);
    String json = plan.toJson();
    assertThat(json, containsString("\"module\" : \"scale-values\""));
    assertThat(json, containsString("\"factor\" : \"3\""));
    assertThat(json, containsString("\"range.max\" : \"10\""));
    assertThat(json, containsString("\"inputs\" : \"values: Long\""));
    assertThat(plan.toText(), containsString("settings: factor=3, range.max=10, range.min=0"));
    assertThat(plan.toDot(), containsString("scale-values (module)"));
    p.run().waitUntilFinish();
  }

  @Test
  public void displayDataHoldsTheModuleItsPortsAndItsConfig() {
    DisplayData d = DisplayData.from(Module.from(new ScaleConfig(2, new Range(-1, 1))));
    assertEquals(
        List.of("module=scale-values", "inputs=values: Long", "outputs=scaled: Long", "factor=2"),
        d.items().stream()
            .filter(i -> !i.getKey().startsWith("range"))
            .map(i -> i.getKey() + "=" + i.getValue())
            .sorted((a, b) -> order(a) - order(b))
            .toList());
  }

  private static int order(String item) {
    return List.of("module", "inputs", "outputs", "factor").indexOf(item.split("=")[0]);
  }

  @Test
  public void namesAndConfigsAreChecked() {
    assertThrows(IllegalArgumentException.class, () -> new ScaleConfig(0, new Range(0, 1)));
    assertThrows(IllegalArgumentException.class, () -> Port.of("Bad Name", Long.class));
    assertThrows(
        IllegalArgumentException.class,
        () ->
            new Module<TotalConfig, PCollection<Long>, PCollection<Long>>(
                "Not-Hyphenated", new TotalConfig()) {
              @Override
              public List<Port> inputs() {
                return List.of();
              }

              @Override
              public List<Port> outputs() {
                return List.of();
              }

              @Override
              public PCollection<Long> expand(PCollection<Long> input) {
                return input;
              }
            });
  }
}
