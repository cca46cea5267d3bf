package io.beamline.framework.run;

import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The run directory's short name for the project's JSON mapper ({@link io.beamline.io.json.Json}).
 */
final class Json {
  static final ObjectMapper MAPPER = io.beamline.io.json.Json.PRETTY;

  private Json() {}

  static String write(Object value) {
    return io.beamline.io.json.Json.pretty(value);
  }
}
