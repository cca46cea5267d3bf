package io.beamline.pipelines.demo;

import io.beamline.framework.module.Module;
import io.beamline.framework.module.ModuleConfig;
import io.beamline.framework.module.Port;
import io.beamline.io.samples.Sample;
import io.beamline.transforms.signal.SyntheticSamples;
import java.util.List;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollection;

/**
 * Source module {@code synthetic-samples}: seeded synthetic sensor samples ({@link
 * SyntheticSamples}), the demo's input when no CSV is given.
 */
public final class SyntheticSamplesModule
    extends Module<SyntheticSamplesModule.Config, PBegin, PCollection<Sample>> {
  private static final long serialVersionUID = 1L;

  /** The module's one output. */
  public static final Port SAMPLES = Port.of("samples", Sample.class);

  /**
   * Settings of {@code synthetic-samples}.
   *
   * @param sensors channels to generate, 1..10000
   * @param seconds duration in seconds, in (0, 86400]
   * @param rateHz sample rate in Hz, in (0, 1e6]
   * @param seed random seed
   */
  public record Config(int sensors, double seconds, double rateHz, long seed)
      implements ModuleConfig<SyntheticSamplesModule> {
    public Config {
      if (sensors < 1 || sensors > 10_000) {
        throw new IllegalArgumentException("sensors must be in 1..10000, got " + sensors);
      }
      if (!(seconds > 0 && seconds <= 86_400)) {
        throw new IllegalArgumentException("seconds must be in (0, 86400], got " + seconds);
      }
      if (!(rateHz > 0 && rateHz <= 1e6)) {
        throw new IllegalArgumentException("rateHz must be in (0, 1000000], got " + rateHz);
      }
    }

    @Override
    public SyntheticSamplesModule toModule() {
      return new SyntheticSamplesModule(this);
    }
  }

  private SyntheticSamplesModule(Config config) {
    super("synthetic-samples", config);
  }

  @Override
  public List<Port> inputs() {
    return List.of();
  }

  @Override
  public List<Port> outputs() {
    return List.of(SAMPLES);
  }

  @Override
  public PCollection<Sample> expand(PBegin begin) {
    Config c = config();
    // The inner step keeps its name, so metric labels and dashboards keyed on it stay valid.
    return begin.apply(
        "SyntheticSamples",
        SyntheticSamples.create()
            .withSensors(c.sensors())
            .withSeconds(c.seconds())
            .withRateHz(c.rateHz())
            .withSeed(c.seed()));
  }
}
