package io.beamline.framework;

import java.util.List;

/**
 * The items a run would commit, in order, as {@link BeamlinePipeline#plannedItems} lists them for
 * {@code beamline plan --dry-run}.
 *
 * @param keys the item keys (as in the commit records)
 * @param resumes whether the run skips items already committed with the same config; false when it
 *     redoes every item unless asked to resume
 * @param resumeFlag the flag that makes the run resume when {@code resumes} is false, else null
 */
public record PlannedItems(List<String> keys, boolean resumes, String resumeFlag) {
  /** A pipeline that commits no items. */
  public static final PlannedItems NONE = new PlannedItems(List.of(), true, null);

  public PlannedItems {
    keys = List.copyOf(keys);
  }

  /** Items that a run skips once committed with the same config. */
  public static PlannedItems resumable(List<String> keys) {
    return new PlannedItems(keys, true, null);
  }
}
