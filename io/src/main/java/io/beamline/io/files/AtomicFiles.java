package io.beamline.io.files;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.UUID;

/**
 * Writes files so that the final name only ever holds a complete file.
 *
 * <p>Content goes to a hidden temporary sibling ({@code .<name>.<uuid>.tmp}) in the same directory,
 * is flushed to disk, and is then renamed over the final name. If writing fails the temporary file
 * is removed and any previous file under the final name is left untouched.
 *
 * <pre>{@code
 * AtomicFiles.writeString(runDir.resolve("manifest.json"), json);
 * }</pre>
 */
public final class AtomicFiles {

  /** Writes bytes to an {@link OutputStream}; may throw {@link IOException}. */
  @FunctionalInterface
  public interface StreamWriter {
    void write(OutputStream out) throws IOException;
  }

  private AtomicFiles() {}

  /** Writes {@code text} as UTF-8 to {@code target} atomically. */
  public static void writeString(Path target, String text) throws IOException {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    write(target, out -> out.write(bytes));
  }

  /**
   * Runs {@code writer} against a temporary file next to {@code target}, then renames it to {@code
   * target}. Parent directories are created. On any failure the temporary file is deleted and the
   * exception is rethrown.
   */
  public static void write(Path target, StreamWriter writer) throws IOException {
    Path parent = target.toAbsolutePath().getParent();
    Files.createDirectories(parent);
    Path tmp = parent.resolve("." + target.getFileName() + "." + UUID.randomUUID() + ".tmp");
    try {
      try (var channel =
              java.nio.channels.FileChannel.open(
                  tmp,
                  java.nio.file.StandardOpenOption.CREATE_NEW,
                  java.nio.file.StandardOpenOption.WRITE);
          OutputStream out = java.nio.channels.Channels.newOutputStream(channel)) {
        writer.write(out);
        out.flush();
        channel.force(true);
      }
      moveIntoPlace(tmp, target);
    } catch (IOException | RuntimeException | Error e) {
      Files.deleteIfExists(tmp);
      throw e;
    }
  }

  /** Renames {@code source} to {@code target}, atomically where the file system allows it. */
  public static void moveIntoPlace(Path source, Path target) throws IOException {
    try {
      Files.move(
          source, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(source, target, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  /** Like {@link #writeString} but wraps the {@link IOException} for use inside lambdas. */
  public static void writeStringUnchecked(Path target, String text) {
    try {
      writeString(target, text);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + target + ": " + e.getMessage(), e);
    }
  }
}
