package io.beamline.io.webdataset;

import static org.apache.beam.vendor.guava.v32_1_2_jre.com.google.common.base.Preconditions.checkArgument;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * One WebDataset sample: a key and named fields, written as tar entries {@code <key>.<field>}.
 *
 * <p>Naming rules (WebDataset: the files of one sample share the name up to the first dot, the rest
 * is the field): a key is 1-200 characters, with no dot, no {@code /} or {@code \}, no NUL or other
 * control character, so a key can never name a directory or escape the shard. A field is 1-100
 * characters, may contain dots ({@code eeg.npy}) but not at its start or end, never two in a row,
 * and no separators or control characters. Fields are kept sorted so that the tar layout does not
 * depend on the order they were added in. Instances are immutable.
 *
 * <pre>{@code
 * WebDatasetSample s = WebDatasetSample.of("w000042")
 *     .withJson("json", "{\"t0\": 42.0}")
 *     .withNpy("eeg.npy", NpyArray.float32(eeg, 250, 8));
 * }</pre>
 */
public final class WebDatasetSample {
  static final int MAX_KEY_LENGTH = 200;
  static final int MAX_FIELD_LENGTH = 100;

  private final String key;
  private final SortedMap<String, byte[]> fields;

  private WebDatasetSample(String key, SortedMap<String, byte[]> fields) {
    this.key = key;
    this.fields = fields;
  }

  /**
   * A sample with no fields yet.
   *
   * @throws IllegalArgumentException naming the key when it breaks the naming rules
   */
  public static WebDatasetSample of(String key) {
    checkKey(key);
    return new WebDatasetSample(key, new TreeMap<>());
  }

  /** Adds (or replaces) field {@code field} with raw bytes (copied). */
  public WebDatasetSample withBytes(String field, byte[] bytes) {
    checkField(key, field);
    checkArgument(bytes != null, "sample '%s' field '%s': bytes must not be null", key, field);
    TreeMap<String, byte[]> copy = new TreeMap<>(fields);
    copy.put(field, bytes.clone());
    return new WebDatasetSample(key, copy);
  }

  /** Adds field {@code field} holding UTF-8 JSON text; conventionally {@code "json"}. */
  public WebDatasetSample withJson(String field, String json) {
    checkArgument(json != null, "sample '%s' field '%s': json must not be null", key, field);
    return withBytes(field, json.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * Adds field {@code field} holding an {@code .npy} array; conventionally ending in {@code .npy}.
   */
  public WebDatasetSample withNpy(String field, NpyArray array) {
    checkArgument(array != null, "sample '%s' field '%s': array must not be null", key, field);
    return withBytes(field, array.toBytes());
  }

  /** The sample key (the tar name up to the first dot). */
  public String key() {
    return key;
  }

  /** Field names to contents, sorted by name; the arrays are shared, do not modify them. */
  public SortedMap<String, byte[]> fields() {
    return Collections.unmodifiableSortedMap(fields);
  }

  /** Total content bytes over all fields (without tar headers). */
  public long contentBytes() {
    long n = 0;
    for (byte[] b : fields.values()) {
      n += b.length;
    }
    return n;
  }

  /**
   * Checks a sample key against the naming rules.
   *
   * @throws IllegalArgumentException a one-line message naming the key and the rule it breaks
   */
  public static void checkKey(String key) {
    checkArgument(key != null, "sample key must not be null");
    checkArgument(
        !key.isEmpty() && key.length() <= MAX_KEY_LENGTH,
        "sample key '%s' must be 1-%s characters long",
        printable(key),
        MAX_KEY_LENGTH);
    for (int i = 0; i < key.length(); i++) {
      char c = key.charAt(i);
      checkArgument(
          c != '.',
          "sample key '%s' must not contain '.': WebDataset splits the key from the field at the"
              + " first dot; use '_' or '-' instead",
          printable(key));
      checkArgument(
          c != '/' && c != '\\',
          "sample key '%s' must not contain a path separator: tar entry names must stay inside"
              + " the shard",
          printable(key));
      checkArgument(
          !Character.isISOControl(c),
          "sample key '%s' must not contain NUL or control characters",
          printable(key));
    }
  }

  static void checkField(String key, String field) {
    checkArgument(field != null, "sample '%s': field name must not be null", key);
    checkArgument(
        !field.isEmpty() && field.length() <= MAX_FIELD_LENGTH,
        "sample '%s' field '%s' must be 1-%s characters long",
        key,
        printable(field),
        MAX_FIELD_LENGTH);
    checkArgument(
        !field.startsWith(".") && !field.endsWith(".") && !field.contains(".."),
        "sample '%s' field '%s' must not start or end with '.' or contain '..'",
        key,
        printable(field));
    for (int i = 0; i < field.length(); i++) {
      char c = field.charAt(i);
      checkArgument(
          c != '/' && c != '\\' && !Character.isISOControl(c),
          "sample '%s' field '%s' must not contain a path separator, NUL or control character:"
              + " tar entry names must stay inside the shard",
          key,
          printable(field));
    }
  }

  /** Shows control characters as {@code \\uXXXX} so the message stays on one line. */
  static String printable(String s) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isISOControl(c)) {
        b.append(String.format("\\u%04x", (int) c));
      } else {
        b.append(c);
      }
    }
    return b.toString();
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof WebDatasetSample)) {
      return false;
    }
    WebDatasetSample other = (WebDatasetSample) o;
    if (!key.equals(other.key) || !fields.keySet().equals(other.fields.keySet())) {
      return false;
    }
    for (Map.Entry<String, byte[]> e : fields.entrySet()) {
      if (!Arrays.equals(e.getValue(), other.fields.get(e.getKey()))) {
        return false;
      }
    }
    return true;
  }

  @Override
  public int hashCode() {
    return Objects.hash(key, fields.keySet());
  }

  @Override
  public String toString() {
    return "WebDatasetSample{" + key + ", fields=" + fields.keySet() + "}";
  }
}
