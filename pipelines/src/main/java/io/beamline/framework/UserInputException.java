package io.beamline.framework;

/**
 * A problem with what the user asked for (a missing input, an unwritable directory, a bad option
 * value). The message is one line that names the input and the fix; the command line prints it
 * without a stack trace and exits with status 2.
 */
public final class UserInputException extends RuntimeException {
  public UserInputException(String message) {
    super(message);
  }

  public UserInputException(String message, Throwable cause) {
    super(message, cause);
  }
}
