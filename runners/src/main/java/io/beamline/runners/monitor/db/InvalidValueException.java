package io.beamline.runners.monitor.db;

/**
 * A value a client sent that the monitor refuses: the message is one line naming the field and the
 * fix (the REST layer answers it with status 400).
 */
public final class InvalidValueException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** {@code message} names the field and says what is accepted. */
  public InvalidValueException(String message) {
    super(message);
  }
}
