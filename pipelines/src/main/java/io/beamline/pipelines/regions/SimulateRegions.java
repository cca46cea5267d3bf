package io.beamline.pipelines.regions;

import io.beamline.framework.module.Module;
import io.beamline.framework.module.ModuleConfig;
import io.beamline.framework.module.Port;
import io.beamline.framework.run.ItemCommits;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.WithKeys;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;

/**
 * Simulates each region and extracts its spikes, one committed item per region ({@link
 * ProcessRegionFn}), then emits one {@link RegionsEnded} once every region of the run has ended.
 *
 * <p>Simulation and spike extraction are one step per region on purpose: the 2 kHz trace of a
 * region is hundreds of megabytes and only its clips are kept, so it never leaves the worker (nor
 * touches the disk, unless {@code keepRaw}), and a region's clips and markers are committed as one
 * item. The two are two kernels in {@code transforms} ({@code RegionSimulation}, {@code
 * SpikeClips}) with their settings in {@link SimulationConfig}.
 */
final class SimulateRegions
    extends Module<SimulateRegions.Config, PCollection<Integer>, PCollection<RegionsEnded>> {
  private static final long serialVersionUID = 1L;

  /** The output port: one element after every region of the run. */
  static final Port ENDED = Port.of("ended", RegionsEnded.class);

  /**
   * @param settings anatomy, simulation and output of the run
   * @param runId the run the commit records name
   * @param range the run's regions (for the progress lines)
   * @param progressKey a key unique to this run's graph, counting its finished regions
   */
  record Config(RegionSettings settings, String runId, RegionRange.Config range, String progressKey)
      implements ModuleConfig<SimulateRegions>, Serializable {
    Config {
      if (settings == null || runId == null || range == null || progressKey == null) {
        throw new IllegalArgumentException("settings, runId, range and progressKey are required");
      }
    }

    @Override
    public SimulateRegions toModule() {
      return new SimulateRegions(this);
    }
  }

  private SimulateRegions(Config config) {
    super("simulate-regions", config);
  }

  @Override
  public List<Port> inputs() {
    return List.of(RegionRange.REGIONS);
  }

  @Override
  public List<Port> outputs() {
    return List.of(ENDED);
  }

  @Override
  public PCollection<RegionsEnded> expand(PCollection<Integer> regions) {
    Config c = config();
    RegionSettings settings = c.settings();
    ItemCommits commits = settings.output().commits();
    return regions
        .apply(
            "SimulateAndExtract",
            ParDo.of(
                new ProcessRegionFn(
                    settings,
                    settings.fingerprint(),
                    commits,
                    c.runId(),
                    c.range().start(),
                    c.range().end() - c.range().start(),
                    c.progressKey())))
        .setCoder(VarIntCoder.of())
        .apply("KeyRegions", WithKeys.of("regions"))
        .setCoder(KvCoder.of(StringUtf8Coder.of(), VarIntCoder.of()))
        // One key: what follows runs once, after every region of the run has ended.
        .apply("GatherRegions", GroupByKey.create())
        .apply("RegionsEnded", ParDo.of(new EndedFn()))
        .setCoder(SerializableCoder.of(RegionsEnded.class));
  }

  /** The gathered region ids as one {@link RegionsEnded}. */
  static final class EndedFn extends DoFn<KV<String, Iterable<Integer>>, RegionsEnded> {
    @ProcessElement
    public void process(
        @Element KV<String, Iterable<Integer>> gathered, OutputReceiver<RegionsEnded> out) {
      List<Integer> ids = new ArrayList<>();
      gathered.getValue().forEach(ids::add);
      ids.sort(null);
      out.output(new RegionsEnded(ids));
    }
  }
}
