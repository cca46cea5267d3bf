package io.beamline.io.swf;

/**
 * A workflow message that cannot be decoded; the message is one line naming what is wrong, fit for
 * a dead-letter record.
 */
public final class MalformedMessageException extends Exception {
  private static final long serialVersionUID = 1L;

  /** A decoding failure with its one-line reason. */
  public MalformedMessageException(String reason) {
    super(reason);
  }
}
