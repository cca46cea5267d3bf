package io.beamline.io.swf;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The kinds of workflow message, with their wire names and the fields each one must carry besides
 * the common envelope. One name per field everywhere: {@code end_run} carries {@code stf_count},
 * which is also what every reader looks for (the original testbed used different names on the two
 * sides).
 */
public enum MsgType {
  /** The DAQ is about to start a run (beam/not_ready). */
  RUN_IMMINENT("run_imminent"),
  /** Physics data taking begins (run/physics). */
  START_RUN("start_run"),
  /** Data taking pauses (run/standby); carries the reason. */
  PAUSE_RUN("pause_run", "reason"),
  /** Data taking resumes after a pause (run/physics). */
  RESUME_RUN("resume_run"),
  /** The run ended; carries how many STFs it produced. */
  END_RUN("end_run", "stf_count"),
  /** A super time frame file is complete in the DAQ buffer. */
  STF_GEN(
      "stf_gen",
      "filename",
      "path",
      "sequence",
      "size_bytes",
      "checksum",
      "tf_count",
      "start",
      "end"),
  /** The processing agent finished (or failed) one STF. */
  STF_PROCESSED(
      "stf_processed",
      "filename",
      "sequence",
      "tf_count",
      "hits",
      "status",
      "reason",
      "checksum_ok"),
  /** Fast monitoring wrote a file of sampled TFs. */
  TF_FILE_REGISTERED(
      "tf_file_registered",
      "tf_filename",
      "stf_filename",
      "tf_first",
      "tf_last",
      "tf_count",
      "file_size_bytes",
      "status"),
  /** Fast monitoring queued a slice of sampled TFs for fast processing. */
  SLICE("slice", "slice_id", "tf_filename", "tf_first", "tf_last", "tf_count", "status"),
  /** All STFs of an ended run are processed. */
  RUN_PROCESSED("run_processed", "stf_count", "processed", "failed"),
  /** One event-time window of a fast-monitoring histogram. */
  HISTOGRAM("histogram", "window_start", "window_end", "kind", "bins", "stf_count"),
  /** An agent is alive (or, with operational_state EXITED, has stopped). */
  HEARTBEAT("heartbeat", "agent_type", "pid", "hostname", "operational_state", "status");

  private final String wireName;
  private final List<String> requiredFields;

  MsgType(String wireName, String... requiredFields) {
    this.wireName = wireName;
    this.requiredFields = List.of(requiredFields);
  }

  /** The {@code msg_type} value on the wire. */
  public String wireName() {
    return wireName;
  }

  /** Fields this type carries besides the common envelope, all required. */
  public List<String> requiredFields() {
    return requiredFields;
  }

  /** The type whose wire name is {@code name}, if any. */
  public static Optional<MsgType> fromWire(String name) {
    return Arrays.stream(values()).filter(t -> t.wireName.equals(name)).findFirst();
  }
}
