package io.beamline.io.nwb;

import static org.apache.beam.vendor.guava.v32_1_2_jre.com.google.common.base.Preconditions.checkArgument;

import java.io.Serializable;
import java.time.Instant;
import java.util.List;

/**
 * The file-level fields of an NWB file: identifier, session description and times, and the metadata
 * under {@code /general} (session id, experimenter, institution, experiment description, keywords,
 * subject). Immutable.
 *
 * <pre>{@code
 * NwbFile header = NwbFile.of("subj123_sessA", "Constellation demo", start)
 *     .withSessionId("sessA")
 *     .withSubject(NwbSubject.of("subj123").withSpecies("Homo sapiens").withSex("U"))
 *     .withExperimenters(List.of("Doe, Jane"))
 *     .withKeywords(List.of("EEG", "synthetic"));
 * }</pre>
 */
public final class NwbFile implements Serializable {
  private static final long serialVersionUID = 2L;

  private String identifier;
  private String sessionDescription;
  private Instant sessionStartTime;
  private Instant timestampsReferenceTime;
  private Instant fileCreateDate;
  private String sessionId;
  private NwbSubject subject;
  private List<String> experimenters = List.of();
  private String institution;
  private String experimentDescription;
  private List<String> keywords = List.of();

  private NwbFile() {}

  /**
   * The required fields. Defaults: {@code timestamps_reference_time} and {@code file_create_date}
   * equal {@code sessionStartTime} (so the same input gives the same file; pass the real creation
   * time with {@link #withFileCreateDate}); nothing under {@code /general}.
   *
   * @param identifier unique id of this file, non-empty; also seeds every {@code object_id}
   */
  public static NwbFile of(String identifier, String sessionDescription, Instant sessionStartTime) {
    checkArgument(identifier != null && !identifier.isEmpty(), "identifier must be non-empty");
    checkArgument(
        sessionDescription != null && !sessionDescription.isEmpty(),
        "sessionDescription must be non-empty");
    checkArgument(sessionStartTime != null, "sessionStartTime must not be null");
    NwbFile f = new NwbFile();
    f.identifier = identifier;
    f.sessionDescription = sessionDescription;
    f.sessionStartTime = sessionStartTime;
    f.timestampsReferenceTime = sessionStartTime;
    f.fileCreateDate = sessionStartTime;
    return f;
  }

  private NwbFile copy() {
    NwbFile f = new NwbFile();
    f.identifier = identifier;
    f.sessionDescription = sessionDescription;
    f.sessionStartTime = sessionStartTime;
    f.timestampsReferenceTime = timestampsReferenceTime;
    f.fileCreateDate = fileCreateDate;
    f.sessionId = sessionId;
    f.subject = subject;
    f.experimenters = experimenters;
    f.institution = institution;
    f.experimentDescription = experimentDescription;
    f.keywords = keywords;
    return f;
  }

  /** Time zero of all timestamps in the file; default the session start time. */
  public NwbFile withTimestampsReferenceTime(Instant t) {
    checkArgument(t != null, "timestampsReferenceTime must not be null");
    NwbFile f = copy();
    f.timestampsReferenceTime = t;
    return f;
  }

  /** The {@code file_create_date}; default the session start time. */
  public NwbFile withFileCreateDate(Instant t) {
    checkArgument(t != null, "fileCreateDate must not be null");
    NwbFile f = copy();
    f.fileCreateDate = t;
    return f;
  }

  /**
   * The subject, written as {@code /general/subject}; default none. Replaces a subject set before,
   * including one set by {@link #withSubjectId}.
   */
  public NwbFile withSubject(NwbSubject subject) {
    checkArgument(subject != null, "subject must not be null");
    NwbFile f = copy();
    f.subject = subject;
    return f;
  }

  /** Shorthand for {@code withSubject(NwbSubject.of(subjectId))}. */
  public NwbFile withSubjectId(String subjectId) {
    return withSubject(NwbSubject.of(subjectId));
  }

  /** Writes {@code /general/session_id}; non-empty. */
  public NwbFile withSessionId(String sessionId) {
    checkArgument(sessionId != null && !sessionId.isEmpty(), "sessionId must be non-empty");
    NwbFile f = copy();
    f.sessionId = sessionId;
    return f;
  }

  /**
   * Writes {@code /general/experimenter}: the people who ran the session, each non-empty,
   * conventionally "Last, First"; default none (an empty list writes none).
   */
  public NwbFile withExperimenters(List<String> experimenters) {
    NwbFile f = copy();
    f.experimenters = nonEmptyEach("experimenter", experimenters);
    return f;
  }

  /** Writes {@code /general/institution}; non-empty. */
  public NwbFile withInstitution(String institution) {
    checkArgument(institution != null && !institution.isBlank(), "institution must be non-empty");
    NwbFile f = copy();
    f.institution = institution;
    return f;
  }

  /** Writes {@code /general/experiment_description}; non-empty. */
  public NwbFile withExperimentDescription(String experimentDescription) {
    checkArgument(
        experimentDescription != null && !experimentDescription.isBlank(),
        "experiment description must be non-empty");
    NwbFile f = copy();
    f.experimentDescription = experimentDescription;
    return f;
  }

  /** Writes {@code /general/keywords}, each non-empty; default none (an empty list writes none). */
  public NwbFile withKeywords(List<String> keywords) {
    NwbFile f = copy();
    f.keywords = nonEmptyEach("keyword", keywords);
    return f;
  }

  private static List<String> nonEmptyEach(String what, List<String> values) {
    checkArgument(values != null, "%ss must not be null", what);
    for (String v : values) {
      checkArgument(v != null && !v.isBlank(), "every %s must be non-empty, got %s", what, values);
    }
    return List.copyOf(values);
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

  /** The subject, or {@code null}. */
  public NwbSubject subject() {
    return subject;
  }

  /** The subject id, or {@code null}. */
  public String subjectId() {
    return subject == null ? null : subject.subjectId();
  }

  /** The session id, or {@code null}. */
  public String sessionId() {
    return sessionId;
  }

  /** The experimenters; empty when none. */
  public List<String> experimenters() {
    return experimenters;
  }

  /** The institution, or {@code null}. */
  public String institution() {
    return institution;
  }

  /** The experiment description, or {@code null}. */
  public String experimentDescription() {
    return experimentDescription;
  }

  /** The keywords; empty when none. */
  public List<String> keywords() {
    return keywords;
  }
}
