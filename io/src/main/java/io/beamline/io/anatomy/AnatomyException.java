package io.beamline.io.anatomy;

import java.io.IOException;

/**
 * An anatomy input file (connectivity zip, leadfield, distance matrix, region mapping) is missing
 * or malformed. The message is one line naming the file, the entry or variable, and the fix.
 */
public final class AnatomyException extends IOException {
  private static final long serialVersionUID = 1L;

  /**
   * @param message one line: file, entry or variable, what is wrong and how to fix it
   */
  public AnatomyException(String message) {
    super(message);
  }

  /**
   * @param cause the underlying exception, kept for debugging
   */
  public AnatomyException(String message, Throwable cause) {
    super(message, cause);
  }
}
