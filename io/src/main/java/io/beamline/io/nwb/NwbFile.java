package io.beamline.io.nwb;

import static org.apache.beam.vendor.guava.v32_1_2_jre.com.google.common.base.Preconditions.checkArgument;

import java.io.Serializable;
import java.time.Instant;

/**
 * The file-level fields of an NWB file: identifier, session description and times, subject and
 * session ids. Immutable.
 *
 * <pre>{@code
 * NwbFile header = NwbFile.of("subj123_sessA", "Constellation demo", start)
 *     .withSubjectId("subj123").withSessionId("sessA");
 * }</pre>
 */
public final class NwbFile implements Serializable {
  private static final long serialVersionUID = 1L;

  private final String identifier;
  private final String sessionDescription;
  private final Instant sessionStartTime;
  private final Instant timestampsReferenceTime;
  private final Instant fileCreateDate;
  private final String subjectId;
  private final String sessionId;

  private NwbFile(
      String identifier,
      String sessionDescription,
      Instant sessionStartTime,
      Instant timestampsReferenceTime,
      Instant fileCreateDate,
      String subjectId,
      String sessionId) {
    this.identifier = identifier;
    this.sessionDescription = sessionDescription;
    this.sessionStartTime = sessionStartTime;
    this.timestampsReferenceTime = timestampsReferenceTime;
    this.fileCreateDate = fileCreateDate;
    this.subjectId = subjectId;
    this.sessionId = sessionId;
  }

  /**
   * The required fields. Defaults: {@code timestamps_reference_time} and {@code file_create_date}
   * equal {@code sessionStartTime} (so the same input gives the same file; pass the real creation
   * time with {@link #withFileCreateDate}), no subject, no session id.
   *
   * @param identifier unique id of this file, non-empty; also seeds every {@code object_id}
   */
  public static NwbFile of(String identifier, String sessionDescription, Instant sessionStartTime) {
    checkArgument(identifier != null && !identifier.isEmpty(), "identifier must be non-empty");
    checkArgument(
        sessionDescription != null && !sessionDescription.isEmpty(),
        "sessionDescription must be non-empty");
    checkArgument(sessionStartTime != null, "sessionStartTime must not be null");
    return new NwbFile(
        identifier,
        sessionDescription,
        sessionStartTime,
        sessionStartTime,
        sessionStartTime,
        null,
        null);
  }

  /** Time zero of all timestamps in the file; default the session start time. */
  public NwbFile withTimestampsReferenceTime(Instant t) {
    checkArgument(t != null, "timestampsReferenceTime must not be null");
    return new NwbFile(
        identifier, sessionDescription, sessionStartTime, t, fileCreateDate, subjectId, sessionId);
  }

  /** The {@code file_create_date}; default the session start time. */
  public NwbFile withFileCreateDate(Instant t) {
    checkArgument(t != null, "fileCreateDate must not be null");
    return new NwbFile(
        identifier,
        sessionDescription,
        sessionStartTime,
        timestampsReferenceTime,
        t,
        subjectId,
        sessionId);
  }

  /** Writes {@code general/subject} (a {@code Subject}) with {@code subject_id}; non-empty. */
  public NwbFile withSubjectId(String subjectId) {
    checkArgument(subjectId != null && !subjectId.isEmpty(), "subjectId must be non-empty");
    return new NwbFile(
        identifier,
        sessionDescription,
        sessionStartTime,
        timestampsReferenceTime,
        fileCreateDate,
        subjectId,
        sessionId);
  }

  /** Writes {@code general/session_id}; non-empty. */
  public NwbFile withSessionId(String sessionId) {
    checkArgument(sessionId != null && !sessionId.isEmpty(), "sessionId must be non-empty");
    return new NwbFile(
        identifier,
        sessionDescription,
        sessionStartTime,
        timestampsReferenceTime,
        fileCreateDate,
        subjectId,
        sessionId);
  }

  public String identifier() {
    return identifier;
  }

  public String sessionDescription() {
    return sessionDescription;
  }

  public Instant sessionStartTime() {
    return sessionStartTime;
  }

  public Instant timestampsReferenceTime() {
    return timestampsReferenceTime;
  }

  public Instant fileCreateDate() {
    return fileCreateDate;
  }

  /** The subject id, or {@code null}. */
  public String subjectId() {
    return subjectId;
  }

  /** The session id, or {@code null}. */
  public String sessionId() {
    return sessionId;
  }
}
