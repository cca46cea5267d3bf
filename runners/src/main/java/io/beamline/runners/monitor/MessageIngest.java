package io.beamline.runners.monitor;

import com.fasterxml.jackson.databind.JsonNode;
import io.beamline.io.json.Json;
import io.beamline.runners.monitor.db.ColumnType;
import io.beamline.runners.monitor.db.InvalidValueException;
import io.beamline.runners.monitor.db.MonitorDatabase;
import io.beamline.runners.monitor.db.MonitorTables;
import io.beamline.runners.monitor.db.TableStore;
import java.sql.SQLException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Applies workflow messages (from the broker or posted to {@code /api/workflow-messages}) to the
 * monitor's tables, journals them and pushes them to the live stream.
 *
 * <p>Every write is keyed (runs by run number, STF files by filename, fast-monitoring files by TF
 * filename, slices by TF filename and slice id, agents by name), so a message seen twice changes
 * nothing the second time; statuses only move forward (a late {@code start_run} does not reopen an
 * ended run, a late {@code stf_gen} does not undo {@code processed}, an old heartbeat does not
 * overwrite a newer one). A broker record is journalled once per (topic, partition, offset).
 */
final class MessageIngest {
  /** Where a message came from: a broker record, or null parts for a REST post. */
  record Source(String topic, Integer partition, Long offset) {
    static final Source REST = new Source(null, null, null);
  }

  /** Order of run statuses: a message never moves a run back. */
  private static final List<String> RUN_ORDER =
      List.of("imminent", "running", "ended", "processed");

  /** An agent's row takes a heartbeat only if it is not older than the one it has. */
  private static final TableStore.Guard NEWER_HEARTBEAT =
      new TableStore.Guard("last_heartbeat IS NULL OR last_heartbeat <= ?", "last_heartbeat");

  private final TableStore runs;
  private final TableStore stfFiles;
  private final TableStore fastmon;
  private final TableStore slices;
  private final TableStore agents;
  private final TableStore journal;
  private final MessageHub hub;

  MessageIngest(MonitorDatabase db, MessageHub hub) {
    this.runs = new TableStore(db, MonitorTables.RUNS);
    this.stfFiles = new TableStore(db, MonitorTables.STF_FILES);
    this.fastmon = new TableStore(db, MonitorTables.FASTMON_FILES);
    this.slices = new TableStore(db, MonitorTables.TF_SLICES);
    this.agents = new TableStore(db, MonitorTables.AGENTS);
    this.journal = new TableStore(db, MonitorTables.MESSAGES);
    this.hub = hub;
  }

  /**
   * Applies {@code message} (a workflow message object, or a dead-letter record when {@code
   * deadLetter}), journals it and publishes it; returns the journal row, or null when this broker
   * record was journalled before.
   *
   * @throws InvalidValueException when a field has the wrong type or a required one is missing
   */
  Map<String, Object> accept(JsonNode message, Source source, boolean deadLetter)
      throws SQLException {
    if (message == null || !message.isObject()) {
      throw new InvalidValueException("a workflow message must be a JSON object");
    }
    String type = deadLetter ? "deadletter" : text(message, "msg_type", true);
    if (!deadLetter) {
      apply(type, message);
    }
    Map<String, Object> row = new LinkedHashMap<>();
    row.put("msg_type", type);
    row.put("agent", text(message, "agent", false));
    row.put("run_id", deadLetter ? null : number(message, "run_id"));
    row.put("namespace", text(message, "namespace", false));
    row.put("execution_id", text(message, "execution_id", false));
    row.put("message_time", time(message, "timestamp"));
    row.put("source_topic", source.topic());
    row.put("source_partition", source.partition());
    row.put("source_offset", source.offset());
    row.put("body", Json.line(message));
    Map<String, Object> journalled;
    try {
      journalled = journal.upsert(row, Set.of(), null).row();
    } catch (SQLException e) {
      if ("23505".equals(e.getSQLState())) {
        return null;
      }
      throw e;
    }
    hub.publish(journalled);
    return journalled;
  }

  private void apply(String type, JsonNode m) throws SQLException {
    switch (type) {
      case "run_imminent" -> runStatus(m, "imminent");
      case "start_run", "resume_run" -> runStatus(m, "running");
      case "pause_run" -> runStatus(m, "paused");
      case "end_run" -> runStatus(m, "ended");
      case "run_processed" -> runStatus(m, "processed");
      case "stf_gen" -> stfGenerated(m);
      case "stf_processed" -> stfProcessed(m);
      case "tf_file_registered" -> fastmonFile(m);
      case "slice" -> slice(m);
      case "heartbeat" -> heartbeat(m);
      default -> {
        // histogram and other types are journalled and streamed only.
      }
    }
  }

  private void runStatus(JsonNode m, String status) throws SQLException {
    long run = requiredNumber(m, "run_id");
    Map<String, Object> current = runs.get(Long.toString(run));
    Map<String, Object> f = runFields(m, run);
    String now = current == null ? null : (String) current.get("status");
    if (now == null || rank(status) >= rank(now)) {
      f.put("status", status);
      f.put("state", text(m, "state", false));
      f.put("substate", text(m, "substate", false));
    }
    Instant at = time(m, "timestamp");
    if (status.equals("running") && (current == null || current.get("start_time") == null)) {
      f.put("start_time", at);
    }
    if (status.equals("ended")) {
      f.put("end_time", at);
    }
    if (m.has("stf_count")) {
      f.put("stf_count", (int) requiredNumber(m, "stf_count"));
    }
    runs.upsert(f, Set.of(), null);
  }

  private static int rank(String status) {
    // paused ranks with running: a run moves between them freely.
    return RUN_ORDER.indexOf(status.equals("paused") ? "running" : status);
  }

  private Map<String, Object> runFields(JsonNode m, long run) {
    Map<String, Object> f = new LinkedHashMap<>();
    f.put("run_number", run);
    f.put("namespace", text(m, "namespace", false));
    f.put("execution_id", text(m, "execution_id", false));
    return f;
  }

  private void stfGenerated(JsonNode m) throws SQLException {
    long run = requiredNumber(m, "run_id");
    // A run first seen through its files (start_run lost or not yet read) is running.
    Map<String, Object> r = runFields(m, run);
    r.put("status", "running");
    runs.upsert(r, Set.of("status"), null);
    Map<String, Object> f = new LinkedHashMap<>();
    f.put("filename", text(m, "filename", true));
    f.put("run_number", run);
    f.put("sequence", intOrNull(m, "sequence"));
    f.put("path", text(m, "path", false));
    f.put("size_bytes", number(m, "size_bytes"));
    f.put("checksum", text(m, "checksum", false));
    f.put("tf_count", intOrNull(m, "tf_count"));
    f.put("data_start", time(m, "start"));
    f.put("data_end", time(m, "end"));
    f.put("status", "registered");
    stfFiles.upsert(withoutNulls(f), Set.of("status"), null);
  }

  private void stfProcessed(JsonNode m) throws SQLException {
    Map<String, Object> f = new LinkedHashMap<>();
    f.put("filename", text(m, "filename", true));
    f.put("run_number", requiredNumber(m, "run_id"));
    f.put("sequence", intOrNull(m, "sequence"));
    f.put("tf_count", intOrNull(m, "tf_count"));
    f.put("hits", number(m, "hits"));
    String status = text(m, "status", true);
    if (!status.equals("processed") && !status.equals("failed")) {
      throw new InvalidValueException(
          "status of stf_processed must be processed or failed, got '" + status + "'");
    }
    f.put("status", status);
    f.put("reason", text(m, "reason", false));
    if (m.hasNonNull("checksum_ok")) {
      f.put("checksum_ok", m.get("checksum_ok").asBoolean());
    }
    stfFiles.upsert(withoutNulls(f), Set.of(), null);
  }

  private void fastmonFile(JsonNode m) throws SQLException {
    Map<String, Object> f = new LinkedHashMap<>();
    f.put("tf_filename", text(m, "tf_filename", true));
    f.put("stf_filename", text(m, "stf_filename", false));
    f.put("run_number", requiredNumber(m, "run_id"));
    f.put("tf_first", intOrNull(m, "tf_first"));
    f.put("tf_last", intOrNull(m, "tf_last"));
    f.put("tf_count", intOrNull(m, "tf_count"));
    f.put("file_size_bytes", number(m, "file_size_bytes"));
    f.put("status", "registered");
    fastmon.upsert(withoutNulls(f), Set.of("status"), null);
  }

  private void slice(JsonNode m) throws SQLException {
    Map<String, Object> f = new LinkedHashMap<>();
    f.put("slice_id", (int) requiredNumber(m, "slice_id"));
    f.put("tf_filename", text(m, "tf_filename", true));
    f.put("run_number", requiredNumber(m, "run_id"));
    f.put("tf_first", intOrNull(m, "tf_first"));
    f.put("tf_last", intOrNull(m, "tf_last"));
    f.put("tf_count", intOrNull(m, "tf_count"));
    f.put("status", "queued");
    slices.upsert(withoutNulls(f), Set.of("status"), null);
  }

  private void heartbeat(JsonNode m) throws SQLException {
    Map<String, Object> f = new LinkedHashMap<>();
    f.put("name", text(m, "agent", true));
    f.put("agent_type", text(m, "agent_type", false));
    f.put("pid", intOrNull(m, "pid"));
    f.put("hostname", text(m, "hostname", false));
    f.put("namespace", text(m, "namespace", false));
    String op = text(m, "operational_state", false);
    f.put("operational_state", op);
    f.put("status", "EXITED".equals(op) ? "EXITED" : text(m, "status", false));
    Instant at = time(m, "timestamp");
    f.put("last_heartbeat", at == null ? Instant.now() : at);
    Map<String, Object> typed = agents.fields(Json.MAPPER.valueToTree(jsonable(f)));
    // An older heartbeat (a redelivery) leaves a newer one's state alone.
    agents.upsert(typed, Set.of(), NEWER_HEARTBEAT);
  }

  private static Map<String, Object> jsonable(Map<String, Object> f) {
    Map<String, Object> out = new LinkedHashMap<>();
    f.forEach(
        (k, v) -> {
          if (v != null) {
            out.put(k, v instanceof Instant i ? i.toString() : v);
          }
        });
    return out;
  }

  private static Map<String, Object> withoutNulls(Map<String, Object> f) {
    f.values().removeIf(v -> v == null);
    return f;
  }

  private static String text(JsonNode m, String field, boolean required) {
    JsonNode n = m.get(field);
    if (n == null || n.isNull()) {
      if (required) {
        throw new InvalidValueException(field + " is missing; add it to the message");
      }
      return null;
    }
    if (!n.isTextual()) {
      throw new InvalidValueException(field + " must be a string, got " + n);
    }
    return n.textValue();
  }

  private static Long number(JsonNode m, String field) {
    JsonNode n = m.get(field);
    if (n == null || n.isNull()) {
      return null;
    }
    if (!n.isIntegralNumber() || !n.canConvertToLong()) {
      throw new InvalidValueException(
          field + " must be an integer (a JSON number, not a string), got " + n);
    }
    return n.longValue();
  }

  private static Integer intOrNull(JsonNode m, String field) {
    Long v = number(m, field);
    return v == null ? null : Math.toIntExact(v);
  }

  private static long requiredNumber(JsonNode m, String field) {
    Long v = number(m, field);
    if (v == null) {
      throw new InvalidValueException(field + " is missing; add it to the message");
    }
    return v;
  }

  private static Instant time(JsonNode m, String field) {
    String t = text(m, field, false);
    return t == null ? null : ColumnType.parseTime(field, t);
  }
}
