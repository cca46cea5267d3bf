package io.beamline.io.sensors;

import java.util.regex.Pattern;

/**
 * Kafka topic names for sensor streams: {@code <prefix>.<modality>.<sensorId>}, e.g. {@code
 * raw.eeg.eeg01}.
 */
public final class Topics {
  /** Kafka's legal topic characters. */
  private static final Pattern LEGAL = Pattern.compile("[a-zA-Z0-9._-]+");

  /** Kafka's limit on topic name length. */
  public static final int MAX_LENGTH = 249;

  private Topics() {}

  /**
   * Returns {@code prefix.modality.sensorId}.
   *
   * @param prefix non-empty, Kafka topic characters {@code [a-zA-Z0-9._-]}; may contain dots
   * @param modality non-empty, {@code [a-zA-Z0-9_-]} (no dot, so the name splits unambiguously)
   * @param sensorId non-empty, {@code [a-zA-Z0-9_-]}
   * @throws IllegalArgumentException naming the bad part and the rule
   */
  public static String of(String prefix, String modality, String sensorId) {
    checkPart("prefix", prefix, true);
    checkPart("modality", modality, false);
    checkPart("sensorId", sensorId, false);
    if (prefix.startsWith(".") || prefix.endsWith(".")) {
      throw new IllegalArgumentException(
          "topic prefix '" + prefix + "' must not start or end with '.'");
    }
    String topic = prefix + "." + modality + "." + sensorId;
    if (topic.length() > MAX_LENGTH) {
      throw new IllegalArgumentException(
          "topic '" + topic + "' is " + topic.length() + " characters, Kafka allows " + MAX_LENGTH);
    }
    return topic;
  }

  /** Checks a part used in topic names (modality or sensor id); returns it. */
  public static String checkPart(String what, String value, boolean dotAllowed) {
    if (value == null
        || value.isEmpty()
        || !LEGAL.matcher(value).matches()
        || (!dotAllowed && value.indexOf('.') >= 0)) {
      throw new IllegalArgumentException(
          what
              + " '"
              + value
              + "' must be non-empty and use only "
              + (dotAllowed ? "[a-zA-Z0-9._-]" : "[a-zA-Z0-9_-]")
              + " (Kafka topic characters)");
    }
    return value;
  }
}
