package io.beamline.framework;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/** Checks shared by pipelines' {@code validate} methods; each throws {@link UserInputException}. */
public final class Inputs {
  private Inputs() {}

  /** Requires {@code path} to be an existing, readable regular file. */
  public static Path requireReadableFile(String flag, String path) {
    if (path == null || path.isBlank()) {
      throw new UserInputException(flag + " is required: give the path of an existing file");
    }
    Path p = Paths.get(path);
    if (!Files.exists(p)) {
      throw new UserInputException(
          "input file not found: " + path + " (" + flag + "); check the path or create the file");
    }
    if (!Files.isRegularFile(p) || !Files.isReadable(p)) {
      throw new UserInputException(
          "input is not a readable file: " + path + " (" + flag + "); give a readable file");
    }
    return p;
  }

  /**
   * Checks, without creating or writing anything, that {@code dir} can become the output directory:
   * it is a directory that can be written, or it does not exist and its nearest existing ancestor
   * is a writable directory. Returns the absolute, normalised path.
   */
  public static Path checkWritableDir(String flag, String dir) {
    if (dir == null || dir.isBlank()) {
      throw new UserInputException(flag + " is required: give a directory to write to");
    }
    Path p;
    try {
      p = Paths.get(dir).toAbsolutePath().normalize();
    } catch (java.nio.file.InvalidPathException e) {
      throw new UserInputException(
          "output directory is not a valid path: " + dir + " (" + flag + "): " + e.getReason());
    }
    Path existing = p;
    while (existing != null && !Files.exists(existing)) {
      existing = existing.getParent();
    }
    String problem = null;
    if (existing == null) {
      problem = "no part of the path exists";
    } else if (!Files.isDirectory(existing)) {
      problem =
          existing.equals(p)
              ? "it is a file, not a directory"
              : existing + " is a file, not a directory";
    } else if (!Files.isWritable(existing)) {
      problem = (existing.equals(p) ? "it" : existing.toString()) + " is not writable";
    }
    if (problem != null) {
      throw new UserInputException(
          "output directory is not writable: "
              + dir
              + " ("
              + flag
              + "): "
              + problem
              + "; choose a directory you can write to");
    }
    return p;
  }

  /**
   * Creates {@code dir} if needed and proves it is writable by creating and deleting a probe file
   * (permission bits alone lie for root and on network file systems).
   */
  public static Path requireWritableDir(String flag, String dir) {
    Path p = Paths.get(dir).toAbsolutePath().normalize();
    try {
      Files.createDirectories(p);
      Path probe = Files.createTempFile(p, ".beamline-write-check", ".tmp");
      Files.delete(probe);
    } catch (IOException | SecurityException e) {
      throw new UserInputException(
          "output directory is not writable: "
              + dir
              + " ("
              + flag
              + "): "
              + e.getClass().getSimpleName()
              + (e.getMessage() == null ? "" : " " + e.getMessage())
              + "; choose a directory you can write to");
    }
    return p;
  }
}
