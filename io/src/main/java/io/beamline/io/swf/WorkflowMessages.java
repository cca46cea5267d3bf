package io.beamline.io.swf;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.beamline.io.json.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The one codec of workflow messages: {@link WorkflowMessage} to and from UTF-8 JSON objects, the
 * value of every record on the workflow's Kafka topics and of every message the monitor journals.
 *
 * <p>Decoding is strict where the original testbed was loose: {@code run_id} must be an integer
 * (not a string of digits), timestamps must carry a zone ({@code Z} or an offset; they are kept as
 * instants and written back in UTC), every common field and every field of the message's type must
 * be present with its kind. Anything else fails with a {@link MalformedMessageException} whose
 * message is one line naming the problem, for the dead-letter topic. Unknown extra fields are kept,
 * so newer senders do not break older readers.
 */
public final class WorkflowMessages {
  private static final int MAX_RAW_CHARS = 65_536;

  /** The kind of value each known field holds on the wire. */
  private enum Kind {
    STRING,
    INTEGER,
    BOOLEAN,
    TIME,
    INTEGERS
  }

  private static final Map<String, Kind> KINDS = kinds();

  private WorkflowMessages() {}

  private static Map<String, Kind> kinds() {
    Map<String, Kind> k = new LinkedHashMap<>();
    for (String f :
        List.of(
            "reason",
            "filename",
            "path",
            "checksum",
            "status",
            "tf_filename",
            "stf_filename",
            "kind",
            "agent_type",
            "hostname",
            "operational_state")) {
      k.put(f, Kind.STRING);
    }
    for (String f :
        List.of(
            "stf_count",
            "sequence",
            "size_bytes",
            "tf_count",
            "hits",
            "tf_first",
            "tf_last",
            "file_size_bytes",
            "slice_id",
            "processed",
            "failed",
            "pid")) {
      k.put(f, Kind.INTEGER);
    }
    k.put("checksum_ok", Kind.BOOLEAN);
    for (String f : List.of("start", "end", "window_start", "window_end")) {
      k.put(f, Kind.TIME);
    }
    k.put("bins", Kind.INTEGERS);
    return Map.copyOf(k);
  }

  /** The message as one compact JSON object in UTF-8. */
  public static byte[] encode(WorkflowMessage m) {
    return encodeString(m).getBytes(StandardCharsets.UTF_8);
  }

  /** The message as one compact JSON object. */
  public static String encodeString(WorkflowMessage m) {
    return Json.line(toTree(m));
  }

  /**
   * The message as the JSON object {@link #encodeString} writes, for a reader that works on trees
   * (the monitor's ingest) without writing and parsing the text again.
   */
  public static ObjectNode toTree(WorkflowMessage m) {
    ObjectNode o = Json.MAPPER.createObjectNode();
    o.put("msg_type", m.type().wireName());
    o.put("namespace", m.namespace());
    o.put("execution_id", m.executionId());
    o.put("run_id", m.runId());
    o.put("timestamp", m.timestamp().toString());
    o.put("simulation_tick", m.simulationTick());
    o.put("state", m.state());
    o.put("substate", m.substate());
    o.put("agent", m.agent());
    for (Map.Entry<String, Object> e : m.fields().entrySet()) {
      Object v = e.getValue();
      if (v instanceof List<?> list) {
        ArrayNode a = o.putArray(e.getKey());
        list.forEach(x -> a.add(((Number) x).longValue()));
      } else {
        o.set(e.getKey(), Json.MAPPER.valueToTree(v instanceof Instant t ? t.toString() : v));
      }
    }
    return o;
  }

  /** Decodes one record value. */
  public static WorkflowMessage decode(byte[] value) throws MalformedMessageException {
    if (value == null) {
      throw new MalformedMessageException("empty record value (expected a JSON object)");
    }
    return decode(new String(value, StandardCharsets.UTF_8));
  }

  /** Decodes one JSON object. */
  public static WorkflowMessage decode(String text) throws MalformedMessageException {
    JsonNode root;
    try {
      root = Json.MAPPER.readTree(text);
    } catch (JsonProcessingException e) {
      throw new MalformedMessageException(
          "not JSON: " + e.getOriginalMessage().lines().findFirst().orElse(""));
    } catch (IOException e) {
      throw new MalformedMessageException("unreadable value: " + e.getMessage());
    }
    if (root == null || !root.isObject()) {
      throw new MalformedMessageException("not a JSON object (a workflow message is an object)");
    }
    String typeName = text(root, "msg_type");
    MsgType type =
        MsgType.fromWire(typeName)
            .orElseThrow(() -> new MalformedMessageException("unknown msg_type " + typeName));
    Map<String, Object> fields = new LinkedHashMap<>();
    for (String f : type.requiredFields()) {
      if (!root.has(f) || root.get(f).isNull()) {
        throw new MalformedMessageException(typeName + " message without field " + f);
      }
    }
    Iterator<Map.Entry<String, JsonNode>> it = root.fields();
    while (it.hasNext()) {
      Map.Entry<String, JsonNode> e = it.next();
      if (!ENVELOPE.contains(e.getKey())) {
        fields.put(e.getKey(), field(typeName, e.getKey(), e.getValue()));
      }
    }
    return new WorkflowMessage(
        type,
        text(root, "namespace"),
        text(root, "execution_id"),
        integer(typeName, "run_id", required(root, "run_id")),
        time(typeName, "timestamp", required(root, "timestamp")),
        integer(typeName, "simulation_tick", required(root, "simulation_tick")),
        text(root, "state"),
        text(root, "substate"),
        text(root, "agent"),
        fields);
  }

  /** The start of an undecodable value as text, for a dead-letter record (at most 64 Ki chars). */
  public static String rawText(byte[] value) {
    if (value == null) {
      return "";
    }
    String s = new String(value, StandardCharsets.UTF_8);
    return s.length() <= MAX_RAW_CHARS ? s : s.substring(0, MAX_RAW_CHARS);
  }

  private static final List<String> ENVELOPE =
      List.of(
          "msg_type",
          "namespace",
          "execution_id",
          "run_id",
          "timestamp",
          "simulation_tick",
          "state",
          "substate",
          "agent");

  private static JsonNode required(JsonNode root, String field) throws MalformedMessageException {
    JsonNode v = root.get(field);
    if (v == null || v.isNull()) {
      String type = root.path("msg_type").asText("message");
      throw new MalformedMessageException(type + " message without field " + field);
    }
    return v;
  }

  private static String text(JsonNode root, String field) throws MalformedMessageException {
    JsonNode v = required(root, field);
    if (!v.isTextual()) {
      throw new MalformedMessageException(field + " must be a string, got " + v);
    }
    return v.asText();
  }

  private static Object field(String type, String name, JsonNode v)
      throws MalformedMessageException {
    Kind kind = KINDS.get(name);
    if (kind == null) {
      return Json.MAPPER.convertValue(v, Object.class);
    }
    switch (kind) {
      case STRING:
        if (!v.isTextual()) {
          throw new MalformedMessageException(type + " field " + name + " must be a string");
        }
        return v.asText();
      case INTEGER:
        return integer(type, name, v);
      case BOOLEAN:
        if (!v.isBoolean()) {
          throw new MalformedMessageException(type + " field " + name + " must be true or false");
        }
        return v.asBoolean();
      case TIME:
        return time(type, name, v);
      default:
        if (!v.isArray()) {
          throw new MalformedMessageException(type + " field " + name + " must be an array");
        }
        List<Long> out = new ArrayList<>(v.size());
        for (JsonNode x : v) {
          out.add(integer(type, name + "[]", x));
        }
        return List.copyOf(out);
    }
  }

  private static long integer(String type, String name, JsonNode v)
      throws MalformedMessageException {
    if (!v.isIntegralNumber() || !v.canConvertToLong()) {
      throw new MalformedMessageException(
          type + " field " + name + " must be an integer (JSON number), got " + abbreviate(v));
    }
    return v.asLong();
  }

  private static Instant time(String type, String name, JsonNode v)
      throws MalformedMessageException {
    if (!v.isTextual()) {
      throw new MalformedMessageException(type + " field " + name + " must be an ISO-8601 string");
    }
    try {
      return java.time.OffsetDateTime.parse(v.asText()).toInstant();
    } catch (DateTimeParseException e) {
      throw new MalformedMessageException(
          type
              + " field "
              + name
              + " must be ISO-8601 with a zone (e.g. 2026-12-06T21:15:00Z), got "
              + abbreviate(v));
    }
  }

  private static String abbreviate(JsonNode v) {
    String s = v.toString();
    return s.length() <= 60 ? s : s.substring(0, 57) + "...";
  }
}
