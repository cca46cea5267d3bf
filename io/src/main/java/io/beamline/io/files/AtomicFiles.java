package io.beamline.io.files;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * Writes files so that the final name only ever holds a complete file.
 *
 * <p>Content goes to a hidden temporary sibling ({@code .<name>.<uuid>.tmp}, see {@link
 * #temporarySibling}) in the same directory, is flushed to disk, and is then renamed over the final
 * name. If writing fails the temporary file is removed and any previous file under the final name
 * is left untouched. A whole directory is replaced the same way with {@link #replaceDirectory}.
 *
 * <p>A process that is killed leaves its temporaries behind; they are recognisable by name ({@link
 * #isTemporary}) and {@link #removeTemporaries} deletes them once no writer can still be using
 * them.
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

  /** Suffix of every temporary file or directory this class names. */
  public static final String TEMP_SUFFIX = ".tmp";

  /** Prefix of the directories a directory replacement parks the previous version in. */
  private static final String PARKED = ".parked-";

  /**
   * A fresh hidden temporary name next to {@code target}: {@code .<name>.<uuid>.tmp} in the same
   * directory, so renaming it onto {@code target} never crosses a file system.
   */
  public static Path temporarySibling(Path target) {
    Path t = target.toAbsolutePath();
    return t.resolveSibling("." + t.getFileName() + "." + UUID.randomUUID() + TEMP_SUFFIX);
  }

  /**
   * Whether a file or directory name is a temporary one: ours ({@code .<name>.<uuid>.tmp}, {@code
   * .<name>.tmp-<n>}), a directory replacement's parked previous version ({@code
   * .parked-<name>.<uuid>.tmp}), or Beam's FileIO staging directory ({@code .temp-beam*}). Hidden
   * names that are data (Zarr's {@code .zarray}) are not temporary.
   */
  public static boolean isTemporary(String name) {
    return name.startsWith(".")
        && (name.endsWith(TEMP_SUFFIX) || name.contains(".tmp-") || name.startsWith(".temp-beam"));
  }

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
    write(target, writer, true);
  }

  /**
   * {@link #write(Path, StreamWriter)} without forcing the file to disk before the rename: readers
   * and a process crash still see either no file or the whole file, but a machine crash may leave
   * it incomplete. Only for outputs that can be made again from durable data (a sample of an input
   * file), where one synced write per file would cost more than the output is worth.
   */
  public static void writeUnforced(Path target, StreamWriter writer) throws IOException {
    write(target, writer, false);
  }

  private static void write(Path target, StreamWriter writer, boolean force) throws IOException {
    Path parent = target.toAbsolutePath().getParent();
    Files.createDirectories(parent);
    Path tmp = temporarySibling(target);
    try {
      try (var channel =
              java.nio.channels.FileChannel.open(
                  tmp,
                  java.nio.file.StandardOpenOption.CREATE_NEW,
                  java.nio.file.StandardOpenOption.WRITE);
          OutputStream out = java.nio.channels.Channels.newOutputStream(channel)) {
        writer.write(out);
        out.flush();
        if (force) {
          channel.force(true);
        }
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

  /**
   * Publishes the complete directory {@code staged} as {@code target} unless another process got
   * there first: a rename that fails when {@code target} exists, for caches that any process may
   * fill (an extracted model, broker jars) where every complete copy is the same. The staged
   * directory is deleted when it was not used.
   *
   * @return true when {@code staged} became {@code target}, false when {@code target} was there
   */
  public static boolean publishDirectory(Path staged, Path target) throws IOException {
    try {
      force(staged);
      Files.move(staged, target, StandardCopyOption.ATOMIC_MOVE);
      force(target.getParent());
      return true;
    } catch (java.nio.file.FileSystemException e) {
      // Linux reports a rename onto a non-empty directory as a plain "Directory not empty".
      if (!Files.isDirectory(target)) {
        throw e;
      }
      deleteTree(staged);
      return false;
    }
  }

  /**
   * Forces a file's content (or a directory's entries) to disk, so that a rename that follows, or
   * one that preceded it, survives a power loss and not only a killed process. A file system that
   * cannot sync a directory is not an error.
   */
  public static void force(Path path) throws IOException {
    boolean dir = Files.isDirectory(path);
    try (var channel = java.nio.channels.FileChannel.open(path, StandardOpenOption.READ)) {
      channel.force(true);
    } catch (IOException e) {
      if (!dir) {
        throw e;
      }
    }
  }

  /**
   * Puts the complete directory {@code staged} in place of {@code target} (which may not exist), so
   * that readers see the old directory or the new one, never a mix: the previous version is first
   * renamed aside ({@code .parked-<name>.<uuid>.tmp}), then {@code staged} is renamed to {@code
   * target}, then the parked version is deleted. If the second rename fails the previous version is
   * renamed back. A process killed between the two renames leaves the parked version, which {@link
   * #recoverDirectory} puts back.
   *
   * @param staged a directory on the same file system as {@code target}, typically {@link
   *     #temporarySibling}{@code (target)}
   */
  public static void replaceDirectory(Path staged, Path target) throws IOException {
    Path t = target.toAbsolutePath();
    Files.createDirectories(t.getParent());
    Path parked = null;
    if (Files.exists(t, java.nio.file.LinkOption.NOFOLLOW_LINKS)
        && !Files.isDirectory(t, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      // Not ours to replace: someone's file (or link) sits where the directory goes.
      throw new java.nio.file.FileAlreadyExistsException(
          t.toString(),
          null,
          "a file is in the way of the output directory; move it away and run again");
    }
    if (Files.exists(t, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      parked = t.resolveSibling(PARKED + t.getFileName() + "." + UUID.randomUUID() + TEMP_SUFFIX);
      Files.move(t, parked, StandardCopyOption.ATOMIC_MOVE);
    }
    try {
      Files.move(staged, t, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException | RuntimeException e) {
      if (parked != null) {
        Files.move(parked, t, StandardCopyOption.ATOMIC_MOVE);
      }
      throw e;
    }
    force(t.getParent());
    if (parked != null) {
      deleteTree(parked);
    }
  }

  /**
   * Undoes a {@link #replaceDirectory} that was interrupted between its two renames: where {@code
   * target} is missing and a parked previous version of it exists, that version is renamed back.
   * Returns whether it restored one.
   */
  public static boolean recoverDirectory(Path target) throws IOException {
    Path t = target.toAbsolutePath();
    Path parent = t.getParent();
    if (Files.exists(t, java.nio.file.LinkOption.NOFOLLOW_LINKS) || !Files.isDirectory(parent)) {
      return false;
    }
    String prefix = PARKED + t.getFileName() + ".";
    try (Stream<Path> s = Files.list(parent)) {
      for (Path p : s.sorted().toList()) {
        String n = p.getFileName().toString();
        if (n.startsWith(prefix) && n.endsWith(TEMP_SUFFIX)) {
          Files.move(p, t, StandardCopyOption.ATOMIC_MOVE);
          return true;
        }
      }
    }
    return false;
  }

  /**
   * Deletes every temporary file or directory ({@link #isTemporary}) under {@code root}, without
   * following symbolic links; returns what it removed. Only call it when no process can still be
   * writing under {@code root}. Parked directory versions whose target is missing are put back
   * ({@link #recoverDirectory}) instead of deleted.
   */
  public static List<Path> removeTemporaries(Path root) throws IOException {
    List<Path> removed = new ArrayList<>();
    if (!Files.isDirectory(root)) {
      return removed;
    }
    List<Path> found = new ArrayList<>();
    try (Stream<Path> s = Files.walk(root)) {
      s.filter(p -> !p.equals(root))
          .filter(p -> isTemporary(p.getFileName().toString()))
          .forEach(found::add);
    }
    // Outermost first; a temporary inside a removed temporary directory is gone with it.
    found.sort(Comparator.comparingInt(Path::getNameCount));
    for (Path p : found) {
      if (!Files.exists(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
        continue;
      }
      String n = p.getFileName().toString();
      if (n.startsWith(PARKED)) {
        String target = n.substring(PARKED.length(), n.length() - TEMP_SUFFIX.length());
        int dot = target.lastIndexOf('.');
        if (dot > 0 && recoverDirectory(p.resolveSibling(target.substring(0, dot)))) {
          continue;
        }
      }
      deleteTree(p);
      removed.add(p);
    }
    return removed;
  }

  /** Deletes {@code path} and, for a directory, everything under it; a missing path is fine. */
  public static void deleteTree(Path path) throws IOException {
    if (!Files.exists(path, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    if (!Files.isDirectory(path, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      Files.deleteIfExists(path);
      return;
    }
    try (Stream<Path> s = Files.walk(path)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
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
