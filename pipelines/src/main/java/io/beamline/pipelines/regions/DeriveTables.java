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
   * @param start the run's first region
   * @param end the region the run stops before
   */
  record Config(RegionSettings settings, String runId, int start, int end)
      implements ModuleConfig<DeriveTables>, Serializable {
    Config {
      if (settings == null || runId == null) {
        throw new IllegalArgumentException("settings and runId are required");
      }
      if (start < 0 || end <= start) {
        throw new IllegalArgumentException(
            "start must be >= 0 and end > start, got start " + start + " and end " + end);
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
    ItemCommits commits = ItemCommits.of(c.settings().output().rootDir(), RegionsPipeline.NAME);
    ended.apply(
        "DeriveTables",
        ParDo.of(
            new RegionsTables.DeriveTablesFn(
                c.settings(), commits, c.runId(), c.start(), c.end())));
    return PDone.in(ended.getPipeline());
  }
}
