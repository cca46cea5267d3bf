package io.beamline.framework.run;

import io.beamline.framework.UserInputException;
import io.beamline.io.files.Digests;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The files a run's manifest describes: its inputs (size, SHA-256) and the outputs it changed. */
final class RunFiles {
  private static final Logger LOG = LoggerFactory.getLogger(RunFiles.class);

  private RunFiles() {}

  static List<Map<String, Object>> describeInputs(List<Path> inputs) {
    List<Map<String, Object>> out = new ArrayList<>();
    for (Path p : inputs) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("path", p.toAbsolutePath().normalize().toString());
      try {
        m.put("size", Files.size(p));
        m.put("sha256", Digests.sha256(p));
      } catch (IOException e) {
        throw new UserInputException("cannot read input " + p + ": " + e.getMessage(), e);
      }
      out.add(m);
    }
    return out;
  }

  /**
   * Beam's FileIO moves its temporary files into place but leaves their (then empty) {@code
   * .temp-beam*} directory behind on local file systems; remove those, never a non-empty one.
   */
  static void removeEmptyTempDirs(List<Path> roots) {
    for (Path root : roots) {
      if (!Files.isDirectory(root)) {
        continue;
      }
      try (Stream<Path> dirs = Files.walk(root)) {
        for (Path d :
            dirs.filter(Files::isDirectory)
                .filter(d -> d.getFileName().toString().startsWith(".temp-beam"))
                .sorted(java.util.Comparator.reverseOrder())
                .toList()) {
          try (Stream<Path> entries = Files.list(d)) {
            if (entries.findAny().isEmpty()) {
              Files.delete(d);
            }
          }
        }
      } catch (IOException e) {
        LOG.warn("Could not tidy temporary directories under {}: {}", root, e.getMessage());
      }
    }
  }

  /** Regular files under the roots modified at or after {@code since} (skipping hidden/temp). */
  static List<Map<String, Object>> describeOutputs(List<Path> roots, Instant since) {
    List<Map<String, Object>> out = new ArrayList<>();
    FileTime threshold = FileTime.from(since.minusSeconds(1));
    for (Path root : roots) {
      if (!Files.isDirectory(root)) {
        continue;
      }
      try (Stream<Path> files = Files.walk(root)) {
        files
            .filter(Files::isRegularFile)
            .filter(f -> !f.getFileName().toString().startsWith("."))
            .filter(f -> !root.relativize(f).toString().contains(".temp-beam"))
            .sorted()
            .forEach(
                f -> {
                  try {
                    if (Files.getLastModifiedTime(f).compareTo(threshold) >= 0) {
                      Map<String, Object> m = new LinkedHashMap<>();
                      m.put("path", f.toAbsolutePath().normalize().toString());
                      m.put("size", Files.size(f));
                      out.add(m);
                    }
                  } catch (IOException e) {
                    throw new UncheckedIOException(e);
                  }
                });
      } catch (IOException | UncheckedIOException e) {
        LOG.warn("Could not list outputs under {}: {}", root, e.getMessage());
      }
    }
    return out;
  }
}
