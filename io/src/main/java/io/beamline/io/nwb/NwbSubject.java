package io.beamline.io.nwb;

import static org.apache.beam.vendor.guava.v32_1_2_jre.com.google.common.base.Preconditions.checkArgument;

import java.io.Serializable;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The subject of an NWB session, written as the {@code Subject} at {@code /general/subject}: {@code
 * subject_id}, {@code species}, {@code sex}, {@code age} (with {@code reference}={@code birth}) and
 * {@code description}. Only the id is required; fields left unset are not written. Immutable.
 *
 * <pre>{@code
 * NwbSubject s = NwbSubject.of("subj123").withSpecies("Homo sapiens").withSex("F")
 *     .withAge("P34Y").withDescription("healthy adult volunteer");
 * }</pre>
 */
public final class NwbSubject implements Serializable {
  private static final long serialVersionUID = 1L;

  /** The sexes NWB's best practices allow: female, male, unknown, other. */
  public static final Set<String> SEXES = Set.of("F", "M", "U", "O");

  private static final String DURATION =
      "P(?=\\d|T\\d)(\\d+Y)?(\\d+M)?(\\d+W)?(\\d+D)?(T(?=\\d)(\\d+H)?(\\d+M)?(\\d+(\\.\\d+)?S)?)?";

  /** An ISO 8601 duration ({@code P90D}), or a range of two ({@code P10W/P12W}) or an open one. */
  private static final Pattern AGE = Pattern.compile(DURATION + "(/(" + DURATION + ")?)?");

  private String subjectId;
  private String species;
  private String sex;
  private String age;
  private String description;

  private NwbSubject() {}

  /** A subject with only its id (non-empty). */
  public static NwbSubject of(String subjectId) {
    checkArgument(subjectId != null && !subjectId.isEmpty(), "subjectId must be non-empty");
    NwbSubject s = new NwbSubject();
    s.subjectId = subjectId;
    return s;
  }

  private NwbSubject copy() {
    NwbSubject s = new NwbSubject();
    s.subjectId = subjectId;
    s.species = species;
    s.sex = sex;
    s.age = age;
    s.description = description;
    return s;
  }

  /** Species: a Latin binomial ({@code Homo sapiens}) or an NCBI taxonomy link; non-empty. */
  public NwbSubject withSpecies(String species) {
    checkArgument(species != null && !species.isBlank(), "species must be non-empty");
    NwbSubject s = copy();
    s.species = species;
    return s;
  }

  /** Sex: one of {@code F}, {@code M}, {@code U} (unknown), {@code O} (other). */
  public NwbSubject withSex(String sex) {
    checkArgument(
        sex != null && SEXES.contains(sex),
        "sex must be F, M, U (unknown) or O (other), got '%s'",
        sex);
    NwbSubject s = copy();
    s.sex = sex;
    return s;
  }

  /**
   * Age as an ISO 8601 duration from birth: {@code P90D}, {@code P34Y}, a range {@code P10W/P12W},
   * or an open range {@code P18Y/} (18 years or older).
   */
  public NwbSubject withAge(String age) {
    checkArgument(
        age != null && AGE.matcher(age).matches(),
        "age must be an ISO 8601 duration such as P90D or P34Y, or a range such as P10W/P12W or"
            + " P18Y/, got '%s'",
        age);
    NwbSubject s = copy();
    s.age = age;
    return s;
  }

  /** Free-text description of the subject; non-empty. */
  public NwbSubject withDescription(String description) {
    checkArgument(
        description != null && !description.isBlank(), "subject description must be non-empty");
    NwbSubject s = copy();
    s.description = description;
    return s;
  }

  public String subjectId() {
    return subjectId;
  }

  /** The species, or {@code null}. */
  public String species() {
    return species;
  }

  /** The sex, or {@code null}. */
  public String sex() {
    return sex;
  }

  /** The age, or {@code null}. */
  public String age() {
    return age;
  }

  /** The description, or {@code null}. */
  public String description() {
    return description;
  }
}
