package io.beamline.pipelines.regions;

import io.beamline.framework.module.Module;
import io.beamline.framework.module.ModuleConfig;
import io.beamline.framework.module.Port;
import io.beamline.framework.run.ItemCommits;
import java.io.Serializable;
import java.util.List;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PDone;

/**
 * Derives the run's tables and summary from the commit records once every region has ended ({@link
 * RegionsTables}): {@code spike_clips/}, {@code region_summary/} and {@code regions_summary.json}.
 */
final class DeriveTables extends Module<DeriveTables.Config, PCollection<RegionsEnded>, PDone> {
  private static final long serialVersionUID = 1L;

  /**
   * @param settings anatomy (labels), output directory and spike folder of the run
   * @param runId the run whose regions {@code regions_summary.json} reports
   * @param range the run's regions
   */
  record Config(RegionSettings settings, String runId, RegionRange.Config range)
      implements ModuleConfig<DeriveTables>, Serializable {
    Config {
      if (settings == null || runId == null || range == null) {
        throw new IllegalArgumentException("settings, runId and range are required");
      }
    }

    @Override
    public DeriveTables toModule() {
      return new DeriveTables(this);
    }
  }

  private DeriveTables(Config config) {
    super("derive-tables", config);
  }

  @Override
  public List<Port> inputs() {
    return List.of(SimulateRegions.ENDED);
  }

  @Override
  public List<Port> outputs() {
    return List.of();
  }

  @Override
  public PDone expand(PCollection<RegionsEnded> ended) {
    Config c = config();
    ItemCommits commits = c.settings().output().commits();
    ended.apply(
        "DeriveTables",
        ParDo.of(
            new RegionsTables.DeriveTablesFn(
                c.settings(), commits, c.runId(), c.range().start(), c.range().end())));
    return PDone.in(ended.getPipeline());
  }
}
