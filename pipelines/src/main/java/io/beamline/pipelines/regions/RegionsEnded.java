package io.beamline.pipelines.regions;

import java.io.Serializable;
import java.util.List;

/**
 * The one element that follows a run's regions: every region of the run has ended (committed,
 * skipped or failed). What comes after the regions (tables, synthetic sources) waits for it.
 *
 * @param regions the run's regions, ascending
 */
record RegionsEnded(List<Integer> regions) implements Serializable {
  RegionsEnded {
    regions = List.copyOf(regions);
  }
}
