package io.beamline.io.swf;

import java.io.IOException;

/**
 * An STF file that is not a valid STF (bad magic, version, truncated, offsets outside the file).
 */
public final class StfFormatException extends IOException {
  private static final long serialVersionUID = 1L;

  /** The one-line reason, naming the file. */
  public StfFormatException(String message) {
    super(message);
  }
}
