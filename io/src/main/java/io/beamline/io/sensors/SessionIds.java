package io.beamline.io.sensors;

/**
 * Who and when a recording belongs to, stamped on every event a driver emits.
 *
 * @param subjectId subject identifier (any non-empty string)
 * @param sessionId session identifier (any non-empty string)
 */
public record SessionIds(String subjectId, String sessionId) {
  /** Checks both ids are non-empty. */
  public SessionIds {
    if (subjectId == null || subjectId.isBlank()) {
      throw new IllegalArgumentException("subjectId must be non-empty, got '" + subjectId + "'");
    }
    if (sessionId == null || sessionId.isBlank()) {
      throw new IllegalArgumentException("sessionId must be non-empty, got '" + sessionId + "'");
    }
  }
}
