package io.beamline.io.sensors;

/** Bytes that are not a valid encoded {@link SensorEvent}; the message is one line. */
public final class SensorEventFormatException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  /** Creates the exception with its one-line message. */
  public SensorEventFormatException(String message) {
    super(message);
  }
}
