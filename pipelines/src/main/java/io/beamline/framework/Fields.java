package io.beamline.framework;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Typed reading of a user file's fields ({@link StructuredFile}) that collects every problem
 * instead of stopping at the first, so one error line names every bad field: unknown keys with the
 * closest known one, wrong types, values out of range.
 *
 * <pre>{@code
 * Fields f = new Fields();
 * f.unknown(root, "", List.of("model", "epochs"));
 * Long epochs = f.integer(root, "epochs", 1, 1_000_000);
 * f.throwIfAny("training config " + file);
 * }</pre>
 */
public final class Fields {
  private final List<String> problems = new ArrayList<>();

  /** Records a problem in words, e.g. {@code "field 'x' must be ..."}. */
  public void add(String problem) {
    problems.add(problem);
  }

  /** The problems so far. */
  public List<String> problems() {
    return List.copyOf(problems);
  }

  /** Throws one {@link UserInputException} {@code "<where>: p1; p2"} when there are problems. */
  public void throwIfAny(String where) {
    if (!problems.isEmpty()) {
      throw new UserInputException(where + ": " + String.join("; ", problems));
    }
  }

  /** Flags keys of {@code node} not in {@code allowed}, naming the closest allowed key. */
  public void unknown(JsonNode node, String prefix, Collection<String> allowed) {
    for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
      String f = it.next();
      if (!allowed.contains(f)) {
        String near = Spelling.nearest(f, allowed);
        add(
            "unknown field '"
                + prefix
                + f
                + "'"
                + (near == null
                    ? " (known: " + String.join(", ", allowed) + ")"
                    : " (did you mean '" + prefix + near + "'?)"));
      }
    }
  }

  /** A text field, or null when absent or of the wrong type (then a problem is recorded). */
  public String string(JsonNode node, String field) {
    return string(node, field, field);
  }

  /** As {@link #string(JsonNode, String)}, naming the field {@code label} in messages. */
  public String string(JsonNode node, String field, String label) {
    JsonNode v = node.get(field);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isTextual()) {
      add("field '" + label + "' must be a string, got " + kind(v));
      return null;
    }
    return v.asText();
  }

  /** An integer field in {@code min..max}, or null (absent, or a problem recorded). */
  public Long integer(JsonNode node, String field, long min, long max) {
    return integer(node, field, field, min, max);
  }

  /** As {@link #integer(JsonNode, String, long, long)}, naming the field {@code label}. */
  public Long integer(JsonNode node, String field, String label, long min, long max) {
    JsonNode v = node.get(field);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isIntegralNumber() || !v.canConvertToLong()) {
      add("field '" + label + "' must be an integer, got " + kind(v));
      return null;
    }
    long x = v.asLong();
    if (x < min || x > max) {
      add(
          "field '"
              + label
              + "' must be "
              + (max == Long.MAX_VALUE ? ">= " + min : "in " + min + ".." + max)
              + ", got "
              + x);
      return null;
    }
    return x;
  }

  /** A finite number > 0, or null (absent, or a problem recorded). */
  public Double positive(JsonNode node, String field) {
    return number(node, field, false);
  }

  /** A finite number >= 0 (a duration that may be skipped), or null (absent, or a problem). */
  public Double nonNegative(JsonNode node, String field) {
    return number(node, field, true);
  }

  private Double number(JsonNode node, String field, boolean zeroOk) {
    JsonNode v = node.get(field);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isNumber()) {
      add("field '" + field + "' must be a number, got " + kind(v));
      return null;
    }
    double x = v.asDouble();
    if (!(zeroOk ? x >= 0 : x > 0) || Double.isInfinite(x)) {
      add(
          "field '"
              + field
              + "' must be a finite number "
              + (zeroOk ? ">= 0" : "> 0")
              + ", got "
              + v.asText());
      return null;
    }
    return x;
  }

  /**
   * A mapping field whose values pass {@code valueOk}, as scalars (String, Boolean, Long, Double);
   * empty when absent.
   */
  public Map<String, Object> mapOf(
      JsonNode node, String field, String label, Predicate<JsonNode> valueOk, String valueKind) {
    Map<String, Object> out = new LinkedHashMap<>();
    JsonNode v = node.get(field);
    if (v == null || v.isNull()) {
      return out;
    }
    if (!v.isObject()) {
      add("field '" + label + "' must be a mapping, got " + kind(v));
      return out;
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = v.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      JsonNode x = e.getValue();
      if (!valueOk.test(x)) {
        add("field '" + label + "." + e.getKey() + "' must be " + valueKind + ", got " + kind(x));
      } else {
        out.put(e.getKey(), scalar(x));
      }
    }
    return out;
  }

  /** A scalar node as String, Boolean, Long or Double. */
  public static Object scalar(JsonNode x) {
    if (x.isTextual()) {
      return x.asText();
    } else if (x.isBoolean()) {
      return x.asBoolean();
    } else if (x.isIntegralNumber() && x.canConvertToLong()) {
      return x.asLong();
    }
    return x.asDouble();
  }

  /** What a value is, for messages: {@code the string "32"}, {@code a list}, {@code 1.5}. */
  public static String kind(JsonNode v) {
    if (v.isTextual()) {
      String t = v.asText();
      return "the string \"" + (t.length() > 40 ? t.substring(0, 40) + "..." : t) + "\"";
    } else if (v.isArray()) {
      return "a list";
    } else if (v.isObject()) {
      return "a mapping";
    } else if (v.isBoolean()) {
      return "the boolean " + v.asText();
    } else if (v.isNull()) {
      return "null";
    }
    return v.asText();
  }
}
