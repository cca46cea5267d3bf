package io.beamline.framework.backend;

import io.beamline.framework.BeamlineOptions;
import io.beamline.framework.BeamlinePipeline;
import io.beamline.framework.module.Module;
import io.beamline.framework.module.ModuleConfig;
import io.beamline.framework.module.Port;
import io.beamline.pipelines.demo.SummariseWindowsModule;
import io.beamline.pipelines.demo.SyntheticSamplesModule;
import io.beamline.pipelines.demo.WriteWindowStatsModule;
import java.nio.file.Paths;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.Row;

/**
 * A pipeline composed in Java and registered nowhere: the demo's modules (synthetic samples, window
 * summary, Parquet writer) with a {@link CheckpointModule} between the last two that passes the
 * rows on, holds them until cancelled, or fails, as its config says.
 */
final class ComposedPipeline implements BeamlinePipeline<ComposedPipeline.Options> {
  /** Counts down once a held checkpoint saw its first row: the run is executing. */
  static volatile CountDownLatch holding = new CountDownLatch(1);

  /** Options of the composed pipeline. */
  public interface Options extends BeamlineOptions {
    @Description("Synthetic sensors")
    @Default.Integer(2)
    int getSensors();

    void setSensors(int value);

    @Description("Checkpoint mode: pass, hold or fail")
    @Default.String("pass")
    String getCheckpoint();

    void setCheckpoint(String value);
  }

  @Override
  public String name() {
    return "composed";
  }

  @Override
  public String summary() {
    return "test: demo modules composed in Java";
  }

  @Override
  public Class<Options> optionsClass() {
    return Options.class;
  }

  @Override
  public void build(Pipeline p, Options o) {
    String out = Paths.get(o.getOutputDir(), name(), "window_stats").toString();
    SyntheticSamplesModule samples =
        Module.from(new SyntheticSamplesModule.Config(o.getSensors(), 2, 50, 7));
    SummariseWindowsModule summarise = Module.from(new SummariseWindowsModule.Config(1.0));
    CheckpointModule checkpoint = Module.from(new CheckpointModule.Config(o.getCheckpoint()));
    WriteWindowStatsModule write = Module.from(new WriteWindowStatsModule.Config(out, 1));
    p.apply(samples).apply(summarise).apply(checkpoint).apply(write);
  }

  /** Passes window rows on, holds them (until the run is cancelled) or fails on the first. */
  static final class CheckpointModule
      extends Module<CheckpointModule.Config, PCollection<Row>, PCollection<Row>> {
    private static final long serialVersionUID = 1L;

    record Config(String mode) implements ModuleConfig<CheckpointModule> {
      Config {
        if (!List.of("pass", "hold", "fail").contains(mode)) {
          throw new IllegalArgumentException("mode must be pass, hold or fail, got " + mode);
        }
      }

      @Override
      public CheckpointModule toModule() {
        return new CheckpointModule(this);
      }
    }

    CheckpointModule(Config config) {
      super("checkpoint", config);
    }

    @Override
    public List<Port> inputs() {
      return List.of(SummariseWindowsModule.WINDOW_STATS);
    }

    @Override
    public List<Port> outputs() {
      return List.of(SummariseWindowsModule.WINDOW_STATS);
    }

    @Override
    public PCollection<Row> expand(PCollection<Row> rows) {
      return rows.apply("Checkpoint", ParDo.of(new CheckpointFn(config().mode())))
          .setRowSchema(rows.getSchema());
    }
  }

  static final class CheckpointFn extends DoFn<Row, Row> {
    private final String mode;

    CheckpointFn(String mode) {
      this.mode = mode;
    }

    @ProcessElement
    public void process(@Element Row row, OutputReceiver<Row> out) throws InterruptedException {
      if (mode.equals("fail")) {
        throw new IllegalStateException("checkpoint refused row of " + row.getString("sensor_id"));
      }
      if (mode.equals("hold")) {
        holding.countDown();
        Thread.sleep(Long.MAX_VALUE);
      }
      out.output(row);
    }
  }
}
