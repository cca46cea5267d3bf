package io.beamline.runners.monitor.db;

import java.util.List;

/**
 * A column clients may write: its name (the JSON field and the SQL column are the same), its type,
 * whether a new row needs it, the value a new row gets without it, and the values it accepts
 * (empty: any of its type).
 */
public record Column(
    String name, ColumnType type, boolean required, Object defaultValue, List<String> allowed) {

  /** An optional column. */
  static Column of(String name, ColumnType type) {
    return new Column(name, type, false, null, List.of());
  }

  /** A column a new row must have. */
  static Column required(String name, ColumnType type) {
    return new Column(name, type, true, null, List.of());
  }

  /** A text column taking one of {@code allowed}, {@code defaultValue} when a new row omits it. */
  static Column choice(String name, String defaultValue, String... allowed) {
    return new Column(name, ColumnType.TEXT, false, defaultValue, List.of(allowed));
  }

  /** Checks {@code value} against {@link #allowed}; returns it. */
  Object check(Object value) {
    if (value != null && !allowed.isEmpty() && !allowed.contains(value.toString())) {
      throw new InvalidValueException(
          name + " must be one of " + String.join(", ", allowed) + ", got '" + value + "'");
    }
    return value;
  }
}
