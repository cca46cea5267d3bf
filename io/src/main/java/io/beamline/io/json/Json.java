package io.beamline.io.json;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/**
 * The project's one JSON mapper: every JSON file and line Beamline writes or reads goes through it,
 * so all files share one dialect (keys in insertion order, UTF-8, numbers as written).
 *
 * <p>{@link #pretty} for documents a person reads (run manifests, commit records, sidecars), one
 * value per file, ending with a newline; {@link #line} for JSON Lines (telemetry, failure records),
 * one compact value without a newline.
 */
public final class Json {
  /** Compact: one value per line. Thread-safe; never reconfigure it. */
  public static final ObjectMapper MAPPER = new ObjectMapper();

  /** Indented, for documents. Thread-safe; never reconfigure it. */
  public static final ObjectMapper PRETTY =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  /**
   * Indented with map keys sorted, for documents compared across runners and runs (the
   * constellation's reports). Thread-safe; never reconfigure it.
   */
  public static final ObjectMapper SORTED =
      new ObjectMapper()
          .enable(SerializationFeature.INDENT_OUTPUT)
          .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS);

  private Json() {}

  /** {@code value} as an indented document ending with a newline. */
  public static String pretty(Object value) {
    try {
      return PRETTY.writeValueAsString(value) + "\n";
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot serialise " + value.getClass() + ": " + e, e);
    }
  }

  /** {@code value} as one compact line, without the newline. */
  public static String line(Object value) {
    try {
      return MAPPER.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot serialise " + value.getClass() + ": " + e, e);
    }
  }

  /** The tree of a JSON file. */
  public static JsonNode read(Path file) {
    try {
      return MAPPER.readTree(file.toFile());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read JSON " + file + ": " + e.getMessage(), e);
    }
  }
}
