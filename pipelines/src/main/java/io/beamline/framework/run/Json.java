package io.beamline.framework.run;

import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The run directory's short name for the project's one JSON mapper ({@link
 * io.beamline.io.json.Json}).
 */
public final class Json {
  static final ObjectMapper MAPPER = io.beamline.io.json.Json.PRETTY;

  private Json() {}

  /** {@code value} as pretty-printed JSON, ending with a newline. */
  public static String write(Object value) {
    return io.beamline.io.json.Json.pretty(value);
  }

  /** {@code value} as JSON on one line (for JSON-lines files), without the newline. */
  public static String line(Object value) {
    return io.beamline.io.json.Json.line(value);
  }
}
