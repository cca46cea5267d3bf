package io.beamline.io.audio;

import java.io.IOException;

/**
 * The bytes of a file are not a WAV file this package can decode (not RIFF/WAVE, a missing or
 * malformed {@code fmt } or {@code data} chunk, an unsupported encoding, a truncated file).
 *
 * <p>The message is one line naming the file, what is wrong and how to fix it, for example {@code
 * truncated WAV rec1.wav: data chunk says 960000 bytes but only 412 remain; re-copy the file}.
 * Caller mistakes (a frame range outside the file, a negative count) are {@link
 * IllegalArgumentException}s instead.
 */
public final class WavFormatException extends IOException {
  private static final long serialVersionUID = 1L;

  /**
   * @param message one line: file, problem, fix
   */
  public WavFormatException(String message) {
    super(message);
  }
}
