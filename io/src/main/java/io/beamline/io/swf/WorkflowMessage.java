package io.beamline.io.swf;

import java.io.Serializable;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One message of the streaming workflow: the common envelope every agent sends ({@code msg_type,
 * namespace, execution_id, run_id, timestamp, simulation_tick, state, substate, agent}) and the
 * fields of its type ({@link MsgType#requiredFields()}), in wire order.
 *
 * <p>Run ids are integers and timestamps instants (UTC on the wire) everywhere. Field values are
 * {@code String}, {@code Long}, {@code Double}, {@code Boolean}, {@code Instant} or a {@code
 * List<Long>}; the typed getters convert and name the field when it is missing or of another type.
 *
 * <pre>{@code
 * WorkflowMessage m =
 *     WorkflowMessage.of(MsgType.END_RUN, envelope).with("stf_count", 12L);
 * byte[] wire = WorkflowMessages.encode(m);
 * }</pre>
 */
public record WorkflowMessage(
    MsgType type,
    String namespace,
    String executionId,
    long runId,
    Instant timestamp,
    long simulationTick,
    String state,
    String substate,
    String agent,
    Map<String, Object> fields)
    implements Serializable {
  private static final long serialVersionUID = 1L;

  /** Checks the envelope and freezes the fields. */
  public WorkflowMessage {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(namespace, "namespace");
    Objects.requireNonNull(executionId, "executionId");
    Objects.requireNonNull(timestamp, "timestamp");
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(substate, "substate");
    Objects.requireNonNull(agent, "agent");
    fields = Collections.unmodifiableMap(new LinkedHashMap<>(fields));
  }

  /**
   * The common part of the messages one agent sends: who sends, for which execution and namespace.
   * Messages are made from it with {@link WorkflowMessage#of}.
   */
  public record Envelope(String namespace, String executionId, String agent)
      implements Serializable {
    private static final long serialVersionUID = 1L;
  }

  /** A message of {@code type} with no type fields yet; add them with {@link #with}. */
  public static WorkflowMessage of(
      MsgType type,
      Envelope envelope,
      long runId,
      Instant timestamp,
      long simulationTick,
      String state,
      String substate) {
    return new WorkflowMessage(
        type,
        envelope.namespace(),
        envelope.executionId(),
        runId,
        timestamp,
        simulationTick,
        state,
        substate,
        envelope.agent(),
        Map.of());
  }

  /** This message with one more type field (or a field replaced). */
  public WorkflowMessage with(String field, Object value) {
    Objects.requireNonNull(value, field);
    Map<String, Object> next = new LinkedHashMap<>(fields);
    next.put(field, value instanceof Integer i ? Long.valueOf(i) : value);
    return new WorkflowMessage(
        type,
        namespace,
        executionId,
        runId,
        timestamp,
        simulationTick,
        state,
        substate,
        agent,
        next);
  }

  /** A string field. */
  public String string(String field) {
    return get(field, String.class);
  }

  /** An integer field. */
  public long integer(String field) {
    return get(field, Long.class);
  }

  /** A boolean field. */
  public boolean bool(String field) {
    return get(field, Boolean.class);
  }

  /** A timestamp field. */
  public Instant instant(String field) {
    return get(field, Instant.class);
  }

  /** An array-of-integers field. */
  @SuppressWarnings("unchecked")
  public List<Long> integers(String field) {
    return get(field, List.class);
  }

  private <T> T get(String field, Class<T> kind) {
    Object v = fields.get(field);
    if (v == null) {
      throw new IllegalArgumentException(type.wireName() + " message has no field " + field);
    }
    if (!kind.isInstance(v)) {
      throw new IllegalArgumentException(
          type.wireName()
              + " field "
              + field
              + " is "
              + v.getClass().getSimpleName()
              + ", not "
              + kind.getSimpleName());
    }
    return kind.cast(v);
  }
}
