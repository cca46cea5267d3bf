package io.beamline.io.mat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A MAT file could not be read or written. The message is one line naming the file, the variable
 * (when there is one) and what to do about it; the library's own exception, if any, is the cause.
 */
public final class MatFileException extends IOException {
  private static final long serialVersionUID = 1L;

  private final transient Path file;
  private final String variable;

  /**
   * @param file the MAT file concerned
   * @param variable the variable concerned, or {@code null} for file-level problems
   * @param message one line: what is wrong and how to fix it
   * @param cause the underlying exception, or {@code null}
   */
  public MatFileException(Path file, String variable, String message, Throwable cause) {
    super(message, cause);
    this.file = file;
    this.variable = variable;
  }

  /** The MAT file concerned. */
  public Path file() {
    return file;
  }

  /** The variable concerned, empty for file-level problems (missing, truncated, bad header). */
  public Optional<String> variable() {
    return Optional.ofNullable(variable);
  }
}
