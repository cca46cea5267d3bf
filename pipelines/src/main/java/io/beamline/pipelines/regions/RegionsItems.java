package io.beamline.pipelines.regions;

import io.beamline.framework.PlannedItems;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The items of a {@code regions} run, for {@code beamline plan regions --dry-run}: one per region
 * of {@code [start-region, end-region)} (made by the {@code simulate-regions} module), then the
 * synthetic source table ({@code synthetic-sources}) and the mixed EEG ({@code mix-eeg}) when asked
 * for. A region committed with the same settings from the same anatomy is skipped, so every run
 * resumes.
 */
final class RegionsItems {
  /** Item key patterns to the module that makes those items. */
  static final Map<String, String> MODULES =
      Map.of(
          ".*\\.region-[0-9]+", "simulate-regions",
          "[a-z]+_sample_source1", "synthetic-sources",
          "[a-z]+_sample_source1_eeg", "mix-eeg");

  private RegionsItems() {}

  static PlannedItems of(RegionsOptions o) {
    List<String> keys = new ArrayList<>();
    Map<String, String> digests = new HashMap<>();
    String anatomy =
        inputDigest(RegionAnatomy.of(RegionsAnatomy.load(o, RegionsAnatomy.resolve(o))));
    String folder = "nmm_" + o.getFilename();
    for (int r = o.getStartRegion(); r < o.getEndRegion(); r++) {
      keys.add(ProcessRegionFn.key(folder, r));
      digests.put(ProcessRegionFn.key(folder, r), anatomy);
    }
    if (o.getSyntheticSources() || o.getMixEeg()) {
      keys.add(RegionsOutput.sourcesKey(RegionsConfigs.mode(o.getSourcesMode())));
    }
    if (o.getMixEeg()) {
      keys.add(RegionsOutput.eegKey(RegionsConfigs.mode(o.getSourcesMode())));
    }
    return PlannedItems.resumable(keys).withInputDigests(digests);
  }

  /**
   * The input digest of a region item ({@code ItemCommits.INPUT_DIGEST}): the SHA-256 of the
   * anatomy arrays it is simulated on, so the dry run tells an anatomy changed on disk apart from a
   * changed parameter.
   */
  static String inputDigest(RegionAnatomy anatomy) {
    return "sha256:" + anatomy.sha256();
  }
}
