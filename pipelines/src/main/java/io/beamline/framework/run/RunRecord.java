package io.beamline.framework.run;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a finished run (or plan) left behind.
 *
 * @param runId the run id
 * @param runDir {@code <output-dir>/runs/<run-id>}
 * @param status {@code succeeded}, {@code partial} (some items failed), {@code failed}, {@code
 *     cancelled} (through a {@link RunControl}), {@code planned} or {@code compiled}
 * @param plan the recorded plan
 * @param error the one-line failure reason, or {@code null}
 * @param items the items the run committed, or null when it did not run to the end
 */
public record RunRecord(
    String runId, Path runDir, String status, PlanExporter plan, String error, Items items) {

  /**
   * The items one run ended, from their commit records ({@link ItemCommits}).
   *
   * @param succeeded items committed with their outputs
   * @param failed items with a failure record
   * @param records the directory of the commit and failure records
   * @param firstError the error of one failed item, or null
   */
  public record Items(int succeeded, int failed, Path records, String firstError) {
    Map<String, Object> toMap() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("succeeded", succeeded);
      m.put("failed", failed);
      m.put("records", records.toString());
      return m;
    }
  }
}
