package io.beamline.framework.run;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Map;

/**
 * The commit record of one item ({@link ItemCommits}), as stored in {@code
 * <output-dir>/commits/<pipeline>/<item>.json}.
 *
 * @param item the item key (a chunk id, a recording id, {@code region-5}, {@code subj/sess})
 * @param status {@code succeeded} or {@code failed}
 * @param runId the run that committed it
 * @param committedUtc when the record was written (ISO 8601, UTC)
 * @param outputs every output of the item, path relative to the output directory
 * @param error the one-line reason of a failed item, else null
 * @param details pipeline-specific values (scores, counts, attempts)
 * @param configHash the hash of the settings that made the item ({@link ItemConfig}); null when the
 *     item was committed outside a run or before runs recorded it
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record CommitRecord(
    @JsonProperty("item") String item,
    @JsonProperty("status") String status,
    @JsonProperty("run_id") String runId,
    @JsonProperty("committed_utc") String committedUtc,
    @JsonProperty("outputs") List<Output> outputs,
    @JsonProperty("error") String error,
    @JsonProperty("details") Map<String, Object> details,
    @JsonProperty("config_hash") @JsonInclude(JsonInclude.Include.NON_NULL) String configHash) {

  public CommitRecord {
    outputs = outputs == null ? List.of() : List.copyOf(outputs);
    details = details == null ? Map.of() : details;
  }

  /** Whether the item succeeded. */
  public boolean succeeded() {
    return ItemCommits.SUCCEEDED.equals(status);
  }

  /**
   * One output of an item.
   *
   * @param path relative to the output directory (absolute when outside it)
   * @param size bytes (of every file under it, for a directory)
   * @param files for a directory, how many files it holds; null for a file
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Output(
      @JsonProperty("path") String path,
      @JsonProperty("size") long size,
      @JsonProperty("files") Long files) {}
}
