package io.beamline.pipelines.demo;

import io.beamline.framework.module.Module;
import io.beamline.framework.module.ModuleConfig;
import io.beamline.framework.module.Port;
import io.beamline.io.samples.Sample;
import io.beamline.transforms.signal.WindowSummary;
import java.util.List;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.Row;
import org.joda.time.Duration;

/**
 * Module {@code summarise-windows}: per sensor and fixed event-time window, the count, mean,
 * standard deviation, extremes and RMS of the samples ({@link WindowSummary}; rows of {@link
 * WindowSummary#SCHEMA}).
 */
public final class SummariseWindowsModule
    extends Module<SummariseWindowsModule.Config, PCollection<Sample>, PCollection<Row>> {
  private static final long serialVersionUID = 1L;

  /** The window statistics, one row per sensor and window. */
  public static final Port WINDOW_STATS = Port.of("window-stats", Row.class);

  /**
   * Settings of {@code summarise-windows}.
   *
   * @param windowSeconds window length in seconds, > 0 and at least 1 ms
   */
  public record Config(double windowSeconds) implements ModuleConfig<SummariseWindowsModule> {
    public Config {
      if (!(windowSeconds >= 0.001)) {
        throw new IllegalArgumentException(
            "windowSeconds must be at least 0.001 (1 ms), got " + windowSeconds);
      }
    }

    @Override
    public SummariseWindowsModule toModule() {
      return new SummariseWindowsModule(this);
    }
  }

  private SummariseWindowsModule(Config config) {
    super("summarise-windows", config);
  }

  @Override
  public List<Port> inputs() {
    return List.of(SyntheticSamplesModule.SAMPLES);
  }

  @Override
  public List<Port> outputs() {
    return List.of(WINDOW_STATS);
  }

  @Override
  public PCollection<Row> expand(PCollection<Sample> samples) {
    return samples.apply(
        "SummariseWindows",
        WindowSummary.of(Duration.millis(Math.round(config().windowSeconds() * 1000))));
  }
}
