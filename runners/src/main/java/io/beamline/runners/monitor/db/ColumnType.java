package io.beamline.runners.monitor.db;

import com.fasterxml.jackson.databind.JsonNode;
import io.beamline.io.json.Json;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;

/**
 * The kinds of values the monitor's columns hold, each parsed from JSON and from query strings in
 * one place, so every endpoint refuses the same bad values with the same message.
 */
public enum ColumnType {
  /** A 64-bit integer; JSON numbers without a fraction only (never a string). */
  LONG,
  /** A 32-bit integer. */
  INT,
  /** A string. */
  TEXT,
  /** A boolean. */
  BOOL,
  /** An instant: ISO-8601 with a zone or offset ({@code 2026-12-06T21:15:00.123Z}). */
  TIME,
  /** Any JSON value, kept as its compact text (read back as JSON). */
  JSON;

  /** The value of {@code node} for {@code field}, or an {@link InvalidValueException}. */
  Object fromJson(String field, JsonNode node) {
    if (node == null || node.isNull()) {
      return null;
    }
    switch (this) {
      case LONG, INT -> {
        if (!node.isIntegralNumber()
            || (this == INT && !node.canConvertToInt())
            || !node.canConvertToLong()) {
          throw new InvalidValueException(
              field + " must be an integer (a JSON number, not a string), got " + node);
        }
        return this == INT ? (Object) node.intValue() : (Object) node.longValue();
      }
      case BOOL -> {
        if (!node.isBoolean()) {
          throw new InvalidValueException(field + " must be true or false, got " + node);
        }
        return node.booleanValue();
      }
      case TIME -> {
        if (!node.isTextual()) {
          throw new InvalidValueException(
              field + " must be an ISO-8601 UTC time string such as 2026-12-06T21:15:00Z");
        }
        return parseTime(field, node.textValue());
      }
      case JSON -> {
        return Json.line(node);
      }
      default -> {
        if (!node.isTextual()) {
          throw new InvalidValueException(field + " must be a string, got " + node);
        }
        return node.textValue();
      }
    }
  }

  /** The value of a query-string parameter {@code field}. */
  Object fromText(String field, String text) {
    switch (this) {
      case LONG, INT -> {
        try {
          long v = Long.parseLong(text.trim());
          if (this == INT && (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE)) {
            throw new NumberFormatException();
          }
          return this == INT ? (Object) (int) v : (Object) v;
        } catch (NumberFormatException e) {
          throw new InvalidValueException(field + " must be an integer, got '" + text + "'");
        }
      }
      case BOOL -> {
        if (!text.equals("true") && !text.equals("false")) {
          throw new InvalidValueException(field + " must be true or false, got '" + text + "'");
        }
        return Boolean.parseBoolean(text);
      }
      case TIME -> {
        return parseTime(field, text);
      }
      default -> {
        return text;
      }
    }
  }

  /** Binds {@code value} (as this type holds it, or null) to parameter {@code i}. */
  void bind(PreparedStatement st, int i, Object value) throws SQLException {
    if (value == null) {
      st.setNull(
          i,
          switch (this) {
            case LONG -> Types.BIGINT;
            case INT -> Types.INTEGER;
            case BOOL -> Types.BOOLEAN;
            case TIME -> Types.TIMESTAMP_WITH_TIMEZONE;
            case TEXT, JSON -> Types.VARCHAR;
          });
      return;
    }
    switch (this) {
      case TIME -> st.setObject(i, OffsetDateTime.ofInstant((Instant) value, ZoneOffset.UTC));
      case LONG -> st.setLong(i, ((Number) value).longValue());
      case INT -> st.setInt(i, ((Number) value).intValue());
      case BOOL -> st.setBoolean(i, (Boolean) value);
      case TEXT, JSON -> st.setString(i, value.toString());
    }
  }

  /** {@code text} as an instant; a time without a zone is refused (never taken as local). */
  public static Instant parseTime(String field, String text) {
    try {
      return OffsetDateTime.parse(text).toInstant();
    } catch (DateTimeParseException e) {
      throw new InvalidValueException(
          field
              + " must be an ISO-8601 time with a zone, such as 2026-12-06T21:15:00.123Z, got '"
              + text
              + "'");
    }
  }
}
