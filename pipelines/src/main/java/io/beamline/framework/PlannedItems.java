package io.beamline.framework;

import java.util.List;
import java.util.Map;

/**
 * The items a run would commit, in order, as {@link BeamlinePipeline#plannedItems} lists them for
 * {@code beamline plan --dry-run}.
 *
 * @param keys the item keys (as in the commit records)
 * @param resumes whether the run skips items already committed with the same config; false when it
 *     redoes every item unless asked to resume
 * @param resumeFlag the flag that makes the run resume when {@code resumes} is false, else null
 * @param inputDigests per item key, the digest of the input content that item is made from, as the
 *     run records it ({@link io.beamline.framework.run.ItemCommits#INPUT_DIGEST}); items without
 *     one are judged by their config alone
 */
public record PlannedItems(
    List<String> keys, boolean resumes, String resumeFlag, Map<String, String> inputDigests) {
  /** A pipeline that commits no items. */
  public static final PlannedItems NONE = new PlannedItems(List.of(), true, null, Map.of());

  public PlannedItems {
    keys = List.copyOf(keys);
    inputDigests = Map.copyOf(inputDigests);
  }

  /** Items that a run skips once committed with the same config. */
  public static PlannedItems resumable(List<String> keys) {
    return new PlannedItems(keys, true, null, Map.of());
  }

  /** These items, where the run also skips an item only while its input content is unchanged. */
  public PlannedItems withInputDigests(Map<String, String> digests) {
    return new PlannedItems(keys, resumes, resumeFlag, digests);
  }
}
