package io.beamline.pipelines.stream.process;

import io.beamline.io.swf.WorkflowMessage;
import java.io.Serializable;

/**
 * What became of one STF: its summary row's values, whether it was processed now or found committed
 * by an earlier attempt, the {@code stf_gen} message it answers and the record to acknowledge once
 * {@code stf_processed} is sent.
 *
 * @param run the run number
 * @param sequence the STF's sequence number
 * @param filename the STF file name
 * @param path the STF file's absolute path
 * @param tfCount time frames decoded (announced, when the file could not be read)
 * @param hits hits in all time frames (0 when failed)
 * @param startMs start of the first TF, ms since the epoch
 * @param endMs end of the last TF, ms since the epoch
 * @param checksumOk whether size and adler32 matched the announcement
 * @param status {@code processed} or {@code failed}
 * @param reason why it failed, "" when processed
 * @param recovered true when an earlier attempt had committed it (nothing was redone)
 * @param source the {@code stf_gen} message
 * @param ack the record of that message
 */
record StfOutcome(
    long run,
    int sequence,
    String filename,
    String path,
    int tfCount,
    long hits,
    long startMs,
    long endMs,
    boolean checksumOk,
    String status,
    String reason,
    boolean recovered,
    WorkflowMessage source,
    Ack ack)
    implements Serializable {
  private static final long serialVersionUID = 1L;

  /** Status of an STF processed. */
  static final String PROCESSED = "processed";

  /** Status of an STF that could not be processed. */
  static final String FAILED = "failed";

  /** Whether the STF was processed (not failed). */
  boolean processed() {
    return PROCESSED.equals(status);
  }
}
