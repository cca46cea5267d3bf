package io.beamline.pipelines.regions;

import io.beamline.framework.module.Module;
import io.beamline.framework.module.ModuleConfig;
import io.beamline.framework.module.Port;
import io.beamline.framework.module.Spread;
import java.io.Serializable;
import java.util.List;
import java.util.stream.IntStream;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollection;

/**
 * The source of a regions run: the region ids {@code start .. end - 1}, the parallel work items,
 * spread over the workers.
 */
final class RegionRange extends Module<RegionRange.Config, PBegin, PCollection<Integer>> {
  private static final long serialVersionUID = 1L;

  /** The output port: region ids, 0-based. */
  static final Port REGIONS = Port.of("regions", Integer.class);

  /**
   * @param start first region, 0-based, >= 0
   * @param end region to stop before (exclusive), > start
   */
  record Config(int start, int end) implements ModuleConfig<RegionRange>, Serializable {
    Config {
      if (start < 0 || end <= start) {
        throw new IllegalArgumentException(
            "start must be >= 0 and end > start, got start " + start + " and end " + end);
      }
    }

    @Override
    public RegionRange toModule() {
      return new RegionRange(this);
    }
  }

  private RegionRange(Config config) {
    super("region-range", config);
  }

  @Override
  public List<Port> inputs() {
    return List.of();
  }

  @Override
  public List<Port> outputs() {
    return List.of(REGIONS);
  }

  @Override
  public PCollection<Integer> expand(PBegin begin) {
    List<Integer> ids = IntStream.range(config().start(), config().end()).boxed().toList();
    return begin
        .apply("RegionIds", Create.of(ids).withCoder(VarIntCoder.of()))
        // Create keeps its elements in few splits; spread regions over workers by their id.
        .apply("SpreadRegions", Spread.by((Integer id) -> id));
  }
}
