package io.beamline.pipelines.demo;

import io.beamline.framework.module.Module;
import io.beamline.framework.module.ModuleConfig;
import io.beamline.framework.module.Port;
import io.beamline.io.parquet.ParquetTableIO;
import io.beamline.transforms.signal.WindowSummary;
import java.util.List;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PDone;
import org.apache.beam.sdk.values.Row;

/**
 * Sink module {@code write-window-stats}: the window statistics as a Parquet table {@code
 * <directory>/window_stats-NNNNN-of-MMMMM.parquet}.
 */
public final class WriteWindowStatsModule
    extends Module<WriteWindowStatsModule.Config, PCollection<Row>, PDone> {
  private static final long serialVersionUID = 1L;

  /**
   * Settings of {@code write-window-stats}.
   *
   * @param directory the table's directory (local path or Beam file system URI)
   * @param numShards Parquet files to write, >= 0 (0 = let the runner choose)
   */
  public record Config(String directory, int numShards)
      implements ModuleConfig<WriteWindowStatsModule> {
    public Config {
      if (directory == null || directory.isBlank()) {
        throw new IllegalArgumentException("directory must be a non-empty path, got " + directory);
      }
      if (numShards < 0) {
        throw new IllegalArgumentException("numShards must be >= 0, got " + numShards);
      }
    }

    @Override
    public WriteWindowStatsModule toModule() {
      return new WriteWindowStatsModule(this);
    }
  }

  private WriteWindowStatsModule(Config config) {
    super("write-window-stats", config);
  }

  @Override
  public List<Port> inputs() {
    return List.of(SummariseWindowsModule.WINDOW_STATS);
  }

  @Override
  public List<Port> outputs() {
    return List.of();
  }

  @Override
  public PDone expand(PCollection<Row> stats) {
    stats.apply(
        "WriteWindowStats",
        ParquetTableIO.write(WindowSummary.SCHEMA)
            .to(config().directory())
            .withPrefix("window_stats")
            .withNumShards(config().numShards()));
    return PDone.in(stats.getPipeline());
  }
}
