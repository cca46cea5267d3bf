package io.beamline.runners.monitor.db;

import static io.beamline.runners.monitor.db.Column.choice;
import static io.beamline.runners.monitor.db.Column.of;
import static io.beamline.runners.monitor.db.Column.required;
import static io.beamline.runners.monitor.db.ColumnType.BOOL;
import static io.beamline.runners.monitor.db.ColumnType.INT;
import static io.beamline.runners.monitor.db.ColumnType.JSON;
import static io.beamline.runners.monitor.db.ColumnType.LONG;
import static io.beamline.runners.monitor.db.ColumnType.TEXT;
import static io.beamline.runners.monitor.db.ColumnType.TIME;

import java.util.List;
import java.util.Map;

/**
 * The monitor's resources, described once: the REST layer and the message ingest both work from
 * these descriptions (columns, types, accepted values, filters).
 */
public final class MonitorTables {
  /** Run status: imminent, running, paused, ended (end_run seen), processed (run_processed). */
  public static final List<String> RUN_STATUS =
      List.of("imminent", "running", "paused", "ended", "processed");

  /** STF file status, in the order a file moves through them. */
  public static final List<String> STF_STATUS =
      List.of("registered", "processing", "processed", "failed");

  /** Agent status. */
  public static final List<String> AGENT_STATUS =
      List.of("UNKNOWN", "OK", "WARNING", "ERROR", "EXITED");

  /** Agent operational state. */
  public static final List<String> OPERATIONAL_STATE =
      List.of("STARTING", "READY", "PROCESSING", "EXITED");

  /** Runs ({@code /api/runs}); reads add the STF counts per run. */
  public static final Table RUNS =
      new Table(
          "runs",
          "run",
          "runs",
          "runs_progress",
          "run_number",
          LONG,
          List.of(
              required("run_number", LONG),
              choice("status", "imminent", RUN_STATUS.toArray(String[]::new)),
              of("state", TEXT),
              of("substate", TEXT),
              of("namespace", TEXT),
              of("execution_id", TEXT),
              of("start_time", TIME),
              of("end_time", TIME),
              of("stf_count", INT)),
          Map.of("status", "status", "namespace", "namespace"),
          null,
          List.of(),
          "run_number DESC");

  /** Super time frame files ({@code /api/stf-files}), keyed by filename. */
  public static final Table STF_FILES =
      new Table(
          "stf-files",
          "STF file",
          "stf_files",
          "stf_files",
          "filename",
          TEXT,
          List.of(
              required("filename", TEXT),
              required("run_number", LONG),
              of("sequence", INT),
              choice("status", "registered", STF_STATUS.toArray(String[]::new)),
              of("path", TEXT),
              of("size_bytes", LONG),
              of("checksum", TEXT),
              of("checksum_ok", BOOL),
              of("tf_count", INT),
              of("hits", LONG),
              of("reason", TEXT),
              of("data_start", TIME),
              of("data_end", TIME)),
          Map.of("run", "run_number", "status", "status"),
          null,
          List.of(),
          "id DESC");

  /** Fast-monitoring TF files ({@code /api/fastmon-files}), keyed by TF filename. */
  public static final Table FASTMON_FILES =
      new Table(
          "fastmon-files",
          "fast-monitoring file",
          "fastmon_files",
          "fastmon_files",
          "tf_filename",
          TEXT,
          List.of(
              required("tf_filename", TEXT),
              of("stf_filename", TEXT),
              required("run_number", LONG),
              of("tf_first", INT),
              of("tf_last", INT),
              of("tf_count", INT),
              of("file_size_bytes", LONG),
              choice("status", "registered", "registered", "processing", "done", "failed")),
          Map.of("run", "run_number", "status", "status"),
          null,
          List.of(),
          "id DESC");

  /** TF slices ({@code /api/tf-slices}), keyed by TF filename and slice id. */
  public static final Table TF_SLICES =
      new Table(
          "tf-slices",
          "TF slice",
          "tf_slices",
          "tf_slices",
          "slice_key",
          TEXT,
          List.of(
              required("slice_id", INT),
              required("tf_filename", TEXT),
              required("run_number", LONG),
              of("tf_first", INT),
              of("tf_last", INT),
              of("tf_count", INT),
              choice("status", "queued", "queued", "processing", "done", "failed"),
              of("retries", INT)),
          Map.of("run", "run_number", "status", "status"),
          f -> f.get("tf_filename") + ":" + f.get("slice_id"),
          List.of(),
          "id DESC");

  /** Agents ({@code /api/systemagents}), keyed by instance name. */
  public static final Table AGENTS =
      new Table(
          "systemagents",
          "agent",
          "system_agents",
          "system_agents",
          "name",
          TEXT,
          List.of(
              required("name", TEXT),
              of("agent_type", TEXT),
              choice("status", "UNKNOWN", AGENT_STATUS.toArray(String[]::new)),
              new Column("operational_state", TEXT, false, null, OPERATIONAL_STATE),
              of("pid", INT),
              of("hostname", TEXT),
              of("namespace", TEXT),
              of("last_heartbeat", TIME),
              of("run_id", TEXT)),
          Map.of("status", "status", "agent_type", "agent_type", "namespace", "namespace"),
          null,
          List.of(),
          "name");

  /**
   * Runs of the batch pipelines that report with {@code --monitor-url} ({@code
   * /api/pipeline-runs}), keyed by their run id.
   */
  public static final Table PIPELINE_RUNS =
      new Table(
          "pipeline-runs",
          "pipeline run",
          "pipeline_runs",
          "pipeline_runs",
          "run_id",
          TEXT,
          List.of(
              required("run_id", TEXT),
              of("pipeline", TEXT),
              new Column("status", TEXT, false, "running", List.of()),
              of("started", TIME),
              of("finished", TIME),
              of("updated", TIME),
              of("host", TEXT),
              of("pid", LONG),
              of("output_dir", TEXT),
              of("command_line", JSON),
              of("error", TEXT),
              of("items_succeeded", LONG),
              of("items_failed", LONG)),
          Map.of("status", "status", "pipeline", "pipeline"),
          null,
          List.of("command_line"),
          "id DESC");

  /** The journal of workflow messages ({@code /api/workflow-messages}); rows are never updated. */
  public static final Table MESSAGES =
      new Table(
          "workflow-messages",
          "workflow message",
          "workflow_messages",
          "workflow_messages",
          "id",
          LONG,
          List.of(
              required("msg_type", TEXT),
              of("agent", TEXT),
              of("run_id", LONG),
              of("namespace", TEXT),
              of("execution_id", TEXT),
              of("message_time", TIME),
              of("source_topic", TEXT),
              of("source_partition", INT),
              of("source_offset", LONG),
              required("body", TEXT)),
          Map.of("msg_type", "msg_type", "agent", "agent", "run_id", "run_id"),
          null,
          List.of("body"),
          "id DESC");

  /** Agents' log lines ({@code /api/logs}). */
  public static final Table LOGS =
      new Table(
          "logs",
          "log line",
          "app_logs",
          "app_logs",
          "id",
          LONG,
          List.of(
              required("agent", TEXT),
              choice("level", "INFO", "DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"),
              required("message", TEXT),
              of("run_number", LONG),
              of("namespace", TEXT),
              of("log_time", TIME)),
          Map.of("agent", "agent", "level", "level", "run", "run_number"),
          null,
          List.of(),
          "id DESC");

  private MonitorTables() {}
}
